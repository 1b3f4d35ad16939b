//! Passing a request on to an HTTP backend, as API Gateway's `HTTP_PROXY` integrations do: the
//! backend's URL with path parameters filled in, the request's method, headers (without the
//! hop-by-hop ones), body and query; the backend's answer comes back as it is. Each API
//! Gateway flavour renders [`Failure`]s with its own messages. Deviation: `http://` backends
//! only.
//!
//! [`send`] is the exchange itself, for a request built by its caller: how a node of a cluster
//! passes an `@connections` request on, unchanged, to the node that holds the connection.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::{Response, full};

/// Headers that belong to one connection, not to the request or response: never passed on.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Headers an integration's exchange sets for itself: the backend's `Host` and the length of
/// the body as it is sent (and, in the answer, as it is passed back).
const OWN: &[&str] = &["host", "content-length"];

/// What stays encoded in a path parameter put back into a URL (`/` stays a separator).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%');

/// `{name}` and `{name+}` in `uri` replaced by path parameters.
pub fn with_parameters(uri: &str, parameters: &[(String, String)]) -> String {
    let mut out = uri.to_owned();
    for (name, value) in parameters {
        let encoded = utf8_percent_encode(value, PATH).to_string();
        out = out
            .replace(&format!("{{{name}+}}"), &encoded)
            .replace(&format!("{{{name}}}"), &encoded);
    }
    out
}

/// A request to pass on to an HTTP backend.
#[derive(Debug)]
pub struct Backend<'a> {
    /// The backend's URL; `{name}` and `{name+}` take `parameters`.
    pub uri: &'a str,
    /// Path parameters.
    pub parameters: &'a [(String, String)],
    /// The method to send.
    pub method: &'a str,
    /// The incoming request's query, added to the URL's own.
    pub query: &'a str,
    /// The incoming request's headers (hop-by-hop ones are left out).
    pub headers: &'a http::HeaderMap,
    /// The body.
    pub body: Bytes,
    /// How long the backend may take.
    pub timeout: Duration,
}

/// Why a backend gave no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The URL is not an `http://` URL unkai can reach, or the exchange failed.
    Unreachable,
    /// Nothing listens at the backend's address: the connection was refused.
    Refused,
    /// No answer within the timeout.
    TimedOut,
}

/// Sends the request to the backend and returns its answer as it is.
pub async fn forward(backend: Backend<'_>) -> Result<Response, Failure> {
    let Backend {
        uri,
        parameters,
        method,
        query,
        headers,
        body,
        timeout,
    } = backend;
    let uri = with_parameters(uri, parameters);
    let Ok(parsed) = uri.parse::<http::Uri>() else {
        tracing::warn!(uri, "HTTP integration URI does not parse");
        return Err(Failure::Unreachable);
    };
    if parsed.scheme_str() != Some("http") {
        tracing::warn!(uri, "unkai forwards HTTP integrations to http:// URLs only");
        return Err(Failure::Unreachable);
    }
    let Some(authority) = parsed.authority().cloned() else {
        return Err(Failure::Unreachable);
    };
    let mut target = parsed.path().to_owned();
    if target.is_empty() {
        target.push('/');
    }
    let queries: Vec<&str> = [parsed.query().unwrap_or_default(), query]
        .into_iter()
        .filter(|query| !query.is_empty())
        .collect();
    if !queries.is_empty() {
        target.push('?');
        target.push_str(&queries.join("&"));
    }
    let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
        return Err(Failure::Unreachable);
    };
    let mut builder = http::Request::builder()
        .method(method)
        .uri(target)
        .header(http::header::HOST, authority.as_str());
    for (name, value) in headers {
        if !OWN.contains(&name.as_str()) {
            builder = builder.header(name, value);
        }
    }
    let Ok(request) = builder.body(Full::new(body)) else {
        return Err(Failure::Unreachable);
    };
    let address = format!(
        "{}:{}",
        authority.host(),
        authority.port_u16().unwrap_or(80)
    );
    let sent = send(&address, request, timeout).await;
    if let Err(failure @ (Failure::Unreachable | Failure::Refused)) = &sent {
        tracing::info!(uri, ?failure, "HTTP integration failed");
    }
    sent
}

/// Sends `request` (an origin-form URI; its headers as they are, `Host` included, but for the
/// hop-by-hop ones) to `address` (`host:port`) over a new connection and returns the answer as
/// it is, without the hop-by-hop headers.
pub async fn send(
    address: &str,
    mut request: http::Request<Full<Bytes>>,
    timeout: Duration,
) -> Result<Response, Failure> {
    for name in HOP_BY_HOP {
        request.headers_mut().remove(*name);
    }
    let exchange = async move {
        let stream = match tokio::net::TcpStream::connect(address).await {
            Ok(stream) => stream,
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Err(Failure::Refused);
            }
            Err(error) => {
                tracing::debug!(address, %error, "connecting failed");
                return Err(Failure::Unreachable);
            }
        };
        let unreachable = |error: hyper::Error| {
            tracing::debug!(address, %error, "HTTP exchange failed");
            Failure::Unreachable
        };
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(unreachable)?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "HTTP client connection ended with an error");
            }
        });
        let response = sender.send_request(request).await.map_err(unreachable)?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(unreachable)?.to_bytes();
        Ok((parts, body))
    };
    let (parts, body) = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| Failure::TimedOut)??;
    let mut response = http::Response::new(full(body));
    *response.status_mut() = parts.status;
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) && !OWN.contains(&name.as_str()) {
            response.headers_mut().append(name, value.clone());
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_fill_the_uri() {
        assert_eq!(
            with_parameters(
                "http://backend/{proxy}?x=1",
                &[("proxy".into(), "a b/c".into())]
            ),
            "http://backend/a%20b/c?x=1"
        );
        assert_eq!(
            with_parameters("http://backend/items/{id+}", &[("id".into(), "7".into())]),
            "http://backend/items/7"
        );
    }
}
