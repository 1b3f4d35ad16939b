//! The listener: HTTP/1.1 connections, authentication, dispatch, graceful shutdown.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use unkai_types::Clock;

use crate::protocol::{self, AwsError, Protocol, query};
use crate::sigv4::{self, KeyCache, Parts, Problem, Signature};
use crate::{
    Context, Credentials, Request, Response, Service, ServiceId, ServiceInfo, full, route,
};
use crate::{cors, encoding};

/// How long in-flight requests may take to finish after shutdown begins.
const DRAIN: Duration = Duration::from_secs(30);

/// What the edge reports at `GET /_unkai/health`.
#[derive(Clone, Debug)]
pub struct Health {
    /// unkai's version.
    pub version: &'static str,
    /// The store engine's short name.
    pub store: &'static str,
    /// The default region.
    pub region: String,
}

/// Renders metrics in the Prometheus text format.
pub type Metrics = Arc<dyn Fn() -> String + Send + Sync>;

/// How the edge behaves.
#[derive(Clone)]
pub struct Options {
    /// What `/_unkai/health` reports.
    pub health: Health,
    /// What `/_unkai/metrics` reports.
    pub metrics: Option<Metrics>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("health", &self.health)
            .field("metrics", &self.metrics.is_some())
            .finish()
    }
}

/// Traffic that is not an AWS API call but an application's own (function URLs; later the
/// invoke URLs of APIs), chosen by the request's host. It gets the request with its body,
/// and the caller when the request is SigV4-signed for `signing_name`.
pub trait Public: Send + Sync + 'static {
    /// Whether `host` (without its port) is one of its own.
    fn owns(&self, host: &str) -> bool;
    /// Whether a request to any host with this `path` is its own (REST APIs' path-based
    /// invoke URLs, `/restapis/<api-id>/<stage>/_user_request_/…`). None by default.
    fn owns_path(&self, _path: &str) -> bool {
        false
    }
    /// The SigV4 service name a signed request must use.
    fn signing_name(&self) -> &'static str;
    /// The largest request body it takes.
    fn max_body(&self) -> usize;
    /// Answers the request.
    fn call(&self, request: PublicRequest) -> crate::BoxFuture<'_, Response>;
}

/// A request to a [`Public`] endpoint.
#[derive(Debug)]
pub struct PublicRequest {
    /// Method, URI, headers.
    pub parts: http::request::Parts,
    /// The whole body.
    pub body: Bytes,
    /// Its request id.
    pub request_id: String,
    /// When it arrived.
    pub received: std::time::SystemTime,
    /// Whether it was signed, and by whom.
    pub auth: PublicAuth,
}

/// How a request to a [`Public`] endpoint is authenticated.
#[derive(Debug)]
pub enum PublicAuth {
    /// Not signed.
    Anonymous,
    /// Signed, and the signature holds.
    Signed(unkai_types::Caller),
    /// Signed, and the signature does not hold.
    Invalid(Problem),
}

/// The edge: every registered service behind one authenticated front door.
pub struct Edge {
    services: BTreeMap<ServiceId, Arc<dyn Service>>,
    public: Vec<Arc<dyn Public>>,
    credentials: Arc<dyn Credentials>,
    keys: KeyCache,
    clock: Clock,
    options: Options,
    started: Instant,
}

impl Edge {
    /// An edge with no services yet.
    pub fn new(credentials: Arc<dyn Credentials>, clock: Clock, options: Options) -> Self {
        Self {
            services: BTreeMap::new(),
            public: Vec::new(),
            credentials,
            keys: KeyCache::default(),
            clock,
            options,
            started: Instant::now(),
        }
    }

    /// Adds a service.
    pub fn register(&mut self, service: Arc<dyn Service>) {
        self.services.insert(service.info().id, service);
    }

    /// Adds a public endpoint.
    pub fn register_public(&mut self, public: Arc<dyn Public>) {
        self.public.push(public);
    }

