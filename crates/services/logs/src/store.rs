//! CloudWatch Logs' keyspace. Groups and streams are records; events are keyed by their stream,
//! their timestamp and a per-stream sequence number, so one stream's events are ordered by
//! (timestamp, ingestion order) and a time range of a stream is one range scan.
//!
//! | key | value |
//! |---|---|
//! | `Logs, "group", account, region, group name` | [`Group`] |
//! | `Logs, "stream", account, region, group name, stream name` | [`Stream`] |
//! | `Logs, "event", account, region, group name, stream name, timestamp, sequence` | [`Event`] |
//!
//! The per-stream counters (the next sequence number, the first and last timestamps, the
//! stored bytes) live in the stream's own record, never in the group's, so writers to
//! different streams of one group never touch the same key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use unkai_store::record::{self, Record};
use unkai_store::{KeyRange, Result, Space, Tx, tuple};

use crate::Scope;

/// A log group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The name, as created.
    pub name: String,
    /// Creation time, milliseconds since the epoch.
    pub created: i64,
    /// How many days events are kept; `None` keeps them forever.
    pub retention_days: Option<u32>,
    /// The KMS key given at creation (stored and reported, not used).
    pub kms_key_id: Option<String>,
    /// `STANDARD`, `INFREQUENT_ACCESS`, `DELIVERY` or `ESSENTIALS`.
    pub class: String,
    /// The tags.
    pub tags: BTreeMap<String, String>,
}

impl Record for Group {
    const VERSION: u8 = 1;
}

/// A log stream, with the counters of its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stream {
    /// The name, as created.
    pub name: String,
    /// Creation time, milliseconds since the epoch.
    pub created: i64,
    /// The earliest event timestamp stored.
    pub first_event: Option<i64>,
    /// The latest event timestamp stored.
    pub last_event: Option<i64>,
    /// When events were last ingested (milliseconds since the epoch); never decreases, so
    /// ingestion times follow sequence numbers.
    pub last_ingestion: Option<i64>,
    /// The sequence number the next event gets.
    pub next_sequence: u64,
    /// The bytes of the messages stored (UTF-8).
    pub stored_bytes: u64,
}

impl Record for Stream {
    const VERSION: u8 = 1;
}

/// One stored event (its timestamp and sequence number are in its key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When it was ingested, milliseconds since the epoch.
    pub ingestion: i64,
    /// The message.
    pub message: String,
}

impl Record for Event {
    const VERSION: u8 = 1;
}

/// Where an event sits in its stream: ordered by timestamp, then by ingestion order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// The event's timestamp, milliseconds since the epoch.
    pub timestamp: i64,
    /// The stream's sequence number of the event.
    pub sequence: u64,
}

impl Position {
    /// Before every event.
    #[cfg(test)]
    pub const MIN: Position = Position {
        timestamp: i64::MIN,
        sequence: 0,
    };
    /// After every event.
    pub const MAX: Position = Position {
        timestamp: i64::MAX,
        sequence: u64::MAX,
    };

    /// The first position at `timestamp`.
    pub fn at(timestamp: i64) -> Self {
        Position {
            timestamp,
            sequence: 0,
        }
    }

    /// The position right after this one (no event can sit between them).
    pub fn next(self) -> Self {
        match self.sequence.checked_add(1) {
            Some(sequence) => Position {
                timestamp: self.timestamp,
                sequence,
            },
            None => Position::at(self.timestamp.saturating_add(1)),
        }
    }
}

fn corrupt(key: &[u8]) -> impl Fn(tuple::DecodeError) -> unkai_store::Error + '_ {
    move |error| unkai_store::Error::corrupt(key, error)
}

fn group_key(scope: Scope<'_>, name: &str) -> Vec<u8> {
    tuple::key(Space::Logs)
        .str("group")
        .str(scope.account)
        .str(scope.region)
        .str(name)
        .finish()
}

/// Every group of the scope, ordered by name.
pub(crate) fn groups(scope: Scope<'_>) -> KeyRange {
    tuple::key(Space::Logs)
        .str("group")
        .str(scope.account)
        .str(scope.region)
        .range()
}

