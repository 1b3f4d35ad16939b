//! DynamoDB and DynamoDB Streams in unkai: tables, items, expressions, secondary indexes, TTL
//! and streams, kept in the store.
//!
//! Every request is one store transaction: the item, its index entries and its stream record
//! change together (see [`write`]). Background work (removing deleted tables, filling new
//! indexes, TTL expiry, trimming streams) is done by the janitor, which [`DynamoDb::run`]
//! drives.
#![deny(missing_docs)]

mod api;
mod error;
pub mod expr;
pub mod item;
mod janitor;
mod keys;
mod ops;
mod store;
mod streams;
mod table;
mod write;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use unkai_edge::protocol::{self, AwsError, json};
use unkai_edge::{BoxFuture, Request, Response, Service, ServiceId, ServiceInfo};
use unkai_store::Kv;
use unkai_types::Clock;

pub use api::Operation;
pub use error::{CancellationReason, Error};
pub use streams::Operation as StreamsOperation;

use ops::Scope;

/// How the DynamoDB service behaves.
#[derive(Clone, Debug)]
pub struct Options {
    /// How often the janitor looks for expired items and old stream records when it has
    /// nothing else to do.
    pub janitor_interval: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            janitor_interval: Duration::from_secs(1),
        }
    }
}

/// What the DynamoDB and DynamoDB Streams services share: the store, the clock, the janitor.
pub struct Shared {
    kv: Kv,
    clock: Clock,
    janitor: janitor::Janitor,
    /// Table records, decoded once per change.
    tables: unkai_store::record::Decoded<table::Table>,
    options: Options,
}

/// The DynamoDB service.
#[derive(Clone)]
pub struct DynamoDb(Arc<Shared>);

/// The DynamoDB Streams service.
#[derive(Clone)]
pub struct DynamoDbStreams(DynamoDb);

impl Deref for DynamoDb {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl DynamoDb {
    /// DynamoDB over `kv`.
    pub fn new(kv: Kv, clock: Clock, options: Options) -> Self {
        Self(Arc::new(Shared {
            kv,
            clock,
            janitor: janitor::Janitor::default(),
            tables: unkai_store::record::Decoded::default(),
            options,
        }))
    }

    /// The Streams API over the same tables.
    pub fn streams(&self) -> DynamoDbStreams {
        DynamoDbStreams(self.clone())
    }

    /// Runs the background work (table and index cleanup, index backfill, TTL expiry, stream
    /// trimming) until `shutdown` resolves.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) {
        janitor::run(self.0.clone(), shutdown).await;
    }

