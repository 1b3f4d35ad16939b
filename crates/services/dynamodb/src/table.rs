//! Tables as unkai keeps them: key schema, indexes, billing, stream and TTL settings. These are
//! stored records (see [`crate::store`]); their wire shapes are built in [`crate::api`].

use serde::{Deserialize, Serialize};

use crate::item::{Item, ScalarType, Value};

/// A key attribute: its name and scalar type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAttribute {
    /// The attribute name.
    pub name: String,
    /// `S`, `N` or `B`.
    pub kind: ScalarType,
}

/// A primary key or an index key: partition (`HASH`) key attributes and sort (`RANGE`) key
/// attributes. A table or local index has one partition key attribute and at most one sort
/// key attribute; a global index may have up to four of each (a multi-attribute key), ordered
/// as its key schema lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySchema {
    /// The partition key attributes (at least one).
    pub hash: Vec<KeyAttribute>,
    /// The sort key attributes.
    pub range: Vec<KeyAttribute>,
}

impl KeySchema {
    /// The key attributes, partition key first.
    pub fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        self.hash.iter().chain(&self.range)
    }

    /// The partition key attribute of a single-attribute key (a table's, a local index's).
    pub fn partition(&self) -> &KeyAttribute {
        &self.hash[0]
    }

    /// The sort key attribute of a single-attribute key, if it has one.
    pub fn sort(&self) -> Option<&KeyAttribute> {
        self.range.first()
    }

    /// Whether `name` is one of the key's attributes.
    pub fn contains(&self, name: &str) -> bool {
        self.attributes().any(|attribute| attribute.name == name)
    }

    /// The key of `item`: its key attributes only.
    pub fn key_of(&self, item: &Item) -> Item {
        self.attributes()
            .filter_map(|attribute| {
                item.get(&attribute.name)
                    .map(|value| (attribute.name.clone(), value.clone()))
            })
            .collect()
    }

    /// The partition and sort key values of a single-attribute key in `item`, when it has them
    /// with the right types.
    pub fn values<'a>(&self, item: &'a Item) -> Option<(&'a Value, Option<&'a Value>)> {
        let hash = typed(item, self.partition())?;
        let range = match self.sort() {
            Some(range) => Some(typed(item, range)?),
            None => None,
        };
        Some((hash, range))
    }

    /// Every key value of `item` in key schema order, when it has them all with the right
    /// types (an item without them is not in the index).
    pub fn all_values<'a>(&self, item: &'a Item) -> Option<Vec<&'a Value>> {
        self.attributes()
            .map(|attribute| typed(item, attribute))
            .collect()
    }
}

fn typed<'a>(item: &'a Item, attribute: &KeyAttribute) -> Option<&'a Value> {
    item.get(&attribute.name)
        .filter(|value| value.scalar_type() == Some(attribute.kind))
}

/// Which attributes an index holds besides the keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Projection {
    /// Every attribute.
    All,
    /// The table's and the index's keys only.
    KeysOnly,
    /// The keys and these attributes.
    Include(Vec<String>),
}

/// Where an index is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexStatus {
    /// Being filled from the table's items.
    Creating,
    /// Serving reads.
    Active,
    /// Being removed.
    Deleting,
}

/// A secondary index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Its number within the table, part of its entries' keys; never reused.
    pub number: u32,
    /// Its name.
    pub name: String,
    /// Its key.
    pub key: KeySchema,
    /// What it holds.
    pub projection: Projection,
    /// Where it is in its life.
    pub status: IndexStatus,
    /// Provisioned capacity (0 on demand).
    pub throughput: Throughput,
}

/// Provisioned read and write capacity units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throughput {
    /// Read capacity units.
    pub read: u64,
    /// Write capacity units.
    pub write: u64,
}

/// How the table is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Billing {
    /// `PAY_PER_REQUEST`.
    OnDemand,
    /// `PROVISIONED`.
    Provisioned,
}

/// What stream records carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamView {
    /// `KEYS_ONLY`.
    KeysOnly,
    /// `NEW_IMAGE`.
    NewImage,
    /// `OLD_IMAGE`.
    OldImage,
    /// `NEW_AND_OLD_IMAGES`.
    NewAndOldImages,
}

impl StreamView {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            StreamView::KeysOnly => "KEYS_ONLY",
            StreamView::NewImage => "NEW_IMAGE",
            StreamView::OldImage => "OLD_IMAGE",
            StreamView::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<StreamView> {
        match text {
            "KEYS_ONLY" => Some(StreamView::KeysOnly),
            "NEW_IMAGE" => Some(StreamView::NewImage),
            "OLD_IMAGE" => Some(StreamView::OldImage),
            "NEW_AND_OLD_IMAGES" => Some(StreamView::NewAndOldImages),
            _ => None,
        }
    }
}

