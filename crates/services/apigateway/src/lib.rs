//! API Gateway REST APIs in unkai (the `apigateway` API, version 2015-07-09): REST APIs and
//! their resources, methods, integrations, deployments, stages and authorizers; API keys and
//! usage plans; OpenAPI import; all kept in the store. And the APIs' invoke URLs,
//! `http://<api-id>.execute-api.localhost:<port>/<stage>/<path>` and
//! `http://localhost:<port>/restapis/<api-id>/<stage>/_user_request_/<path>`, which select a
//! stage, a resource and a method, check API keys, usage plans and Lambda authorizers, and run
//! the method's integration: a Lambda function (through the [`Invoke`] port), an HTTP backend
//! or a mock.
//!
//! Operations live in `src/ops/<operation>.rs`; the keyspace in `src/store.rs`; the REST routes
//! and wire shapes in `src/api.rs`; OpenAPI import in `src/import.rs`; resource matching in
//! `src/matching.rs`; the Lambda proxy event and response mapping in `src/event.rs`; Lambda
//! authorizers in `src/authorizer.rs`; usage plan throttles and quotas in `src/limits.rs`; the
//! invoke URLs in `src/public.rs` (HTTP backends in `src/proxy.rs`).
//!
//! A stage serves the deployment it points at: a snapshot of the API's resources (with their
//! methods and integrations) and authorizers.
#![deny(missing_docs)]

mod api;
mod authorizer;
mod error;
mod event;
mod import;
mod limits;
mod matching;
mod ops;
mod proxy;
mod public;
mod store;

use std::sync::{Arc, Mutex};

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
}

impl Options {
    /// Options for `account` and `region`, invoke URLs on `localhost:4566`.
    pub fn new(account: &str, region: &str) -> Self {
        Self {
            account: account.into(),
            region: region.into(),
            url_authority: "localhost:4566".into(),
        }
    }
}

struct Inner {
    kv: Kv,
    clock: Clock,
    invoke: Arc<dyn Invoke>,
    options: Options,
    /// The usage plans' token buckets (a cache: losing it refills every bucket).
    buckets: Mutex<unkai_types::TokenBuckets>,
    /// Lambda authorizers' cached decisions.
    decisions: Mutex<authorizer::Cache>,
}

/// The API Gateway (REST APIs) service and its invoke URLs. Cheap to clone.
#[derive(Clone)]
pub struct ApiGateway {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ApiGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiGateway")
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

impl ApiGateway {
    /// API Gateway over `kv`, running Lambda integrations and authorizers through `invoke`.
    pub fn new(kv: Kv, clock: Clock, invoke: Arc<dyn Invoke>, options: Options) -> Self {
        Self {
            inner: Arc::new(Inner {
                kv,
                clock,
                invoke,
                options,
                buckets: Mutex::new(unkai_types::TokenBuckets::default()),
                decisions: Mutex::new(authorizer::Cache::default()),
            }),
        }
    }

    pub(crate) fn now_ms(&self) -> u64 {
        self.inner
            .clock
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64)
    }

    pub(crate) fn now_s(&self) -> u64 {
        self.now_ms() / 1000
    }

    async fn dispatch(&self, operation: Operation, call: &Call<'_>) -> Result<Reply, AwsError> {
        use Operation::*;
        let result = match operation {
            CreateRestApi => self.create_rest_api(call).await,
            GetRestApi => self.get_rest_api(call).await,
            GetRestApis => self.get_rest_apis(call).await,
            UpdateRestApi => self.update_rest_api(call).await,
            DeleteRestApi => self.delete_rest_api(call).await,
            ImportRestApi => self.import_rest_api(call).await,
            PutRestApi => self.put_rest_api(call).await,
            GetResources => self.get_resources(call).await,
            GetResource => self.get_resource(call).await,
            CreateResource => self.create_resource(call).await,
            DeleteResource => self.delete_resource(call).await,
            PutMethod => self.put_method(call).await,
            GetMethod => self.get_method(call).await,
            UpdateMethod => self.update_method(call).await,
            DeleteMethod => self.delete_method(call).await,
            PutIntegration => self.put_integration(call).await,
            GetIntegration => self.get_integration(call).await,
            UpdateIntegration => self.update_integration(call).await,
            DeleteIntegration => self.delete_integration(call).await,
            PutMethodResponse => self.put_method_response(call).await,
            GetMethodResponse => self.get_method_response(call).await,
            DeleteMethodResponse => self.delete_method_response(call).await,
            PutIntegrationResponse => self.put_integration_response(call).await,
            GetIntegrationResponse => self.get_integration_response(call).await,
            DeleteIntegrationResponse => self.delete_integration_response(call).await,
            CreateDeployment => self.create_deployment(call).await,
            GetDeployment => self.get_deployment(call).await,
            GetDeployments => self.get_deployments(call).await,
            DeleteDeployment => self.delete_deployment(call).await,
            CreateStage => self.create_stage(call).await,
            GetStage => self.get_stage(call).await,
            GetStages => self.get_stages(call).await,
            UpdateStage => self.update_stage(call).await,
            DeleteStage => self.delete_stage(call).await,
            FlushStageAuthorizersCache => self.flush_stage_authorizers_cache(call).await,
            CreateApiKey => self.create_api_key(call).await,
            GetApiKey => self.get_api_key(call).await,
            GetApiKeys => self.get_api_keys(call).await,
            UpdateApiKey => self.update_api_key(call).await,
            DeleteApiKey => self.delete_api_key(call).await,
            CreateUsagePlan => self.create_usage_plan(call).await,
            GetUsagePlan => self.get_usage_plan(call).await,
            GetUsagePlans => self.get_usage_plans(call).await,
            UpdateUsagePlan => self.update_usage_plan(call).await,
            DeleteUsagePlan => self.delete_usage_plan(call).await,
            CreateUsagePlanKey => self.create_usage_plan_key(call).await,
            GetUsagePlanKey => self.get_usage_plan_key(call).await,
            GetUsagePlanKeys => self.get_usage_plan_keys(call).await,
            DeleteUsagePlanKey => self.delete_usage_plan_key(call).await,
            GetUsage => self.get_usage(call).await,
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
                tracing::error!(error = %store, operation = operation.name(), "apigateway store failure");
            }
            AwsError::from(&error)
        })
    }
}

pub(crate) use unkai_edge::protocol::rest::query_pairs;

impl Service for ApiGateway {
    fn info(&self) -> &'static ServiceInfo {
        ServiceId::ApiGateway.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        Operation::from_name(operation).is_some()
    }

    fn call(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let info = self.info();
            let request_id = request.context.request_id.clone();
            let query = query_pairs(request.parts.uri.query().unwrap_or_default());
            let import = query
                .iter()
                .any(|(name, value)| name == "mode" && value == "import");
            let Some((operation, labels)) =
                api::route(&request.parts.method, request.parts.uri.path(), import)
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
