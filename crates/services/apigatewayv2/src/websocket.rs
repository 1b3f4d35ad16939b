//! WebSocket APIs: `ws://<api-id>.execute-api.localhost:<port>/<stage>`
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api.html>).
//!
//! A connection runs the `$connect` route (a non-2xx answer or a function error refuses it),
//! then each message runs the route its route selection expression picks
//! (`$request.body.action`: the `action` member of a JSON message), `$default` when none
//! matches; closing runs `$disconnect`. With a route response selection expression on the
//! route, the function's answer (`body`) goes back to the client. Functions push to clients
//! through the `@connections` management API (`PostToConnection`, `GetConnection`,
//! `DeleteConnection`), served here both on the API's host (`/<stage>/@connections/<id>`) and
//! as the `execute-api` service on unkai's own endpoint, which is where the SDKs'
//! `ApiGatewayManagementApi` client goes with `AWS_ENDPOINT_URL`. A `CUSTOM` `$connect` route
//! runs its Lambda `REQUEST` authorizer first (`Session::authorize_connect`); an `AWS_IAM` one
//! takes only handshakes signed for `execute-api` (403 otherwise). Connections end after 10
//! minutes without messages or 2 hours in all, as AWS's; messages are at most 128 KB and frames
//! 32 KB.
//!
//! In a cluster a connection lives on the node that accepted it, which records it in the store
//! with its own address ([`Options::node`](crate::Options::node)) and removes the record when
//! it closes. `@connections` on another node finds the record and passes the request on,
//! unchanged (its signature still holds: same host, path and body), to that node, marked with
//! `x-unkai-forwarded-by` so that it is never passed on twice; the answer comes back as it is.
//! A node that refuses the connection has crashed: its record is deleted and the answer is 410
//! `GoneException`, as for any connection that is not open. A node that does not answer within
//! 10 s is also 410, but its record stays (it may only be slow; records older than the 2-hour
//! limit are dropped when found). A node that starts forgets the records that name it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http::{HeaderValue, StatusCode};
use serde_json::{Value as Json, json};
use sha1::{Digest, Sha1};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use unkai_edge::execute_api;
use unkai_edge::forward::Failure;
use unkai_edge::{PublicAuth, PublicRequest, Response, full};
use unkai_store::Kv;
use unkai_types::ports::InvokeFailure;

use crate::ApiGatewayV2;
use crate::ops::function_of;
use crate::public::message;
use crate::store::{self, Api, Deployment, Integration, Route, Stage};

/// The longest a connection may stay open without a message.
const IDLE: Duration = Duration::from_secs(10 * 60);
/// The longest a connection may stay open.
const MAX_DURATION: Duration = Duration::from_secs(2 * 60 * 60);
/// The largest message (128 KB) and frame (32 KB).
const MAX_MESSAGE: usize = 128 * 1024;
const MAX_FRAME: usize = 32 * 1024;
/// How long the node holding a connection may take to answer an `@connections` request
/// passed on to it.
const RELAY_TIMEOUT: Duration = Duration::from_secs(10);
/// The header that marks an `@connections` request passed on by another node (its address).
const FORWARDED_BY: &str = "x-unkai-forwarded-by";

/// What goes out to a client.
enum Outgoing {
    Message(Bytes),
    Close,
}

/// One open connection.
pub(crate) struct Connection {
    api: String,
    stage: String,
    connected_ms: u64,
    last_active_ms: AtomicU64,
    source_ip: String,
    user_agent: String,
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

/// The connections open on this node, by id.
#[derive(Default)]
pub(crate) struct Connections(Mutex<HashMap<String, Arc<Connection>>>);

impl Connections {
    fn get(&self, id: &str) -> Option<Arc<Connection>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    fn insert(&self, id: &str, connection: Arc<Connection>) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id.to_owned(), connection);
    }

    fn remove(&self, id: &str) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(id);
    }
}

