//! `HTTP_PROXY` integrations of REST APIs: the request goes on to the integration's URL
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html>),
//! with its method (`ANY`: the request's own), its headers and body, the URL's query and the
//! request's; `{name}` and `{name+}` in the URL take the resource's path parameters. The
//! backend's answer comes back as it is. No answer within `timeoutInMillis` is 504
//! `{"message": "Endpoint request timed out"}`; a backend that cannot be reached is 502
//! `{"message": "Internal server error"}`. Deviation: `http://` backends only.

use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use unkai_edge::{Response, full};

use crate::event::Incoming;
use crate::public::message;
use crate::store::Integration;

/// Headers that belong to one connection, not to the request or response.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

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
pub(crate) fn with_parameters(uri: &str, parameters: &[(String, String)]) -> String {
    let mut out = uri.to_owned();
    for (name, value) in parameters {
        let encoded = utf8_percent_encode(value, PATH).to_string();
        out = out
            .replace(&format!("{{{name}+}}"), &encoded)
            .replace(&format!("{{{name}}}"), &encoded);
    }
    out
}

fn internal_error() -> Response {
    message(StatusCode::BAD_GATEWAY, "Internal server error")
}

/// Sends the request to the integration's backend and answers with its response.
pub(crate) async fn forward(
    uri: &str,
    integration: &Integration,
    incoming: &Incoming<'_>,
    parameters: &[(String, String)],
    body: Bytes,
) -> Response {
    let uri = with_parameters(uri, parameters);
    let Ok(parsed) = uri.parse::<http::Uri>() else {
        tracing::warn!(uri, "HTTP integration URI does not parse");
        return internal_error();
    };
    if parsed.scheme_str() != Some("http") {
        tracing::warn!(uri, "unkai forwards HTTP integrations to http:// URLs only");
        return internal_error();
    }
    let Some(authority) = parsed.authority().cloned() else {
        return internal_error();
    };
    let mut target = parsed.path().to_owned();
    if target.is_empty() {
        target.push('/');
    }
    let queries: Vec<&str> = [parsed.query().unwrap_or_default(), incoming.raw_query]
        .into_iter()
        .filter(|query| !query.is_empty())
        .collect();
    if !queries.is_empty() {
        target.push('?');
        target.push_str(&queries.join("&"));
    }
    let method = match integration.http_method.as_deref() {
        None | Some("ANY") => incoming.method,
        Some(method) => method,
    };
    let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
        return internal_error();
    };
    let mut builder = http::Request::builder()
        .method(method)
        .uri(target)
        .header(http::header::HOST, authority.as_str());
    for (name, value) in incoming.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            builder = builder.header(name, value);
        }
    }
    let Ok(request) = builder.body(Full::new(body)) else {
        return internal_error();
    };
    let address = format!(
        "{}:{}",
        authority.host(),
        authority.port_u16().unwrap_or(80)
    );
    let timeout = Duration::from_millis(u64::from(integration.timeout_ms));
    let exchange = async move {
        let stream = tokio::net::TcpStream::connect(&address).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "HTTP integration connection ended with an error");
            }
        });
        let response = sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((parts, body))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Err(_) => message(StatusCode::GATEWAY_TIMEOUT, "Endpoint request timed out"),
        Ok(Err(error)) => {
            tracing::info!(uri, %error, "HTTP integration failed");
            internal_error()
        }
        Ok(Ok((parts, body))) => {
            let mut response = http::Response::new(full(body));
            *response.status_mut() = parts.status;
            for (name, value) in &parts.headers {
                if !HOP_BY_HOP.contains(&name.as_str()) {
                    response.headers_mut().append(name, value.clone());
                }
            }
            response
        }
    }
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
