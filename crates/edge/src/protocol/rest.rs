//! restJson1 / restXml requests: matching a path against an operation's URI template, the
//! query's parameters, and [`Call`], what an operation of a restJson service reads.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use super::AwsError;
use crate::{Request, Response, ServiceInfo};

/// A query string's parameters (`a=1&b=x+y`), percent- and `+`-decoded, in order.
pub fn query_pairs(raw: &str) -> Vec<(String, String)> {
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(&text.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// How a service reports a request body that is not its operation's input.
pub trait BadBody {
    /// The service's error for `error`, the JSON decoder's `SerializationException`.
    fn bad_body(error: AwsError) -> Self;
}

impl BadBody for AwsError {
    fn bad_body(error: AwsError) -> Self {
        error
    }
}

/// What an operation of a restJson service answers.
#[derive(Debug)]
pub enum Reply {
    /// A JSON document with this status.
    Json(http::StatusCode, serde_json::Value),
    /// No body, with this status.
    Empty(http::StatusCode),
}

impl Reply {
    /// The response: the document as `application/json`, or an empty body.
    pub fn render(self, info: &ServiceInfo, request_id: &str) -> Response {
        let (status, body) = match self {
            Reply::Json(status, body) => (status, bytes::Bytes::from(body.to_string())),
            Reply::Empty(status) => (status, bytes::Bytes::new()),
        };
        super::respond(info, request_id, status, "application/json", body)
    }
}

/// What API Gateway says of a body that does not decode: the decoder's words, or its own.
pub fn unparsable_body(error: AwsError) -> String {
    error
        .message
        .unwrap_or_else(|| "Could not parse request body into json".into())
}

/// What an operation of a restJson service reads of its request: the labels its URI template
/// captured, the query's parameters and the request itself. `E` is the service's error for a
/// body that does not decode.
pub struct Call<'a, E = AwsError> {
    /// The URI template's labels, in order.
    pub labels: Vec<String>,
    /// The query's parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The request.
    pub request: &'a Request,
    error: PhantomData<fn() -> E>,
}

impl<'a, E> Call<'a, E> {
    /// A call of `request`, routed to an operation with `labels`; `query` as [`query_pairs`]
    /// reads it.
    pub fn new(request: &'a Request, labels: Vec<String>, query: Vec<(String, String)>) -> Self {
        Self {
            labels,
            query,
            request,
            error: PhantomData,
        }
    }

    /// The `index`th label, or `""`.
    pub fn label(&self, index: usize) -> &str {
        self.labels.get(index).map_or("", String::as_str)
    }

    /// The first value of the query parameter `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of the query parameter `name`, in order.
    pub fn query_all(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// The header `name`, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request
            .parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    }
}

impl<E: BadBody> Call<'_, E> {
    /// The JSON body as the operation's input (an empty body is `{}`).
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, E> {
        super::json::decode(&self.request.body).map_err(E::bad_body)
    }
}

/// The labels of a path (split on `/`) when it matches `template`
/// (`/2015-03-31/functions/{FunctionName}`): each `{Label}` takes one non-empty segment,
/// percent-decoded; every other part must be equal.
pub fn labels(template: &str, segments: &[&str]) -> Option<Vec<String>> {
    // Services try their templates in turn, so a mismatch is the common case: it is found
    // without allocating.
    if template.bytes().filter(|&byte| byte == b'/').count() + 1 != segments.len() {
        return None;
    }
    let parts = || template.split('/').zip(segments);
    let matches = parts().all(|(part, segment)| {
        if part.starts_with('{') {
            !segment.is_empty()
        } else {
            part == *segment
        }
    });
    matches.then(|| {
        parts()
            .filter(|(part, _)| part.starts_with('{'))
            .map(|(_, segment)| {
                percent_encoding::percent_decode_str(segment)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn templates_take_one_decoded_segment_per_label() {
        let segments: Vec<&str> = "/v1/things/a%3Ab/x".split('/').collect();
        assert_eq!(
            super::labels("/v1/things/{Id}/x", &segments),
            Some(vec!["a:b".to_owned()])
        );
        assert_eq!(super::labels("/v1/things/{Id}/y", &segments), None);
        let empty: Vec<&str> = "/v1/things//x".split('/').collect();
        assert_eq!(super::labels("/v1/things/{Id}/x", &empty), None);
    }
}
