//! [FilterLogEvents](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html):
//! the events of a group's streams (all, named ones, or those with a name prefix) between
//! `startTime` and `endTime` (both inclusive) that match a filter pattern, interleaved in
//! order of (timestamp, ingestion time, stream, sequence): one range scan per stream, merged.
//! A page holds up to `limit` events (10,000 by default) and at most 1 MB; a request looks at
//! no more than 50,000 events, so a page may come back partly full or empty with a
//! `nextToken`, as AWS's may. `startFromHead: false` lists newest first. `searchedLogStreams`
//! is empty, as AWS has sent it since 2020.
//! Deviations: named streams that do not exist are skipped; `unmask` is ignored; see
//! [`Pattern`] for the filter patterns understood.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use serde_json::{Value as Json, json};
use unkai_store::{KeyRange, Tx};

use super::{PAGE_BYTES, event_size, existing_group, retention_floor, target_group};
use crate::api::{FilterLogEventsInput, FilteredLogEvent, Violations};
use crate::filter::Pattern;
use crate::store::{self, Event, Position, Stream};
use crate::{Error, Logs, Scope, millis, token};

/// How many events one request looks at, at most.
const SCAN_LIMIT: usize = 50_000;
/// How many events a stream's cursor reads at a time.
const CHUNK: usize = 256;
/// Jan 1, 2024 00:00:00 UTC: `startFromHead: false` needs a `startTime` from then on.
const NEWEST_FIRST_SINCE: i64 = 1_704_067_200_000;

/// Where an event sits in the merged order of a group's streams.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct MergeKey {
    timestamp: i64,
    ingestion: i64,
    stream: String,
    sequence: u64,
}

/// The head event of one stream, in the merge heap.
struct Head {
    key: MergeKey,
    message: String,
    cursor: usize,
    forward: bool,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    /// The heap pops its greatest element: the earliest key going forward, the latest going
    /// backward.
    fn cmp(&self, other: &Self) -> Ordering {
        let order = self.key.cmp(&other.key);
        if self.forward { order.reverse() } else { order }
    }
}

/// Reads one stream's events in chunks.
struct Cursor {
    stream: String,
    prefix: Vec<u8>,
    range: KeyRange,
    buffer: VecDeque<(Position, Event)>,
    exhausted: bool,
}

impl Cursor {
    fn next(&mut self, tx: &mut Tx, forward: bool) -> Result<Option<(Position, Event)>, Error> {
        if self.buffer.is_empty() && !self.exhausted {
            let page = if forward {
                tx.range(&self.range, CHUNK)?
            } else {
                tx.range_rev(&self.range, CHUNK)?
            };
            self.exhausted = page.len() < CHUNK;
            if let Some((last, _)) = page.last() {
                if forward {
                    self.range.start = [last.as_slice(), &[0]].concat();
                } else {
                    self.range.end = last.clone();
                }
            }
            for (key, value) in &page {
                self.buffer
                    .push_back(store::decode_event(&self.prefix, key, value)?);
            }
        }
        Ok(self.buffer.pop_front())
    }

    fn head(&mut self, tx: &mut Tx, forward: bool, index: usize) -> Result<Option<Head>, Error> {
        Ok(self.next(tx, forward)?.map(|(position, event)| Head {
            key: MergeKey {
                timestamp: position.timestamp,
                ingestion: event.ingestion,
                stream: self.stream.clone(),
                sequence: position.sequence,
            },
            message: event.message,
            cursor: index,
            forward,
        }))
    }
}

