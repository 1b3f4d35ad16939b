//! DynamoDB Streams: records appended in the transaction of the change they describe, and the
//! Streams API that reads them (ListStreams, DescribeStream, GetShardIterator, GetRecords).
//!
//! A stream has one shard. Records are stored under `DynamoDb, "stream", table id, stream
//! number` followed by the store's commit-ordered append stamp, so a shard is read in commit
//! order by a range scan; the stamp, as a 29-digit decimal, is the record's sequence number.
//! Records older than 24 hours are trimmed by the janitor.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use unkai_store::record::{self, Record};
use unkai_store::{KeyRange, STAMP_LEN, Space, Tx, tuple};

use crate::api::Violations;
use crate::item::{Item, codec, size};
use crate::keys::PrimaryKey;
use crate::ops::Scope;
use crate::table::{Stream, StreamView, Table};
use crate::write::{Meta, Origin};
use crate::{DynamoDb, Error, store};

/// How long records are kept.
pub(crate) const RETENTION_MS: u64 = 24 * 3600 * 1000;
/// How long a shard iterator is valid.
const ITERATOR_TTL_MS: u64 = 15 * 60 * 1000;

/// A stored stream record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredRecord {
    /// 0 INSERT, 1 MODIFY, 2 REMOVE.
    pub event: u8,
    pub created_ms: u64,
    pub keys: Vec<u8>,
    pub old: Option<Vec<u8>>,
    pub new: Option<Vec<u8>>,
    pub size: u64,
    pub by_ttl: bool,
}

impl Record for StoredRecord {
    const VERSION: u8 = 1;
}

/// Where a stream's records are.
pub(crate) fn records(table: u64, stream: u32) -> KeyRange {
    KeyRange::prefix(&prefix(table, stream))
}

fn prefix(table: u64, stream: u32) -> Vec<u8> {
    tuple::key(Space::DynamoDb)
        .str("stream")
        .uint(table)
        .uint(u64::from(stream))
        .finish()
}

fn encoded(item: &Item) -> Vec<u8> {
    let mut out = Vec::new();
    codec::encode_item(item, &mut out);
    out
}

/// Appends the record of a change to the table's stream.
pub(crate) fn append(
    tx: &mut Tx,
    table: &Table,
    stream: &Stream,
    key: &PrimaryKey,
    old: Option<&Item>,
    new: Option<&Item>,
    meta: &Meta,
) {
    let keys = key.to_item(&table.key);
    let event = match (old, new) {
        (None, _) => 0,
        (Some(_), Some(_)) => 1,
        (Some(_), None) => 2,
    };
    let (old, new) = match stream.view {
        StreamView::KeysOnly => (None, None),
        StreamView::NewImage => (None, new),
        StreamView::OldImage => (old, None),
        StreamView::NewAndOldImages => (old, new),
    };
    let size =
        size::item_size(&keys) + old.map_or(0, size::item_size) + new.map_or(0, size::item_size);
    let stored = StoredRecord {
        event,
        created_ms: meta.now_ms,
        keys: encoded(&keys),
        old: old.map(encoded),
        new: new.map(encoded),
        size: size as u64,
        by_ttl: meta.origin == Origin::TimeToLive,
    };
    tx.append(prefix(table.id, stream.number), record::encode(&stored));
}

/// A stamp as a sequence number.
fn sequence_number(stamp: &[u8]) -> String {
    let mut value: u128 = 0;
    for &byte in stamp {
        value = value << 8 | u128::from(byte);
    }
    format!("{value:029}")
}

/// A sequence number as a stamp.
fn stamp(sequence: &str) -> Option<[u8; STAMP_LEN]> {
    if sequence.is_empty() || sequence.len() > 40 || !sequence.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u128 = sequence.parse().ok()?;
    if value >> (8 * STAMP_LEN) != 0 {
        return None;
    }
    let bytes = value.to_be_bytes();
    bytes[16 - STAMP_LEN..].try_into().ok()
}

fn shard_id(table: &Table, stream: &Stream) -> String {
    format!(
        "shardId-{:020}-{:08x}",
        stream.created_ms,
        (table.id as u32) ^ stream.number
    )
}

fn stream_arn(scope: Scope<'_>, table: &str, stream: &Stream) -> String {
    format!("{}/stream/{}", scope.table_arn(table), stream.label)
}

