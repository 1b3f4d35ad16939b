//! [DescribeLogStreams](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogStreams.html):
//! by name (a range scan, either way) or by last event time (streams without events count as
//! 0), with pagination. `storedBytes` is always 0, as AWS reports it for streams since 2019.

use serde_json::{Value as Json, json};

use super::{existing_group, target_group};
use crate::api::{DescribeLogStreamsInput, LogStreamOutput, Violations, sequence_token};
use crate::store::{self, Stream};
use crate::{Error, Logs, Scope, token};

/// Where the previous page ended.
enum After {
    Name(String),
    Time(i64, String),
}

impl Logs {
    pub(crate) async fn describe_log_streams(
        &self,
        scope: Scope<'_>,
        input: DescribeLogStreamsInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        violations.group_name(input.log_group_name.as_deref(), "logGroupName");
        violations.identifier(input.log_group_identifier.as_deref(), "logGroupIdentifier");
        violations.stream_name(
            input.log_stream_name_prefix.as_deref(),
            "logStreamNamePrefix",
        );
        violations.one_of(
            input.order_by.as_deref(),
            "orderBy",
            &["LogStreamName", "LastEventTime"],
        );
        violations.token(input.next_token.as_deref(), "nextToken");
        violations.range(input.limit, "limit", 1, 50);
        violations.finish()?;
        let group = target_group(
            scope,
            input.log_group_name.as_deref(),
            input.log_group_identifier.as_deref(),
        )?;
        let by_time = input.order_by.as_deref() == Some("LastEventTime");
        let prefix = input.log_stream_name_prefix.as_deref().unwrap_or_default();
        if by_time && !prefix.is_empty() {
            return Err(Error::InvalidParameter(
                "Cannot order by LastEventTime with a logStreamNamePrefix.".into(),
            ));
        }
        let descending = input.descending.unwrap_or(false);
        let limit = input.limit.unwrap_or(50) as usize;
        let after = input
            .next_token
            .as_deref()
            .map(|t| {
                token::decode(t, |r| match r.str()?.as_str() {
                    "time" => Ok(After::Time(r.int()?, r.str()?)),
                    _ => Ok(After::Name(r.str()?)),
                })
            })
            .transpose()?;
        let (streams, more) = self
            .kv
            .transact(|tx| {
                existing_group(tx, scope, &group)?;
                let mut range = store::streams_with_prefix(scope, &group, prefix);
                if by_time {
                    let mut streams = store::all_streams(tx, &range)?;
                    let key = |s: &Stream| (s.last_event.unwrap_or(0), s.name.clone());
                    streams.sort_by_key(key);
                    if descending {
                        streams.reverse();
                    }
                    if let Some(After::Time(time, name)) = &after {
                        let mark = (*time, name.clone());
                        streams.retain(|s| {
                            if descending {
                                key(s) < mark
                            } else {
                                key(s) > mark
                            }
                        });
                    }
                    let more = streams.len() > limit;
                    streams.truncate(limit);
                    return Ok::<_, Error>((streams, more));
                }
                if let Some(After::Name(name)) = &after {
                    let bound = store::stream_bound(scope, &group, name);
                    if descending {
                        range.end = range.end.min(bound);
                    } else {
                        range.start = range.start.max([bound.as_slice(), &[0]].concat());
                    }
                }
                let page = if descending {
                    tx.range_rev(&range, limit + 1)?
                } else {
                    tx.range(&range, limit + 1)?
                };
                let mut streams = page
                    .iter()
                    .map(|(key, value)| store::decode_stream(key, value))
                    .collect::<Result<Vec<_>, _>>()?;
                let more = streams.len() > limit;
                streams.truncate(limit);
                Ok((streams, more))
            })
            .await?;
        let next_token = match streams.last() {
            Some(last) if more && by_time => Some(token::encode(|key| {
                key.str("time")
                    .int(last.last_event.unwrap_or(0))
                    .str(&last.name)
            })),
            Some(last) if more => Some(token::encode(|key| key.str("name").str(&last.name))),
            _ => None,
        };
        let streams: Vec<LogStreamOutput> = streams
            .into_iter()
            .map(|stream| LogStreamOutput {
                arn: scope.stream_arn(&group, &stream.name),
                upload_sequence_token: (stream.next_sequence > 0)
                    .then(|| sequence_token(stream.next_sequence)),
                log_stream_name: stream.name,
                creation_time: stream.created,
                first_event_timestamp: stream.first_event,
                last_event_timestamp: stream.last_event,
                last_ingestion_time: stream.last_ingestion,
                stored_bytes: 0,
            })
            .collect();
        let mut output = json!({ "logStreams": streams });
        if let Some(next_token) = next_token {
            output["nextToken"] = next_token.into();
        }
        Ok(output)
    }
}