/// The groups whose names start with `prefix` (all of them when empty).
pub(crate) fn groups_with_prefix(scope: Scope<'_>, prefix: &str) -> KeyRange {
    let mut range = groups(scope);
    if !prefix.is_empty() {
        range.start = prefix_start(group_key(scope, prefix));
        range.end = prefix_end(&range.start);
    }
    range
}

/// The first key after the group `name`.
pub(crate) fn after_group(scope: Scope<'_>, name: &str) -> Vec<u8> {
    let mut key = group_key(scope, name);
    key.push(0);
    key
}

/// A string element's key without its terminator: the start of every key whose string
/// starts with it.
fn prefix_start(mut key: Vec<u8>) -> Vec<u8> {
    debug_assert_eq!(key.last(), Some(&0));
    key.pop();
    key
}

/// The end of the keys that start with `start`.
fn prefix_end(start: &[u8]) -> Vec<u8> {
    KeyRange::prefix(start).end
}

pub(crate) fn get_group(tx: &mut Tx, scope: Scope<'_>, name: &str) -> Result<Option<Group>> {
    let key = group_key(scope, name);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn decode_group(key: &[u8], bytes: &[u8]) -> Result<Group> {
    record::decode(key, bytes)
}

pub(crate) fn put_group(tx: &mut Tx, scope: Scope<'_>, group: &Group) {
    tx.set(group_key(scope, &group.name), record::encode(group));
}

/// Removes a group with its streams and their events.
pub(crate) fn delete_group(tx: &mut Tx, scope: Scope<'_>, name: &str) {
    tx.clear(group_key(scope, name));
    tx.clear_range(streams(scope, name));
    tx.clear_range(group_events(scope, name));
}

fn stream_key(scope: Scope<'_>, group: &str, name: &str) -> Vec<u8> {
    tuple::key(Space::Logs)
        .str("stream")
        .str(scope.account)
        .str(scope.region)
        .str(group)
        .str(name)
        .finish()
}

/// Every stream of a group, ordered by name.
pub(crate) fn streams(scope: Scope<'_>, group: &str) -> KeyRange {
    tuple::key(Space::Logs)
        .str("stream")
        .str(scope.account)
        .str(scope.region)
        .str(group)
        .range()
}

/// The streams of a group whose names start with `prefix` (all of them when empty).
pub(crate) fn streams_with_prefix(scope: Scope<'_>, group: &str, prefix: &str) -> KeyRange {
    let mut range = streams(scope, group);
    if !prefix.is_empty() {
        range.start = prefix_start(stream_key(scope, group, prefix));
        range.end = prefix_end(&range.start);
    }
    range
}

/// The key of the stream `name` (a pagination bound).
pub(crate) fn stream_bound(scope: Scope<'_>, group: &str, name: &str) -> Vec<u8> {
    stream_key(scope, group, name)
}

pub(crate) fn get_stream(
    tx: &mut Tx,
    scope: Scope<'_>,
    group: &str,
    name: &str,
) -> Result<Option<Stream>> {
    let key = stream_key(scope, group, name);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn decode_stream(key: &[u8], bytes: &[u8]) -> Result<Stream> {
    record::decode(key, bytes)
}

pub(crate) fn put_stream(tx: &mut Tx, scope: Scope<'_>, group: &str, stream: &Stream) {
    tx.set(
        stream_key(scope, group, &stream.name),
        record::encode(stream),
    );
}

/// Removes a stream and its events.
pub(crate) fn delete_stream(tx: &mut Tx, scope: Scope<'_>, group: &str, name: &str) {
    tx.clear(stream_key(scope, group, name));
    tx.clear_range(KeyRange::prefix(&events_prefix(scope, group, name)));
}

/// Every stream of a group, read in pages.
pub(crate) fn all_streams(tx: &mut Tx, range: &KeyRange) -> Result<Vec<Stream>> {
    let mut range = range.clone();
    let mut streams = Vec::new();
    loop {
        let page = tx.range(&range, 512)?;
        let exhausted = page.len() < 512;
        for (key, value) in &page {
            streams.push(decode_stream(key, value)?);
        }
        match page.last() {
            Some((last, _)) if !exhausted => range.start = [last.as_slice(), &[0]].concat(),
            _ => return Ok(streams),
        }
    }
}

fn group_events(scope: Scope<'_>, group: &str) -> KeyRange {
    tuple::key(Space::Logs)
        .str("event")
        .str(scope.account)
        .str(scope.region)
        .str(group)
        .range()
}

/// The key prefix of one stream's events.
pub(crate) fn events_prefix(scope: Scope<'_>, group: &str, stream: &str) -> Vec<u8> {
    tuple::key(Space::Logs)
        .str("event")
        .str(scope.account)
        .str(scope.region)
        .str(group)
        .str(stream)
        .finish()
}

/// The key of the event at `position` under `prefix`.
pub(crate) fn event_key(prefix: &[u8], position: Position) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + 18);
    key.extend_from_slice(prefix);
    // The two elements, encoded without a space byte of their own.
    let tail = tuple::key(Space::Logs)
        .int(position.timestamp)
        .uint(position.sequence)
        .finish();
    key.extend_from_slice(&tail[1..]);
    key
}

