//! CloudWatch Logs in unkai: log groups, log streams and their events, kept in the store, and
//! the [`LogSink`](unkai_types::ports::LogSink) the platform's own components (the function
//! runtime) write their logs through.
//!
//! Every request is one store transaction. Events are keyed by stream, timestamp and a
//! per-stream sequence number (see `store.rs`), so reading a time range of a stream is a range
//! scan, and writers to different streams of one group never conflict. Retention hides
//! expired events from every read; nothing deletes them in the background yet.
#![deny(missing_docs)]

mod api;
mod error;
mod filter;
mod ops;
mod sink;
mod store;
mod token;

use std::ops::Deref;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use unkai_edge::compat::Support;
use unkai_edge::protocol::{self, AwsError, json};
use unkai_edge::{BoxFuture, Request, Response, Service, ServiceId, ServiceInfo};
use unkai_store::Kv;
use unkai_types::Clock;

pub use api::Operation;
pub use error::Error;

/// Whose log groups a request sees: the caller's account, in the region it signed for.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// The 12-digit account.
    pub account: &'a str,
    /// The region.
    pub region: &'a str,
}

impl Scope<'_> {
    /// A log group's ARN without the trailing `:*` (`logGroupArn`, tagging).
    pub fn group_arn(&self, group: &str) -> String {
        format!(
            "arn:aws:logs:{}:{}:log-group:{group}",
            self.region, self.account
        )
    }

    /// A log stream's ARN.
    pub fn stream_arn(&self, group: &str, stream: &str) -> String {
        format!("{}:log-stream:{stream}", self.group_arn(group))
    }
}

/// What the service holds: the store, the clock, and where the platform's own logs go.
pub struct Shared {
    kv: Kv,
    clock: Clock,
    account: String,
    region: String,
}

/// The CloudWatch Logs service.
#[derive(Clone)]
pub struct Logs(Arc<Shared>);

impl Deref for Logs {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Logs {
    /// CloudWatch Logs over `kv`. The platform's own logs (written through the
    /// [`LogSink`](unkai_types::ports::LogSink)) go to `account` in `region`.
    pub fn new(
        kv: Kv,
        clock: Clock,
        account: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        Self(Arc::new(Shared {
            kv,
            clock,
            account: account.into(),
            region: region.into(),
        }))
    }

    /// The scope the platform's own logs go to.
    pub fn platform_scope(&self) -> Scope<'_> {
        Scope {
            account: &self.account,
            region: &self.region,
        }
    }

    async fn dispatch(
        &self,
        operation: Operation,
        scope: Scope<'_>,
        body: &[u8],
    ) -> Result<Json, Error> {
        match operation {
            Operation::CreateLogGroup => self.create_log_group(scope, decode(body)?).await,
            Operation::DeleteLogGroup => self.delete_log_group(scope, decode(body)?).await,
            Operation::DescribeLogGroups => self.describe_log_groups(scope, decode(body)?).await,
            Operation::PutRetentionPolicy => self.put_retention_policy(scope, decode(body)?).await,
            Operation::DeleteRetentionPolicy => {
                self.delete_retention_policy(scope, decode(body)?).await
            }
            Operation::CreateLogStream => self.create_log_stream(scope, decode(body)?).await,
            Operation::DeleteLogStream => self.delete_log_stream(scope, decode(body)?).await,
            Operation::DescribeLogStreams => self.describe_log_streams(scope, decode(body)?).await,
            Operation::PutLogEvents => self.put_log_events(scope, decode(body)?).await,
            Operation::GetLogEvents => self.get_log_events(scope, decode(body)?).await,
            Operation::FilterLogEvents => self.filter_log_events(scope, decode(body)?).await,
            Operation::TagResource => self.tag_resource(scope, decode(body)?).await,
            Operation::UntagResource => self.untag_resource(scope, decode(body)?).await,
            Operation::ListTagsForResource => {
                self.list_tags_for_resource(scope, decode(body)?).await
            }
            Operation::TagLogGroup => self.tag_log_group(scope, decode(body)?).await,
            Operation::UntagLogGroup => self.untag_log_group(scope, decode(body)?).await,
            Operation::ListTagsLogGroup => self.list_tags_log_group(scope, decode(body)?).await,
            other => unreachable!("{} is refused before dispatch", other.name()),
        }
    }
}

/// Decodes a request body; malformed JSON or wrong member types are a `SerializationException`.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|error| {
        Error::Serialization(match error.classify() {
            serde_json::error::Category::Data => {
                let text = error.to_string();
                Some(
                    text.rsplit_once(" at line ")
                        .map_or(text.as_str(), |(message, _)| message)
                        .to_string(),
                )
            }
            _ => None,
        })
    })
}

/// Milliseconds since the epoch.
pub(crate) fn millis(clock: &Clock) -> i64 {
    clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

impl Service for Logs {
    fn info(&self) -> &'static ServiceInfo {
        ServiceId::Logs.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        Operation::from_name(operation).is_some()
    }

    fn call(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let info = self.info();
            let id = &request.context.request_id;
            let Some(name) = json::operation(info, &request) else {
                let error = protocol::unknown_operation(info, "");
                return protocol::error_response(info, id, &error);
            };
            let Some(operation) = Operation::from_name(name) else {
                let error = protocol::unknown_operation(info, name);
                return protocol::error_response(info, id, &error);
            };
            if !matches!(operation.support(), Support::Full | Support::Partial(_)) {
                let error = protocol::not_implemented(info, Some(name));
                return protocol::error_response(info, id, &error);
            }
            let scope = Scope {
                account: &request.context.caller.account,
                region: &request.context.region,
            };
            match self.dispatch(operation, scope, &request.body).await {
                // Operations without output answer with an empty body, as AWS does.
                Ok(Json::Null) => protocol::respond(
                    info,
                    id,
                    http::StatusCode::OK,
                    "application/x-amz-json-1.1",
                    Default::default(),
                ),
                Ok(output) => json::respond(info, id, &output),
                Err(error) => {
                    if let Error::ServiceUnavailable(cause) = &error {
                        tracing::error!(%cause, operation = name, "logs request failed");
                    }
                    protocol::error_response(info, id, &AwsError::from(&error))
                }
            }
        })
    }
}

#[cfg(test)]
mod tests;
