//! What every AWS endpoint answers besides its operations: CORS for browsers (any origin, as
//! DynamoDB allows) and the plain health check at `GET /` (`healthy: <host>`).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};

use crate::{Response, full};

/// Response headers browsers may read.
const EXPOSED: &str = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,x-amz-crc32,Date";
/// How long a browser may cache a preflight answer, in seconds.
const MAX_AGE: &str = "86400";

/// The CORS parts of a request.
pub(crate) struct Request {
    origin: bool,
    preflight: Option<(Option<HeaderValue>, Option<HeaderValue>)>,
}

impl Request {
    pub(crate) fn of(headers: &HeaderMap, method: &Method) -> Self {
        Self {
            origin: headers.contains_key(http::header::ORIGIN),
            preflight: (method == Method::OPTIONS).then(|| {
                (
                    headers
                        .get(http::header::ACCESS_CONTROL_REQUEST_METHOD)
                        .cloned(),
                    headers
                        .get(http::header::ACCESS_CONTROL_REQUEST_HEADERS)
                        .cloned(),
                )
            }),
        }
    }

    /// Adds the CORS headers a request from a browser origin gets.
    pub(crate) fn decorate(self, headers: &mut HeaderMap) {
        if !self.origin {
            return;
        }
        headers.insert(
            http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            http::header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED),
        );
        if let Some((methods, allowed)) = self.preflight {
            headers.insert(
                http::header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static(MAX_AGE),
            );
            if let Some(methods) = methods {
                headers.insert(http::header::ACCESS_CONTROL_ALLOW_METHODS, methods);
            }
            if let Some(allowed) = allowed {
                headers.insert(http::header::ACCESS_CONTROL_ALLOW_HEADERS, allowed);
            }
        }
    }
}

/// `GET /` with no signature, query or AWS headers: the endpoint's health check, answered as
/// AWS answers it (`healthy: dynamodb.us-east-1.amazonaws.com`).
pub(crate) fn aws_health_check<B>(request: &http::Request<B>) -> Option<Response> {
    let plain = request.method() == Method::GET
        && request.uri().path() == "/"
        && request.uri().query().is_none()
        && !request
            .headers()
            .keys()
            .any(|name| name == http::header::AUTHORIZATION || name.as_str().starts_with("x-amz-"));
    if !plain {
        return None;
    }
    let host = request
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let mut response = http::Response::new(full(Bytes::from(format!("healthy: {host}"))));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain"),
    );
    Some(response)
}

/// An application's CORS configuration (a function URL's `Cors`, an HTTP API's
/// `CorsConfiguration`), as the headers it grants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rule {
    /// Origins allowed; `*` allows any.
    pub allow_origins: Vec<String>,
    /// Whether credentials are allowed.
    pub allow_credentials: bool,
    /// Methods a preflight may be granted.
    pub allow_methods: Vec<String>,
    /// Headers a preflight may be granted.
    pub allow_headers: Vec<String>,
    /// Response headers the browser may read.
    pub expose_headers: Vec<String>,
    /// How long a preflight answer may be cached, in seconds.
    pub max_age: Option<u64>,
}

impl Rule {
    /// Adds the CORS headers `rule` grants a request from `origin` (none without an origin or
    /// for an origin it does not allow): the preflight's or the actual request's.
    pub fn apply(&self, response: &mut Response, origin: Option<&str>, preflight: bool) {
        let Some(origin) = origin else {
            return;
        };
        let allowed = if self.allow_origins.iter().any(|o| o == "*") {
            "*".to_owned()
        } else if self
            .allow_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
        {
            origin.to_owned()
        } else {
            return;
        };
        let headers = response.headers_mut();
        let mut set = |name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        };
        set("access-control-allow-origin", allowed);
        if self.allow_credentials {
            set("access-control-allow-credentials", "true".into());
        }
        let mut list = |name: &'static str, values: &[String]| {
            if !values.is_empty() {
                set(name, values.join(","));
            }
        };
        if preflight {
            list("access-control-allow-methods", &self.allow_methods);
            list("access-control-allow-headers", &self.allow_headers);
            if let Some(age) = self.max_age {
                list("access-control-max-age", &[age.to_string()]);
            }
        } else {
            list("access-control-expose-headers", &self.expose_headers);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_cors_headers_and_preflights_their_echo() {
        let mut request = HeaderMap::new();
        request.insert(
            http::header::ORIGIN,
            HeaderValue::from_static("http://example.com"),
        );
        request.insert(
            http::header::ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_static("PUT"),
        );
        let mut response = HeaderMap::new();
        Request::of(&request, &Method::OPTIONS).decorate(&mut response);
        assert_eq!(response[http::header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert_eq!(response[http::header::ACCESS_CONTROL_ALLOW_METHODS], "PUT");
        assert!(response.contains_key(http::header::ACCESS_CONTROL_MAX_AGE));
        let mut plain = HeaderMap::new();
        Request::of(&request, &Method::POST).decorate(&mut plain);
        assert!(!plain.contains_key(http::header::ACCESS_CONTROL_MAX_AGE));
        let mut none = HeaderMap::new();
        Request::of(&HeaderMap::new(), &Method::POST).decorate(&mut none);
        assert!(none.is_empty());
    }
}
