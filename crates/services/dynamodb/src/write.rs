//! The write path every item change takes, in the request's one transaction: the item, every
//! index entry, and the stream record.
//!
//! Architecture Invariant: index entries and stream records are written in the same
//! transaction as the item they follow; unkai's indexes are therefore read-after-write
//! consistent (stronger than DynamoDB's eventually consistent global indexes).

use unkai_store::Tx;

use crate::Error;
use crate::item::Item;
use crate::keys::PrimaryKey;
use crate::store;
use crate::streams;
use crate::table::{Index, IndexStatus, Projection, Table};

/// Who made a change, for stream records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A request.
    Request,
    /// Time to live expired the item.
    TimeToLive,
}

/// Whether `index` holds the attribute `name` of its items.
pub(crate) fn projects(table: &Table, index: &Index, name: &str) -> bool {
    match &index.projection {
        Projection::All => true,
        Projection::KeysOnly => table.key.contains(name) || index.key.contains(name),
        Projection::Include(names) => {
            table.key.contains(name) || index.key.contains(name) || names.iter().any(|n| n == name)
        }
    }
}

/// The part of `item` that `index` holds.
pub(crate) fn project(table: &Table, index: &Index, item: &Item) -> Item {
    match &index.projection {
        Projection::All => item.clone(),
        Projection::KeysOnly | Projection::Include(_) => item
            .iter()
            .filter(|(name, _)| projects(table, index, name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
    }
}

/// Where `item` is in `index`, if the item has the index's key.
pub(crate) fn index_entry_key(table: &Table, index: &Index, item: &Item) -> Option<Vec<u8>> {
    let values = index.key.all_values(item)?;
    let primary = table.key.values(item)?;
    Some(store::index_key(
        table.id,
        index.number,
        values.split_at(index.key.hash.len()),
        primary,
    ))
}

/// The indexes writes maintain: active ones and ones being filled.
pub(crate) fn maintained(table: &Table) -> impl Iterator<Item = &Index> {
    table
        .global_indexes
        .iter()
        .chain(&table.local_indexes)
        .filter(|index| index.status != IndexStatus::Deleting)
}

/// How many index entries a change writes or removes, per index (for consumed capacity).
pub(crate) type IndexWrites = Vec<(String, bool)>;

/// When, where and why a change is made (for stream records).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meta {
    pub now_ms: u64,
    pub origin: Origin,
}

/// Changes the item with `key` from `old` to `new` (`None` removes it), with its index entries
/// and stream record. Returns the indexes whose entries changed.
pub(crate) fn write(
    tx: &mut Tx,
    table: &Table,
    key: &PrimaryKey,
    old: Option<&Item>,
    new: Option<&Item>,
    meta: &Meta,
) -> Result<IndexWrites, Error> {
    let (hash, range) = key.parts();
    let item_key = store::item_key(table.id, hash, range);
    match new {
        Some(item) => tx.set(item_key, store::encode_item(item)),
        None => tx.clear(item_key),
    }
    let mut touched = Vec::new();
    for index in maintained(table) {
        let before = old.and_then(|item| index_entry_key(table, index, item));
        let after = new.and_then(|item| index_entry_key(table, index, item));
        let projected_old = old
            .filter(|_| before.is_some())
            .map(|item| project(table, index, item));
        let projected_new = new
            .filter(|_| after.is_some())
            .map(|item| project(table, index, item));
        if before == after && projected_old == projected_new {
            continue;
        }
        if let Some(before) = &before
            && Some(before) != after.as_ref()
        {
            tx.clear(before.clone());
        }
        if let (Some(after), Some(projected)) = (after, &projected_new) {
            tx.set(after, store::encode_item(projected));
        }
        touched.push((
            index.name.clone(),
            table.global_indexes.iter().any(|g| g.name == index.name),
        ));
    }
    if old != new
        && let Some(stream) = table.active_stream()
    {
        streams::append(tx, table, stream, key, old, new, meta);
    }
    Ok(touched)
}
