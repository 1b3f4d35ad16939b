//! The invoke URLs of HTTP APIs: `http://<api-id>.execute-api.localhost:<port>/…`
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html>).
//!
//! The host's first label names the API. A first path segment naming one of its stages selects
//! that stage (and is not part of the route's path); otherwise the `$default` stage serves the
//! whole path; otherwise, or for an unknown API, route, or a stage without a deployment, the
//! answer is 404 `{"message":"Not Found"}` (403 `{"message":"Forbidden"}` with
//! `DisableExecuteApiEndpoint`). The stage's deployment supplies the routes
//! (see `routing`) and their integrations:
//! - `AWS_PROXY`: the function runs through the [`Invoke`](unkai_types::ports::Invoke) port
//!   with a payload format 1.0 or 2.0 event (`event`). A function error or an answer that does
//!   not map is 500 `{"message":"Internal Server Error"}`; no answer within the integration's
//!   `TimeoutInMillis` is 503 `{"message":"Service Unavailable"}`; a throttled function is 429
//!   `{"message":"Too Many Requests"}`.
//! - `HTTP_PROXY`: the request goes to the integration's URL (`proxy`).
//!
//! With a `CorsConfiguration`, preflight requests are answered by API Gateway (204) and every
//! response carries the CORS headers for an allowed origin. `AWS_IAM` routes need a SigV4
//! signature for `execute-api` (else 403 `{"message":"Forbidden"}`); `JWT` routes need a valid
//! token of their JWT authorizer (`jwt`); `CUSTOM` routes run their Lambda `REQUEST` authorizer.
//! Every response carries `apigw-requestid`. With a fallback
//! ([`ApiGatewayV2::with_fallback`]), a host whose API is not one of these goes to the fallback
//! (REST APIs) instead.

use serde_json::Value as Json;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use serde_json::json;
use unkai_edge::{BoxFuture, Public, PublicAuth, PublicRequest, Response, full};
use unkai_types::ports::InvokeFailure;

use crate::ApiGatewayV2;
use crate::error::Error;
use crate::event::{self, Authorized, Incoming, Selected};
use crate::jwt;
use crate::ops::function_of;
use crate::routing::{self, RouteKey};
use crate::store::{self, Api, Authorizer, Cors, Deployment, Integration, Route, Stage};

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

fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Not Found")
}

fn internal_error() -> Response {
    message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
}

impl Public for ApiGatewayV2 {
    fn owns(&self, host: &str) -> bool {
        host.split('.').nth(1) == Some("execute-api")
    }

    fn signing_name(&self) -> &'static str {
        "execute-api"
    }

    fn max_body(&self) -> usize {
        10 * 1024 * 1024
    }

    fn call(&self, request: PublicRequest) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let host = request
                .parts
                .headers
                .get(http::header::HOST)
                .and_then(|host| host.to_str().ok())
                .unwrap_or_default();
            let domain = host
                .rsplit_once(':')
                .map_or(host, |(name, _)| name)
                .to_owned();
            let api_id = domain.split('.').next().unwrap_or_default();
            let raw_path = request.parts.uri.path();
            let found = self
                .inner
                .kv
                .transact(|tx| find(&self.inner.decoded, tx, api_id, raw_path))
                .await;
            // Another kind of API (REST) may own the id; a failed lookup answers here.
            if let (Ok(None), Some(fallback)) = (&found, self.inner.fallback.get()) {
                return fallback.call(request).await;
            }
            let request_id = request.request_id.clone();
            let mut response = match found {
                Ok(Some(Found::WebSocket(api))) => {
                    self.serve_websocket(request, api, &domain).await
                }
                Ok(Some(Found::Http(resolved))) => self.serve(request, &resolved, &domain).await,
                Ok(Some(Found::Disabled)) => message(StatusCode::FORBIDDEN, "Forbidden"),
                Ok(Some(Found::Unrouted) | None) => not_found(),
                Err(error) => {
                    tracing::error!(%error, api = %api_id, "API lookup failed");
                    internal_error()
                }
            };
            if let Ok(id) = HeaderValue::from_str(&request_id) {
                response.headers_mut().insert("apigw-requestid", id);
            }
            response
        })
    }
}

