//! The invoke URLs of REST APIs: `http://<api-id>.execute-api.localhost:<port>/<stage>/<path>`
//! (handed over by the HTTP APIs' endpoint, which owns every `*.execute-api.*` host, when the
//! host's API is not one of its own) and the path form
//! `http://localhost:<port>/restapis/<api-id>/<stage>/_user_request_/<path>`
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html>).
//!
//! The stage's deployment supplies the resources; `matching` selects the resource and method.
//! An unknown API, stage, resource or method is 403 `{"message":"Missing Authentication
//! Token"}`, as REST APIs answer. Then, in API Gateway's order:
//! - `AWS_IAM` methods need a SigV4 signature for `execute-api` (else 403);
//! - `CUSTOM` methods run their Lambda authorizer (`authorizer`): no identity is 401
//!   `{"message":"Unauthorized"}`, a policy that denies the method ARN 403
//!   `{"message":"User is not authorized to access this resource with an explicit deny"}`,
//!   one that does not allow it 403 `{"message":"User is not authorized to access this
//!   resource"}`;
//! - methods that require an API key need an enabled key (`x-api-key`, or the authorizer's
//!   `usageIdentifierKey`) of a usage plan of the stage (else 403 `{"message":"Forbidden"}`),
//!   within the plan's throttle (else 429 `{"message":"Too Many Requests"}`) and quota (else
//!   429 `{"message":"Limit Exceeded"}`), see `limits`;
//! - the integration runs: `AWS_PROXY` (the proxy event of `event`; a function error or an
//!   answer that does not map is 502 `{"message": "Internal server error"}`, no answer within
//!   the integration's timeout 504 `{"message": "Endpoint request timed out"}`),
//!   `HTTP_PROXY` (`proxy`), or `MOCK` (the integration response whose selection pattern is the
//!   status code the request template names, else the default one: its status, its
//!   `application/json` template as it is, its static header mappings).
//!
//! Every response carries `x-amzn-RequestId`; API Gateway's own errors carry
//! `x-amzn-ErrorType`.

use std::time::Duration;

use http::{HeaderValue, StatusCode};
use serde_json::{Value as Json, json};
use unkai_edge::{BoxFuture, Public, PublicAuth, PublicRequest, Response, full};
use unkai_store::Tx;
use unkai_types::ports::InvokeFailure;

use crate::ApiGateway;
use crate::authorizer::{self, Decision, Sources};
use crate::error::Error;
use crate::event::{self, Incoming, Selected};
use crate::limits;
use crate::matching;
use crate::ops::function_of;
use crate::store::{
    self, ApiKey, Authorizer, Deployment, Integration, KeyRef, Method, PlanKey, RestApi, Stage,
    Usage, UsagePlan,
};
use unkai_edge::execute_api::{self, Verdict};

