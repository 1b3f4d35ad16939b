//! [PutLogEvents](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html),
//! and the write path it shares with the platform's [`LogSink`](unkai_types::ports::LogSink).
//!
//! A batch holds 1 to 10,000 events in chronological order, at most 1,048,576 bytes (messages
//! in UTF-8 plus 26 bytes per event), spanning at most 24 hours. Events more than 14 days old,
//! older than the group's retention, or more than 2 hours in the future are rejected (and
//! reported in `rejectedLogEventsInfo`) while the others are stored. Sequence tokens are
//! accepted and ignored, as AWS now does. Deviation: `entity` is ignored.

use serde_json::{Value as Json, json};
use unkai_store::Tx;

use super::{DAY_MS, event_size, existing_stream, retention_floor};
use crate::api::{PutLogEventsInput, RejectedLogEventsInfo, Violations, sequence_token};
use crate::store::{self, Event, Position, Stream};
use crate::{Error, Logs, Scope, millis};

/// The largest batch, in bytes.
const MAX_BATCH_BYTES: usize = 1_048_576;
/// How far back events are accepted.
const MAX_AGE_MS: i64 = 14 * DAY_MS;
/// How far ahead events are accepted.
const MAX_AHEAD_MS: i64 = 2 * 3_600_000;

impl Logs {
    pub(crate) async fn put_log_events(
        &self,
        scope: Scope<'_>,
        input: PutLogEventsInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        let group = violations.required(input.log_group_name.as_deref(), "logGroupName");
        violations.group_name(group, "logGroupName");
        let stream = violations.required(input.log_stream_name.as_deref(), "logStreamName");
        violations.stream_name(stream, "logStreamName");
        let events = violations.required(input.log_events.as_deref(), "logEvents");
        if let Some(events) = events {
            if events.is_empty() {
                violations.add(
                    Some(""),
                    "logEvents",
                    "have length greater than or equal to 1",
                );
            }
            if events.len() > 10_000 {
                violations.add(
                    Some(""),
                    "logEvents",
                    "have length less than or equal to 10000",
                );
            }
            for (n, event) in events.iter().enumerate() {
                let member = |field: &str| format!("logEvents.{}.member.{field}", n + 1);
                violations.required(event.timestamp.as_ref(), &member("timestamp"));
                violations.timestamp(event.timestamp, &member("timestamp"));
                let message = violations.required(event.message.as_deref(), &member("message"));
                if message == Some("") {
                    violations.add(
                        message,
                        &member("message"),
                        "have length greater than or equal to 1",
                    );
                }
            }
        }
        violations.finish()?;
        let (group, stream) = (
            group.expect("validated as present"),
            stream.expect("validated as present"),
        );
        let events: Vec<(i64, &str)> = events
            .expect("validated as present")
            .iter()
            .map(|event| {
                (
                    event.timestamp.expect("validated as present"),
                    event.message.as_deref().expect("validated as present"),
                )
            })
            .collect();
        let size: usize = events.iter().map(|(_, message)| event_size(message)).sum();
        if size > MAX_BATCH_BYTES {
            return Err(Error::InvalidParameter(format!(
                "Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}"
            )));
        }
        if events.windows(2).any(|pair| pair[1].0 < pair[0].0) {
            return Err(Error::InvalidParameter(
                "Log events in a single PutLogEvents request must be in chronological order."
                    .into(),
            ));
        }
        let (first, last) = (events[0].0, events[events.len() - 1].0);
        if last - first > DAY_MS {
            return Err(Error::InvalidParameter(
                "The batch of log events in a single PutLogEvents request cannot span more \
                 than 24 hours."
                    .into(),
            ));
        }
        let now = millis(&self.clock);
        let (next_sequence, rejected) = self
            .kv
            .transact(|tx| {
                let (group, mut stream) = existing_stream(tx, scope, group, stream)?;
                let (accepted, rejected) = screen(&events, now, retention_floor(&group, now));
                append(tx, scope, &group.name, &mut stream, &events[accepted], now);
                Ok::<_, Error>((stream.next_sequence, rejected))
            })
            .await?;
        let mut output = json!({ "nextSequenceToken": sequence_token(next_sequence) });
        if !rejected.is_empty() {
            output["rejectedLogEventsInfo"] =
                serde_json::to_value(rejected).expect("rejected events info serializes");
        }
        Ok(output)
    }
}

/// Which events of a chronological batch are kept at `now`, and what is rejected: the too old
/// ones (a prefix), the expired ones (older than `floor`, after them), the too new ones (a
/// suffix).
fn screen(
    events: &[(i64, &str)],
    now: i64,
    floor: i64,
) -> (std::ops::Range<usize>, RejectedLogEventsInfo) {
    let too_old = events.partition_point(|(t, _)| *t < now - MAX_AGE_MS);
    let expired = too_old + events[too_old..].partition_point(|(t, _)| *t < floor);
    let too_new = expired + events[expired..].partition_point(|(t, _)| *t <= now + MAX_AHEAD_MS);
    let rejected = RejectedLogEventsInfo {
        too_new_log_event_start_index: (too_new < events.len()).then_some(too_new),
        too_old_log_event_end_index: (too_old > 0).then_some(too_old),
        expired_log_event_end_index: (expired > too_old).then_some(expired),
    };
    (expired..too_new, rejected)
}

/// Appends `events` (timestamp, message) to `stream` of `group` at `now`, and stores the
/// stream's updated record. Each event gets the stream's next sequence number; ingestion times
/// never decrease within a stream.
pub(crate) fn append(
    tx: &mut Tx,
    scope: Scope<'_>,
    group: &str,
    stream: &mut Stream,
    events: &[(i64, &str)],
    now: i64,
) {
    if events.is_empty() {
        return;
    }
    let prefix = store::events_prefix(scope, group, &stream.name);
    let ingestion = now.max(stream.last_ingestion.unwrap_or(i64::MIN));
    for &(timestamp, message) in events {
        let position = Position {
            timestamp,
            sequence: stream.next_sequence,
        };
        stream.next_sequence += 1;
        store::put_event(
            tx,
            &prefix,
            position,
            &Event {
                ingestion,
                message: message.to_string(),
            },
        );
        stream.first_event = Some(stream.first_event.map_or(timestamp, |t| t.min(timestamp)));
        stream.last_event = Some(stream.last_event.map_or(timestamp, |t| t.max(timestamp)));
        stream.stored_bytes += message.len() as u64;
    }
    stream.last_ingestion = Some(ingestion);
    store::put_stream(tx, scope, group, stream);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_screened_by_age_retention_and_future() {
        let now = 100 * DAY_MS;
        let events = [
            (now - 20 * DAY_MS, "old"),
            (now - 5 * DAY_MS, "expired"),
            (now, "kept"),
            (now + MAX_AHEAD_MS, "kept too"),
            (now + MAX_AHEAD_MS + 1, "new"),
        ];
        let (kept, rejected) = screen(&events, now, now - DAY_MS);
        assert_eq!(kept, 2..4);
        assert_eq!(
            rejected,
            RejectedLogEventsInfo {
                too_new_log_event_start_index: Some(4),
                too_old_log_event_end_index: Some(1),
                expired_log_event_end_index: Some(2),
            }
        );
        let (kept, rejected) = screen(&events[2..4], now, i64::MIN);
        assert_eq!(kept, 0..2);
        assert!(rejected.is_empty());
    }
}
