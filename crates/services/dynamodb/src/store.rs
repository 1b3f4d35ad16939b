//! DynamoDB's keyspace.
//!
//! | key | value |
//! |---|---|
//! | `DynamoDb, "table", account, region, name` | [`Table`] record |
//! | `DynamoDb, "item", table id, hash(pk), pk, [sk]` | item |
//! | `DynamoDb, "index", table id, index number, hash(index pk), index pk…, index sk…, pk, [sk]` | projected item |
//!
//! Items are ordered by a 64-bit hash of the partition key, then the partition key, then the
//! sort key: a partition is one contiguous range, sort-key order within it is value order
//! (numbers numerically), and a parallel scan's segment is a contiguous range of hashes, as in
//! DynamoDB. Local and global index entries share one layout; a local index's partition key is
//! the table's. A global index's multi-attribute key is its values in key schema order, the
//! partition hash taken over all partition key values: an equality on every partition key
//! attribute and on leading sort key attributes selects one contiguous range.

use unkai_store::record;
use unkai_store::tuple::{self, KeyBuilder};
use unkai_store::{KeyRange, Result, Space, Tx};

use crate::item::{Item, Value, codec};
use crate::table::Table;

/// The version of stored items and index entries.
const ITEM_VERSION: u8 = 1;

pub(crate) fn table_key(account: &str, region: &str, name: &str) -> Vec<u8> {
    tuple::key(Space::DynamoDb)
        .str("table")
        .str(account)
        .str(region)
        .str(name)
        .finish()
}

/// Every table record of an account in a region, by name.
pub(crate) fn tables(account: &str, region: &str) -> KeyRange {
    tuple::key(Space::DynamoDb)
        .str("table")
        .str(account)
        .str(region)
        .range()
}

/// The first key after the table record `name` (for ListTables pagination).
pub(crate) fn after_table(account: &str, region: &str, name: &str) -> Vec<u8> {
    let mut key = table_key(account, region, name);
    key.push(0);
    key
}

pub(crate) fn get_table(
    tx: &mut Tx,
    account: &str,
    region: &str,
    name: &str,
) -> Result<Option<Table>> {
    let key = table_key(account, region, name);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn decode_table(key: &[u8], bytes: &[u8]) -> Result<Table> {
    record::decode(key, bytes)
}

pub(crate) fn put_table(tx: &mut Tx, account: &str, region: &str, table: &Table) {
    tx.set(
        table_key(account, region, &table.name),
        record::encode(table),
    );
}

pub(crate) fn delete_table(tx: &mut Tx, account: &str, region: &str, name: &str) {
    tx.clear(table_key(account, region, name));
}

/// Appends a key value: strings, numbers (numerically ordered) and binaries.
fn element(builder: KeyBuilder, value: &Value) -> KeyBuilder {
    match value {
        Value::S(text) => builder.str(text),
        Value::N(number) => builder.number(number.decimal()),
        Value::B(bytes) => builder.bytes(bytes),
        other => unreachable!("key values are scalars, not {}", other.type_name()),
    }
}

/// The 64-bit hash that places a partition key.
pub(crate) fn hash(value: &Value) -> u64 {
    hash_all(&[value])
}

/// The 64-bit hash that places a (possibly multi-attribute) partition key.
fn hash_all(values: &[&Value]) -> u64 {
    let bytes = elements(tuple::key(Space::DynamoDb), values).finish();
    xxhash_rust::xxh3::xxh3_64(&bytes[1..])
}

fn elements(builder: KeyBuilder, values: &[&Value]) -> KeyBuilder {
    values
        .iter()
        .fold(builder, |key, value| element(key, value))
}

fn items_of(table: u64) -> KeyBuilder {
    tuple::key(Space::DynamoDb).str("item").uint(table)
}

/// Where the item with this key is stored.
pub(crate) fn item_key(table: u64, hash_value: &Value, range: Option<&Value>) -> Vec<u8> {
    let key = element(items_of(table).uint(hash(hash_value)), hash_value);
    match range {
        Some(range) => element(key, range).finish(),
        None => key.finish(),
    }
}

/// Every item of a table.
pub(crate) fn items(table: u64) -> KeyRange {
    items_of(table).range()
}

/// The items of one partition.
pub(crate) fn partition(table: u64, hash_value: &Value) -> KeyRange {
    element(items_of(table).uint(hash(hash_value)), hash_value).range()
}

/// The part of a table (or of an index, with `index`) that segment `segment` of `total` scans.
pub(crate) fn segment(table: u64, index: Option<u32>, segment: u64, total: u64) -> KeyRange {
    let base = || match index {
        Some(index) => index_of(table, index),
        None => items_of(table),
    };
    let bound = |n: u64| ((u128::from(n) << 64) / u128::from(total)) as u64;
    let start = base().uint(bound(segment)).finish();
    let end = if segment + 1 == total {
        base().range().end
    } else {
        base().uint(bound(segment + 1)).finish()
    };
    KeyRange::new(start, end)
}

fn index_of(table: u64, index: u32) -> KeyBuilder {
    tuple::key(Space::DynamoDb)
        .str("index")
        .uint(table)
        .uint(u64::from(index))
}

/// Where an index entry is stored: the index key (partition key values, then sort key
/// values), then the item's primary key (which makes entries unique when index keys repeat).
pub(crate) fn index_key(
    table: u64,
    index: u32,
    (hash_values, range_values): (&[&Value], &[&Value]),
    primary: (&Value, Option<&Value>),
) -> Vec<u8> {
    let key = index_partition_of(table, index, hash_values);
    let mut key = element(elements(key, range_values), primary.0);
    if let Some(range) = primary.1 {
        key = element(key, range);
    }
    key.finish()
}

fn index_partition_of(table: u64, index: u32, hash_values: &[&Value]) -> KeyBuilder {
    elements(
        index_of(table, index).uint(hash_all(hash_values)),
        hash_values,
    )
}

/// Every entry of an index.
pub(crate) fn index_entries(table: u64, index: u32) -> KeyRange {
    index_of(table, index).range()
}

/// The entries of one partition of an index.
pub(crate) fn index_partition(table: u64, index: u32, hash_values: &[&Value]) -> KeyRange {
    index_partition_of(table, index, hash_values).range()
}

/// `partition`'s prefix followed by the sort key `value`: every key of the partition whose
/// sort key is `value` starts with it (index entries continue with the primary key).
pub(crate) fn sort_key_prefix(partition: &KeyRange, value: &Value) -> Vec<u8> {
    let encoded = element(tuple::key(Space::DynamoDb), value).finish();
    [partition.start.as_slice(), &encoded[1..]].concat()
}

/// `partition`'s prefix followed by the start of a string or binary sort key that begins with
/// `value` (`begins_with`): the encoded value without its terminator.
pub(crate) fn sort_key_begins(partition: &KeyRange, value: &Value) -> Vec<u8> {
    let mut prefix = sort_key_prefix(partition, value);
    prefix.pop();
    prefix
}

/// The stored form of an item or index entry.
pub(crate) fn encode_item(item: &Item) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.push(ITEM_VERSION);
    codec::encode_item(item, &mut out);
    out
}

