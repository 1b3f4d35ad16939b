//! [GetLogEvents](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html):
//! one range scan of the stream's events between `startTime` (inclusive) and `endTime`
//! (exclusive), never older than the group's retention. A page holds up to `limit` events
//! (10,000 by default) and at most 1 MB. The tokens keep AWS's forms, `f/…` and `b/…`; both
//! always come back, and at the end of the stream the token passed in comes back unchanged.
//! Events are always listed oldest first; `startFromHead` (false by default) picks whether the
//! first page is the oldest or the newest events. Deviation: `unmask` is ignored.

use serde_json::{Value as Json, json};

use super::{existing_stream, read_events, retention_floor, target_group};
use crate::api::{GetLogEventsInput, OutputLogEvent, Violations};
use crate::store::{self, Position};
use crate::token::{Direction, event_token, parse_event_token};
use crate::{Error, Logs, Scope, millis};

impl Logs {
    pub(crate) async fn get_log_events(
        &self,
        scope: Scope<'_>,
        input: GetLogEventsInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        violations.group_name(input.log_group_name.as_deref(), "logGroupName");
        violations.identifier(input.log_group_identifier.as_deref(), "logGroupIdentifier");
        let stream = violations.required(input.log_stream_name.as_deref(), "logStreamName");
        violations.stream_name(stream, "logStreamName");
        violations.timestamp(input.start_time, "startTime");
        violations.timestamp(input.end_time, "endTime");
        violations.token(input.next_token.as_deref(), "nextToken");
        violations.range(input.limit, "limit", 1, 10_000);
        violations.finish()?;
        let stream = stream.expect("validated as present");
        let group = target_group(
            scope,
            input.log_group_name.as_deref(),
            input.log_group_identifier.as_deref(),
        )?;
        let cursor = input
            .next_token
            .as_deref()
            .map(parse_event_token)
            .transpose()?;
        let direction = match cursor {
            Some((direction, _)) => direction,
            None if input.start_from_head == Some(true) => Direction::Forward,
            None => Direction::Backward,
        };
        let limit = input.limit.unwrap_or(10_000) as usize;
        let now = millis(&self.clock);
        let (events, lower) = self
            .kv
            .transact(|tx| {
                let (group, stream) = existing_stream(tx, scope, &group, stream)?;
                let start = input
                    .start_time
                    .unwrap_or(i64::MIN)
                    .max(retention_floor(&group, now));
                let lower = Position::at(start);
                let upper = input.end_time.map_or(Position::MAX, Position::at);
                let prefix = store::events_prefix(scope, &group.name, &stream.name);
                let events = match (direction, cursor) {
                    (Direction::Forward, cursor) => {
                        let from = cursor.map_or(lower, |(_, at)| at.max(lower));
                        let range = store::event_range(&prefix, from, upper);
                        read_events(tx, &prefix, range, true, limit)?
                    }
                    (Direction::Backward, cursor) => {
                        let to = cursor.map_or(upper, |(_, at)| at.min(upper));
                        let range = store::event_range(&prefix, lower, to);
                        let mut events = read_events(tx, &prefix, range, false, limit)?;
                        events.reverse();
                        events
                    }
                };
                Ok::<_, Error>((events, lower))
            })
            .await?;
        let (forward, backward) = match (events.first(), events.last(), &input.next_token) {
            (Some((first, _)), Some((last, _)), _) => (
                event_token(Direction::Forward, last.next()),
                event_token(Direction::Backward, *first),
            ),
            // Nothing (more) this way: the token passed in comes back.
            (_, _, Some(passed)) => {
                let (_, at) = cursor.expect("a token was passed and parsed");
                match direction {
                    Direction::Forward => (passed.clone(), event_token(Direction::Backward, at)),
                    Direction::Backward => (event_token(Direction::Forward, at), passed.clone()),
                }
            }
            _ => (
                event_token(Direction::Forward, lower),
                event_token(Direction::Backward, lower),
            ),
        };
        let events: Vec<OutputLogEvent> = events
            .into_iter()
            .map(|(position, event)| OutputLogEvent {
                timestamp: position.timestamp,
                message: event.message,
                ingestion_time: event.ingestion,
            })
            .collect();
        Ok(json!({
            "events": events,
            "nextForwardToken": forward,
            "nextBackwardToken": backward,
        }))
    }
}
