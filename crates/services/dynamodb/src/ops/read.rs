//! What Query and Scan share: choosing the table or index, Select and projection, the page
//! limits (Limit items evaluated, 1 MB read), filters, and `LastEvaluatedKey`.

use unkai_store::{KeyRange, Tx};

use super::get_item::projected;
use super::items::{Capacity, ReturnCapacity, read_units};
use crate::api::ReadInput;
use crate::expr::{Condition, Projection};
use crate::item::{Item, size};
use crate::keys;
use crate::store;
use crate::table::{Index, Projection as IndexProjection, Table};
use crate::{Error, Output, Shape};

/// Most bytes one page reads.
const PAGE_BYTES: usize = 1 << 20;
/// Items read from the store at a time.
const CHUNK: usize = 100;

/// `Select`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Select {
    AllAttributes,
    AllProjected,
    Specific,
    Count,
}

/// Where a read looks: the table, or one of its indexes.
pub(crate) struct Target<'a> {
    pub table: &'a Table,
    pub index: Option<(&'a Index, bool)>,
}

impl Target<'_> {
    /// The key attributes a `LastEvaluatedKey` carries: the table's, then the index's.
    pub fn key_of(&self, item: &Item) -> Item {
        let mut key = self.table.key.key_of(item);
        if let Some((index, _)) = self.index {
            key.extend(index.key.key_of(item));
        }
        key
    }

    /// Where the entry of `start` (an `ExclusiveStartKey`) is stored.
    pub fn start_key(&self, start: &Item) -> Result<Vec<u8>, Error> {
        let invalid = || {
            Error::Validation(
                "The provided starting key is invalid: The provided key element does not match \
                 the schema"
                    .into(),
            )
        };
        let expected = self.key_of(start);
        if expected.len() != start.len() {
            return Err(invalid());
        }
        let primary =
            keys::key(self.table, &self.table.key.key_of(start)).map_err(|_| invalid())?;
        match self.index {
            None => Ok(store::item_key(
                self.table.id,
                &primary.hash,
                primary.range.as_ref(),
            )),
            Some((index, _)) => {
                let values = index.key.all_values(start).ok_or_else(invalid)?;
                Ok(store::index_key(
                    self.table.id,
                    index.number,
                    values.split_at(index.key.hash.len()),
                    primary.parts(),
                ))
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.table.name
    }
}

/// A key as DynamoDB's messages show it: `{p=AttributeValue: {S:x}}`.
pub(crate) fn describe_key(key: &Item) -> String {
    let mut names: Vec<&String> = key.keys().collect();
    names.sort();
    let shown: Vec<String> = names
        .into_iter()
        .map(|name| {
            let value = serde_json::to_value(&key[name]).unwrap_or_default();
            let (kind, scalar) = value
                .as_object()
                .and_then(|map| map.iter().next())
                .map(|(kind, scalar)| {
                    (kind.clone(), scalar.as_str().unwrap_or_default().to_owned())
                })
                .unwrap_or_default();
            format!("{name}=AttributeValue: {{{kind}:{scalar}}}")
        })
        .collect();
    format!("{{{}}}", shown.join(", "))
}

/// Validates `Select` and the projection against the index.
pub(crate) fn select(
    input: &ReadInput,
    target: &Target<'_>,
    projection: Option<&Projection>,
) -> Result<Select, Error> {
    if let (Some(projection), Some((index, true))) = (projection, target.index) {
        let missing: Vec<&str> = projection
            .paths()
            .iter()
            .map(|path| path.top())
            .filter(|name| !crate::write::projects(target.table, index, name))
            .collect();
        if !missing.is_empty() {
            return Err(Error::invalid_parameter(format!(
                "Global secondary index {} does not project [{}]",
                index.name,
                missing.join(", ")
            )));
        }
    }
    let has_projection = projection.is_some();
    let select = match input.select.as_deref() {
        None if has_projection => Select::Specific,
        None if target.index.is_some() => Select::AllProjected,
        None => Select::AllAttributes,
        Some("ALL_ATTRIBUTES") => Select::AllAttributes,
        Some("ALL_PROJECTED_ATTRIBUTES") => Select::AllProjected,
        Some("SPECIFIC_ATTRIBUTES") => Select::Specific,
        Some("COUNT") => Select::Count,
        Some(other) => {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value '{other}' at 'select' failed to satisfy \
                 constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, \
                 ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
            )));
        }
    };
    if has_projection && select != Select::Specific {
        return Err(Error::Validation(
            "One or more parameter values were invalid: Cannot specify the AttributesToGet or \
             ProjectionExpression when choosing to get ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES \
             or COUNT"
                .into(),
        ));
    }
    if !has_projection && select == Select::Specific {
        return Err(Error::Validation(
            "One or more parameter values were invalid: Must specify the AttributesToGet or \
             ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
                .into(),
        ));
    }
    if select == Select::AllProjected && target.index.is_none() {
        return Err(Error::Validation(
            "One or more parameter values were invalid: ALL_PROJECTED_ATTRIBUTES can be used \
             only when Querying using an IndexName"
                .into(),
        ));
    }
    if let (Select::AllAttributes, Some((index, true))) = (select, target.index)
        && index.projection != IndexProjection::All
    {
        return Err(Error::Validation(format!(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not \
                 supported for global secondary index {} because its projection type is not ALL",
            index.name
        )));
    }
    Ok(select)
}

/// Validates `Limit`.
pub(crate) fn limit(value: Option<i64>) -> Result<Option<usize>, Error> {
    match value {
        None => Ok(None),
        Some(n) if n >= 1 => Ok(Some(n as usize)),
        Some(n) => Err(Error::Validation(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: \
             Member must have value greater than or equal to 1"
        ))),
    }
}

