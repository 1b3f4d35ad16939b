//! API Gateway HTTP APIs in unkai (the `apigatewayv2` API): APIs, routes, integrations,
//! stages, deployments, authorizers and tags, kept in the store; and the APIs' invoke URLs,
//! `http://<api-id>.execute-api.localhost:<port>/[<stage>/]<path>`, which select a stage and a
//! route and run the route's integration: a Lambda function (through the [`Invoke`] port, with
//! payload format 1.0 or 2.0) or an HTTP backend.
//!
//! Operations live in `src/ops/<operation>.rs`; the keyspace in `src/store.rs`; the REST routes
//! and wire shapes in `src/api.rs`; route keys and route selection in `src/routing.rs`; the
//! Lambda proxy events and response mapping in `src/event.rs`; the invoke URLs in
//! `src/public.rs` (HTTP backends in `src/proxy.rs`, JWT authorizers in `src/jwt.rs`).
//!
//! A stage serves the deployment it points at: a snapshot of the API's routes, integrations and
//! authorizers. A stage with `AutoDeploy` gets a new deployment with every change of those, in
//! the change's own transaction, so it always serves the latest routes.
#![deny(missing_docs)]

mod api;
mod error;
mod event;
mod jwt;
mod ops;
mod proxy;
mod public;
mod routing;
mod store;
mod websocket;

pub use websocket::ConnectionsApi;

use std::sync::Arc;

use unkai_edge::protocol::rest::query_pairs;
use unkai_edge::protocol::{self, AwsError};
use unkai_edge::{BoxFuture, Request, Response, Service, ServiceId, ServiceInfo};
use unkai_store::Kv;
use unkai_types::Clock;
use unkai_types::ports::Invoke;

pub use api::Operation;
pub use error::Error;

/// How API Gateway is set up.
#[derive(Clone, Debug)]
pub struct Options {
    /// The account APIs belong to.
    pub account: String,
    /// The region in ARNs.
    pub region: String,
    /// What follows `<api-id>.execute-api.` in invoke URLs: `localhost:4566`.
    pub url_authority: String,
    /// This node's address (`host:port`), where the other nodes of a cluster send
    /// `@connections` requests for the WebSocket connections it holds: `127.0.0.1:4566`.
    pub node: String,
}

impl Options {
    /// Options for `account` and `region`, invoke URLs on `localhost:4566`.
    pub fn new(account: &str, region: &str) -> Self {
        Self {
            account: account.into(),
            region: region.into(),
            url_authority: "localhost:4566".into(),
            node: "127.0.0.1:4566".into(),
        }
    }
}

struct Inner {
    kv: Kv,
    clock: Clock,
    invoke: Arc<dyn Invoke>,
    options: Options,
    /// The WebSocket connections open on this node.
    connections: websocket::Connections,
    /// Who answers invoke URLs whose API is not an HTTP or WebSocket API (REST APIs).
    fallback: std::sync::OnceLock<Arc<dyn unkai_edge::Public>>,
    /// The stages' and routes' throttles (a cache: losing it refills every bucket).
    buckets: std::sync::Mutex<unkai_types::TokenBuckets>,
    /// Lambda authorizers' cached answers: (authorizer, identity) → (the function's answer,
    /// until ms). A policy is evaluated again for each route it is used on.
    authorized: std::sync::Mutex<std::collections::HashMap<String, (serde_json::Value, u64)>>,
    /// JWT issuers' signing keys (a cache: losing it fetches them again).
    keys: jwt::Keys,
    /// APIs, stages and deployments as invoke URLs read them.
    decoded: store::Decoded,
}

/// The API Gateway v2 service and its invoke URLs. Cheap to clone.
#[derive(Clone)]
pub struct ApiGatewayV2 {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ApiGatewayV2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiGatewayV2")
            .field("account", &self.inner.options.account)
            .finish_non_exhaustive()
    }
}

/// What an operation answers.
pub(crate) use unkai_edge::protocol::rest::Reply;

/// What an operation reads of its request.
pub(crate) type Call<'a> = unkai_edge::protocol::rest::Call<'a, Error>;

/// A body that is not the operation's input is a `BadRequestException`.
impl unkai_edge::protocol::rest::BadBody for Error {
    fn bad_body(error: AwsError) -> Self {
        Error::bad_request(unkai_edge::protocol::rest::unparsable_body(error))
    }
}

impl ApiGatewayV2 {
    /// API Gateway over `kv`, running Lambda integrations through `invoke`.
    pub fn new(kv: Kv, clock: Clock, invoke: Arc<dyn Invoke>, options: Options) -> Self {
        Self {
            inner: Arc::new(Inner {
                kv,
                clock,
                invoke,
                options,
                connections: websocket::Connections::default(),
                fallback: std::sync::OnceLock::new(),
                buckets: std::sync::Mutex::default(),
                authorized: std::sync::Mutex::default(),
                keys: jwt::Keys::default(),
                decoded: store::Decoded::default(),
            }),
        }
    }

