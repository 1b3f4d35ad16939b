//! The Lambda Runtime API, one listener per instance: the worker asks for its next invocation
//! and posts its response or error; an initialization failure is posted once, before the first
//! `next`. <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};

use crate::MAX_RESPONSE;
use crate::instance::{Death, Job, Part, Reply};

/// The most a streamed response may carry (Lambda's default: 20 MB).
const MAX_STREAM: usize = 20 * 1024 * 1024;

const PREFIX: &str = "/2018-06-01/runtime/";

/// What the listener shares with its instance.
pub(crate) struct Api {
    /// Invocations waiting for the worker's `next`.
    pub jobs: tokio::sync::Mutex<mpsc::Receiver<Job>>,
    /// The invocation the worker is running: its id and where its reply goes.
    pub current: Mutex<Option<(String, oneshot::Sender<Reply>)>>,
    /// Set when the instance can no longer run anything.
    pub dead: watch::Sender<Option<Death>>,
    /// When the worker process was started.
    pub started: Instant,
    /// How long it took from its start to its first `next`.
    pub init: Mutex<Option<Duration>>,
}

/// Serves the Runtime API on `listener` until the instance is dead.
pub(crate) async fn serve(listener: TcpListener, api: Arc<Api>) {
    let mut dead = api.dead.subscribe();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::debug!(%error, "runtime API accept failed");
                    continue;
                }
            },
            _ = dead.wait_for(Option::is_some) => return,
        };
        let _ = stream.set_nodelay(true);
        let api = api.clone();
        let mut dead = api.dead.subscribe();
        tokio::spawn(async move {
            let connection = http1::Builder::new().serve_connection(
                TokioIo::new(stream),
                service_fn(move |request| {
                    let api = api.clone();
                    async move { Ok::<_, Infallible>(handle(&api, request).await) }
                }),
            );
            tokio::select! {
                _ = connection => {}
                _ = dead.wait_for(Option::is_some) => {}
            }
        });
    }
}

async fn handle(api: &Api, request: http::Request<Incoming>) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    let Some(route) = path.strip_prefix(PREFIX) else {
        return not_found();
    };
    match (request.method(), route) {
        (&Method::GET, "invocation/next") => next(api).await,
        (&Method::POST, "init/error") => {
            let body = match read(request).await {
                Ok(body) => body,
                Err(response) => return response,
            };
            let error_type = "Runtime.Unknown";
            let body = if body.is_empty() {
                crate::error_document(error_type, "Unknown application error occurred")
            } else {
                body
            };
            api.dead.send_if_modified(|dead| {
                dead.is_none()
                    .then(|| *dead = Some(Death::InitError(body)))
                    .is_some()
            });
            accepted()
        }
        (&Method::POST, route) if route.starts_with("invocation/") => {
            let rest = &route["invocation/".len()..];
            let (id, kind) = match rest.rsplit_once('/') {
                Some((id, kind @ ("response" | "error"))) => (id.to_owned(), kind),
                _ => return not_found(),
            };
            let error_type = request
                .headers()
                .get("lambda-runtime-function-error-type")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("Runtime.Unknown")
                .to_owned();
            let taken = {
                let mut current = crate::lock(&api.current);
                match current.take() {
                    Some((current_id, reply)) if current_id == id => Some(reply),
                    other => {
                        *current = other;
                        None
                    }
                }
            };
            let Some(reply) = taken else {
                return json(
                    StatusCode::BAD_REQUEST,
                    r#"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#,
                );
            };
            let streaming = kind == "response"
                && request
                    .headers()
                    .get("lambda-runtime-function-response-mode")
                    .is_some_and(|mode| mode.as_bytes().eq_ignore_ascii_case(b"streaming"));
            if streaming {
                let content_type = request
                    .headers()
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned);
                let (parts, receiver) = mpsc::channel(16);
                let _ = reply.send(Reply::Stream(content_type, receiver));
                stream(request, parts).await;
                return accepted();
            }
            match read(request).await {
                Ok(body) if kind == "response" => {
                    let _ = reply.send(Reply::Response(body));
                    accepted()
                }
                Ok(body) => {
                    let body = if body.is_empty() {
                        crate::error_document(&error_type, "")
                    } else {
                        body
                    };
                    let _ = reply.send(Reply::Error(body));
                    accepted()
                }
                Err(response) => {
                    let _ = reply.send(Reply::Error(crate::error_document(
                        "Function.ResponseSizeTooLarge",
                        &format!(
                            "Response payload size exceeded maximum allowed payload size \
                             ({MAX_RESPONSE} bytes)."
                        ),
                    )));
                    response
                }
            }
        }
        _ => not_found(),
    }
}