    async fn dispatch(
        &self,
        operation: Operation,
        scope: Scope<'_>,
        request: &Request,
    ) -> Result<Output, Error> {
        let body = &request.body;
        match operation {
            Operation::CreateTable => self
                .create_table(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::DescribeTable => self
                .describe_table(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::ListTables => self
                .list_tables(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::DeleteTable => self
                .delete_table(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::UpdateTable => self
                .update_table(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::UpdateTimeToLive => self
                .update_time_to_live(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::DescribeTimeToLive => self
                .describe_time_to_live(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::TagResource => self
                .tag_resource(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::UntagResource => self
                .untag_resource(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::ListTagsOfResource => self
                .list_tags_of_resource(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::DescribeLimits => self.describe_limits().await.map(Output::Json),
            Operation::DescribeContinuousBackups => self
                .describe_continuous_backups(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::DescribeEndpoints => {
                let host = request
                    .parts
                    .headers
                    .get("host")
                    .and_then(|h| h.to_str().ok());
                self.describe_endpoints(host).await.map(Output::Json)
            }
            Operation::PutItem => self.put_item(scope, decode(body)?).await.map(Output::Json),
            Operation::GetItem => self.get_item(scope, decode(body)?).await,
            Operation::DeleteItem => self
                .delete_item(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::UpdateItem => self
                .update_item(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::Query => self.query(scope, decode(body)?).await,
            Operation::Scan => self.scan(scope, decode(body)?).await,
            Operation::BatchGetItem => self
                .batch_get_item(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::BatchWriteItem => self
                .batch_write_item(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::TransactGetItems => self
                .transact_get_items(scope, decode(body)?)
                .await
                .map(Output::Json),
            Operation::TransactWriteItems => self
                .transact_write_items(scope, body)
                .await
                .map(Output::Json),
            other => unreachable!("{} is refused before dispatch", other.name()),
        }
    }
}

/// Decodes a request body: malformed JSON is a `SerializationException`, invalid values a
/// `ValidationException`.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|error| {
        let text = error.to_string();
        match item::wire::validation_message(&text) {
            Some(message) => Error::Validation(message.to_string()),
            None => Error::Serialization(match error.classify() {
                serde_json::error::Category::Data => Some(
                    text.rsplit_once(" at line ")
                        .map_or(text.as_str(), |(m, _)| m)
                        .to_string(),
                ),
                _ => None,
            }),
        }
    })
}

/// Decodes an input from a JSON value already parsed (with the same error mapping).
pub(crate) fn decode_value<T: DeserializeOwned>(value: Json) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|error| {
        let text = error.to_string();
        match item::wire::validation_message(&text) {
            Some(message) => Error::Validation(message.to_string()),
            None => Error::Serialization(Some(text)),
        }
    })
}

/// Runs an awsJson request through `handle`, rendering errors in DynamoDB's shapes.
async fn serve<'a, F, Fut, O, R>(
    info: &'static ServiceInfo,
    request: &'a Request,
    handle: F,
) -> Response
where
    F: FnOnce(O, Scope<'a>) -> Fut,
    O: Copy + 'static,
    Fut: std::future::Future<Output = Result<R, Error>>,
    R: Into<Output>,
    O: OperationName,
{
    let id = &request.context.request_id;
    let Some(name) = json::operation(info, request) else {
        let error = protocol::unknown_operation(info, "");
        return protocol::error_response(info, id, &error);
    };
    let Some(operation) = O::parse(name) else {
        let error = protocol::unknown_operation(info, name);
        return protocol::error_response(info, id, &error);
    };
    if !operation.implemented() {
        let error = protocol::not_implemented(info, Some(name));
        return protocol::error_response(info, id, &error);
    }
    let scope = Scope {
        account: &request.context.caller.account,
        region: &request.context.region,
    };
    match handle(operation, scope).await.map(Into::into) {
        // Operations without output (TagResource, UntagResource) answer with an empty body.
        Ok(Output::Json(Json::Null)) => protocol::respond(
            info,
            id,
            http::StatusCode::OK,
            "application/x-amz-json-1.0",
            Default::default(),
        ),
        Ok(Output::Json(output)) => json::respond(info, id, &output),
        Ok(Output::Serialized(body)) => protocol::respond(
            info,
            id,
            http::StatusCode::OK,
            "application/x-amz-json-1.0",
            body.into(),
        ),
        Err(error) => {
            if let Error::Internal(cause) = &error {
                tracing::error!(%cause, operation = name, "dynamodb request failed");
            }
            protocol::error_response(info, id, &AwsError::from(&error))
        }
    }
}

/// What an operation answers: a JSON document, or its text written directly (the item reads,
/// which write stored items straight to JSON without building a document tree).
pub(crate) enum Output {
    Json(Json),
    Serialized(Vec<u8>),
}

/// An output shape written member by member, in the order DynamoDB writes them.
pub(crate) struct Shape(Vec<u8>);

impl Shape {
    /// An empty shape, with room for about `bytes`.
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        let mut out = Vec::with_capacity(bytes + 2);
        out.push(b'{');
        Shape(out)
    }

    /// Starts the member `name`; its value is written into what this returns.
    pub(crate) fn member(&mut self, name: &str) -> &mut Vec<u8> {
        if self.0.len() > 1 {
            self.0.push(b',');
        }
        self.0.push(b'"');
        self.0.extend_from_slice(name.as_bytes());
        self.0.extend_from_slice(b"\":");
        &mut self.0
    }

    /// The member `name`, `value` serialized.
    pub(crate) fn json(&mut self, name: &str, value: &impl serde::Serialize) {
        serde_json::to_writer(self.member(name), value).expect("output shapes serialize");
    }

    pub(crate) fn finish(mut self) -> Output {
        self.0.push(b'}');
        Output::Serialized(self.0)
    }
}

impl From<Json> for Output {
    fn from(json: Json) -> Self {
        Output::Json(json)
    }
}

/// What [`serve`] needs of an operation enum.
trait OperationName: Sized {
    fn parse(name: &str) -> Option<Self>;
    fn implemented(self) -> bool;
}

impl OperationName for Operation {
    fn parse(name: &str) -> Option<Self> {
        Operation::from_name(name)
    }

    fn implemented(self) -> bool {
        use unkai_edge::compat::Support;
        matches!(self.support(), Support::Full | Support::Partial(_))
    }
}

impl OperationName for streams::Operation {
    fn parse(name: &str) -> Option<Self> {
        streams::Operation::from_name(name)
    }

    fn implemented(self) -> bool {
        true
    }
}

impl Service for DynamoDb {
    fn info(&self) -> &'static ServiceInfo {
        ServiceId::DynamoDb.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        Operation::from_name(operation).is_some()
    }

    fn call(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            serve(self.info(), &request, |operation, scope| {
                self.dispatch(operation, scope, &request)
            })
            .await
        })
    }
}

impl Service for DynamoDbStreams {
    fn info(&self) -> &'static ServiceInfo {
        ServiceId::DynamoDbStreams.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        streams::Operation::from_name(operation).is_some()
    }

    fn call(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let service = &self.0;
            let body = &request.body;
            serve(self.info(), &request, |operation, scope| async move {
                match operation {
                    streams::Operation::ListStreams => {
                        service.list_streams(scope, decode(body)?).await
                    }
                    streams::Operation::DescribeStream => {
                        service.describe_stream(scope, decode(body)?).await
                    }
                    streams::Operation::GetShardIterator => {
                        service.get_shard_iterator(scope, decode(body)?).await
                    }
                    streams::Operation::GetRecords => {
                        service.get_records(scope, decode(body)?).await
                    }
                }
            })
            .await
        })
    }
}

#[cfg(test)]
mod tests;
