//! `HTTP_PROXY` integrations of REST APIs: the request goes on to the integration's URL
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html>),
//! with its method (`ANY`: the request's own), its headers and body, the URL's query and the
//! request's; `{name}` and `{name+}` in the URL take the resource's path parameters. The
//! backend's answer comes back as it is. No answer within `timeoutInMillis` is 504
//! `{"message": "Endpoint request timed out"}`; a backend that cannot be reached is 502
//! `{"message": "Internal server error"}`. The forwarding itself is
//! [`unkai_edge::forward`]; this maps its failures. Deviation: `http://` backends only.

use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use unkai_edge::Response;
use unkai_edge::forward::{self, Backend, Failure};

use crate::event::Incoming;
use crate::public::message;
use crate::store::Integration;

/// Sends the request to the integration's backend and answers with its response.
pub(crate) async fn forward(
    uri: &str,
    integration: &Integration,
    incoming: &Incoming<'_>,
    parameters: &[(String, String)],
    body: Bytes,
) -> Response {
    let method = match integration.http_method.as_deref() {
        None | Some("ANY") => incoming.method,
        Some(method) => method,
    };
    let backend = Backend {
        uri,
        parameters,
        method,
        query: incoming.raw_query,
        headers: incoming.headers,
        body,
        timeout: Duration::from_millis(u64::from(integration.timeout_ms)),
    };
    match forward::forward(backend).await {
        Ok(response) => response,
        Err(Failure::TimedOut) => {
            message(StatusCode::GATEWAY_TIMEOUT, "Endpoint request timed out")
        }
        Err(Failure::Unreachable | Failure::Refused) => {
            message(StatusCode::BAD_GATEWAY, "Internal server error")
        }
    }
}