/// A connection id: 12 random bytes in base64, like `L0SM9cOFvHcCIhw=`.
fn connection_id() -> String {
    let bytes: [u8; 11] = rand::random();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`.
fn accept_key(key: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(key);
    hasher.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(hasher.finalize())
}

fn iso(ms: u64) -> String {
    let iso = unkai_types::iso8601(ms / 1000);
    format!("{}.{:03}Z", iso.trim_end_matches('Z'), ms % 1000)
}

/// A stage and the deployment it serves.
type Served = (Arc<Stage>, Arc<Deployment>);

/// The stage and deployment a WebSocket API serves at `stage`.
fn deployment(
    decoded: &store::Decoded,
    tx: &mut unkai_store::Tx,
    api: &str,
    stage: &str,
) -> Result<Option<Served>, crate::error::Error> {
    let Some(stage) = decoded.stage(tx, api, stage)? else {
        return Ok(None);
    };
    let Some(id) = &stage.deployment_id else {
        return Ok(None);
    };
    let deployment = decoded.deployment(tx, api, id)?;
    Ok(deployment.map(|deployment| (stage, deployment)))
}

/// What one connection needs to run its routes.
#[derive(Clone)]
struct Session {
    gateway: ApiGatewayV2,
    api: Arc<Api>,
    stage: Arc<Stage>,
    deployment: Arc<Deployment>,
    id: String,
    domain: String,
    connected_ms: u64,
    source_ip: String,
    user_agent: String,
    /// What the `$connect` route's authorizer allowed the connection with: its context (values
    /// as strings) and `principalId`, for every event of the connection.
    authorizer: Option<Json>,
    /// Who signed the handshake of an `AWS_IAM` `$connect` route.
    caller: Option<unkai_types::Caller>,
}

/// The answer of a route's integration.
enum Answer {
    /// The function's response document.
    Done(Json),
    /// The function failed or could not run.
    Failed(StatusCode),
    /// No such route.
    NoRoute,
}

impl Session {
    fn route(&self, key: &str) -> Option<(&Route, &Integration)> {
        let route = self
            .deployment
            .routes
            .iter()
            .find(|route| route.key == key)?;
        let id = route.target.as_deref()?.strip_prefix("integrations/")?;
        let integration = self
            .deployment
            .integrations
            .iter()
            .find(|integration| integration.id == id)?;
        Some((route, integration))
    }

    /// `requestContext.identity`: the source, and the signer of an `AWS_IAM` connection.
    fn identity(&self) -> Json {
        let mut identity = json!({"sourceIp": self.source_ip, "userAgent": self.user_agent});
        if let Some(caller) = &self.caller {
            identity["accessKey"] = json!(caller.access_key_id);
            identity["accountId"] = json!(caller.account);
            identity["caller"] = json!(caller.user_id);
            identity["user"] = json!(caller.user_id);
            identity["userArn"] = json!(caller.arn);
        }
        identity
    }

    fn context(&self, route_key: &str, event_type: &str, request_id: &str) -> Json {
        let now = self.gateway.now_ms();
        let mut context = json!({
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": unkai_types::clf_time(now),
            "messageDirection": "IN",
            "stage": self.stage.name,
            "connectedAt": self.connected_ms,
            "requestTimeEpoch": now,
            "identity": self.identity(),
            "requestId": request_id,
            "domainName": self.domain,
            "connectionId": self.id,
            "apiId": self.api.id,
        });
        if event_type == "MESSAGE" {
            context["messageId"] = unkai_types::request_id().replace('-', "")[..16].into();
        }
        if event_type == "DISCONNECT" {
            context["disconnectStatusCode"] = 1000.into();
            context["disconnectReason"] = "".into();
        }
        if let Some(authorizer) = &self.authorizer {
            context["authorizer"] = authorizer.clone();
        }
        context
    }

    /// Runs `route_key`'s integration with `event`.
    async fn run(&self, route_key: &str, event: Json) -> Answer {
        let Some((_, integration)) = self.route(route_key) else {
            return Answer::NoRoute;
        };
        let Some(function) = integration.uri.as_deref().and_then(function_of) else {
            // MOCK and HTTP integrations of WebSocket APIs are not run: an empty answer.
            return Answer::Done(json!({ "statusCode": 200 }));
        };
        let timeout = Duration::from_millis(u64::from(integration.timeout_ms.max(50)));
        let invoked = tokio::time::timeout(
            timeout,
            self.gateway
                .inner
                .invoke
                .invoke(function, event.to_string().into_bytes()),
        )
        .await;
        match invoked {
            Ok(Ok(invoked)) if invoked.function_error.is_none() => {
                Answer::Done(serde_json::from_slice(&invoked.payload).unwrap_or(Json::Null))
            }
            Ok(Ok(_)) => Answer::Failed(StatusCode::INTERNAL_SERVER_ERROR),
            Ok(Err(InvokeFailure::Throttled)) => Answer::Failed(StatusCode::TOO_MANY_REQUESTS),
            Ok(Err(_)) => Answer::Failed(StatusCode::INTERNAL_SERVER_ERROR),
            Err(_) => Answer::Failed(StatusCode::GATEWAY_TIMEOUT),
        }
    }
}

/// The handshake request, as the `$connect` route's authorizer reads it.
struct Connecting<'a> {
    headers: &'a http::HeaderMap,
    headers_json: &'a serde_json::Map<String, Json>,
    multi_headers_json: &'a serde_json::Map<String, Json>,
    query: &'a serde_json::Map<String, Json>,
    request_id: &'a str,
}

impl Session {
    /// The value a WebSocket identity source selects: `route.request.header.<name>`,
    /// `route.request.querystring.<name>`, `stageVariables.<name>`; any other source (a
    /// `context.` variable) is its own value.
    fn identity_value(&self, source: &str, connecting: &Connecting<'_>) -> Option<String> {
        if let Some(name) = source.strip_prefix("route.request.header.") {
            connecting
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        } else if let Some(name) = source.strip_prefix("route.request.querystring.") {
            connecting
                .query
                .get(name)
                .and_then(Json::as_str)
                .map(str::to_owned)
        } else if let Some(name) = source.strip_prefix("stageVariables.") {
            self.stage
                .variables
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        } else {
            Some(source.to_owned())
        }
    }

    /// Runs the Lambda `REQUEST` authorizer of a `CUSTOM` `$connect` route
    /// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html>)
    /// before `$connect`: a missing identity source is 401, a policy that does not allow is
    /// 403, a function that fails is 500 (401 when it fails with `Unauthorized`), and the
    /// handshake is refused with that status. The function gets the REST API style `REQUEST`
    /// event with the WebSocket request context and `methodArn` ending in `/$connect`, and
    /// answers as REST API authorizers do (`execute_api::decision`: `principalId`, a
    /// `policyDocument`, a `context`; an answer that is not one is 500); allowed, the
    /// connection's events carry `requestContext.authorizer`: the context (values as strings)
    /// and `principalId`.
    async fn authorize_connect(
        &self,
        connecting: &Connecting<'_>,
    ) -> Result<Option<Json>, Response> {
        let Some(route) = self
            .deployment
            .routes
            .iter()
            .find(|route| route.key == "$connect")
        else {
            return Ok(None);
        };
        if route.authorization_type != "CUSTOM" {
            return Ok(None);
        }
        let failed = || message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        let unauthorized = || message(StatusCode::UNAUTHORIZED, "Unauthorized");
        let Some(authorizer) = route.authorizer_id.as_deref().and_then(|id| {
            self.deployment
                .authorizers
                .iter()
                .find(|authorizer| authorizer.id == id)
        }) else {
            return Err(failed());
        };
        for source in &authorizer.identity_source {
            if self
                .identity_value(source, connecting)
                .is_none_or(|value| value.is_empty())
            {
                return Err(unauthorized());
            }
        }
        let Some(function) = authorizer.uri.as_deref().and_then(function_of) else {
            tracing::warn!(authorizer = %authorizer.id, "authorizer URI names no function");
            return Err(failed());
        };
        let options = &self.gateway.inner.options;
        let method_arn = format!(
            "arn:aws:execute-api:{}:{}:{}/{}/$connect",
            options.region, options.account, self.api.id, self.stage.name
        );
        let multi_query: serde_json::Map<String, Json> = connecting
            .query
            .iter()
            .map(|(name, value)| (name.clone(), json!([value])))
            .collect();
        let stage_variables: serde_json::Map<String, Json> = self
            .stage
            .variables
            .iter()
            .map(|(name, value)| (name.clone(), json!(value)))
            .collect();
        let event = json!({
            "type": "REQUEST",
            "methodArn": method_arn,
            "headers": connecting.headers_json,
            "multiValueHeaders": connecting.multi_headers_json,
            "queryStringParameters": connecting.query,
            "multiValueQueryStringParameters": multi_query,
            "stageVariables": stage_variables,
            "requestContext": self.context("$connect", "CONNECT", connecting.request_id),
        });
        let invoked = self
            .gateway
            .inner
            .invoke
            .invoke(function, event.to_string().into_bytes())
            .await;
        let decision = match invoked {
            Ok(invoked) if invoked.function_error.is_none() => {
                execute_api::decision(&invoked.payload).map_err(|_| failed())?
            }
            Ok(invoked) => {
                let error: Json = serde_json::from_slice(&invoked.payload).unwrap_or(Json::Null);
                return Err(if error["errorMessage"] == "Unauthorized" {
                    unauthorized()
                } else {
                    failed()
                });
            }
            Err(_) => return Err(failed()),
        };
        if !execute_api::allows(&decision.policy, &method_arn) {
            return Err(message(StatusCode::FORBIDDEN, "Forbidden"));
        }
        Ok(Some(decision.request_context()))
    }
}

/// The status a `$connect` answer means (the document's `statusCode`, 200 without one).
fn status_of(answer: &Json) -> u16 {
    answer
        .get("statusCode")
        .and_then(Json::as_u64)
        .map_or(200, |status| status as u16)
}

/// The route key a message selects with `expression` (`$request.body.action`).
fn selected_key(expression: &str, body: &str) -> Option<String> {
    let path = expression.strip_prefix("$request.body.")?;
    let mut value: Json = serde_json::from_str(body).ok()?;
    for part in path.split('.') {
        value = value.get(part)?.clone();
    }
    match value {
        Json::String(text) => Some(text),
        Json::Null => None,
        other => Some(other.to_string()),
    }
}

impl ApiGatewayV2 {
    /// Requests to a WebSocket API's host: a connection, or the `@connections` API.
    pub(crate) async fn serve_websocket(
        &self,
        mut request: PublicRequest,
        api: Arc<Api>,
        domain: &str,
    ) -> Response {
        let path = request.parts.uri.path().to_owned();
        let trimmed = path.trim_start_matches('/');
        let (stage_name, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
        if let Some(id) = rest.strip_prefix("@connections/") {
            if !matches!(request.auth, PublicAuth::Signed(_)) {
                return message(StatusCode::FORBIDDEN, "Forbidden");
            }
            return self
                .connection_call(
                    &request.parts,
                    id,
                    &request.body,
                    Some((&api.id, stage_name)),
                )
                .await;
        }
        let upgrade = request
            .parts
            .headers
            .get(http::header::UPGRADE)
            .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"websocket"));
        let found = self
            .inner
            .kv
            .transact(|tx| deployment(&self.inner.decoded, tx, &api.id, stage_name))
            .await;
        let (stage, deployment) = match found {
            Ok(Some(found)) => found,
            Ok(None) => return message(StatusCode::NOT_FOUND, "Not Found"),
            Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        };
        let key = request.parts.headers.get("sec-websocket-key").cloned();
        let Some(key) = key.filter(|_| upgrade) else {
            return message(StatusCode::UPGRADE_REQUIRED, "Upgrade Required");
        };
        let header = |name: http::header::HeaderName| {
            request
                .parts
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let mut session = Session {
            gateway: self.clone(),
            api,
            stage,
            deployment,
            id: connection_id(),
            domain: domain.to_owned(),
            connected_ms: self.now_ms(),
            source_ip: "127.0.0.1".into(),
            user_agent: header(http::header::USER_AGENT),
            authorizer: None,
            caller: None,
        };
        // An AWS_IAM $connect route takes only handshakes signed for execute-api.
        let iam = session
            .deployment
            .routes
            .iter()
            .any(|route| route.key == "$connect" && route.authorization_type == "AWS_IAM");
        if iam {
            match &request.auth {
                PublicAuth::Signed(caller) => session.caller = Some(caller.clone()),
                _ => return message(StatusCode::FORBIDDEN, "Forbidden"),
            }
        }
        // $connect decides whether the connection opens.
        let mut headers = serde_json::Map::new();
        let mut multi = serde_json::Map::new();
        for (name, value) in &request.parts.headers {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            headers.insert(name.as_str().to_owned(), value.clone().into());
            if let Some(values) = multi
                .entry(name.as_str().to_owned())
                .or_insert_with(|| Json::Array(Vec::new()))
                .as_array_mut()
            {
                values.push(value.into());
            }
        }
        let mut query = serde_json::Map::new();
        for pair in request.parts.uri.query().unwrap_or_default().split('&') {
            if let Some((name, value)) = pair.split_once('=') {
                query.insert(name.to_owned(), value.to_owned().into());
            }
        }
        let connecting = Connecting {
            headers: &request.parts.headers,
            headers_json: &headers,
            multi_headers_json: &multi,
            query: &query,
            request_id: &request.request_id,
        };
        match session.authorize_connect(&connecting).await {
            Ok(authorizer) => session.authorizer = authorizer,
            Err(refused) => return refused,
        }
        let mut event = json!({
            "headers": headers,
            "multiValueHeaders": multi,
            "requestContext": session.context("$connect", "CONNECT", &request.request_id),
            "isBase64Encoded": false,
        });
        if !query.is_empty() {
            event["queryStringParameters"] = query.into();
        }
        match session.run("$connect", event).await {
            Answer::Done(answer) if (200..300).contains(&status_of(&answer)) => {}
            Answer::NoRoute => {}
            Answer::Done(answer) => {
                let status =
                    StatusCode::from_u16(status_of(&answer)).unwrap_or(StatusCode::FORBIDDEN);
                return message(status, "Forbidden");
            }
            Answer::Failed(status) => return message(status, "Internal Server Error"),
        }
        let Some(upgrading) = request
            .parts
            .extensions
            .remove::<hyper::upgrade::OnUpgrade>()
        else {
            return message(StatusCode::BAD_REQUEST, "Bad Request");
        };
        let (outgoing, queue) = mpsc::unbounded_channel();
        let connection = Arc::new(Connection {
            api: session.api.id.clone(),
            stage: session.stage.name.clone(),
            connected_ms: session.connected_ms,
            last_active_ms: AtomicU64::new(session.connected_ms),
            source_ip: session.source_ip.clone(),
            user_agent: session.user_agent.clone(),
            outgoing,
        });
        // In memory first: a node that finds a record naming itself and no connection in
        // memory takes the record for a stale one.
        self.inner
            .connections
            .insert(&session.id, connection.clone());
        let record = store::Connection {
            api: session.api.id.clone(),
            stage: session.stage.name.clone(),
            node: self.inner.options.node.clone(),
            connected_ms: session.connected_ms,
        };
        let recorded = self
            .inner
            .kv
            .transact(|tx| {
                store::put_connection(tx, &session.id, &record);
                Ok::<_, unkai_store::Error>(())
            })
            .await;
        if let Err(error) = recorded {
            tracing::error!(%error, "could not record a websocket connection");
            self.inner.connections.remove(&session.id);
            return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        }
        tokio::spawn(async move {
            match upgrading.await {
                Ok(upgraded) => {
                    let mut config = WebSocketConfig::default();
                    config.max_message_size = Some(MAX_MESSAGE);
                    config.max_frame_size = Some(MAX_FRAME);
                    let socket = WebSocketStream::from_raw_socket(
                        hyper_util::rt::TokioIo::new(upgraded),
                        Role::Server,
                        Some(config),
                    )
                    .await;
                    converse(&session, &connection, socket, queue).await;
                }
                Err(error) => tracing::debug!(%error, "websocket upgrade failed"),
            }
            session.gateway.inner.connections.remove(&session.id);
            let node = &session.gateway.inner.options.node;
            forget(&session.gateway.inner.kv, &session.id, node).await;
            let event = json!({
                "headers": {},
                "requestContext": session.context("$disconnect", "DISCONNECT", &unkai_types::request_id()),
                "isBase64Encoded": false,
            });
            let _ = session.run("$disconnect", event).await;
        });
        let mut response = http::Response::new(full(Bytes::new()));
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONNECTION,
            HeaderValue::from_static("Upgrade"),
        );
        headers.insert(http::header::UPGRADE, HeaderValue::from_static("websocket"));
        if let Ok(accept) = HeaderValue::from_str(&accept_key(key.as_bytes())) {
            headers.insert("sec-websocket-accept", accept);
        }
        response
    }

    /// `@connections/<id>`: `PostToConnection` (POST), `GetConnection` (GET),
    /// `DeleteConnection` (DELETE), on a connection of this node or, passed on, of the node
    /// that holds it; on an API's host, only its own connections (`within`: the API and stage).
    pub(crate) async fn connection_call(
        &self,
        parts: &http::request::Parts,
        id: &str,
        body: &Bytes,
        within: Option<(&str, &str)>,
    ) -> Response {
        let id = percent_encoding::percent_decode_str(id.trim_end_matches('/'))
            .decode_utf8_lossy()
            .into_owned();
        let within = |api: &str, stage: &str| {
            within.is_none_or(|(own_api, own_stage)| api == own_api && stage == own_stage)
        };
        match self.inner.connections.get(&id) {
            Some(connection) if within(&connection.api, &connection.stage) => {
                on_connection(&connection, &parts.method, body)
            }
            Some(_) => gone(),
            None => self.connection_elsewhere(parts, &id, body, within).await,
        }
    }

    /// `@connections` for a connection this node does not hold: passed on to the node the
    /// store says holds it, unless the request was passed on already.
    async fn connection_elsewhere(
        &self,
        parts: &http::request::Parts,
        id: &str,
        body: &Bytes,
        within: impl Fn(&str, &str) -> bool,
    ) -> Response {
        let kv = &self.inner.kv;
        let node = &self.inner.options.node;
        let record = match kv.transact(|tx| store::get_connection(tx, id)).await {
            Ok(Some(record)) => record,
            Ok(None) => return gone(),
            Err(error) => {
                tracing::error!(%error, "could not look up a websocket connection");
                return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
            }
        };
        if !within(&record.api, &record.stage) {
            return gone();
        }
        // A record naming this node is stale (the connection closed, or this node crashed and
        // the record outlived it), and so is one older than any connection may live.
        let expired =
            self.now_ms().saturating_sub(record.connected_ms) > MAX_DURATION.as_millis() as u64;
        if record.node == *node || expired {
            forget(kv, id, &record.node).await;
            return gone();
        }
        if parts.headers.contains_key(FORWARDED_BY) {
            return gone();
        }
        let mut relayed = http::Request::builder().method(parts.method.clone()).uri(
            parts
                .uri
                .path_and_query()
                .map_or("/", |target| target.as_str()),
        );
        // `send` leaves the hop-by-hop headers out.
        for (name, value) in &parts.headers {
            relayed = relayed.header(name, value);
        }
        let Ok(relayed) = relayed
            .header(FORWARDED_BY, node.as_str())
            .body(http_body_util::Full::new(body.clone()))
        else {
            return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        };
        match unkai_edge::forward::send(&record.node, relayed, RELAY_TIMEOUT).await {
            Ok(response) => response,
            Err(Failure::Refused) => {
                tracing::info!(
                    connection = id,
                    node = record.node,
                    "the node holding a websocket connection is gone; forgetting the connection"
                );
                forget(kv, id, &record.node).await;
                gone()
            }
            Err(failure) => {
                tracing::warn!(
                    connection = id,
                    node = record.node,
                    ?failure,
                    "the node holding a websocket connection did not answer"
                );
                gone()
            }
        }
    }
}

/// What `@connections` answers for a connection that is not open (or not the API's):
/// 410 `GoneException`.
fn gone() -> Response {
    let mut response = message(StatusCode::GONE, "Gone");
    response.headers_mut().insert(
        "x-amzn-errortype",
        HeaderValue::from_static("GoneException"),
    );
    response
}

/// Deletes the record of connection `id` held by `node` (failures are logged: a stale record
/// is found and deleted later).
async fn forget(kv: &Kv, id: &str, node: &str) {
    let deleted = kv
        .transact(|tx| {
            store::delete_connection(tx, id, node);
            Ok::<_, unkai_store::Error>(())
        })
        .await;
    if let Err(error) = deleted {
        tracing::warn!(%error, connection = id, "could not delete a websocket connection's record");
    }
}

/// Deletes every connection record naming `node`; how many.
pub(crate) async fn forget_node(kv: &Kv, node: &str) -> Result<usize, crate::Error> {
    const BATCH: usize = 1000;
    let mut forgotten = 0;
    loop {
        let deleted = kv
            .transact(|tx| {
                let ids = store::connections_of(tx, node, BATCH)?;
                for id in &ids {
                    store::delete_connection(tx, id, node);
                }
                Ok::<_, unkai_store::Error>(ids.len())
            })
            .await?;
        forgotten += deleted;
        if deleted < BATCH {
            return Ok(forgotten);
        }
    }
}

/// `@connections` on a connection this node holds.
fn on_connection(connection: &Connection, method: &http::Method, body: &Bytes) -> Response {
    match *method {
        http::Method::POST => {
            if body.len() > MAX_MESSAGE {
                let mut response = message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Message too long. Max length is 131072 bytes.",
                );
                response.headers_mut().insert(
                    "x-amzn-errortype",
                    HeaderValue::from_static("PayloadTooLargeException"),
                );
                return response;
            }
            if connection
                .outgoing
                .send(Outgoing::Message(body.clone()))
                .is_err()
            {
                return gone(); // it is closing
            }
            http::Response::new(full(Bytes::new()))
        }
        http::Method::GET => {
            let document = json!({
                "connectedAt": iso(connection.connected_ms),
                "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
                "lastActiveAt": iso(connection.last_active_ms.load(Ordering::Relaxed)),
            });
            let mut response = http::Response::new(full(document.to_string()));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        http::Method::DELETE => {
            if connection.outgoing.send(Outgoing::Close).is_err() {
                return gone();
            }
            let mut response = http::Response::new(full(Bytes::new()));
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        _ => message(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// One connection's life: messages in run routes, pushes go out, until either side closes or
/// a time limit ends it.
async fn converse<S>(
    session: &Session,
    connection: &Connection,
    socket: WebSocketStream<S>,
    mut queue: mpsc::UnboundedReceiver<Outgoing>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut sink, mut stream) = socket.split();
    let ends = tokio::time::Instant::now() + MAX_DURATION;
    let mut idle = tokio::time::Instant::now() + IDLE;
    loop {
        tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    idle = tokio::time::Instant::now() + IDLE;
                    connection.last_active_ms.store(session.gateway.now_ms(), Ordering::Relaxed);
                    if let Some(reply) = on_message(session, text.as_str()).await {
                        let _ = sink.send(Message::text(reply)).await;
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    idle = tokio::time::Instant::now() + IDLE;
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    if let Some(reply) = on_message(session, &text).await {
                        let _ = sink.send(Message::text(reply)).await;
                    }
                }
                Some(Ok(Message::Ping(data))) => {
                    let _ = sink.send(Message::Pong(data)).await;
                }
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    tracing::debug!(%error, "websocket ended with an error");
                    let _ = sink
                        .send(Message::Close(Some(CloseFrame {
                            code: 1009.into(),
                            reason: "Message too big".into(),
                        })))
                        .await;
                    break;
                }
            },
            out = queue.recv() => match out {
                Some(Outgoing::Message(bytes)) => {
                    let message = match String::from_utf8(bytes.to_vec()) {
                        Ok(text) => Message::text(text),
                        Err(_) => Message::binary(bytes),
                    };
                    let _ = sink.send(message).await;
                }
                Some(Outgoing::Close) | None => {
                    let _ = sink.send(Message::Close(None)).await;
                    break;
                }
            },
            () = tokio::time::sleep_until(idle) => {
                let _ = sink.send(Message::Close(Some(CloseFrame { code: 1001.into(), reason: "Going away".into() }))).await;
                break;
            }
            () = tokio::time::sleep_until(ends) => {
                let _ = sink.send(Message::Close(Some(CloseFrame { code: 1001.into(), reason: "Going away".into() }))).await;
                break;
            }
        }
    }
}

/// Runs the route a message selects; the reply, when the route returns one.
async fn on_message(session: &Session, body: &str) -> Option<String> {
    let request_id = unkai_types::request_id();
    let selected = selected_key(&session.api.route_selection_expression, body)
        .filter(|key| session.route(key).is_some())
        .unwrap_or_else(|| "$default".to_owned());
    let Some((route, _)) = session.route(&selected) else {
        return Some(
            json!({"message": "Forbidden", "connectionId": session.id, "requestId": request_id})
                .to_string(),
        );
    };
    let two_way = route.route_response_selection_expression.is_some();
    let event = json!({
        "requestContext": session.context(&selected, "MESSAGE", &request_id),
        "body": body,
        "isBase64Encoded": false,
    });
    match session.run(&selected, event).await {
        Answer::Done(answer) if two_way => match answer.get("body") {
            Some(Json::String(text)) => Some(text.clone()),
            Some(other) => Some(other.to_string()),
            None if answer.get("statusCode").is_some() => None,
            None => Some(answer.to_string()),
        },
        Answer::Done(_) => None,
        Answer::Failed(_) => Some(
            json!({"message": "Internal server error", "connectionId": session.id, "requestId": request_id})
                .to_string(),
        ),
        Answer::NoRoute => None,
    }
}

/// The `@connections` API on unkai's own endpoint: where the SDKs' `ApiGatewayManagementApi`
/// client goes with `AWS_ENDPOINT_URL` (signing name `execute-api`), for
/// `[/<stage>]/@connections/<id>`.
#[derive(Clone, Debug)]
pub struct ConnectionsApi(pub(crate) ApiGatewayV2);

impl ApiGatewayV2 {
    /// The `@connections` API for the edge.
    pub fn connections_api(&self) -> ConnectionsApi {
        ConnectionsApi(self.clone())
    }
}

impl unkai_edge::Service for ConnectionsApi {
    fn info(&self) -> &'static unkai_edge::ServiceInfo {
        unkai_edge::ServiceId::ApiGatewayManagement.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        matches!(
            operation,
            "PostToConnection" | "GetConnection" | "DeleteConnection"
        )
    }

    fn call(&self, request: unkai_edge::Request) -> unkai_edge::BoxFuture<'_, Response> {
        Box::pin(async move {
            let info = self.info();
            let request_id = &request.context.request_id;
            let path = request.parts.uri.path();
            let Some((_, id)) = path.split_once("/@connections/") else {
                let error = unkai_edge::protocol::unknown_operation(info, path);
                return unkai_edge::protocol::error_response(info, request_id, &error);
            };
            let mut response = self
                .0
                .connection_call(&request.parts, id, &request.body, None)
                .await;
            if let Ok(id) = HeaderValue::from_str(request_id) {
                response.headers_mut().insert("x-amzn-requestid", id);
            }
            response
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn accept_keys_are_rfc_6455s() {
        assert_eq!(
            super::accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn route_selection_reads_the_message() {
        assert_eq!(
            super::selected_key("$request.body.action", r#"{"action": "send"}"#),
            Some("send".into())
        );
        assert_eq!(
            super::selected_key("$request.body.a.b", r#"{"a": {"b": "deep"}}"#),
            Some("deep".into())
        );
        assert_eq!(
            super::selected_key("$request.body.action", "not json"),
            None
        );
    }
}