/// Reads an item or index entry.
pub(crate) fn decode_item(key: &[u8], bytes: &[u8]) -> Result<Item> {
    read_item(key, bytes, codec::decode_item)
}

/// Writes a stored item as DynamoDB JSON and returns its size (see [`codec::transcode_item`]).
pub(crate) fn transcode_item(key: &[u8], bytes: &[u8], out: &mut Vec<u8>) -> Result<usize> {
    read_item(key, bytes, |body| codec::transcode_item(body, out))
}

/// Reads the stored item under `key` with `read`, once its version is checked.
fn read_item<T>(
    key: &[u8],
    bytes: &[u8],
    read: impl FnOnce(&[u8]) -> std::result::Result<T, String>,
) -> Result<T> {
    match bytes.split_first() {
        Some((&ITEM_VERSION, body)) => {
            read(body).map_err(|reason| unkai_store::Error::corrupt(key, reason))
        }
        _ => Err(unkai_store::Error::corrupt(key, "unknown item version")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::Number;

    fn n(text: &str) -> Value {
        Value::N(Number::parse(text).unwrap())
    }

    #[test]
    fn a_partition_is_contiguous_and_sorted_by_sort_key() {
        let p = Value::S("p".into());
        let range = partition(7, &p);
        let keys: Vec<Vec<u8>> = ["-1", "0.5", "2", "10"]
            .iter()
            .map(|sk| item_key(7, &p, Some(&n(sk))))
            .collect();
        for key in &keys {
            assert!(range.contains(key));
        }
        assert!(keys.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(!range.contains(&item_key(7, &Value::S("q".into()), None)));
        assert!(!range.contains(&item_key(8, &p, None)));
        assert_eq!(hash(&n("1.0")), hash(&n("1")));
        assert_ne!(hash(&Value::S("1".into())), hash(&n("1")));
    }

    #[test]
    fn segments_tile_the_table() {
        for total in [1, 2, 3, 7] {
            let all = items(1);
            let first = segment(1, None, 0, total);
            let last = segment(1, None, total - 1, total);
            assert!(first.start > all.start && first.start <= items_of(1).uint(0).finish());
            assert_eq!(last.end, all.end);
            for s in 0..total - 1 {
                assert_eq!(
                    segment(1, None, s, total).end,
                    segment(1, None, s + 1, total).start
                );
            }
        }
    }
}
