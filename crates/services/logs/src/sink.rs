//! The [`LogSink`] port: how the platform (the function runtime) writes its logs. The group
//! and the stream are created when missing and the events appended in one transaction, with
//! none of PutLogEvents' batch limits. The per-stream counters live in the stream's record,
//! so concurrent appends to different streams of one group do not conflict.

use unkai_types::ports::{BoxFuture, LogEvent, LogSink};

use crate::api::Violations;
use crate::ops::put_log_events::append;
use crate::store::{self, Group, Stream};
use crate::{Error, Logs, millis};

impl Logs {
    /// Appends `events` to `stream` of `group` in the platform's account and region, creating
    /// both when missing; returns once the events are durable.
    pub async fn append_events(
        &self,
        group: &str,
        stream: &str,
        events: &[LogEvent],
    ) -> Result<(), Error> {
        let mut violations = Violations::default();
        violations.group_name(Some(group), "logGroupName");
        violations.stream_name(Some(stream), "logStreamName");
        violations.finish()?;
        let scope = self.platform_scope();
        let now = millis(&self.clock);
        let events: Vec<(i64, &str)> = events
            .iter()
            .map(|event| (event.timestamp, event.message.as_str()))
            .collect();
        self.kv
            .transact(|tx| {
                if store::get_group(tx, scope, group)?.is_none() {
                    store::put_group(
                        tx,
                        scope,
                        &Group {
                            name: group.to_string(),
                            created: now,
                            retention_days: None,
                            kms_key_id: None,
                            class: "STANDARD".into(),
                            tags: Default::default(),
                        },
                    );
                }
                let mut record = store::get_stream(tx, scope, group, stream)?
                    .unwrap_or_else(|| Stream::new(stream, now));
                append(tx, scope, group, &mut record, &events, now);
                if record.next_sequence == 0 {
                    // No events: the stream is still created.
                    store::put_stream(tx, scope, group, &record);
                }
                Ok::<_, Error>(())
            })
            .await
    }
}

impl LogSink for Logs {
    fn append<'a>(
        &'a self,
        group: &'a str,
        stream: &'a str,
        events: Vec<LogEvent>,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            self.append_events(group, stream, &events)
                .await
                .map_err(|error| {
                    tracing::warn!(%error, group, stream, "log sink append failed");
                    error.to_string()
                })
        })
    }
}
