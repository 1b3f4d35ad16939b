//! Validation of keys and items against a table's schema, with DynamoDB's messages.

use crate::Error;
use crate::item::{Item, Value, size};
use crate::table::{Index, KeySchema, Table};

/// The largest partition key, in bytes.
const MAX_HASH_KEY: usize = 2048;
/// The largest sort key, in bytes.
const MAX_RANGE_KEY: usize = 1024;
/// How deeply documents may nest.
const MAX_DEPTH: usize = 32;

/// The primary key values of a table's item.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PrimaryKey {
    pub hash: Value,
    pub range: Option<Value>,
}

impl PrimaryKey {
    /// The key as an item (for `Keys`, `LastEvaluatedKey`).
    pub fn to_item(&self, schema: &KeySchema) -> Item {
        let mut item = Item::new();
        item.insert(schema.partition().name.clone(), self.hash.clone());
        if let (Some(range), Some(value)) = (schema.sort(), &self.range) {
            item.insert(range.name.clone(), value.clone());
        }
        item
    }

    /// The key values, as store keys take them.
    pub fn parts(&self) -> (&Value, Option<&Value>) {
        (&self.hash, self.range.as_ref())
    }
}

fn mismatch() -> Error {
    Error::Validation("The provided key element does not match the schema".into())
}

fn check_key_value(name: &str, value: &Value, max: usize, range: bool) -> Result<(), Error> {
    let (empty, len) = match value {
        Value::S(text) => (text.is_empty(), text.len()),
        Value::B(bytes) => (bytes.is_empty(), bytes.len()),
        _ => (false, 0),
    };
    if empty {
        let kind = if matches!(value, Value::S(_)) {
            "string"
        } else {
            "binary"
        };
        return Err(Error::Validation(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute \
             cannot contain an empty {kind} value. Key: {name}"
        )));
    }
    if len > max {
        return Err(Error::invalid_parameter(if range {
            format!("Aggregated size of all range keys has exceeded the size limit of {max} bytes")
        } else {
            format!("Size of hashkey has exceeded the maximum size limit of{max} bytes")
        }));
    }
    Ok(())
}

/// The key a request names (`Key`): exactly the table's key attributes, with their types.
pub(crate) fn key(table: &Table, key: &Item) -> Result<PrimaryKey, Error> {
    let schema = &table.key;
    if key.len() != schema.attributes().count() {
        return Err(mismatch());
    }
    let typed = |attribute: &crate::table::KeyAttribute| {
        key.get(&attribute.name)
            .filter(|value| value.scalar_type() == Some(attribute.kind))
            .ok_or_else(mismatch)
    };
    let hash = typed(schema.partition())?;
    check_key_value(&schema.partition().name, hash, MAX_HASH_KEY, false)?;
    let range = match schema.sort() {
        Some(attribute) => {
            let value = typed(attribute)?;
            check_key_value(&attribute.name, value, MAX_RANGE_KEY, true)?;
            Some(value.clone())
        }
        None => None,
    };
    Ok(PrimaryKey {
        hash: hash.clone(),
        range,
    })
}

/// Checks an item to be stored and returns its key: key attributes present with their types,
/// index keys with theirs, size and nesting within DynamoDB's limits.
pub(crate) fn item(table: &Table, item: &Item) -> Result<PrimaryKey, Error> {
    let mut key = Item::new();
    for attribute in table.key.attributes() {
        match item.get(&attribute.name) {
            None => {
                return Err(Error::invalid_parameter(format!(
                    "Missing the key {} in the item",
                    attribute.name
                )));
            }
            Some(value) if value.scalar_type() != Some(attribute.kind) => {
                return Err(Error::invalid_parameter(format!(
                    "Type mismatch for key {} expected: {} actual: {}",
                    attribute.name,
                    attribute.kind.name(),
                    value.type_name()
                )));
            }
            Some(value) => {
                key.insert(attribute.name.clone(), value.clone());
            }
        }
    }
    let primary = self::key(table, &key)?;
    for index in table.global_indexes.iter().chain(&table.local_indexes) {
        check_index_key(index, item)?;
    }
    check_document(item)?;
    Ok(primary)
}

/// Checks an attribute name: not empty, at most 64 KiB.
pub(crate) fn check_attribute_name(name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::invalid_parameter("Empty attribute name"));
    }
    if name.len() > crate::expr::MAX_ATTRIBUTE_NAME_BYTES {
        return Err(Error::Validation(
            "1 validation error detected: Attribute name is too large, must be less than 65536 \
             bytes"
                .into(),
        ));
    }
    Ok(())
}

/// Checks the names of nested map keys too.
fn check_nested_names(value: &Value) -> Result<(), Error> {
    match value {
        Value::M(map) => {
            for (name, value) in map {
                if name.len() > crate::expr::MAX_ATTRIBUTE_NAME_BYTES {
                    check_attribute_name(name)?;
                }
                check_nested_names(value)?;
            }
            Ok(())
        }
        Value::L(list) => list.iter().try_for_each(check_nested_names),
        _ => Ok(()),
    }
}

/// Checks the names, size and nesting of an item.
pub(crate) fn check_document(item: &Item) -> Result<(), Error> {
    for (name, value) in item {
        check_attribute_name(name)?;
        check_nested_names(value)?;
    }
    if size::item_size(item) > size::MAX_ITEM_BYTES {
        return Err(Error::Validation(
            "Item size has exceeded the maximum allowed size".into(),
        ));
    }
    if item.values().any(|value| size::depth(value) >= MAX_DEPTH) {
        return Err(Error::Validation(
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested \
             levels beyond supported limit"
                .into(),
        ));
    }
    Ok(())
}

/// An item's index key attributes, when present, must have the index's types.
pub(crate) fn check_index_key(index: &Index, item: &Item) -> Result<(), Error> {
    for attribute in index.key.attributes() {
        let Some(value) = item.get(&attribute.name) else {
            continue;
        };
        if value.scalar_type() != Some(attribute.kind) {
            return Err(Error::invalid_parameter(format!(
                "Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                attribute.name,
                attribute.kind.name(),
                value.type_name(),
                index.name
            )));
        }
        let (empty, len) = match value {
            Value::S(text) => (text.is_empty(), text.len()),
            Value::B(bytes) => (bytes.is_empty(), bytes.len()),
            _ => (false, 0),
        };
        let max = if index.key.hash.contains(attribute) {
            MAX_HASH_KEY
        } else {
            MAX_RANGE_KEY
        };
        if len > max {
            return Err(Error::invalid_parameter(format!(
                "Index key size of {len} bytes exceeds the limit of {max} bytes for {} in index {}",
                attribute.name, index.name
            )));
        }
        if empty {
            return Err(Error::Validation(format!(
                "One or more parameter values are not valid. A value specified for a secondary \
                 index key is not supported. The AttributeValue for a key attribute cannot \
                 contain an empty {} value. IndexName: {}, IndexKey: {}",
                if matches!(value, Value::S(_)) {
                    "string"
                } else {
                    "binary"
                },
                index.name,
                attribute.name
            )));
        }
    }
    Ok(())
}