    /// Calls a service's operation from inside unkai as `caller`, who was authenticated when it
    /// asked for the work (CloudFormation provisioning a stack's resources): no signature, the
    /// same dispatch, validation and error rendering as a signed request.
    pub async fn call_as(
        &self,
        caller: &unkai_types::Caller,
        region: &str,
        request: unkai_types::ports::ApiRequest,
    ) -> Response {
        let request_id = unkai_types::request_id();
        let Some(info) = crate::service::SERVICES
            .iter()
            .find(|info| info.name == request.service)
        else {
            let mut response =
                http::Response::new(full(format!("no service named {}", request.service)));
            *response.status_mut() = StatusCode::NOT_FOUND;
            return response;
        };
        let Some(handler) = self.services.get(&info.id) else {
            let error = protocol::not_implemented(info, None);
            return protocol::error_response(info, &request_id, &error);
        };
        let content_type = match info.protocol {
            Protocol::AwsJson10 => "application/x-amz-json-1.0",
            Protocol::AwsJson11 => "application/x-amz-json-1.1",
            Protocol::AwsQuery => "application/x-www-form-urlencoded; charset=utf-8",
            _ => "application/json",
        };
        let mut builder = http::Request::builder()
            .method(request.method)
            .uri(&request.path)
            .header(http::header::CONTENT_TYPE, content_type);
        if let (Some(prefix), Some(operation)) = (info.target_prefix, request.operation) {
            builder = builder.header("x-amz-target", format!("{prefix}.{operation}"));
        }
        let Ok(built) = builder.body(()) else {
            let error = AwsError::new(
                StatusCode::BAD_REQUEST,
                "ValidationException",
                format!("invalid request path {}", request.path),
            );
            return protocol::error_response(info, &request_id, &error);
        };
        let (parts, ()) = built.into_parts();
        let context = Context {
            request_id,
            caller: caller.clone(),
            region: region.to_owned(),
            received: self.clock.now(),
        };
        handler
            .call(Request {
                context,
                parts,
                body: Bytes::from(request.body),
            })
            .await
    }

    /// Handles one request.
    pub async fn handle<B>(&self, request: http::Request<B>) -> Response
    where
        B: http_body::Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let host = request
            .headers()
            .get(http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .or_else(|| request.uri().host())
            .map(|host| host.rsplit_once(':').map_or(host, |(name, _)| name))
            .unwrap_or_default();
        let path = request.uri().path();
        if let Some(public) = self
            .public
            .iter()
            .find(|public| public.owns(host) || public.owns_path(path))
        {
            return self.public(public.as_ref(), request).await;
        }
        let cors = cors::Request::of(request.headers(), request.method());
        let mut response = self.respond(request).await;
        cors.decorate(response.headers_mut());
        response
    }