/// An error answer in API Gateway's form: `{"message": …}`.
pub(crate) fn message(status: StatusCode, text: &str) -> Response {
    let mut response = http::Response::new(full(json!({ "message": text }).to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A gateway error: its message and `x-amzn-ErrorType`.
fn gateway(status: StatusCode, text: Option<&str>, kind: &'static str) -> Response {
    let mut response = match text {
        Some(text) => message(status, text),
        None => {
            let mut response = message(status, "");
            *response.body_mut() = full(r#"{"message":null}"#);
            response
        }
    };
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(kind));
    response
}

fn missing_token() -> Response {
    gateway(
        StatusCode::FORBIDDEN,
        Some("Missing Authentication Token"),
        "MissingAuthenticationTokenException",
    )
}

fn forbidden() -> Response {
    gateway(
        StatusCode::FORBIDDEN,
        Some("Forbidden"),
        "ForbiddenException",
    )
}

fn bad_gateway() -> Response {
    gateway(
        StatusCode::BAD_GATEWAY,
        Some("Internal server error"),
        "InternalServerErrorException",
    )
}

fn internal_error() -> Response {
    gateway(
        StatusCode::INTERNAL_SERVER_ERROR,
        Some("Internal server error"),
        "InternalServerErrorException",
    )
}

/// The integration's (and authorizers') longest wait.
const INTEGRATION_TIMEOUT_MS: u64 = 29_000;

/// Where the request points: API, stage, path within the stage, host name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub api_id: String,
    pub stage: String,
    pub path: String,
    pub domain: String,
}

/// The target of an invoke URL: host form or `/restapis/…/_user_request_/` path form.
pub(crate) fn target(host: &str, path: &str) -> Option<Target> {
    let domain = host
        .rsplit_once(':')
        .map_or(host, |(name, _)| name)
        .to_owned();
    if let Some(rest) = path.strip_prefix("/restapis/")
        && let Some((head, tail)) = rest.split_once("/_user_request_")
    {
        let (api_id, stage) = head.split_once('/')?;
        let path = if tail.is_empty() { "/" } else { tail };
        return Some(Target {
            api_id: api_id.to_owned(),
            stage: stage.to_owned(),
            path: path.to_owned(),
            domain,
        });
    }
    let api_id = domain.split('.').next()?.to_owned();
    let trimmed = path.strip_prefix('/')?;
    let (stage, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    if stage.is_empty() {
        return None;
    }
    Some(Target {
        api_id,
        stage: percent_encoding::percent_decode_str(stage)
            .decode_utf8_lossy()
            .into_owned(),
        path: format!("/{rest}"),
        domain,
    })
}

impl Public for ApiGateway {
    /// Hosts reach REST APIs through the HTTP APIs' endpoint (its fallback), which owns every
    /// `*.execute-api.*` host.
    fn owns(&self, _host: &str) -> bool {
        false
    }

    fn owns_path(&self, path: &str) -> bool {
        path.starts_with("/restapis/") && path.contains("/_user_request_")
    }

    fn signing_name(&self) -> &'static str {
        "execute-api"
    }

    fn max_body(&self) -> usize {
        10 * 1024 * 1024
    }

    fn call(&self, request: PublicRequest) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let request_id = request.request_id.clone();
            let mut response = self.serve(request).await;
            if let Ok(id) = HeaderValue::from_str(&request_id) {
                response.headers_mut().insert("x-amzn-requestid", id);
            }
            response
        })
    }
}

/// What a request resolved to.
struct Resolved {
    api: RestApi,
    stage: Stage,
    deployment: Deployment,
}

fn resolve(tx: &mut Tx, target: &Target) -> Result<Option<Resolved>, Error> {
    let Some(api) = store::get::<RestApi>(tx, &[store::API, &target.api_id])? else {
        return Ok(None);
    };
    let Some(stage) = store::get::<Stage>(tx, &[store::STAGE, &target.api_id, &target.stage])?
    else {
        return Ok(None);
    };
    let Some(deployment) = store::get::<Deployment>(
        tx,
        &[store::DEPLOYMENT, &target.api_id, &stage.deployment_id],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(Resolved {
        api,
        stage,
        deployment,
    }))
}

