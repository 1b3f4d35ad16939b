//! Lambda in unkai: functions, their versions and aliases, concurrency settings, tags,
//! resource policies, and invocation — synchronous, and `Event` invocations queued durably in
//! the store with Lambda's retries and destinations. The code runs in `unkai-runtime`'s worker
//! processes; this crate turns a function name and qualifier into what the runtime runs.
//!
//! Operations live in `src/ops/<operation>.rs`; the keyspace in `src/store.rs`; the REST routes
//! and wire shapes in `src/api.rs`.
#![deny(missing_docs)]

mod api;
mod code;
mod error;
mod eventstream;
mod ops;
mod port;
mod queue;
mod store;
mod url;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use serde_json::Value as Json;
use unkai_edge::protocol::{self, AwsError, rest};
use unkai_edge::{BoxFuture, Request, Response, Service, ServiceId, ServiceInfo};
use unkai_runtime::Runtime;
use unkai_store::Kv;
use unkai_types::Clock;
use unkai_types::ports::{SessionKey, Sessions};

pub use api::Operation;
pub use error::Error;

/// How Lambda is set up.
#[derive(Clone, Debug)]
pub struct Options {
    /// The account functions belong to.
    pub account: String,
    /// The region in ARNs.
    pub region: String,
    /// Where uploaded code is extracted, one directory per zip (by its SHA-256).
    pub code_dir: PathBuf,
    /// The waits before the retries of a failed `Event` invocation (Lambda: about 1 and 2
    /// minutes).
    pub retry_delays: [Duration; 2],
    /// What follows `<url-id>.lambda-url.<region>.` in function URLs: `localhost:4566`.
    pub url_authority: String,
}

impl Options {
    /// Lambda's defaults for `account` and `region`, code under `code_dir`.
    pub fn new(account: &str, region: &str, code_dir: impl Into<PathBuf>) -> Self {
        Self {
            account: account.into(),
            region: region.into(),
            code_dir: code_dir.into(),
            retry_delays: [Duration::from_secs(60), Duration::from_secs(120)],
            url_authority: "localhost:4566".into(),
        }
    }
}

struct Inner {
    kv: Kv,
    clock: Clock,
    runtime: Runtime,
    sessions: Arc<dyn Sessions>,
    options: Options,
    /// Role sessions handed to functions, by role ARN and function name.
    session_cache: Mutex<HashMap<(String, String), SessionKey>>,
    /// Woken when an `Event` invocation is queued.
    queued: tokio::sync::Notify,
}

/// The Lambda service. Cheap to clone.
#[derive(Clone)]
pub struct Lambda {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Lambda {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lambda")
            .field("account", &self.inner.options.account)
            .finish_non_exhaustive()
    }
}