/// A stream's ARN taken apart: table name and label.
fn parse_arn<'a>(scope: Scope<'_>, arn: &'a str) -> Result<(&'a str, &'a str), Error> {
    let invalid = || Error::Validation(format!("Invalid StreamArn: {arn}"));
    let prefix = format!("arn:aws:dynamodb:{}:{}:table/", scope.region, scope.account);
    let rest = arn.strip_prefix(&prefix).ok_or_else(|| {
        if arn.starts_with("arn:aws:dynamodb:") {
            Error::ResourceNotFound(format!(
                "Requested resource not found: Stream: {arn} not found"
            ))
        } else {
            invalid()
        }
    })?;
    let (table, label) = rest.split_once("/stream/").ok_or_else(invalid)?;
    Ok((table, label))
}

/// Where a shard iterator points.
#[derive(Debug, PartialEq)]
struct Position {
    table: String,
    table_id: u64,
    stream: u32,
    /// Read records after this stamp; from the start when `None`.
    after: Option<[u8; STAMP_LEN]>,
    issued_ms: u64,
}

impl Position {
    fn encode(&self) -> String {
        let after = self.after.map(hex).unwrap_or_else(|| "-".into());
        let text = format!(
            "1|{}|{}|{}|{after}|{}",
            self.table_id, self.stream, self.issued_ms, self.table
        );
        BASE64.encode(text)
    }

    fn decode(iterator: &str) -> Option<Position> {
        let text = String::from_utf8(BASE64.decode(iterator).ok()?).ok()?;
        let mut parts = text.splitn(6, '|');
        if parts.next()? != "1" {
            return None;
        }
        let table_id = parts.next()?.parse().ok()?;
        let stream = parts.next()?.parse().ok()?;
        let issued_ms = parts.next()?.parse().ok()?;
        let after = match parts.next()? {
            "-" => None,
            text => Some(unhex(text)?),
        };
        let table = parts.next()?.to_string();
        Some(Position {
            table,
            table_id,
            stream,
            after,
            issued_ms,
        })
    }
}

fn hex(bytes: [u8; STAMP_LEN]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; STAMP_LEN]> {
    if text.len() != STAMP_LEN * 2 {
        return None;
    }
    let mut out = [0u8; STAMP_LEN];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn stamp_of(key: &[u8]) -> Option<[u8; STAMP_LEN]> {
    key.get(key.len().checked_sub(STAMP_LEN)?..)?
        .try_into()
        .ok()
}

fn decrement(stamp: [u8; STAMP_LEN]) -> Option<[u8; STAMP_LEN]> {
    let mut value = u128::from_be_bytes({
        let mut full = [0u8; 16];
        full[16 - STAMP_LEN..].copy_from_slice(&stamp);
        full
    });
    if value == 0 {
        return None;
    }
    value -= 1;
    value.to_be_bytes()[16 - STAMP_LEN..].try_into().ok()
}

/// The wire form of a stored record.
fn record_json(
    region: &str,
    key: &[u8],
    stored: &StoredRecord,
    view: StreamView,
) -> Result<Json, Error> {
    let decode = |bytes: &[u8]| {
        codec::decode_item(bytes)
            .map_err(|reason| Error::Internal(unkai_store::Error::corrupt(key, reason)))
    };
    let sequence = sequence_number(&stamp_of(key).unwrap_or_default());
    let mut dynamodb = json!({
        "ApproximateCreationDateTime": stored.created_ms / 1000,
        "Keys": decode(&stored.keys)?,
        "SequenceNumber": sequence,
        "SizeBytes": stored.size,
        "StreamViewType": view.name(),
    });
    if let Some(old) = &stored.old {
        dynamodb["OldImage"] = serde_json::to_value(decode(old)?).expect("items serialize");
    }
    if let Some(new) = &stored.new {
        dynamodb["NewImage"] = serde_json::to_value(decode(new)?).expect("items serialize");
    }
    let event = ["INSERT", "MODIFY", "REMOVE"][usize::from(stored.event.min(2))];
    let mut record = json!({
        "eventID": format!("{:032x}", xxhash_rust::xxh3::xxh3_128(key)),
        "eventName": event,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
    });
    if stored.by_ttl {
        record["userIdentity"] =
            json!({"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"});
    }
    Ok(record)
}

/// Input of ListStreams.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListStreamsInput {
    table_name: Option<String>,
    limit: Option<i64>,
    exclusive_start_stream_arn: Option<String>,
}

