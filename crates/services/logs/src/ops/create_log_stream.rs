//! [CreateLogStream](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html).

use serde_json::Value as Json;

use super::existing_group;
use crate::api::{LogStreamInput, Violations};
use crate::store::{self, Stream};
use crate::{Error, Logs, Scope, millis};

impl Logs {
    pub(crate) async fn create_log_stream(
        &self,
        scope: Scope<'_>,
        input: LogStreamInput,
    ) -> Result<Json, Error> {
        let (group, name) = stream_names(&input)?;
        let stream = Stream::new(name, millis(&self.clock));
        self.kv
            .transact(|tx| {
                existing_group(tx, scope, group)?;
                if store::get_stream(tx, scope, group, name)?.is_some() {
                    return Err(Error::ResourceAlreadyExists(
                        "The specified log stream already exists".into(),
                    ));
                }
                store::put_stream(tx, scope, group, &stream);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Json::Null)
    }
}

impl Stream {
    /// A new stream without events.
    pub(crate) fn new(name: &str, created: i64) -> Self {
        Stream {
            name: name.to_string(),
            created,
            first_event: None,
            last_event: None,
            last_ingestion: None,
            next_sequence: 0,
            stored_bytes: 0,
        }
    }
}

/// The validated group and stream names of an input that names one stream.
pub(crate) fn stream_names(input: &LogStreamInput) -> Result<(&str, &str), Error> {
    let mut violations = Violations::default();
    let group = violations.required(input.log_group_name.as_deref(), "logGroupName");
    violations.group_name(group, "logGroupName");
    let stream = violations.required(input.log_stream_name.as_deref(), "logStreamName");
    violations.stream_name(stream, "logStreamName");
    violations.finish()?;
    Ok((
        group.expect("validated as present"),
        stream.expect("validated as present"),
    ))
}