/// What a request resolved to: its API, stage, the stage's deployment, and the path within
/// the stage.
struct Resolved {
    api: Arc<Api>,
    stage: Arc<Stage>,
    deployment: Arc<Deployment>,
    path: String,
}

/// What an API id and path lead to.
enum Found {
    /// A WebSocket API.
    WebSocket(Arc<Api>),
    /// An HTTP API's stage.
    Http(Resolved),
    /// An HTTP API whose `execute-api` endpoint is off (`DisableExecuteApiEndpoint`).
    Disabled,
    /// An HTTP API with no deployed stage for the path.
    Unrouted,
}

/// Reads the API `api_id` (`None`: there is none of this service's) and, for an HTTP API,
/// the stage `raw_path` names and its deployment.
fn find(
    decoded: &store::Decoded,
    tx: &mut unkai_store::Tx,
    api_id: &str,
    raw_path: &str,
) -> Result<Option<Found>, Error> {
    let Some(api) = decoded.api(tx, api_id)? else {
        return Ok(None);
    };
    if api.protocol_type == store::WEBSOCKET {
        return Ok(Some(Found::WebSocket(api)));
    }
    if api.protocol_type != store::HTTP {
        return Ok(Some(Found::Unrouted));
    }
    if api.disable_execute_api_endpoint {
        return Ok(Some(Found::Disabled));
    }
    let trimmed = raw_path.strip_prefix('/').unwrap_or(raw_path);
    let (first, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let first = percent_encoding::percent_decode_str(first).decode_utf8_lossy();
    let mut chosen = None;
    if !first.is_empty()
        && first != store::DEFAULT_STAGE
        && let Some(stage) = decoded.stage(tx, api_id, &first)?
    {
        chosen = Some((stage, format!("/{rest}")));
    }
    if chosen.is_none()
        && let Some(stage) = decoded.stage(tx, api_id, store::DEFAULT_STAGE)?
    {
        chosen = Some((stage, raw_path.to_owned()));
    }
    let Some((stage, path)) = chosen else {
        return Ok(Some(Found::Unrouted));
    };
    let Some(deployment_id) = &stage.deployment_id else {
        return Ok(Some(Found::Unrouted));
    };
    let Some(deployment) = decoded.deployment(tx, api_id, deployment_id)? else {
        return Ok(Some(Found::Unrouted));
    };
    Ok(Some(Found::Http(Resolved {
        api,
        stage,
        deployment,
        path,
    })))
}

/// `${stageVariables.name}` replaced by the stage's variables.
pub(crate) fn with_stage_variables(text: &str, variables: &[(String, String)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in variables {
        out = out.replace(&format!("${{stageVariables.{name}}}"), value);
    }
    out
}

impl ApiGatewayV2 {
    async fn serve(&self, request: PublicRequest, resolved: &Resolved, domain: &str) -> Response {
        let origin = request
            .parts
            .headers
            .get(http::header::ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .map(str::to_owned);
        if let Some(cors) = &resolved.api.cors
            && request.parts.method == http::Method::OPTIONS
            && request
                .parts
                .headers
                .contains_key(http::header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            let mut response = http::Response::new(full(Bytes::new()));
            *response.status_mut() = StatusCode::NO_CONTENT;
            apply_cors(&mut response, cors, origin.as_deref(), true);
            return response;
        }
        let mut response = self.route(&request, resolved, domain).await;
        if let Some(cors) = &resolved.api.cors {
            apply_cors(&mut response, cors, origin.as_deref(), false);
        }
        response
    }

    /// Runs the route's authorizer: a JWT authorizer for `JWT` routes (`jwt`), a Lambda
    /// `REQUEST` authorizer for `CUSTOM` routes; what it allowed the request with, or the
    /// answer that refuses it.
    async fn authorize(
        &self,
        route: &Route,
        resolved: &Resolved,
        incoming: &Incoming<'_>,
        selected: &Selected<'_>,
    ) -> Result<Authorized, Response> {
        let Some(authorizer) = route.authorizer_id.as_deref().and_then(|id| {
            resolved
                .deployment
                .authorizers
                .iter()
                .find(|authorizer| authorizer.id == id)
        }) else {
            return Err(internal_error());
        };
        match (
            route.authorization_type.as_str(),
            authorizer.authorizer_type.as_str(),
        ) {
            ("JWT", "JWT") => self.authorize_jwt(route, authorizer, incoming).await,
            ("CUSTOM", "REQUEST") => {
                self.authorize_lambda(route, authorizer, resolved, incoming, selected)
                    .await
            }
            (route_type, authorizer_type) => {
                tracing::warn!(
                    route = %route.id,
                    route_type,
                    authorizer_type,
                    "route authorization type does not fit its authorizer"
                );
                Err(internal_error())
            }
        }
    }

    /// Checks the JWT of a `JWT` route (see `jwt`): 401 without a valid token, 403 without
    /// one of the route's scopes.
    async fn authorize_jwt(
        &self,
        route: &Route,
        authorizer: &Authorizer,
        incoming: &Incoming<'_>,
    ) -> Result<Authorized, Response> {
        let token = authorizer
            .identity_source
            .first()
            .and_then(|source| identity_value(source, incoming))
            .filter(|token| !token.is_empty());
        let configured = authorizer.jwt.clone().unwrap_or_default();
        let audience = configured.audience.unwrap_or_default();
        let check = jwt::Check {
            issuer: configured.issuer.as_deref().unwrap_or_default(),
            audience: &audience,
            scopes: &route.authorization_scopes,
            now_ms: self.inner.clock.unix_millis(),
        };
        let verified = match token {
            None => Err(jwt::Refusal::Missing),
            Some(token) => {
                let token = match token.get(..7) {
                    Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => &token[7..],
                    _ => token.as_str(),
                };
                self.inner.keys.verify(token.trim(), &check).await
            }
        };
        let challenge = |status: StatusCode, text: &str, value: String| {
            let mut response = message(status, text);
            if let Ok(value) = HeaderValue::from_str(&value) {
                response
                    .headers_mut()
                    .insert(http::header::WWW_AUTHENTICATE, value);
            }
            response
        };
        match verified {
            Ok(verified) => Ok(Authorized::Jwt {
                claims: verified.claims,
                scopes: verified.scopes,
            }),
            Err(jwt::Refusal::Missing) => Err(message(StatusCode::UNAUTHORIZED, "Unauthorized")),
            Err(jwt::Refusal::Invalid(reason)) => Err(challenge(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                format!("Bearer scope=\"\" error=\"invalid_token\" error_description=\"{reason}\""),
            )),
            Err(jwt::Refusal::InsufficientScope(scopes)) => Err(challenge(
                StatusCode::FORBIDDEN,
                "Forbidden",
                format!(
                    "Bearer scope=\"{}\" error=\"insufficient_scope\" \
                     error_description=\"the token does not have one of the route's scopes\"",
                    scopes.join(" ")
                ),
            )),
        }
    }

    /// Runs the route's Lambda `REQUEST` authorizer: 401 when an identity source is missing,
    /// 403 when the function denies, 500 when it fails; otherwise the `context` it allowed
    /// with, for the integration's event. With `AuthorizerPayloadFormatVersion` 2.0 the
    /// function gets the 2.0 authorizer event and answers `{"isAuthorized": …}` (simple
    /// responses) or an IAM policy; with 1.0 it gets the 1.0 (REST API) event and answers an IAM
    /// policy. Answers are cached per identity for the authorizer's TTL on the service's clock;
    /// a cached policy is evaluated again for each route, as API Gateway does.
    async fn authorize_lambda(
        &self,
        route: &Route,
        authorizer: &Authorizer,
        resolved: &Resolved,
        incoming: &Incoming<'_>,
        selected: &Selected<'_>,
    ) -> Result<Authorized, Response> {
        let unauthorized = || message(StatusCode::UNAUTHORIZED, "Unauthorized");
        let forbidden = || message(StatusCode::FORBIDDEN, "Forbidden");
        let failed = internal_error;
        let mut identity = Vec::new();
        for source in &authorizer.identity_source {
            match identity_value(source, incoming) {
                Some(value) if !value.is_empty() => identity.push(value),
                _ => return Err(unauthorized()),
            }
        }
        let route_arn = format!(
            "arn:aws:execute-api:{}:{}:{}/{}/{}",
            self.inner.options.region,
            self.inner.options.account,
            resolved.api.id,
            resolved.stage.name,
            // `GET /items` is `GET/items` in the ARN.
            route.key.replacen(' ', "", 1)
        );
        let v1 = authorizer.payload_format_version.as_deref() == Some("1.0");
        let simple = !v1 && authorizer.enable_simple_responses == Some(true);
        // What the answer allows on this route: its context, or `None` when it denies; `Err`
        // when the answer is malformed.
        let decide = |answer: &Json| -> Result<Option<Authorized>, ()> {
            let allowed = if simple {
                answer
                    .get("isAuthorized")
                    .and_then(Json::as_bool)
                    .ok_or(())?
            } else {
                unkai_edge::execute_api::allows(&answer["policyDocument"], &route_arn)
            };
            Ok(allowed.then(|| Authorized::Lambda {
                context: answer.get("context").cloned().unwrap_or(json!({})),
                principal_id: answer
                    .get("principalId")
                    .and_then(Json::as_str)
                    .map(str::to_owned),
            }))
        };
        let now = self.inner.clock.unix_millis();
        let ttl = u64::from(authorizer.result_ttl.unwrap_or(0));
        let cache_key = format!(
            "{}{}/{}",
            authorizer_cache_prefix(&resolved.api.id, &resolved.stage.name),
            authorizer.id,
            identity.join(",")
        );
        let cached = self.inner.authorized.lock().ok().and_then(|cache| {
            cache
                .get(&cache_key)
                .filter(|(_, until)| ttl > 0 && *until > now)
                .map(|(answer, _)| answer.clone())
        });
        if let Some(answer) = cached {
            return decide(&answer)
                .map_err(|()| failed())?
                .ok_or_else(forbidden);
        }
        let uri = authorizer.uri.as_deref().unwrap_or_default();
        let Some(function) = function_of(uri) else {
            tracing::warn!(uri, "authorizer URI names no function");
            return Err(failed());
        };
        let event = if v1 {
            event::authorizer_v1(incoming, selected, &identity, &route_arn)
        } else {
            event::authorizer_v2(incoming, selected, &identity, &route_arn)
        };
        let invoked = match self
            .inner
            .invoke
            .invoke(function, event.to_string().into_bytes())
            .await
        {
            Ok(invoked) if invoked.function_error.is_none() => invoked,
            _ => return Err(failed()),
        };
        let Ok(answer) = serde_json::from_slice::<Json>(&invoked.payload) else {
            return Err(failed());
        };
        let authorized = decide(&answer).map_err(|()| failed())?;
        if ttl > 0
            && let Ok(mut cache) = self.inner.authorized.lock()
        {
            cache.retain(|_, (_, until)| *until > now);
            cache.insert(cache_key, (answer, now + ttl * 1000));
        }
        authorized.ok_or_else(forbidden)
    }

    /// Whether the stage's throttle lets a request to `route_key` through: the route's own
    /// settings where it has them, else the stage's default route settings; a token bucket per
    /// API, stage and route on the service's clock.
    fn admit(&self, resolved: &Resolved, route_key: &str) -> bool {
        let stage = &resolved.stage;
        let own = stage
            .route_settings
            .iter()
            .find(|(key, _)| key == route_key)
            .map(|(_, settings)| settings);
        let default = &stage.default_route_settings;
        let burst = own
            .and_then(|settings| settings.throttling_burst_limit)
            .or(default.throttling_burst_limit);
        let rate = own
            .and_then(|settings| settings.throttling_rate_limit)
            .or(default.throttling_rate_limit);
        if burst.is_none() && rate.is_none() {
            return true;
        }
        let key = format!("{}/{}/{route_key}", resolved.api.id, stage.name);
        let now = self.inner.clock.unix_millis();
        self.inner.buckets.lock().map_or(true, |mut buckets| {
            buckets.take(
                &key,
                rate.unwrap_or(0.0),
                i64::from(burst.unwrap_or(0)),
                now,
            )
        })
    }

    async fn route(&self, request: &PublicRequest, resolved: &Resolved, domain: &str) -> Response {
        let keys: Vec<Option<RouteKey>> = resolved
            .deployment
            .routes
            .iter()
            .map(|route| RouteKey::parse(&route.key).ok())
            .collect();
        let indexed: Vec<(usize, &Route)> = resolved.deployment.routes.iter().enumerate().collect();
        let method = request.parts.method.as_str();
        let Some(matched) = routing::select(
            &indexed,
            |(index, _)| keys[*index].as_ref(),
            method,
            &resolved.path,
        ) else {
            return not_found();
        };
        let route = matched.route.1;
        if !self.admit(resolved, &route.key) {
            return message(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
        }
        let caller = match (&route.authorization_type[..], &request.auth) {
            ("AWS_IAM", PublicAuth::Signed(caller)) => Some(caller),
            ("AWS_IAM", _) => return message(StatusCode::FORBIDDEN, "Forbidden"),
            _ => None,
        };
        let integration = route
            .target
            .as_deref()
            .and_then(|target| target.strip_prefix("integrations/"))
            .and_then(|id| {
                resolved
                    .deployment
                    .integrations
                    .iter()
                    .find(|integration| integration.id == id)
            });
        let Some(integration) = integration else {
            return not_found();
        };
        // What API Gateway adds for the integration: the client, the port and the scheme.
        let mut headers = request.parts.headers.clone();
        let port = request
            .parts
            .headers
            .get(http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .and_then(|host| host.rsplit_once(':'))
            .map_or("80", |(_, port)| port)
            .to_owned();
        for (name, value) in [
            ("x-forwarded-for", "127.0.0.1".to_owned()),
            ("x-forwarded-port", port),
            ("x-forwarded-proto", "http".to_owned()),
        ] {
            if !headers.contains_key(name)
                && let Ok(value) = HeaderValue::from_str(&value)
            {
                headers.insert(name, value);
            }
        }
        let received_ms = request
            .received
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64);
        let incoming = Incoming {
            method,
            raw_path: request.parts.uri.path(),
            raw_query: request.parts.uri.query().unwrap_or_default(),
            headers: &headers,
            body: &request.body,
            source_ip: "127.0.0.1",
            domain_name: domain,
            request_id: &request.request_id,
            received_ms,
        };
        let selected = Selected {
            account_id: &self.inner.options.account,
            api_id: &resolved.api.id,
            stage: &resolved.stage.name,
            route_key: &route.key,
            route_id: &route.id,
            resource: keys[matched.route.0]
                .as_ref()
                .map_or(routing::DEFAULT_ROUTE, RouteKey::path),
            path_parameters: &matched.parameters,
            stage_variables: &resolved.stage.variables,
            caller,
            authorizer: None,
        };
        let authorized = if matches!(route.authorization_type.as_str(), "CUSTOM" | "JWT") {
            match self.authorize(route, resolved, &incoming, &selected).await {
                Ok(authorized) => Some(authorized),
                Err(response) => return response,
            }
        } else {
            None
        };
        let selected = Selected {
            authorizer: authorized.as_ref(),
            ..selected
        };
        match integration.integration_type.as_str() {
            "AWS_PROXY" if integration.subtype.is_none() => {
                self.run_lambda(integration, &incoming, &selected).await
            }
            "HTTP_PROXY" => {
                let uri = with_stage_variables(
                    integration.uri.as_deref().unwrap_or_default(),
                    &resolved.stage.variables,
                );
                crate::proxy::forward(
                    &uri,
                    integration,
                    &incoming,
                    &matched.parameters,
                    request.body.clone(),
                )
                .await
            }
            other => {
                tracing::warn!(
                    api = %resolved.api.id,
                    integration = %integration.id,
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
        let v1 = integration.payload_format_version == "1.0";
        let event = if v1 {
            event::v1(incoming, selected)
        } else {
            event::v2(incoming, selected)
        };
        let payload = event.to_string().into_bytes();
        let timeout = Duration::from_millis(u64::from(integration.timeout_ms));
        let invoked = match tokio::time::timeout(
            timeout,
            self.inner.invoke.invoke(function, payload),
        )
        .await
        {
            Err(_) => return message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
            Ok(Err(InvokeFailure::Throttled)) => {
                return message(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
            }
            Ok(Err(failure)) => {
                tracing::warn!(function, ?failure, "integration invocation failed");
                return internal_error();
            }
            Ok(Ok(invoked)) => invoked,
        };
        if invoked.function_error.is_some() {
            return internal_error();
        }
        let mapped = if v1 {
            event::map_v1(&invoked.payload)
        } else {
            event::map_v2(&invoked.payload)
        };
        match mapped {
            Ok(mapped) => respond(mapped.status, &mapped.headers, mapped.body),
            Err(malformed) => {
                tracing::info!(
                    function,
                    reason = malformed.0,
                    "malformed Lambda proxy response"
                );
                internal_error()
            }
        }
    }
}

/// What every cached Lambda authorizer answer of `api`'s `stage` is keyed under.
pub(crate) fn authorizer_cache_prefix(api: &str, stage: &str) -> String {
    format!("{api}/{stage}/")
}

/// The value an identity source selects: `$request.header.<name>`,
/// `$request.querystring.<name>`; any other source is its own value.
pub(crate) fn identity_value(source: &str, incoming: &Incoming<'_>) -> Option<String> {
    if let Some(name) = source.strip_prefix("$request.header.") {
        incoming
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    } else if let Some(name) = source.strip_prefix("$request.querystring.") {
        incoming.raw_query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then(|| value.to_owned())
        })
    } else {
        Some(source.to_owned())
    }
}

/// A response with `status`, `headers` (names may repeat) and `body`.
pub(crate) fn respond(status: u16, headers: &[(String, String)], body: Vec<u8>) -> Response {
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

/// The CORS headers of the API's `CorsConfiguration` for `origin`
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>).
fn apply_cors(response: &mut Response, cors: &Cors, origin: Option<&str>, preflight: bool) {
    let rule = unkai_edge::CorsRule {
        allow_origins: cors.allow_origins.clone().unwrap_or_default(),
        allow_credentials: cors.allow_credentials == Some(true),
        allow_methods: cors.allow_methods.clone().unwrap_or_default(),
        allow_headers: cors.allow_headers.clone().unwrap_or_default(),
        expose_headers: cors.expose_headers.clone().unwrap_or_default(),
        max_age: cors.max_age.and_then(|age| u64::try_from(age).ok()),
    };
    rule.apply(response, origin, preflight);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_variables_fill_uris() {
        assert_eq!(
            with_stage_variables(
                "arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}",
                &[("fn".into(), "f".into())]
            ),
            "arn:aws:lambda:us-east-1:000000000000:function:f"
        );
    }

    #[test]
    fn cors_headers_follow_the_configuration() {
        let cors = Cors {
            allow_origins: Some(vec!["https://example.com".into()]),
            allow_methods: Some(vec!["GET".into(), "POST".into()]),
            allow_headers: Some(vec!["x-a".into()]),
            expose_headers: Some(vec!["x-b".into()]),
            max_age: Some(60),
            allow_credentials: Some(true),
        };
        let mut response = http::Response::new(full(Bytes::new()));
        apply_cors(&mut response, &cors, Some("https://example.com"), true);
        let headers = response.headers();
        assert_eq!(
            headers["access-control-allow-origin"],
            "https://example.com"
        );
        assert_eq!(headers["access-control-allow-methods"], "GET,POST");
        assert_eq!(headers["access-control-allow-headers"], "x-a");
        assert_eq!(headers["access-control-max-age"], "60");
        assert_eq!(headers["access-control-allow-credentials"], "true");
        let mut response = http::Response::new(full(Bytes::new()));
        apply_cors(&mut response, &cors, Some("https://other.com"), false);
        assert!(response.headers().is_empty());
        let mut response = http::Response::new(full(Bytes::new()));
        apply_cors(&mut response, &cors, Some("https://example.com"), false);
        assert_eq!(response.headers()["access-control-expose-headers"], "x-b");
    }
}
