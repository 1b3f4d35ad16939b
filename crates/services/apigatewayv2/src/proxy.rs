//! `HTTP_PROXY` integrations: the request goes on to the integration's URL
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-http.html>),
//! with its method (`ANY`: the request's own), its headers and body, the URL's query and the
//! request's; `{name}` and `{name+}` in the URL take the route's path parameters. The
//! backend's answer comes back as it is. No answer within `TimeoutInMillis` is 503
//! `{"message":"Service Unavailable"}`; a backend that cannot be reached is 500
//! `{"message":"Internal Server Error"}`. The forwarding itself is
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
    let method = match integration.method.as_deref() {
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
        Err(Failure::TimedOut) => message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
        Err(Failure::Unreachable | Failure::Refused) => {
            message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}