/// `${stageVariables.name}` replaced by the stage's variables.
fn with_stage_variables(text: &str, variables: &[(String, String)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in variables {
        out = out.replace(&format!("${{stageVariables.{name}}}"), value);
    }
    out
}

/// A response with `status`, `headers` (names may repeat) and `body`.
fn respond(status: u16, headers: &[(String, String)], body: Vec<u8>) -> Response {
    let mut response = http::Response::new(full(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// The status code a MOCK integration's request template names (200 when none).
pub(crate) fn mock_status(template: Option<&str>) -> u16 {
    let Some(template) = template else {
        return 200;
    };
    if let Ok(document) = serde_json::from_str::<Json>(template)
        && let Some(status) = document["statusCode"].as_u64()
    {
        return u16::try_from(status).unwrap_or(200);
    }
    template
        .split("statusCode")
        .nth(1)
        .map(|rest| {
            rest.trim_start_matches(|c: char| c == '"' || c == ':' || c.is_whitespace())
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(200)
}

/// A MOCK integration's response for `status`.
pub(crate) fn mock_response(integration: &Integration, status: u16) -> Response {
    let code = status.to_string();
    let chosen = integration
        .responses
        .iter()
        .find(|response| {
            response
                .selection_pattern
                .as_deref()
                .is_some_and(|pattern| pattern == code || pattern == ".*")
        })
        .or_else(|| {
            integration.responses.iter().find(|response| {
                response
                    .selection_pattern
                    .as_deref()
                    .unwrap_or_default()
                    .is_empty()
            })
        });
    let Some(chosen) = chosen else {
        return internal_error();
    };
    let template = chosen
        .response_templates
        .iter()
        .find(|(kind, _)| kind == "application/json")
        .or_else(|| chosen.response_templates.first());
    let mut headers = Vec::new();
    for (target, source) in &chosen.response_parameters {
        if let Some(name) = target.strip_prefix("method.response.header.")
            && let Some(value) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\''))
        {
            headers.push((name.to_ascii_lowercase(), value.to_owned()));
        }
    }
    let content_type = template.map_or("application/json", |(kind, _)| kind.as_str());
    if !headers.iter().any(|(name, _)| name == "content-type") {
        headers.push(("content-type".into(), content_type.to_owned()));
    }
    let body = template.map(|(_, body)| body.clone()).unwrap_or_default();
    respond(
        chosen.status_code.parse().unwrap_or(200),
        &headers,
        body.into_bytes(),
    )
}

/// The method ARN an authorizer's policy is checked against.
fn method_arn(region: &str, account: &str, target: &Target, method: &str) -> String {
    format!(
        "arn:aws:execute-api:{region}:{account}:{}/{}/{method}/{}",
        target.api_id,
        target.stage,
        target.path.trim_start_matches('/')
    )
}

impl ApiGateway {
    async fn serve(&self, request: PublicRequest) -> Response {
        let host = request
            .parts
            .headers
            .get(http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .or_else(|| request.parts.uri.host())
            .unwrap_or_default()
            .to_owned();
        let Some(target) = target(&host, request.parts.uri.path()) else {
            return missing_token();
        };
        let resolved = match self.inner.kv.transact(|tx| resolve(tx, &target)).await {
            Ok(Some(resolved)) => resolved,
            Ok(None) => return missing_token(),
            Err(error) => {
                tracing::error!(%error, api = %target.api_id, "REST API lookup failed");
                return internal_error();
            }
        };
        if resolved.api.disable_execute_api_endpoint {
            return forbidden();
        }
        let Some(matched) = matching::select(&resolved.deployment.resources, &target.path) else {
            return missing_token();
        };
        let http_method = request.parts.method.as_str().to_owned();
        let Some(method) = matching::method(matched.resource, &http_method) else {
            return missing_token();
        };
        let caller = match (&method.authorization_type[..], &request.auth) {
            ("AWS_IAM", PublicAuth::Signed(caller)) => Some(caller),
            ("AWS_IAM", PublicAuth::Anonymous) => return missing_token(),
            ("AWS_IAM", PublicAuth::Invalid(_)) => {
                return gateway(
                    StatusCode::FORBIDDEN,
                    Some(
                        "The request signature we calculated does not match the signature you \
                         provided. Check your AWS Secret Access Key and signing method. Consult \
                         the service documentation for details.",
                    ),
                    "InvalidSignatureException",
                );
            }
            _ => None,
        };
        let raw_query = request.parts.uri.query().unwrap_or_default().to_owned();
        let query = crate::query_pairs(&raw_query);
        let arn = method_arn(
            &self.inner.options.region,
            &self.inner.options.account,
            &target,
            &http_method,
        );
        let received_ms = request
            .received
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64);
        let incoming = Incoming {
            method: &http_method,
            path: &target.path,
            raw_query: &raw_query,
            headers: &request.parts.headers,
            body: &request.body,
            source_ip: "127.0.0.1",
            domain_name: &target.domain,
            request_id: &request.request_id,
            received_ms,
        };
        let mut selected = Selected {
            account_id: &self.inner.options.account,
            api_id: &resolved.api.id,
            stage: &resolved.stage.name,
            deployment_id: &resolved.deployment.id,
            resource_id: &matched.resource.id,
            resource_path: &matched.resource.path,
            path_parameters: &matched.parameters,
            stage_variables: &resolved.stage.variables,
            binary_media_types: &resolved.api.binary_media_types,
            caller,
            api_key: None,
            authorizer: None,
        };
        let mut decision = None;
        if method.authorization_type == "CUSTOM" {
            let found = method.authorizer_id.as_deref().and_then(|id| {
                resolved
                    .deployment
                    .authorizers
                    .iter()
                    .find(|authorizer| authorizer.id == id)
            });
            let Some(authorizer) = found else {
                return internal_error();
            };
            let sources = Sources {
                headers: &request.parts.headers,
                query: &query,
                stage_variables: &resolved.stage.variables,
            };
            match self
                .authorize(authorizer, &sources, &arn, &incoming, &selected)
                .await
            {
                Ok(found) => decision = Some(found),
                Err(response) => return response,
            }
        }
        let authorizer_context = decision.as_ref().map(Decision::request_context);
        selected.authorizer = authorizer_context.as_ref();
        let key = if resolved.api.api_key_source == "AUTHORIZER" {
            decision
                .as_ref()
                .and_then(|decision| decision.usage_identifier_key.clone())
        } else {
            request
                .parts
                .headers
                .get("x-api-key")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let key_record;
        if method.api_key_required {
            match self.check_usage(&target, key.as_deref()).await {
                Ok(found) => key_record = found,
                Err(response) => return response,
            }
            selected.api_key = Some((&key_record.value, &key_record.id));
        }
        self.integrate(method, &incoming, &selected, &matched.parameters)
            .await
    }

    /// Runs a Lambda authorizer (or takes its cached decision) and checks its policy.
    async fn authorize(
        &self,
        authorizer: &Authorizer,
        sources: &Sources<'_>,
        arn: &str,
        incoming: &Incoming<'_>,
        selected: &Selected<'_>,
    ) -> Result<Decision, Response> {
        let unauthorized = || {
            gateway(
                StatusCode::UNAUTHORIZED,
                Some("Unauthorized"),
                "UnauthorizedException",
            )
        };
        let denied = |text| gateway(StatusCode::FORBIDDEN, Some(text), "AccessDeniedException");
        let configuration = || {
            gateway(
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                "AuthorizerConfigurationException",
            )
        };
        if authorizer.authorizer_type != "TOKEN" && authorizer.authorizer_type != "REQUEST" {
            tracing::warn!(authorizer = %authorizer.id, kind = %authorizer.authorizer_type, "authorizer type not enforced");
            return Err(unauthorized());
        }
        let Some(identity) = authorizer::identity(authorizer, sources) else {
            return Err(unauthorized());
        };
        let cache_key = (
            selected.api_id.to_owned(),
            authorizer.id.clone(),
            identity.clone(),
        );
        let now_ms = self.now_ms();
        let cached = self
            .inner
            .decisions
            .lock()
            .ok()
            .and_then(|cache| cache.get(&cache_key, now_ms));
        let decision = match cached {
            Some(decision) => decision,
            None => {
                let event = if authorizer.authorizer_type == "TOKEN" {
                    authorizer::token_event(&identity, arn)
                } else {
                    event::request_authorizer_event(incoming, selected, arn)
                };
                let uri = with_stage_variables(
                    authorizer.uri.as_deref().unwrap_or_default(),
                    selected.stage_variables,
                );
                let Some(function) = function_of(&uri) else {
                    tracing::warn!(uri, "authorizer URI names no function");
                    return Err(configuration());
                };
                let invoked = tokio::time::timeout(
                    Duration::from_millis(INTEGRATION_TIMEOUT_MS),
                    self.inner
                        .invoke
                        .invoke(function, event.to_string().into_bytes()),
                )
                .await;
                let invoked = match invoked {
                    Ok(Ok(invoked)) => invoked,
                    Ok(Err(failure)) => {
                        tracing::warn!(function, ?failure, "authorizer invocation failed");
                        return Err(configuration());
                    }
                    Err(_) => return Err(configuration()),
                };
                if invoked.function_error.is_some() {
                    let error: Json = serde_json::from_slice(&invoked.payload).unwrap_or_default();
                    if error["errorMessage"] == "Unauthorized" {
                        return Err(unauthorized());
                    }
                    return Err(configuration());
                }
                let decision = match authorizer::decision(&invoked.payload) {
                    Ok(decision) => decision,
                    Err(malformed) => {
                        tracing::info!(
                            function,
                            reason = malformed.0,
                            "malformed authorizer answer"
                        );
                        return Err(configuration());
                    }
                };
                if authorizer.result_ttl > 0
                    && let Ok(mut cache) = self.inner.decisions.lock()
                {
                    cache.put(
                        cache_key,
                        now_ms + u64::from(authorizer.result_ttl) * 1000,
                        decision.clone(),
                    );
                }
                decision
            }
        };
        match execute_api::evaluate(&decision.policy, arn) {
            Verdict::Allow => Ok(decision),
            Verdict::ExplicitDeny => Err(denied(
                "User is not authorized to access this resource with an explicit deny",
            )),
            Verdict::ImplicitDeny => Err(denied("User is not authorized to access this resource")),
        }
    }

    /// Checks the API key of a method that requires one against the stage's usage plans, and
    /// counts the request against their throttles and quotas.
    async fn check_usage(&self, target: &Target, key: Option<&str>) -> Result<ApiKey, Response> {
        let Some(value) = key.filter(|key| !key.is_empty()) else {
            return Err(forbidden());
        };
        let found = self
            .inner
            .kv
            .transact(|tx| {
                let Some(reference) = store::get::<KeyRef>(tx, &[store::API_KEY_VALUE, value])?
                else {
                    return Ok(None);
                };
                let Some(key) = store::get::<ApiKey>(tx, &[store::API_KEY, &reference.id])? else {
                    return Ok(None);
                };
                let plans: Vec<UsagePlan> = store::list(tx, &[store::USAGE_PLAN])?;
                let mut covering = Vec::new();
                for plan in plans {
                    let covers = plan
                        .api_stages
                        .iter()
                        .any(|s| s.api_id == target.api_id && s.stage == target.stage);
                    if covers
                        && store::get::<PlanKey>(tx, &[store::PLAN_KEY, &plan.id, &key.id])?
                            .is_some()
                    {
                        covering.push(plan);
                    }
                }
                Ok::<_, Error>(Some((key, covering)))
            })
            .await;
        let (key, plans) = match found {
            Ok(Some((key, plans))) if key.enabled && !plans.is_empty() => (key, plans),
            Ok(_) => return Err(forbidden()),
            Err(error) => {
                tracing::error!(%error, "API key lookup failed");
                return Err(internal_error());
            }
        };
        let now_ms = self.now_ms();
        if let Ok(mut buckets) = self.inner.buckets.lock() {
            for plan in &plans {
                if let Some(throttle) = &plan.throttle
                    && !buckets.take(
                        &format!("{}/{}", plan.id, key.id),
                        throttle.rate_limit,
                        i64::from(throttle.burst_limit),
                        now_ms,
                    )
                {
                    return Err(gateway(
                        StatusCode::TOO_MANY_REQUESTS,
                        Some("Too Many Requests"),
                        "TooManyRequestsException",
                    ));
                }
            }
        }
        let today = now_ms / 86_400_000;
        let counted = self
            .inner
            .kv
            .transact(|tx| {
                for plan in &plans {
                    let today_key = store::day_key(today);
                    let parts = [
                        store::USAGE,
                        plan.id.as_str(),
                        key.id.as_str(),
                        today_key.as_str(),
                    ];
                    let used_today = store::get::<Usage>(tx, &parts)?.map_or(0, |u| u.used);
                    if let Some(quota) = &plan.quota {
                        let start = limits::period_start(today, &quota.period);
                        let mut used = used_today;
                        for day in start..today {
                            let day_key = store::day_key(day);
                            used += store::get::<Usage>(
                                tx,
                                &[store::USAGE, &plan.id, &key.id, &day_key],
                            )?
                            .map_or(0, |u| u.used);
                        }
                        if used >= u64::try_from(quota.limit).unwrap_or(0) {
                            return Ok(false);
                        }
                    }
                    store::put(
                        tx,
                        &parts,
                        &Usage {
                            used: used_today + 1,
                        },
                    );
                }
                Ok::<_, Error>(true)
            })
            .await;
        match counted {
            Ok(true) => Ok(key),
            Ok(false) => Err(gateway(
                StatusCode::TOO_MANY_REQUESTS,
                Some("Limit Exceeded"),
                "LimitExceededException",
            )),
            Err(error) => {
                tracing::error!(%error, "usage count failed");
                Err(internal_error())
            }
        }
    }

    async fn integrate(
        &self,
        method: &Method,
        incoming: &Incoming<'_>,
        selected: &Selected<'_>,
        parameters: &[(String, String)],
    ) -> Response {
        let Some(integration) = &method.integration else {
            return internal_error();
        };
        match integration.integration_type.as_str() {
            "AWS_PROXY" => self.run_lambda(integration, incoming, selected).await,
            "HTTP_PROXY" => {
                let uri = with_stage_variables(
                    integration.uri.as_deref().unwrap_or_default(),
                    selected.stage_variables,
                );
                crate::proxy::forward(
                    &uri,
                    integration,
                    incoming,
                    parameters,
                    bytes::Bytes::copy_from_slice(incoming.body),
                )
                .await
            }
            "MOCK" => {
                let content_type = incoming
                    .headers
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("application/json");
                let template = integration
                    .request_templates
                    .iter()
                    .find(|(kind, _)| content_type.starts_with(kind.as_str()))
                    .or_else(|| {
                        integration
                            .request_templates
                            .iter()
                            .find(|(kind, _)| kind == "application/json")
                    })
                    .map(|(_, template)| template.as_str());
                mock_response(integration, mock_status(template))
            }
            other => {
                tracing::warn!(
                    api = selected.api_id,
                    kind = other,
                    "integration type not served"
                );
                internal_error()
            }
        }
    }

    async fn run_lambda(
        &self,
        integration: &Integration,
        incoming: &Incoming<'_>,
        selected: &Selected<'_>,
    ) -> Response {
        let uri = with_stage_variables(
            integration.uri.as_deref().unwrap_or_default(),
            selected.stage_variables,
        );
        let Some(function) = function_of(&uri) else {
            tracing::warn!(uri, "integration URI names no function");
            return internal_error();
        };
        let payload = event::proxy_event(incoming, selected)
            .to_string()
            .into_bytes();
        let timeout = Duration::from_millis(u64::from(integration.timeout_ms));
        let invoked = match tokio::time::timeout(
            timeout,
            self.inner.invoke.invoke(function, payload),
        )
        .await
        {
            Err(_) => {
                return gateway(
                    StatusCode::GATEWAY_TIMEOUT,
                    Some("Endpoint request timed out"),
                    "IntegrationTimeout",
                );
            }
            Ok(Err(InvokeFailure::Throttled)) => {
                return gateway(
                    StatusCode::TOO_MANY_REQUESTS,
                    Some("Too Many Requests"),
                    "TooManyRequestsException",
                );
            }
            Ok(Err(failure)) => {
                tracing::warn!(function, ?failure, "integration invocation failed");
                return bad_gateway();
            }
            Ok(Ok(invoked)) => invoked,
        };
        if invoked.function_error.is_some() {
            return bad_gateway();
        }
        match event::map_response(&invoked.payload) {
            Ok(mapped) => respond(mapped.status, &mapped.headers, mapped.body),
            Err(malformed) => {
                tracing::info!(
                    function,
                    reason = malformed.0,
                    "malformed Lambda proxy response"
                );
                bad_gateway()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::IntegrationResponse;

    #[test]
    fn invoke_urls_name_api_stage_and_path() {
        assert_eq!(
            target("abc.execute-api.localhost:4566", "/prod/items/7"),
            Some(Target {
                api_id: "abc".into(),
                stage: "prod".into(),
                path: "/items/7".into(),
                domain: "abc.execute-api.localhost".into(),
            })
        );
        assert_eq!(
            target("abc.execute-api.localhost", "/prod").map(|t| t.path),
            Some("/".into())
        );
        assert_eq!(target("abc.execute-api.localhost", "/"), None);
        assert_eq!(
            target(
                "localhost:4566",
                "/restapis/abc/prod/_user_request_/items/7"
            ),
            Some(Target {
                api_id: "abc".into(),
                stage: "prod".into(),
                path: "/items/7".into(),
                domain: "localhost".into(),
            })
        );
        assert_eq!(
            target("localhost", "/restapis/abc/prod/_user_request_").map(|t| t.path),
            Some("/".into())
        );
    }

    #[test]
    fn mock_integrations_answer_their_integration_responses() {
        assert_eq!(mock_status(Some(r#"{"statusCode": 404}"#)), 404);
        assert_eq!(
            mock_status(Some("{\"statusCode\": $input.params('x')}")),
            200
        );
        assert_eq!(
            mock_status(Some("#set($x = 1)\n{\"statusCode\": 201}")),
            201
        );
        assert_eq!(mock_status(None), 200);
        let response = |code: &str, pattern: Option<&str>, body: &str| IntegrationResponse {
            status_code: code.into(),
            selection_pattern: pattern.map(Into::into),
            response_parameters: vec![("method.response.header.X-Mock".into(), "'yes'".into())],
            response_templates: vec![("application/json".into(), body.into())],
            content_handling: None,
        };
        let integration = Integration {
            integration_type: "MOCK".into(),
            http_method: None,
            uri: None,
            connection_type: "INTERNET".into(),
            connection_id: None,
            credentials: None,
            request_parameters: vec![],
            request_templates: vec![],
            passthrough_behavior: None,
            content_handling: None,
            timeout_ms: 29_000,
            cache_namespace: None,
            cache_key_parameters: vec![],
            responses: vec![
                response("200", None, r#"{"ok": true}"#),
                response("404", Some("404"), r#"{"ok": false}"#),
            ],
        };
        let ok = mock_response(&integration, 200);
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers()["x-mock"], "yes");
        assert_eq!(mock_response(&integration, 404).status(), 404);
        assert_eq!(mock_response(&integration, 500).status(), 200);
        let none = Integration {
            responses: vec![],
            ..integration
        };
        assert_eq!(mock_response(&none, 200).status(), 500);
    }

    #[test]
    fn method_arns_name_the_request() {
        let target = target("abc.execute-api.localhost", "/prod/items/7").unwrap();
        assert_eq!(
            method_arn("us-east-1", "000000000000", &target, "GET"),
            "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/items/7"
        );
    }
}
