//! Item sizes as DynamoDB counts them (for the 400 KB limit and for consumed capacity): names
//! and strings in UTF-8 bytes, binaries in raw bytes, numbers at one byte per two significant
//! digits plus one, 1 byte for `NULL` and `BOOL`, 3 bytes of overhead per list or map and 1
//! per element.

use super::{Item, Value};

/// The largest item, in bytes.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The size of an item.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

/// The size of a value, without its attribute name.
pub fn value_size(value: &Value) -> usize {
    match value {
        Value::S(text) => text.len(),
        Value::N(number) => number_size(number.significant_digits()),
        Value::B(bytes) => bytes.len(),
        Value::Ss(set) => set.iter().map(String::len).sum(),
        Value::Ns(set) => set
            .iter()
            .map(|n| number_size(n.significant_digits()))
            .sum(),
        Value::Bs(set) => set.iter().map(Vec::len).sum(),
        Value::M(item) => {
            3 + item
                .iter()
                .map(|(name, v)| 1 + name.len() + value_size(v))
                .sum::<usize>()
        }
        Value::L(list) => 3 + list.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        Value::Null | Value::Bool(_) => 1,
    }
}

/// The size of a number with `digits` significant digits.
pub fn number_size(digits: usize) -> usize {
    digits.div_ceil(2) + 1
}

/// How deeply lists and maps nest (a scalar is 0, a list of scalars 1).
pub fn depth(value: &Value) -> usize {
    match value {
        Value::M(item) => 1 + item.values().map(depth).max().unwrap_or(0),
        Value::L(list) => 1 + list.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::Number;

    #[test]
    fn sizes_follow_the_documented_rules() {
        let mut item = Item::new();
        item.insert("name".into(), Value::S("héllo".into()));
        item.insert("n".into(), Value::N(Number::parse("12345").unwrap()));
        item.insert("flag".into(), Value::Bool(true));
        item.insert(
            "l".into(),
            Value::L(vec![Value::Null, Value::S("ab".into())]),
        );
        assert_eq!(
            item_size(&item),
            (4 + 6) + (1 + 4) + (4 + 1) + (1 + 3 + 2 + 3)
        );
        assert_eq!(depth(&Value::L(vec![Value::M(Item::new())])), 2);
    }
}