/// Input of DescribeStream.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeStreamInput {
    stream_arn: Option<String>,
    limit: Option<i64>,
    exclusive_start_shard_id: Option<String>,
    shard_filter: Option<ShardFilter>,
}

/// DescribeStream's `ShardFilter`: the children of one shard.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ShardFilter {
    r#type: Option<String>,
    shard_id: Option<String>,
}

/// Input of GetShardIterator.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetShardIteratorInput {
    stream_arn: Option<String>,
    shard_id: Option<String>,
    shard_iterator_type: Option<String>,
    sequence_number: Option<String>,
}

/// Input of GetRecords.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetRecordsInput {
    shard_iterator: Option<String>,
    limit: Option<i64>,
}

fn required<'a>(value: Option<&'a str>, member: &str) -> Result<&'a str, Error> {
    value.ok_or_else(|| {
        Error::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy \
             constraint: Member must not be null"
        ))
    })
}

/// Whether a stream is still readable (enabled, or disabled less than 24 hours ago).
fn readable(stream: &Stream, now_ms: u64) -> bool {
    stream
        .disabled_ms
        .is_none_or(|disabled| now_ms.saturating_sub(disabled) < RETENTION_MS)
}

impl DynamoDb {
    pub(crate) async fn list_streams(
        &self,
        scope: Scope<'_>,
        input: ListStreamsInput,
    ) -> Result<Json, Error> {
        let limit = input.limit.unwrap_or(100);
        if !(1..=100).contains(&limit) {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy \
                 constraint: Member must have value between 1 and 100"
            )));
        }
        let now = crate::ops::millis(&self.clock);
        let tables = self
            .kv
            .transact(|tx| {
                let mut tables = Vec::new();
                match input.table_name.as_deref() {
                    Some(name) => {
                        let table = store::get_table(tx, scope.account, scope.region, name)?
                            .ok_or_else(|| {
                                Error::ResourceNotFound(format!(
                                    "Requested resource not found: Table: {name} not found"
                                ))
                            })?;
                        tables.push(table);
                    }
                    None => {
                        for (key, value) in
                            tx.range(&store::tables(scope.account, scope.region), usize::MAX)?
                        {
                            tables.push(store::decode_table(&key, &value)?);
                        }
                    }
                }
                Ok::<_, Error>(tables)
            })
            .await?;
        let mut streams: Vec<Json> = Vec::new();
        for table in &tables {
            for stream in table.streams.iter().filter(|s| readable(s, now)) {
                streams.push(json!({
                    "StreamArn": stream_arn(scope, &table.name, stream),
                    "TableName": table.name,
                    "StreamLabel": stream.label,
                }));
            }
        }
        if let Some(start) = input.exclusive_start_stream_arn.as_deref() {
            parse_arn(scope, start)?;
        }
        if let Some(start) = input.exclusive_start_stream_arn.as_deref()
            && let Some(position) = streams.iter().position(|s| s["StreamArn"] == start)
        {
            streams.drain(..=position);
        }
        let more = streams.len() > limit as usize;
        streams.truncate(limit as usize);
        let mut output = json!({ "Streams": streams });
        if more {
            output["LastEvaluatedStreamArn"] = streams
                .last()
                .map(|s| s["StreamArn"].clone())
                .unwrap_or_default();
        }
        Ok(output)
    }

    async fn find_stream(&self, scope: Scope<'_>, arn: &str) -> Result<(Table, Stream), Error> {
        let (name, label) = parse_arn(scope, arn)?;
        let now = crate::ops::millis(&self.clock);
        let table = self
            .kv
            .transact(|tx| Ok::<_, Error>(store::get_table(tx, scope.account, scope.region, name)?))
            .await?;
        let not_found = || {
            Error::ResourceNotFound(format!(
                "Requested resource not found: Stream: {arn} not found"
            ))
        };
        let table = table.ok_or_else(not_found)?;
        let stream = table
            .streams
            .iter()
            .find(|s| s.label == label && readable(s, now))
            .cloned()
            .ok_or_else(not_found)?;
        Ok((table, stream))
    }

    pub(crate) async fn describe_stream(
        &self,
        scope: Scope<'_>,
        input: DescribeStreamInput,
    ) -> Result<Json, Error> {
        let arn = required(input.stream_arn.as_deref(), "streamArn")?;
        if let Some(limit) = input.limit
            && !(1..=100).contains(&limit)
        {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy \
                     constraint: Member must have value between 1 and 100"
            )));
        }
        if let Some(filter) = &input.shard_filter {
            let mut violations = Violations::default();
            match filter.r#type.as_deref() {
                None => violations.add(None, "shardFilter.type", "not be null"),
                Some("CHILD_SHARDS") => {}
                Some(other) => violations.add(
                    Some(other),
                    "shardFilter.type",
                    "satisfy enum value set: [CHILD_SHARDS]",
                ),
            }
            match filter.shard_id.as_deref() {
                None => violations.add(None, "shardFilter.shardId", "not be null"),
                Some(id) if !(28..=65).contains(&id.len()) => violations.add(
                    Some(id),
                    "shardFilter.shardId",
                    "have length between 28 and 65",
                ),
                Some(_) => {}
            }
            violations.finish()?;
        }
        let (table, stream) = self.find_stream(scope, arn).await?;
        let range = records(table.id, stream.number);
        let (first, last) = self
            .kv
            .transact(|tx| {
                let first = tx.range(&range, 1)?.into_iter().next();
                let last = tx.range_rev(&range, 1)?.into_iter().next();
                Ok::<_, Error>((first, last))
            })
            .await?;
        let shard_id = shard_id(&table, &stream);
        let mut shard = json!({
            "ShardId": shard_id,
            "SequenceNumberRange": {
                "StartingSequenceNumber": first
                    .as_ref()
                    .and_then(|(key, _)| stamp_of(key))
                    .map(|s| sequence_number(&s))
                    .unwrap_or_else(|| sequence_number(&[0; STAMP_LEN])),
            },
        });
        if stream.disabled_ms.is_some() {
            shard["SequenceNumberRange"]["EndingSequenceNumber"] = last
                .as_ref()
                .and_then(|(key, _)| stamp_of(key))
                .map(|s| sequence_number(&s))
                .unwrap_or_else(|| sequence_number(&[0; STAMP_LEN]))
                .into();
        }
        // One shard per stream: it never splits, so it has no children, and a page starting
        // after its id (in id order) is empty.
        let after_start = input
            .exclusive_start_shard_id
            .as_deref()
            .is_none_or(|start| shard_id.as_str() > start);
        let shards = if after_start && input.shard_filter.is_none() {
            vec![shard]
        } else {
            vec![]
        };
        Ok(json!({
            "StreamDescription": {
                "StreamArn": arn,
                "StreamLabel": stream.label,
                "StreamStatus": if stream.disabled_ms.is_some() { "DISABLED" } else { "ENABLED" },
                "StreamViewType": stream.view.name(),
                "CreationRequestDateTime": stream.created_ms as f64 / 1000.0,
                "TableName": table.name,
                "KeySchema": crate::api::key_schema(&table.key),
                "Shards": shards,
            }
        }))
    }

    pub(crate) async fn get_shard_iterator(
        &self,
        scope: Scope<'_>,
        input: GetShardIteratorInput,
    ) -> Result<Json, Error> {
        let arn = required(input.stream_arn.as_deref(), "streamArn")?;
        let shard = required(input.shard_id.as_deref(), "shardId")?;
        let kind = required(input.shard_iterator_type.as_deref(), "shardIteratorType")?;
        let positional = matches!(kind, "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER");
        if !positional && input.sequence_number.is_some() {
            return Err(Error::Validation(format!(
                "Invalid SequenceNumber: a sequence number cannot be given for {kind} shard \
                 iterators"
            )));
        }
        let (table, stream) = self.find_stream(scope, arn).await?;
        if shard != shard_id(&table, &stream) {
            return Err(Error::ResourceNotFound(
                "Requested resource not found: Shard does not exist".into(),
            ));
        }
        let sequence = || -> Result<[u8; STAMP_LEN], Error> {
            let text = input.sequence_number.as_deref().ok_or_else(|| {
                Error::Validation(format!(
                    "A sequence number is required for {kind} shard iterators"
                ))
            })?;
            stamp(text).ok_or_else(|| Error::Validation(format!("Invalid SequenceNumber: {text}")))
        };
        let range = records(table.id, stream.number);
        let after = match kind {
            "TRIM_HORIZON" => None,
            "LATEST" => {
                let last = self
                    .kv
                    .transact(|tx| tx.range_rev(&range, 1))
                    .await
                    .map_err(Error::Internal)?;
                last.first().and_then(|(key, _)| stamp_of(key))
            }
            "AT_SEQUENCE_NUMBER" => decrement(sequence()?),
            "AFTER_SEQUENCE_NUMBER" => Some(sequence()?),
            other => {
                return Err(Error::Validation(format!(
                    "1 validation error detected: Value '{other}' at 'shardIteratorType' failed \
                     to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, \
                     LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"
                )));
            }
        };
        let position = Position {
            table: table.name.clone(),
            table_id: table.id,
            stream: stream.number,
            after,
            issued_ms: crate::ops::millis(&self.clock),
        };
        Ok(json!({ "ShardIterator": position.encode() }))
    }

    pub(crate) async fn get_records(
        &self,
        scope: Scope<'_>,
        input: GetRecordsInput,
    ) -> Result<Json, Error> {
        let iterator = required(input.shard_iterator.as_deref(), "shardIterator")?;
        let limit = input.limit.unwrap_or(1000);
        if !(1..=1000).contains(&limit) {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy \
                 constraint: Member must have value between 1 and 1000"
            )));
        }
        let position = Position::decode(iterator)
            .ok_or_else(|| Error::Validation(format!("Invalid ShardIterator: {iterator}")))?;
        let now = crate::ops::millis(&self.clock);
        if now.saturating_sub(position.issued_ms) > ITERATOR_TTL_MS {
            return Err(Error::ExpiredIterator(format!(
                "Iterator expired. The iterator was created at time {} while right now it's {} \
                 which is further in the future than the tolerated delay of {ITERATOR_TTL_MS} \
                 milliseconds.",
                unkai_types::iso8601(position.issued_ms / 1000),
                unkai_types::iso8601(now / 1000)
            )));
        }
        let table = self
            .kv
            .transact(|tx| {
                Ok::<_, Error>(store::get_table(
                    tx,
                    scope.account,
                    scope.region,
                    &position.table,
                )?)
            })
            .await?
            .filter(|table| table.id == position.table_id);
        let stream = table
            .as_ref()
            .and_then(|table| {
                table
                    .streams
                    .iter()
                    .find(|s| s.number == position.stream)
                    .cloned()
            })
            .filter(|s| readable(s, now))
            .ok_or_else(|| {
                Error::ResourceNotFound("Requested resource not found: Stream not found".into())
            })?;
        let mut range = records(position.table_id, position.stream);
        if let Some(after) = position.after {
            let mut start = prefix(position.table_id, position.stream);
            start.extend_from_slice(&after);
            start.push(0);
            range.start = start;
        }
        let page = self
            .kv
            .transact(|tx| tx.range(&range, limit as usize))
            .await
            .map_err(Error::Internal)?;
        let mut records_out = Vec::with_capacity(page.len());
        let mut bytes = 0usize;
        let mut last = position.after;
        for (key, value) in &page {
            let stored: StoredRecord = record::decode(key, value)?;
            records_out.push(record_json(scope.region, key, &stored, stream.view)?);
            last = stamp_of(key);
            bytes += value.len();
            if bytes > 1 << 20 {
                break;
            }
        }
        let mut output = json!({ "Records": records_out });
        let exhausted_closed = stream.disabled_ms.is_some() && page.len() < limit as usize;
        if !exhausted_closed {
            let next = Position {
                after: last,
                issued_ms: now,
                ..position
            };
            output["NextShardIterator"] = next.encode().into();
        }
        Ok(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_and_stamps_round_trip_in_order() {
        let a = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2];
        let b = [0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0];
        assert!(sequence_number(&a) < sequence_number(&b));
        assert_eq!(stamp(&sequence_number(&a)), Some(a));
        assert_eq!(
            decrement(b),
            Some([0, 0, 0, 0, 0, 0, 0, 1, 255, 255, 255, 255])
        );
        assert_eq!(stamp("abc"), None);
        let position = Position {
            table: "t|x".into(),
            table_id: 9,
            stream: 2,
            after: Some(a),
            issued_ms: 5,
        };
        assert_eq!(Position::decode(&position.encode()), Some(position));
    }
}

unkai_edge::operations! {
    /// Every DynamoDB Streams operation.
    pub enum Operation {
        DescribeStream => Full,
        GetRecords => Full,
        GetShardIterator => Full,
        ListStreams => Full,
    }
}