    async fn respond<B>(&self, request: http::Request<B>) -> Response
    where
        B: http_body::Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if request.method() == http::Method::OPTIONS {
            return http::Response::new(full(Bytes::new()));
        }
        if too_large(&request) {
            let mut response = http::Response::new(full(Bytes::new()));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return response;
        }
        if let Some(health) = cors::aws_health_check(&request) {
            return health;
        }
        let received = self.clock.now();
        let request_id = unkai_types::request_id();
        if request.uri().path().starts_with("/_unkai/") {
            return self.internal(&request);
        }
        let (parts, body) = request.into_parts();
        let signature = sigv4::parse(&parts.headers, parts.uri.query());
        let signed = match &signature {
            Ok(Some(signature)) => Some(signature),
            _ => None,
        };
        let by_scope = signed.and_then(|signature| {
            route::by_scope(&signature.scope.service, &parts.headers, parts.uri.path())
        });
        let service = match by_scope {
            Some(service) => service,
            None => match route::by_target(&parts.headers) {
                Some((service, _)) => service,
                None if route::is_query(&parts.headers, parts.uri.query()) => {
                    return self
                        .reject_unsigned_query(&parts, body, &request_id, signature.err())
                        .await;
                }
                None => route::by_path(parts.uri.path()),
            },
        };
        let info = service.info();
        let signature = match signature {
            Ok(Some(signature)) => signature,
            Ok(None) => return reject(info, &request_id, &Problem::Missing),
            Err(problem) => return reject(info, &request_id, &problem),
        };
        if let Err(problem) = sigv4::check_scope(&signature, info.signing_name, received) {
            return reject(info, &request_id, &problem);
        }
        let identity = match self.credentials.lookup(&signature.access_key_id).await {
            Ok(Some(identity)) => identity,
            Ok(None) => return reject(info, &request_id, &Problem::UnknownKey),
            Err(error) => {
                tracing::error!(%error, "access key lookup failed");
                return protocol::error_response(info, &request_id, &protocol::internal(info));
            }
        };
        if identity.session_token != signature.security_token {
            return reject(info, &request_id, &Problem::BadToken);
        }
        let body = match read_body(body, info).await {
            Ok(body) => body,
            Err(error) => return protocol::error_response(info, &request_id, &error),
        };
        if let Err(problem) = verify(&parts, &signature, &body, &identity.secret, &self.keys) {
            return reject(info, &request_id, &problem);
        }
        let body = match encoding::decode_request(&parts.headers, body, info) {
            Ok(body) => body,
            Err(error) => return protocol::error_response(info, &request_id, &error),
        };
        let accepted = encoding::accepted(&parts.headers);
        let Some(handler) = self.services.get(&service) else {
            let error = protocol::not_implemented(info, None);
            return protocol::error_response(info, &request_id, &error);
        };
        let context = Context {
            request_id,
            caller: identity.caller.clone(),
            region: signature.scope.region,
            received,
        };
        let response = handler
            .call(Request {
                context,
                parts,
                body,
            })
            .await;
        match accepted {
            Some(coding) => encoding::compress_response(response, coding, info).await,
            None => response,
        }
    }

    /// A request to a public endpoint: its body read, its signature checked when it has one.
    async fn public<B>(&self, public: &dyn Public, request: http::Request<B>) -> Response
    where
        B: http_body::Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let received = self.clock.now();
        let request_id = unkai_types::request_id();
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, public.max_body()).collect().await {
            Ok(body) => body.to_bytes(),
            Err(_) => {
                let mut response = http::Response::new(full(
                    "{\"Message\":\"Request must be smaller than 6291456 bytes\"}",
                ));
                *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
                return response;
            }
        };
        let auth = match sigv4::parse(&parts.headers, parts.uri.query()) {
            Ok(None) => PublicAuth::Anonymous,
            Err(problem) => PublicAuth::Invalid(problem),
            Ok(Some(signature)) => {
                match self
                    .authenticate(&parts, &signature, &body, public.signing_name(), received)
                    .await
                {
                    Ok(caller) => PublicAuth::Signed(caller),
                    Err(problem) => PublicAuth::Invalid(problem),
                }
            }
        };
        public
            .call(PublicRequest {
                parts,
                body,
                request_id,
                received,
                auth,
            })
            .await
    }

    async fn authenticate(
        &self,
        parts: &http::request::Parts,
        signature: &Signature,
        body: &[u8],
        signing_name: &str,
        received: std::time::SystemTime,
    ) -> Result<unkai_types::Caller, Problem> {
        sigv4::check_scope(signature, signing_name, received)?;
        let identity = match self.credentials.lookup(&signature.access_key_id).await {
            Ok(Some(identity)) => identity,
            Ok(None) => return Err(Problem::UnknownKey),
            Err(error) => {
                tracing::error!(%error, "access key lookup failed");
                return Err(Problem::UnknownKey);
            }
        };
        if identity.session_token != signature.security_token {
            return Err(Problem::BadToken);
        }
        verify(parts, signature, body, &identity.secret, &self.keys)?;
        Ok(identity.caller.clone())
    }

    /// An unsigned awsQuery request: answer as the service that knows its `Action` would.
    async fn reject_unsigned_query<B>(
        &self,
        parts: &http::request::Parts,
        body: B,
        request_id: &str,
        problem: Option<Problem>,
    ) -> Response
    where
        B: http_body::Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let sts = ServiceId::Sts.info();
        let body = read_body(body, sts).await.unwrap_or_default();
        let params = query::Params::parse(parts.uri.query(), &body);
        let info = params
            .action()
            .and_then(|action| {
                self.services.values().find(|service| {
                    service.info().protocol == Protocol::AwsQuery && service.knows_operation(action)
                })
            })
            .map_or(sts, |service| service.info());
        reject(info, request_id, &problem.unwrap_or(Problem::Missing))
    }

    fn internal<B>(&self, request: &http::Request<B>) -> Response {
        if request.method() == http::Method::GET
            && request.uri().path() == "/_unkai/metrics"
            && let Some(metrics) = &self.options.metrics
        {
            let mut response = http::Response::new(full(metrics()));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            return response;
        }
        if request.method() != http::Method::GET || request.uri().path() != "/_unkai/health" {
            let mut response = http::Response::new(full("{\"message\":\"Not Found\"}"));
            *response.status_mut() = StatusCode::NOT_FOUND;
            return response;
        }
        let health = &self.options.health;
        let body = serde_json::json!({
            "status": "ok",
            "version": health.version,
            "uptime_seconds": self.started.elapsed().as_secs(),
            "store": health.store,
            "region": health.region,
            "services": self.services.values().map(|s| s.info().name).collect::<Vec<_>>(),
        });
        let mut response = http::Response::new(full(body.to_string()));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

fn reject(info: &ServiceInfo, request_id: &str, problem: &Problem) -> Response {
    protocol::error_response(info, request_id, &protocol::auth_error(info, problem))
}

async fn read_body<B>(body: B, info: &ServiceInfo) -> Result<Bytes, AwsError>
where
    B: http_body::Body<Data = Bytes> + Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = http_body::Body::size_hint(&body).exact();
    if declared.is_some_and(|declared| declared > info.max_body as u64) {
        return Err(protocol::too_large(info));
    }
    match Limited::new(body, info.max_body).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            Err(protocol::too_large(info))
        }
        Err(error) => {
            tracing::debug!(%error, "request body could not be read");
            Err(AwsError::new(
                StatusCode::BAD_REQUEST,
                "IncompleteBody",
                "The request body ended before the Content-Length it declared",
            ))
        }
    }
}