    /// Hands requests to `<api-id>.execute-api.*` hosts whose API is not one of its own to
    /// `fallback` (the REST APIs' invoke URLs) instead of answering 404. Set once.
    pub fn with_fallback(self, fallback: Arc<dyn unkai_edge::Public>) -> Self {
        if self.inner.fallback.set(fallback).is_err() {
            tracing::warn!("the execute-api fallback was already set");
        }
        self
    }

    /// What a node does as it starts, before it serves: forgets the WebSocket connections the
    /// store says it holds (a crash left them there; none can be open yet). Returns how many.
    pub async fn recover(&self) -> Result<usize, Error> {
        websocket::forget_node(&self.inner.kv, &self.inner.options.node).await
    }

    pub(crate) fn now_ms(&self) -> u64 {
        self.inner
            .clock
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64)
    }

    /// `http://<api-id>.execute-api.localhost:4566` (`ws://` for WebSocket APIs).
    pub(crate) fn endpoint(&self, api: &store::Api) -> String {
        let scheme = if api.protocol_type == store::WEBSOCKET {
            "ws"
        } else {
            "http"
        };
        format!(
            "{scheme}://{}.execute-api.{}",
            api.id, self.inner.options.url_authority
        )
    }

    async fn dispatch(&self, operation: Operation, call: &Call<'_>) -> Result<Reply, AwsError> {
        use Operation::*;
        let result = match operation {
            CreateApi => self.create_api(call).await,
            GetApi => self.get_api(call).await,
            GetApis => self.get_apis(call).await,
            UpdateApi => self.update_api(call).await,
            DeleteApi => self.delete_api(call).await,
            DeleteCorsConfiguration => self.delete_cors_configuration(call).await,
            CreateRoute => self.create_route(call).await,
            GetRoute => self.get_route(call).await,
            GetRoutes => self.get_routes(call).await,
            UpdateRoute => self.update_route(call).await,
            DeleteRoute => self.delete_route(call).await,
            CreateIntegration => self.create_integration(call).await,
            GetIntegration => self.get_integration(call).await,
            GetIntegrations => self.get_integrations(call).await,
            UpdateIntegration => self.update_integration(call).await,
            DeleteIntegration => self.delete_integration(call).await,
            CreateStage => self.create_stage(call).await,
            GetStage => self.get_stage(call).await,
            GetStages => self.get_stages(call).await,
            UpdateStage => self.update_stage(call).await,
            DeleteStage => self.delete_stage(call).await,
            DeleteRouteSettings => self.delete_route_settings(call).await,
            DeleteAccessLogSettings => self.delete_access_log_settings(call).await,
            ResetAuthorizersCache => self.reset_authorizers_cache(call).await,
            CreateDeployment => self.create_deployment(call).await,
            GetDeployment => self.get_deployment(call).await,
            GetDeployments => self.get_deployments(call).await,
            UpdateDeployment => self.update_deployment(call).await,
            DeleteDeployment => self.delete_deployment(call).await,
            CreateAuthorizer => self.create_authorizer(call).await,
            GetAuthorizer => self.get_authorizer(call).await,
            GetAuthorizers => self.get_authorizers(call).await,
            UpdateAuthorizer => self.update_authorizer(call).await,
            DeleteAuthorizer => self.delete_authorizer(call).await,
            TagResource => self.tag_resource(call).await,
            UntagResource => self.untag_resource(call).await,
            GetTags => self.get_tags(call).await,
            other => {
                return Err(protocol::not_implemented(self.info(), Some(other.name())));
            }
        };
        result.map_err(|error| {
            if let Error::Store(store) = &error {
                tracing::error!(error = %store, operation = operation.name(), "apigatewayv2 store failure");
            }
            AwsError::from(&error)
        })
    }
}

impl Service for ApiGatewayV2 {
    fn info(&self) -> &'static ServiceInfo {
        ServiceId::ApiGatewayV2.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        Operation::from_name(operation).is_some()
    }

    fn call(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let info = self.info();
            let request_id = request.context.request_id.clone();
            let query = query_pairs(request.parts.uri.query().unwrap_or_default());
            let Some((operation, labels)) =
                api::route(&request.parts.method, request.parts.uri.path())
            else {
                let error = protocol::unknown_operation(info, request.parts.uri.path());
                return protocol::error_response(info, &request_id, &error);
            };
            let call = Call::new(&request, labels, query);
            match self.dispatch(operation, &call).await {
                Ok(reply) => reply.render(info, &request_id),
                Err(error) => protocol::error_response(info, &request_id, &error),
            }
        })
    }
}

#[cfg(test)]
mod tests;