/// The events under `prefix` from `from` (inclusive) to `to` (exclusive).
pub(crate) fn event_range(prefix: &[u8], from: Position, to: Position) -> KeyRange {
    if from >= to {
        let start = event_key(prefix, from);
        return KeyRange::new(start.clone(), start);
    }
    KeyRange::new(event_key(prefix, from), event_key(prefix, to))
}

pub(crate) fn put_event(tx: &mut Tx, prefix: &[u8], position: Position, event: &Event) {
    tx.set(event_key(prefix, position), record::encode(event));
}

/// Reads an event stored under `prefix` back.
pub(crate) fn decode_event(prefix: &[u8], key: &[u8], bytes: &[u8]) -> Result<(Position, Event)> {
    let tail = key
        .get(prefix.len()..)
        .ok_or_else(|| unkai_store::Error::corrupt(key, "event key shorter than its prefix"))?;
    let mut reader = tuple::Reader::bare(tail);
    let timestamp = reader.int().map_err(corrupt(key))?;
    let sequence = reader.uint().map_err(corrupt(key))?;
    Ok((
        Position {
            timestamp,
            sequence,
        },
        record::decode(key, bytes)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_their_encoding() {
        let group = Group {
            name: "g".into(),
            created: 1,
            retention_days: Some(7),
            kms_key_id: None,
            class: "STANDARD".into(),
            tags: BTreeMap::from([("k".into(), "v".into())]),
        };
        let mut expected = vec![1, 1, b'g', 2, 1, 7, 0, 8];
        expected.extend_from_slice(b"STANDARD");
        expected.extend_from_slice(&[1, 1, b'k', 1, b'v']);
        assert_eq!(record::encode(&group), expected);
        let stream = Stream {
            name: "s".into(),
            created: 2,
            first_event: Some(3),
            last_event: Some(-1),
            last_ingestion: None,
            next_sequence: 300,
            stored_bytes: 5,
        };
        assert_eq!(
            record::encode(&stream),
            [1, 1, b's', 4, 1, 6, 1, 1, 0, 0xAC, 0x02, 5]
        );
        let event = Event {
            ingestion: 4,
            message: "hi".into(),
        };
        assert_eq!(record::encode(&event), [1, 8, 2, b'h', b'i']);
    }

    #[test]
    fn event_keys_order_by_timestamp_then_sequence() {
        let scope = Scope {
            account: "1",
            region: "r",
        };
        let prefix = events_prefix(scope, "g", "s");
        let keys: Vec<_> = [(-5, 9), (0, 0), (0, 1), (7, 0), (i64::MAX, 0)]
            .into_iter()
            .map(|(timestamp, sequence)| {
                event_key(
                    &prefix,
                    Position {
                        timestamp,
                        sequence,
                    },
                )
            })
            .collect();
        assert!(keys.windows(2).all(|pair| pair[0] < pair[1]));
        let (position, event) = decode_event(
            &prefix,
            &keys[2],
            &record::encode(&Event {
                ingestion: 1,
                message: "m".into(),
            }),
        )
        .unwrap();
        assert_eq!(
            position,
            Position {
                timestamp: 0,
                sequence: 1
            }
        );
        assert_eq!(event.message, "m");
        // A group's events never include another group's whose name extends it.
        let other = events_prefix(scope, "g2", "s");
        assert!(!group_events(scope, "g").contains(&other));
        assert!(group_events(scope, "g").contains(&keys[0]));
    }
}