/// What an operation answers: a status and a JSON document, or raw bytes with headers
/// (`Invoke`).
pub(crate) enum Reply {
    Json(StatusCode, Json),
    Empty(StatusCode),
    Raw {
        status: StatusCode,
        headers: Vec<(&'static str, String)>,
        body: Bytes,
    },
    /// A body that streams (`InvokeWithResponseStream`), with status 200.
    Stream {
        headers: Vec<(&'static str, String)>,
        body: unkai_edge::Body,
    },
}

/// What an operation reads of its request.
pub(crate) type Call<'a> = unkai_edge::protocol::rest::Call<'a>;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Lambda {
    /// Lambda over `kv`, running code with `runtime`, functions' credentials from `sessions`.
    pub fn new(
        kv: Kv,
        clock: Clock,
        runtime: Runtime,
        sessions: Arc<dyn Sessions>,
        options: Options,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                kv,
                clock,
                runtime,
                sessions,
                options,
                session_cache: Mutex::new(HashMap::new()),
                queued: tokio::sync::Notify::new(),
            }),
        }
    }

    /// Loads every function's reserved concurrency into the runtime; call once before serving.
    pub async fn prepare(&self) -> Result<(), Error> {
        let reserved = self
            .inner
            .kv
            .transact(|tx| {
                let mut reserved = Vec::new();
                for entry in tx.range(&store::functions(), usize::MAX)? {
                    let function: store::Function =
                        unkai_store::record::decode(&entry.0, &entry.1)?;
                    if let Some(limit) = function.reserved_concurrency {
                        reserved.push((function.name, limit));
                    }
                }
                Ok::<_, Error>(reserved)
            })
            .await?;
        for (name, limit) in reserved {
            self.inner.runtime.set_reserved(&name, Some(limit));
        }
        // With the embedded store this is the only node: whatever a previous run had claimed
        // from the Event queue, it did not finish.
        if self.inner.kv.engine_name() == "embedded" {
            let returned = queue::reclaim(self, true).await?;
            if returned > 0 {
                tracing::info!(returned, "queued invocations of the previous run go again");
            }
        }
        Ok(())
    }

    /// Runs the `Event` invocation queue and the runtime's idle reaper until `shutdown`.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()> + Send) {
        let (stop, stopped) = tokio::sync::watch::channel(());
        let reaper = {
            let runtime = self.inner.runtime.clone();
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                runtime
                    .run(async move {
                        let _ = stopped.changed().await;
                    })
                    .await;
            })
        };
        let queue = {
            let lambda = self.clone();
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                queue::run(&lambda, async move {
                    let _ = stopped.changed().await;
                })
                .await;
            })
        };
        shutdown.await;
        drop(stop);
        let _ = tokio::join!(reaper, queue);
    }

    /// Functions' metrics in the Prometheus text format.
    pub fn metrics(&self) -> String {
        self.inner.runtime.metrics()
    }

    /// How functions' workers are confined on this machine, in words.
    pub fn protection(&self) -> String {
        self.inner.runtime.protection().to_string()
    }

    pub(crate) fn function_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{name}",
            self.inner.options.region, self.inner.options.account
        )
    }

    pub(crate) fn now_ms(&self) -> u64 {
        self.inner
            .clock
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64)
    }

    async fn dispatch(&self, operation: Operation, call: &Call<'_>) -> Result<Reply, AwsError> {
        use Operation::*;
        let result = match operation {
            CreateFunction => self.create_function(call).await,
            GetFunction => self.get_function(call).await,
            GetFunctionConfiguration => self.get_function_configuration(call).await,
            ListFunctions => self.list_functions(call).await,
            DeleteFunction => self.delete_function(call).await,
            UpdateFunctionCode => self.update_function_code(call).await,
            UpdateFunctionConfiguration => self.update_function_configuration(call).await,
            Invoke => self.invoke(call).await,
            InvokeAsync => self.invoke_async(call).await,
            InvokeWithResponseStream => self.invoke_with_response_stream(call).await,
            PublishVersion => self.publish_version(call).await,
            ListVersionsByFunction => self.list_versions_by_function(call).await,
            CreateAlias => self.create_alias(call).await,
            GetAlias => self.get_alias(call).await,
            UpdateAlias => self.update_alias(call).await,
            DeleteAlias => self.delete_alias(call).await,
            ListAliases => self.list_aliases(call).await,
            PutFunctionConcurrency => self.put_function_concurrency(call).await,
            GetFunctionConcurrency => self.get_function_concurrency(call).await,
            DeleteFunctionConcurrency => self.delete_function_concurrency(call).await,
            GetAccountSettings => self.get_account_settings().await,
            AddPermission => self.add_permission(call).await,
            RemovePermission => self.remove_permission(call).await,
            GetPolicy => self.get_policy(call).await,
            PutFunctionEventInvokeConfig => self.put_function_event_invoke_config(call, true).await,
            UpdateFunctionEventInvokeConfig => {
                self.put_function_event_invoke_config(call, false).await
            }
            GetFunctionEventInvokeConfig => self.get_function_event_invoke_config(call).await,
            DeleteFunctionEventInvokeConfig => self.delete_function_event_invoke_config(call).await,
            ListFunctionEventInvokeConfigs => self.list_function_event_invoke_configs(call).await,
            CreateFunctionUrlConfig => self.create_function_url_config(call).await,
            GetFunctionUrlConfig => self.get_function_url_config(call).await,
            UpdateFunctionUrlConfig => self.update_function_url_config(call).await,
            DeleteFunctionUrlConfig => self.delete_function_url_config(call).await,
            ListFunctionUrlConfigs => self.list_function_url_configs(call).await,
            TagResource => self.tag_resource(call).await,
            UntagResource => self.untag_resource(call).await,
            ListTags => self.list_tags(call).await,
            other => {
                return Err(protocol::not_implemented(self.info(), Some(other.name())));
            }
        };
        result.map_err(|error| {
            if let Error::Store(store) = &error {
                tracing::error!(error = %store, operation = operation.name(), "lambda store failure");
            }
            AwsError::from(&error)
        })
    }

    fn render(&self, request_id: &str, reply: Reply) -> Response {
        let info = self.info();
        match reply {
            Reply::Json(status, body) => rest::Reply::Json(status, body).render(info, request_id),
            Reply::Empty(status) => rest::Reply::Empty(status).render(info, request_id),
            Reply::Raw {
                status,
                headers,
                body,
            } => {
                let mut response =
                    protocol::respond(info, request_id, status, "application/json", body);
                for (name, value) in headers {
                    if let Ok(value) = http::HeaderValue::from_str(&value) {
                        response.headers_mut().insert(name, value);
                    }
                }
                response
            }
            Reply::Stream { headers, body } => {
                let mut response = protocol::respond(
                    info,
                    request_id,
                    StatusCode::OK,
                    "application/json",
                    Bytes::new(),
                );
                for (name, value) in headers {
                    if let Ok(value) = http::HeaderValue::from_str(&value) {
                        response.headers_mut().insert(name, value);
                    }
                }
                *response.body_mut() = body;
                response
            }
        }
    }
}

impl Service for Lambda {
    fn info(&self) -> &'static ServiceInfo {
        ServiceId::Lambda.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        Operation::from_name(operation).is_some()
    }

    fn call(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let info = self.info();
            let request_id = request.context.request_id.clone();
            let query = unkai_edge::protocol::rest::query_pairs(
                request.parts.uri.query().unwrap_or_default(),
            );
            let Some((operation, labels)) =
                api::route(&request.parts.method, request.parts.uri.path(), &query)
            else {
                let error = protocol::unknown_operation(info, request.parts.uri.path());
                return protocol::error_response(info, &request_id, &error);
            };
            let call = Call::new(&request, labels, query);
            match self.dispatch(operation, &call).await {
                Ok(reply) => self.render(&request_id, reply),
                Err(error) => protocol::error_response(info, &request_id, &error),
            }
        })
    }
}

#[cfg(test)]
mod tests;
