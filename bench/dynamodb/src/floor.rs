//! The floor: the least any server of this wire protocol spends per operation on this machine.
//!
//! A hyper HTTP/1.1 server on a multi-threaded tokio runtime (one worker per CPU, as unkai's),
//! run as its own process so its CPU is measured like the others'. It reads each request whole
//! and answers with a canned body of the size DynamoDB's answer has: an item for GetItem, 100
//! items for Query, `{}` for anything else. It stores nothing and parses no JSON; with
//! `--verify` it also checks each SigV4 signature as unkai does. What unkai spends above it is
//! its own work: routing, the store, expressions and JSON.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::{Context, Result};
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use unkai_edge::sigv4::{self, KeyCache, Parts};

use crate::QUERY_LIMIT;

/// The credentials the floor accepts.
pub(crate) const ACCESS_KEY_ID: &str = "AKIAFLOORFLOORFLOOR0";
pub(crate) const SECRET: &str = "floor-secret-floor-secret-floor-secret-0";

struct Canned {
    get: Bytes,
    query: Bytes,
    verify: bool,
    keys: KeyCache,
}

/// One item as the bench writes them: `p`, `c` and 80 hex digits in `v`.
fn item(p: &str, c: &str) -> String {
    format!(
        r#"{{"p":{{"S":"{p}"}},"c":{{"S":"{c}"}},"v":{{"S":"{}"}}}}"#,
        "5a".repeat(40)
    )
}

impl Canned {
    fn new(verify: bool) -> Self {
        let mut items = String::new();
        for i in 0..QUERY_LIMIT {
            if i > 0 {
                items.push(',');
            }
            items.push_str(&item("query", &format!("{i:04}")));
        }
        let mut query = String::new();
        let _ = write!(
            query,
            r#"{{"Items":[{items}],"Count":{QUERY_LIMIT},"ScannedCount":{QUERY_LIMIT},"LastEvaluatedKey":{{"p":{{"S":"query"}},"c":{{"S":"{:04}"}}}}}}"#,
            QUERY_LIMIT - 1
        );
        Canned {
            get: Bytes::from(format!(r#"{{"Item":{}}}"#, item("get-000000000000", "0"))),
            query: Bytes::from(query),
            verify,
            keys: KeyCache::default(),
        }
    }

    fn answer(&self, parts: &http::request::Parts, body: &[u8]) -> http::Response<Full<Bytes>> {
        if parts.uri.path() == "/_unkai/health" {
            return http::Response::new(Full::new(Bytes::from_static(b"{}")));
        }
        if self.verify && !self.verified(parts, body) {
            let mut response = http::Response::new(Full::new(Bytes::from_static(
                br#"{"__type":"com.amazon.coral.service#InvalidSignatureException"}"#,
            )));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return response;
        }
        let target = parts
            .headers
            .get("x-amz-target")
            .map_or(&b""[..], |value| value.as_bytes());
        let body = match target {
            b"DynamoDB_20120810.GetItem" => self.get.clone(),
            b"DynamoDB_20120810.Query" => self.query.clone(),
            _ => Bytes::from_static(b"{}"),
        };
        let mut response = http::Response::new(Full::new(body));
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-amz-json-1.0"),
        );
        headers.insert(
            "x-amzn-requestid",
            HeaderValue::from_static("FLOOR0000000000000000000000000000000000000000000000"),
        );
        response
    }

    fn verified(&self, parts: &http::request::Parts, body: &[u8]) -> bool {
        let Ok(Some(signature)) = sigv4::parse(&parts.headers, parts.uri.query()) else {
            return false;
        };
        let request = Parts {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query(),
            headers: &parts.headers,
            authority: None,
        };
        signature.access_key_id == ACCESS_KEY_ID
            && sigv4::verify(
                &request,
                &signature,
                &sigv4::payload_hash(body),
                SECRET,
                &self.keys,
            )
            .is_ok()
    }
}

/// Serves the floor on `127.0.0.1:port` until killed.
pub(crate) fn serve(port: u16, verify: bool) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("bind 127.0.0.1:{port}"))?;
        let canned = Arc::new(Canned::new(verify));
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            let canned = canned.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: http::Request<hyper::body::Incoming>| {
                    let canned = canned.clone();
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = body.collect().await.map(|b| b.to_bytes());
                        Ok::<_, Infallible>(match body {
                            Ok(body) => canned.answer(&parts, &body),
                            Err(_) => http::Response::new(Full::new(Bytes::new())),
                        })
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