/// Passes a streamed response on as it arrives; the error trailers, if any, end it.
async fn stream(request: http::Request<Incoming>, parts: mpsc::Sender<Part>) {
    let mut body = request.into_body();
    let mut sent = 0usize;
    let mut error = None;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            error = Some(crate::error_document(
                "Runtime.StreamError",
                "The response stream ended abruptly",
            ));
            break;
        };
        match frame.into_data() {
            Ok(data) => {
                sent += data.len();
                if sent > MAX_STREAM {
                    error = Some(crate::error_document(
                        "Function.ResponseSizeTooLarge",
                        &format!(
                            "Response payload size exceeded maximum allowed payload size \
                             ({MAX_STREAM} bytes)."
                        ),
                    ));
                    break;
                }
                if parts.send(Part::Data(data)).await.is_err() {
                    return;
                }
            }
            Err(frame) => {
                if let Ok(trailers) = frame.into_trailers() {
                    error = trailer_error(&trailers);
                }
            }
        }
    }
    let _ = parts.send(Part::End(error)).await;
}

/// `Lambda-Runtime-Function-Error-Type` and `-Body` (base64 JSON) trailers: an error document.
fn trailer_error(trailers: &http::HeaderMap) -> Option<Bytes> {
    use base64::Engine as _;
    let error_type = trailers
        .get("lambda-runtime-function-error-type")?
        .to_str()
        .ok()?;
    let body = trailers
        .get("lambda-runtime-function-error-body")
        .and_then(|body| {
            base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .ok()
        })
        .filter(|body| !body.is_empty());
    Some(match body {
        Some(body) => Bytes::from(body),
        None => crate::error_document(error_type, ""),
    })
}

async fn next(api: &Api) -> Response<Full<Bytes>> {
    {
        let mut init = crate::lock(&api.init);
        if init.is_none() {
            *init = Some(api.started.elapsed());
        }
    }
    let job = {
        let mut jobs = api.jobs.lock().await;
        jobs.recv().await
    };
    let Some(job) = job else {
        return json(
            StatusCode::GONE,
            r#"{"errorMessage":"The instance is stopping","errorType":"Runtime.Stopped"}"#,
        );
    };
    let now = SystemTime::now();
    let deadline = now + job.timeout;
    let deadline_ms = deadline
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let _ = job.picked.send(Instant::now());
    *crate::lock(&api.current) = Some((job.request_id.clone(), job.reply));
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("lambda-runtime-aws-request-id", &job.request_id)
        .header("lambda-runtime-deadline-ms", deadline_ms.to_string())
        .header("lambda-runtime-invoked-function-arn", &job.invoked_arn)
        .header("lambda-runtime-trace-id", trace_id(now));
    if let Some(context) = &job.client_context {
        response = response.header("lambda-runtime-client-context", context);
    }
    response
        .body(Full::new(job.payload))
        .unwrap_or_else(|_| not_found())
}

/// An X-Ray trace header for one invocation (`Root=1-<time>-<random>;Parent=…;Sampled=0`),
/// written digit by digit: `format!` of wide hex numbers cost more than the rest of `next`.
fn trace_id(now: SystemTime) -> String {
    let seconds = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let random: u128 = rand::random();
    let mut id = String::with_capacity(96);
    id.push_str("Root=1-");
    push_hex(&mut id, u128::from(seconds), 8);
    id.push('-');
    push_hex(&mut id, random >> 32, 24);
    id.push_str(";Parent=");
    push_hex(&mut id, random, 16);
    id.push_str(";Sampled=0;Lineage=1:");
    push_hex(&mut id, random >> 96, 8);
    id.push_str(":0");
    id
}

/// The low `digits` hex digits of `value`, in lowercase.
fn push_hex(out: &mut String, value: u128, digits: u32) {
    for digit in (0..digits).rev() {
        let nibble = (value >> (4 * digit)) & 0xf;
        out.push(char::from(b"0123456789abcdef"[nibble as usize]));
    }
}

async fn read(request: http::Request<Incoming>) -> Result<Bytes, Response<Full<Bytes>>> {
    match Limited::new(request.into_body(), MAX_RESPONSE)
        .collect()
        .await
    {
        Ok(body) => Ok(body.to_bytes()),
        Err(_) => Err(json(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                r#"{{"errorMessage":"Exceeded maximum allowed payload size ({MAX_RESPONSE} bytes).","errorType":"RequestEntityTooLarge"}}"#
            ),
        )),
    }
}

fn accepted() -> Response<Full<Bytes>> {
    json(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

fn not_found() -> Response<Full<Bytes>> {
    json(
        StatusCode::NOT_FOUND,
        r#"{"errorMessage":"Not found","errorType":"InvalidRequest"}"#,
    )
}

fn json(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn trace_ids_have_x_rays_shape() {
        let mut hex = String::new();
        push_hex(&mut hex, 0xab, 4);
        assert_eq!(hex, "00ab");
        let id = trace_id(SystemTime::UNIX_EPOCH + Duration::from_secs(0x5759_e988));
        let hex_of = |text: &str, digits: usize| {
            text.len() == digits && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        let (root, rest) = id.split_once(";Parent=").unwrap();
        let (parent, rest) = rest.split_once(";Sampled=0;Lineage=1:").unwrap();
        assert!(hex_of(root.strip_prefix("Root=1-5759e988-").unwrap(), 24));
        assert!(hex_of(parent, 16));
        assert!(hex_of(rest.strip_suffix(":0").unwrap(), 8));
        assert_ne!(id, trace_id(SystemTime::UNIX_EPOCH));
    }
}