impl Logs {
    pub(crate) async fn filter_log_events(
        &self,
        scope: Scope<'_>,
        input: FilterLogEventsInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        violations.group_name(input.log_group_name.as_deref(), "logGroupName");
        violations.identifier(input.log_group_identifier.as_deref(), "logGroupIdentifier");
        if let Some(names) = &input.log_stream_names {
            if names.is_empty() {
                violations.add(
                    Some(""),
                    "logStreamNames",
                    "have length greater than or equal to 1",
                );
            }
            if names.len() > 100 {
                violations.add(
                    Some(""),
                    "logStreamNames",
                    "have length less than or equal to 100",
                );
            }
            for name in names {
                violations.stream_name(Some(name), "logStreamNames");
            }
        }
        violations.stream_name(
            input.log_stream_name_prefix.as_deref(),
            "logStreamNamePrefix",
        );
        violations.timestamp(input.start_time, "startTime");
        violations.timestamp(input.end_time, "endTime");
        if let Some(pattern) = &input.filter_pattern
            && pattern.chars().count() > 1024
        {
            violations.add(
                Some(pattern),
                "filterPattern",
                "have length less than or equal to 1024",
            );
        }
        violations.token(input.next_token.as_deref(), "nextToken");
        violations.range(input.limit, "limit", 1, 10_000);
        violations.finish()?;
        let group = target_group(
            scope,
            input.log_group_name.as_deref(),
            input.log_group_identifier.as_deref(),
        )?;
        if input.log_stream_names.is_some() && input.log_stream_name_prefix.is_some() {
            return Err(Error::InvalidParameter(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.".into(),
            ));
        }
        let pattern = Pattern::parse(input.filter_pattern.as_deref().unwrap_or_default())
            .map_err(Error::InvalidParameter)?;
        let resume = input
            .next_token
            .as_deref()
            .map(|t| {
                token::decode(t, |r| {
                    Ok((
                        r.bool()?,
                        MergeKey {
                            timestamp: r.int()?,
                            ingestion: r.int()?,
                            stream: r.str()?,
                            sequence: r.uint()?,
                        },
                    ))
                })
            })
            .transpose()?;
        let forward = match &resume {
            Some((forward, _)) => *forward,
            None => input.start_from_head.unwrap_or(true),
        };
        if !forward && resume.is_none() && input.start_time.is_some_and(|t| t < NEWEST_FIRST_SINCE)
        {
            return Err(Error::InvalidParameter(
                "startFromHead=false is supported only when startTime is on or after \
                 Jan 1, 2024 00:00:00 UTC."
                    .into(),
            ));
        }
        let resume = resume.map(|(_, key)| key);
        let limit = input.limit.unwrap_or(10_000) as usize;
        let now = millis(&self.clock);
        let (events, last) = self
            .kv
            .transact(|tx| {
                let group = existing_group(tx, scope, &group)?;
                let start = input
                    .start_time
                    .unwrap_or(i64::MIN)
                    .max(retention_floor(&group, now));
                let end = input.end_time.unwrap_or(i64::MAX);
                let streams: Vec<Stream> = match &input.log_stream_names {
                    Some(names) => {
                        let names: std::collections::BTreeSet<&String> = names.iter().collect();
                        let mut streams = Vec::new();
                        for name in names {
                            streams.extend(store::get_stream(tx, scope, &group.name, name)?);
                        }
                        streams
                    }
                    None => {
                        let prefix = input.log_stream_name_prefix.as_deref().unwrap_or_default();
                        let range = store::streams_with_prefix(scope, &group.name, prefix);
                        store::all_streams(tx, &range)?
                    }
                };
                let mut cursors: Vec<Cursor> = streams
                    .into_iter()
                    .filter(|s| {
                        s.first_event.is_some_and(|first| first <= end)
                            && s.last_event.is_some_and(|last| last >= start)
                    })
                    .map(|s| {
                        cursor(
                            scope,
                            &group.name,
                            s.name,
                            start,
                            end,
                            resume.as_ref(),
                            forward,
                        )
                    })
                    .collect();
                let mut heap = BinaryHeap::new();
                for (index, cursor) in cursors.iter_mut().enumerate() {
                    heap.extend(cursor.head(tx, forward, index)?);
                }
                let mut events = Vec::new();
                let mut bytes = 0;
                let mut scanned = 0;
                let mut last: Option<MergeKey> = None;
                while !heap.is_empty() && events.len() < limit && scanned < SCAN_LIMIT {
                    let head = heap.pop().expect("the heap is not empty");
                    let passed = resume.as_ref().is_some_and(|resume| {
                        if forward {
                            head.key <= *resume
                        } else {
                            head.key >= *resume
                        }
                    });
                    if !passed && pattern.matches(&head.message) {
                        let size = event_size(&head.message);
                        if !events.is_empty() && bytes + size > PAGE_BYTES {
                            heap.push(head);
                            break;
                        }
                        bytes += size;
                        events.push((head.key.clone(), head.message.clone()));
                    }
                    scanned += 1;
                    heap.extend(cursors[head.cursor].head(tx, forward, head.cursor)?);
                    last = Some(head.key);
                }
                let more = !heap.is_empty();
                Ok::<_, Error>((events, last.filter(|_| more)))
            })
            .await?;
        let events: Vec<FilteredLogEvent> = events
            .into_iter()
            .map(|(key, message)| FilteredLogEvent {
                event_id: token::event_id(
                    &key.stream,
                    Position {
                        timestamp: key.timestamp,
                        sequence: key.sequence,
                    },
                ),
                log_stream_name: key.stream,
                timestamp: key.timestamp,
                message,
                ingestion_time: key.ingestion,
            })
            .collect();
        let mut output = json!({ "events": events, "searchedLogStreams": [] });
        if let Some(last) = last {
            output["nextToken"] = token::encode(|key| {
                key.bool(forward)
                    .int(last.timestamp)
                    .int(last.ingestion)
                    .str(&last.stream)
                    .uint(last.sequence)
            })
            .into();
        }
        Ok(output)
    }
}

/// A cursor over one stream's events from `start` to `end` (inclusive), starting after
/// `resume` when a page came before.
fn cursor(
    scope: Scope<'_>,
    group: &str,
    stream: String,
    start: i64,
    end: i64,
    resume: Option<&MergeKey>,
    forward: bool,
) -> Cursor {
    let prefix = store::events_prefix(scope, group, &stream);
    let mut from = Position::at(start);
    let mut to = Position::at(end.saturating_add(1));
    if end == i64::MAX {
        to = Position::MAX;
    }
    if let Some(resume) = resume {
        let at = Position {
            timestamp: resume.timestamp,
            sequence: resume.sequence,
        };
        // The stream the last page ended in continues right after its last event; the
        // others from the same millisecond, skipping what the merge order put before it.
        if forward {
            let bound = if resume.stream == stream {
                at.next()
            } else {
                Position::at(resume.timestamp)
            };
            from = from.max(bound);
        } else {
            let bound = if resume.stream == stream {
                at
            } else {
                Position::at(resume.timestamp.saturating_add(1))
            };
            to = to.min(bound);
        }
    }
    Cursor {
        range: store::event_range(&prefix, from, to),
        stream,
        prefix,
        buffer: VecDeque::new(),
        exhausted: false,
    }
}