/// A table's stream: one per enabling; a disabled stream stays readable for 24 hours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stream {
    /// Its number within the table, part of its records' keys.
    pub number: u32,
    /// The label in its ARN (creation time, ISO 8601 with milliseconds).
    pub label: String,
    /// What its records carry.
    pub view: StreamView,
    /// When it was created, milliseconds since the epoch.
    pub created_ms: u64,
    /// When it was disabled, if it was.
    pub disabled_ms: Option<u64>,
}

/// A table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// A unique number, part of every key of the table's data; a re-created table gets a new
    /// one, so nothing of the old table shows through.
    pub id: u64,
    /// The table's unique id as DescribeTable shows it (a UUID).
    pub uuid: String,
    /// The name.
    pub name: String,
    /// The primary key.
    pub key: KeySchema,
    /// Declared attribute types (every key attribute of the table and its indexes).
    pub attributes: Vec<KeyAttribute>,
    /// Billing mode.
    pub billing: Billing,
    /// Provisioned capacity (0 on demand).
    pub throughput: Throughput,
    /// Global secondary indexes.
    pub global_indexes: Vec<Index>,
    /// Local secondary indexes.
    pub local_indexes: Vec<Index>,
    /// The next index number.
    pub next_index: u32,
    /// Streams, newest last; the enabled one (if any) has no `disabled_ms`.
    pub streams: Vec<Stream>,
    /// The TTL attribute, when TTL is enabled.
    pub ttl: Option<String>,
    /// Tags, in the order they were added.
    pub tags: Vec<(String, String)>,
    /// Whether DeleteTable is refused.
    pub deletion_protection: bool,
    /// `STANDARD` or `STANDARD_INFREQUENT_ACCESS`.
    pub table_class: String,
    /// Creation time, milliseconds since the epoch.
    pub created_ms: u64,
}

/// Version 2: key schemas list several partition and sort key attributes (multi-attribute
/// global index keys). Version 1 never shipped in a release and is not read.
impl unkai_store::record::Record for Table {
    const VERSION: u8 = 2;
}

impl Table {
    /// The stream that receives new records, if one is enabled.
    pub fn active_stream(&self) -> Option<&Stream> {
        self.streams
            .last()
            .filter(|stream| stream.disabled_ms.is_none())
    }

    /// An index by name: global or local, with which it is.
    pub fn index(&self, name: &str) -> Option<(&Index, bool)> {
        self.global_indexes
            .iter()
            .map(|index| (index, true))
            .chain(self.local_indexes.iter().map(|index| (index, false)))
            .find(|(index, _)| index.name == name)
    }

    /// The declared type of an attribute.
    pub fn attribute_type(&self, name: &str) -> Option<ScalarType> {
        self.attributes
            .iter()
            .find(|attribute| attribute.name == name)
            .map(|attribute| attribute.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_table_record_keeps_its_bytes() {
        let attribute = |name: &str| KeyAttribute {
            name: name.into(),
            kind: ScalarType::S,
        };
        let table = Table {
            id: 7,
            uuid: "u".into(),
            name: "t".into(),
            key: KeySchema {
                hash: vec![attribute("p")],
                range: vec![],
            },
            attributes: vec![attribute("p"), attribute("a"), attribute("b")],
            billing: Billing::OnDemand,
            throughput: Throughput::default(),
            global_indexes: vec![Index {
                number: 1,
                name: "g".into(),
                key: KeySchema {
                    hash: vec![attribute("a"), attribute("b")],
                    range: vec![],
                },
                projection: Projection::KeysOnly,
                status: IndexStatus::Active,
                throughput: Throughput::default(),
            }],
            local_indexes: vec![],
            next_index: 1,
            streams: vec![],
            ttl: None,
            tags: vec![("k".into(), "v".into())],
            deletion_protection: false,
            table_class: "STANDARD".into(),
            created_ms: 1,
        };
        let bytes = unkai_store::record::encode(&table);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, GOLDEN);
        let key = b"table";
        assert_eq!(
            unkai_store::record::decode::<Table>(key, &bytes).unwrap(),
            table
        );
    }

    const GOLDEN: &str = "020701750174010170000003017000016100016200000000010101670201610001620000010100000001000001016b017600085354414e4441524401";
}