const X_AMZ_CONTENT_SHA256: http::HeaderName =
    http::HeaderName::from_static("x-amz-content-sha256");

fn verify(
    parts: &http::request::Parts,
    signature: &Signature,
    body: &[u8],
    secret: &str,
    keys: &KeyCache,
) -> Result<(), Problem> {
    let body_hash = sigv4::payload_hash(body);
    let payload_hash = match parts
        .headers
        .get(X_AMZ_CONTENT_SHA256)
        .and_then(|v| v.to_str().ok())
    {
        // A hash the body does not have can only fail; anything else (UNSIGNED-PAYLOAD) is
        // what the client signed.
        Some(declared) if declared.len() == 64 && declared != body_hash => declared.to_string(),
        Some(declared) => declared.to_string(),
        None if signature.form == sigv4::Form::Presigned && signature.scope.service == "s3" => {
            sigv4::UNSIGNED_PAYLOAD.to_string()
        }
        None => body_hash,
    };
    let request = Parts {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        authority: parts.uri.authority().map(|a| a.as_str()),
    };
    sigv4::verify(&request, signature, &payload_hash, secret, keys)
}

/// Serves `edge` on `listener` until `shutdown` resolves, then stops accepting and lets
/// in-flight requests finish (up to 30 s).
pub async fn serve(
    listener: TcpListener,
    edge: Arc<Edge>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    // Connections watch `draining`; each holds a `live` sender, so `live` closes once the last
    // connection is done.
    let (drain, draining) = tokio::sync::watch::channel(false);
    let (live, mut all_done) = tokio::sync::mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let edge = edge.clone();
        // Upgrades (WebSocket) are handed to the endpoint that accepted them.
        let connection = http1::Builder::new()
            .serve_connection(
                TokioIo::new(stream),
                service_fn(move |request: http::Request<Incoming>| {
                    let edge = edge.clone();
                    async move { Ok::<_, Infallible>(edge.handle(request).await) }
                }),
            )
            .with_upgrades();
        let mut draining = draining.clone();
        let live = live.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let drained = async {
                let _ = draining.wait_for(|draining| *draining).await;
            };
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                () = drained => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = ended {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(live);
        });
    }
    drop(listener);
    let _ = drain.send(true);
    drop(live);
    tokio::select! {
        _ = all_done.recv() => {}
        () = tokio::time::sleep(DRAIN) => {
            tracing::warn!("in-flight requests did not finish within 30 s of shutdown");
        }
    }
    Ok(())
}

