//! Raw HTTP requests, for what SDKs will not send (unsigned, badly timed, oversized).
#![allow(dead_code, clippy::unwrap_used)]

use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use unkai_e2e::Unkai;
use unkai_edge::sigv4::{self, SigningParams};

pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

pub async fn send(
    authority: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", authority);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send_request(
        authority,
        request
            .body(Full::new(Bytes::copy_from_slice(body)))
            .unwrap(),
    )
    .await
}

pub async fn send_request(authority: &str, request: http::Request<Full<Bytes>>) -> Reply {
    let stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A form-encoded POST signed with our signer at time `at`.
pub async fn signed_query(
    unkai: &Unkai,
    key: &str,
    secret: &str,
    at: SystemTime,
    service: &str,
    body: &str,
) -> Reply {
    let request = http::Request::post("/")
        .header("host", unkai.authority())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    send_signed(unkai, request, body, (key, secret), service, at).await
}

/// A request to `unkai` signed with our signer for `service`, now, with `host` as its `Host`
/// (`None`: unkai's own authority).
pub async fn signed(
    unkai: &Unkai,
    (key, secret): (&str, &str),
    service: &str,
    method: &str,
    host: Option<&str>,
    path: &str,
    body: &str,
) -> Reply {
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", host.unwrap_or(unkai.authority()))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    send_signed(
        unkai,
        request,
        body,
        (key, secret),
        service,
        SystemTime::now(),
    )
    .await
}

/// Signs `request` (whose body is `body`) for `service` in us-east-1 at `at` and sends it to
/// unkai.
async fn send_signed(
    unkai: &Unkai,
    mut request: http::Request<Full<Bytes>>,
    body: &str,
    (key, secret): (&str, &str),
    service: &str,
    at: SystemTime,
) -> Reply {
    sigv4::sign_request(
        &mut request,
        body.as_bytes(),
        &SigningParams {
            access_key_id: key,
            secret,
            region: "us-east-1",
            service,
            at,
        },
    );
    send_request(unkai.authority(), request).await
}