/// What to read and how to present it.
pub(crate) struct Plan<'a> {
    pub target: Target<'a>,
    pub select: Select,
    pub projection: Option<&'a Projection>,
    pub filter: Option<&'a Condition>,
    pub limit: Option<usize>,
    pub consistent: bool,
    pub forward: bool,
    pub capacity: ReturnCapacity,
}

impl Plan<'_> {
    /// Whether a page ends after `scanned` items of `bytes` in all: at the limit or at 1 MB.
    fn page_ends(&self, scanned: usize, bytes: usize) -> bool {
        self.limit == Some(scanned) || bytes >= PAGE_BYTES
    }
}

/// Reads one page of `range` (after `start`, if given) and renders Query/Scan's output.
pub(crate) fn page(
    tx: &mut Tx,
    plan: &Plan<'_>,
    mut range: KeyRange,
    start: Option<Vec<u8>>,
) -> Result<Output, Error> {
    if let Some(start) = start {
        if plan.forward {
            let after = [start.as_slice(), &[0]].concat();
            if after > range.start {
                range.start = after;
            }
        } else if start < range.end {
            range.end = start;
        }
    }
    // A local index fetches what it does not project from the table, as DynamoDB does.
    let fetches = matches!(plan.select, Select::AllAttributes | Select::Specific)
        && matches!(plan.target.index, Some((index, false)) if index.projection != IndexProjection::All);
    // Items shown whole go from their stored form straight to JSON; the others are decoded to
    // be fetched, filtered or projected.
    let whole = !fetches
        && plan.filter.is_none()
        && plan.projection.is_none()
        && plan.select != Select::Count;
    // The shown items' JSON, comma-separated.
    let mut items: Vec<u8> = Vec::new();
    let (mut scanned, mut count, mut bytes) = (0usize, 0usize, 0usize);
    let mut last: Option<Item> = None;
    if whole {
        // One pass over the range, each item written as it is read, without copying it out of
        // the engine.
        let mut stopped_at: Option<(Vec<u8>, Vec<u8>)> = None;
        tx.visit(&range, !plan.forward, |key, value| {
            scanned += 1;
            separate(&mut items);
            bytes += store::transcode_item(key, value, &mut items)?;
            count += 1;
            if plan.page_ends(scanned, bytes) {
                stopped_at = Some((key.to_vec(), value.to_vec()));
                return Ok(false);
            }
            Ok(true)
        })?;
        // `LastEvaluatedKey` is the key of the last item read.
        if let Some((key, value)) = stopped_at {
            last = Some(plan.target.key_of(&store::decode_item(&key, &value)?));
        }
    } else {
        'pages: while !range.is_empty() {
            let want = plan
                .limit
                .map_or(CHUNK, |limit| (limit - scanned).min(CHUNK));
            let chunk = if plan.forward {
                tx.range(&range, want)?
            } else {
                tx.range_rev(&range, want)?
            };
            for (key, value) in &chunk {
                scanned += 1;
                let mut item = store::decode_item(key, value)?;
                bytes += size::item_size(&item);
                // Where the page stops: `LastEvaluatedKey` is the key of the last item read.
                let stops = plan.page_ends(scanned, bytes);
                if stops {
                    last = Some(plan.target.key_of(&item));
                }
                if fetches && let Some((hash, range_key)) = plan.target.table.key.values(&item) {
                    let base = store::item_key(plan.target.table.id, hash, range_key);
                    if let Some(full) = tx.get(&base)? {
                        item = store::decode_item(&base, &full)?;
                    }
                }
                if plan
                    .filter
                    .is_none_or(|filter| filter.evaluate(Some(&item)))
                {
                    count += 1;
                    if plan.select != Select::Count {
                        let shown = projected(item, plan.projection);
                        separate(&mut items);
                        serde_json::to_writer(&mut items, &shown).expect("items serialize");
                    }
                }
                if stops {
                    break 'pages;
                }
            }
            if chunk.len() < want {
                break;
            }
            let (last_key, _) = chunk.last().expect("a full chunk has a last key");
            if plan.forward {
                range.start = [last_key.as_slice(), &[0]].concat();
            } else {
                range.end = last_key.clone();
            }
        }
    }
    let capacity = Capacity {
        table: read_units(bytes, plan.consistent),
        ..Capacity::default()
    };
    let capacity = match plan.target.index {
        Some((index, global)) => {
            let mut by_index = Capacity::default();
            let map = if global {
                &mut by_index.global
            } else {
                &mut by_index.local
            };
            map.insert(index.name.clone(), capacity.table);
            by_index
        }
        None => capacity,
    };
    // Query's and Scan's output shape, members in the order DynamoDB writes them. A page that
    // stopped exactly at the end of the data still reports where it stopped, as DynamoDB does.
    let mut shape = Shape::with_capacity(items.len() + 128);
    if plan.select != Select::Count {
        let out = shape.member("Items");
        out.push(b'[');
        out.extend_from_slice(&items);
        out.push(b']');
    }
    shape.json("Count", &count);
    shape.json("ScannedCount", &scanned);
    if let Some(last) = last {
        shape.json("LastEvaluatedKey", &last);
    }
    if let Some(capacity) = capacity.json(plan.target.name(), plan.capacity) {
        shape.json("ConsumedCapacity", &capacity);
    }
    Ok(shape.finish())
}

/// Separates the next item's JSON from the previous one's.
fn separate(items: &mut Vec<u8>) {
    if !items.is_empty() {
        items.push(b',');
    }
}