/// Most bytes of a request line, and of all headers, AWS reads (DynamoDB: 16 KiB each); a
/// larger request is a 400 Bad Request before anything else is looked at.
const MAX_HEAD: usize = 16 << 10;

fn too_large<B>(request: &http::Request<B>) -> bool {
    let line = request.uri().path().len() + request.uri().query().map_or(0, str::len);
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    line > MAX_HEAD || headers > MAX_HEAD
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Identity;

    struct NoKeys;

    impl Credentials for NoKeys {
        fn lookup<'a>(
            &'a self,
            _access_key_id: &'a str,
        ) -> crate::BoxFuture<'a, Result<Option<Arc<Identity>>, String>> {
            Box::pin(async { Ok(None) })
        }
    }

    /// Answers its name; owns one host, or the paths with a prefix.
    struct Named(&'static str, Option<&'static str>, Option<&'static str>);

    impl Public for Named {
        fn owns(&self, host: &str) -> bool {
            self.1 == Some(host)
        }
        fn owns_path(&self, path: &str) -> bool {
            self.2.is_some_and(|prefix| path.starts_with(prefix))
        }
        fn signing_name(&self) -> &'static str {
            "execute-api"
        }
        fn max_body(&self) -> usize {
            1024
        }
        fn call(&self, _request: PublicRequest) -> crate::BoxFuture<'_, Response> {
            Box::pin(async move { http::Response::new(full(self.0)) })
        }
    }

    async fn body_of(edge: &Edge, host: &str, path: &str) -> (u16, Bytes) {
        let request = http::Request::builder()
            .uri(path)
            .header("host", host)
            .body(http_body_util::Full::new(Bytes::new()))
            .unwrap();
        let response = edge.handle(request).await;
        let status = response.status().as_u16();
        (
            status,
            response.into_body().collect().await.unwrap().to_bytes(),
        )
    }

    #[tokio::test]
    async fn public_endpoints_are_chosen_by_host_or_by_path() {
        let mut edge = Edge::new(
            Arc::new(NoKeys),
            Clock::system(),
            Options {
                health: Health {
                    version: "0",
                    store: "test",
                    region: "us-east-1".into(),
                },
                metrics: None,
            },
        );
        edge.register_public(Arc::new(Named("by-host", Some("a.example"), None)));
        edge.register_public(Arc::new(Named("by-path", None, Some("/restapis/"))));
        assert_eq!(
            body_of(&edge, "a.example:4566", "/restapis/x").await.1,
            "by-host"
        );
        assert_eq!(
            body_of(&edge, "localhost:4566", "/restapis/x/s/_user_request_/a")
                .await
                .1,
            "by-path"
        );
        // Anything else is an AWS API call, which needs a signature.
        assert_eq!(body_of(&edge, "localhost:4566", "/other").await.0, 403);
    }
}
