//! The Lambda proxy integration of REST APIs: a request becomes the proxy event (payload format
//! 1.0), and the function's answer becomes the HTTP response
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html>).
//!
//! Deviations: header names reach the function in lowercase (unkai's HTTP stack does not keep
//! their case); `sourceIp` is the loopback address.

use base64::Engine as _;
use serde_json::{Map, Value as Json, json};
use unkai_types::Caller;

/// The request, as it arrived.
#[derive(Debug)]
pub(crate) struct Incoming<'a> {
    /// `GET`.
    pub method: &'a str,
    /// The path within the stage (`/items/7`), not decoded.
    pub path: &'a str,
    /// The query string as sent, without `?`.
    pub raw_query: &'a str,
    /// The headers.
    pub headers: &'a http::HeaderMap,
    /// The body.
    pub body: &'a [u8],
    /// The client's address.
    pub source_ip: &'a str,
    /// The host name the client used, without its port.
    pub domain_name: &'a str,
    /// The request id.
    pub request_id: &'a str,
    /// When it arrived, ms since the epoch.
    pub received_ms: u64,
}

/// What API Gateway knows about the request once it picked a resource and method.
#[derive(Debug)]
pub(crate) struct Selected<'a> {
    /// The account that owns the API.
    pub account_id: &'a str,
    /// The API id.
    pub api_id: &'a str,
    /// The stage name.
    pub stage: &'a str,
    /// The deployment the stage serves.
    pub deployment_id: &'a str,
    /// The resource id.
    pub resource_id: &'a str,
    /// The resource's path template (`/items/{id}`).
    pub resource_path: &'a str,
    /// Path parameters.
    pub path_parameters: &'a [(String, String)],
    /// The stage's variables.
    pub stage_variables: &'a [(String, String)],
    /// The API's binary media types.
    pub binary_media_types: &'a [String],
    /// The caller of an `AWS_IAM` method.
    pub caller: Option<&'a Caller>,
    /// The API key of a method that requires one, and its id.
    pub api_key: Option<(&'a str, &'a str)>,
    /// What a Lambda authorizer returned (`principalId` and its context).
    pub authorizer: Option<&'a Json>,
}

fn header_text(value: &http::HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

fn string_map(pairs: &[(String, String)]) -> Json {
    if pairs.is_empty() {
        return Json::Null;
    }
    Json::Object(
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), Json::from(value.clone())))
            .collect(),
    )
}

/// Whether `content_type` is one of the API's binary media types (`image/*`, `*/*`).
pub(crate) fn is_binary(content_type: &str, binary_media_types: &[String]) -> bool {
    let content_type = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    binary_media_types.iter().any(|kind| {
        let kind = kind.to_ascii_lowercase();
        kind == "*/*"
            || kind == content_type
            || kind
                .strip_suffix("/*")
                .is_some_and(|major| content_type.split('/').next() == Some(major))
    })
}

/// `headers` and `multiValueHeaders` (null when there are none).
pub(crate) fn headers_json(headers: &http::HeaderMap) -> (Json, Json) {
    if headers.is_empty() {
        return (Json::Null, Json::Null);
    }
    let mut single = Map::new();
    let mut multi = Map::new();
    for (name, value) in headers {
        let value = header_text(value);
        single.insert(name.as_str().to_owned(), value.clone().into());
        match multi.get_mut(name.as_str()) {
            Some(Json::Array(values)) => values.push(value.into()),
            _ => {
                multi.insert(name.as_str().to_owned(), json!([value]));
            }
        }
    }
    (Json::Object(single), Json::Object(multi))
}

/// `queryStringParameters` (the last value of each) and `multiValueQueryStringParameters`
/// (null when there are none).
pub(crate) fn query_json(raw_query: &str) -> (Json, Json) {
    let pairs = crate::query_pairs(raw_query);
    if pairs.is_empty() {
        return (Json::Null, Json::Null);
    }
    let mut single = Map::new();
    let mut multi = Map::new();
    for (name, value) in pairs {
        single.insert(name.clone(), value.clone().into());
        match multi.get_mut(&name) {
            Some(Json::Array(values)) => values.push(value.into()),
            _ => {
                multi.insert(name, json!([value]));
            }
        }
    }
    (Json::Object(single), Json::Object(multi))
}

/// The `requestContext` of the proxy event (and of REQUEST authorizer events).
pub(crate) fn request_context(incoming: &Incoming<'_>, selected: &Selected<'_>) -> Json {
    let user_agent = incoming
        .headers
        .get(http::header::USER_AGENT)
        .map(header_text);
    let caller = selected.caller;
    let mut identity = json!({
        "accessKey": caller.map(|c| c.access_key_id.clone()),
        "accountId": caller.map(|c| c.account.clone()),
        "caller": caller.map(|c| c.user_id.clone()),
        "cognitoAuthenticationProvider": null,
        "cognitoAuthenticationType": null,
        "cognitoIdentityId": null,
        "cognitoIdentityPoolId": null,
        "principalOrgId": null,
        "sourceIp": incoming.source_ip,
        "user": caller.map(|c| c.user_id.clone()),
        "userAgent": user_agent,
        "userArn": caller.map(|c| c.arn.clone()),
    });
    if let Some((key, id)) = selected.api_key {
        identity["apiKey"] = key.into();
        identity["apiKeyId"] = id.into();
    }
    let mut context = json!({
        "accountId": selected.account_id,
        "apiId": selected.api_id,
        "deploymentId": selected.deployment_id,
        "domainName": incoming.domain_name,
        "domainPrefix": incoming.domain_name.split('.').next().unwrap_or_default(),
        "extendedRequestId": incoming.request_id,
        "httpMethod": incoming.method,
        "identity": identity,
        "path": format!("/{}{}", selected.stage, incoming.path),
        "protocol": "HTTP/1.1",
        "requestId": incoming.request_id,
        "requestTime": unkai_types::clf_time(incoming.received_ms),
        "requestTimeEpoch": incoming.received_ms,
        "resourceId": selected.resource_id,
        "resourcePath": selected.resource_path,
        "stage": selected.stage,
    });
    if let Some(authorizer) = selected.authorizer {
        context["authorizer"] = authorizer.clone();
    }
    context
}

/// The body and whether it is base64: the API's binary media types as base64, the rest as
/// text.
fn body_of(incoming: &Incoming<'_>, selected: &Selected<'_>) -> (Json, bool) {
    if incoming.body.is_empty() {
        return (Json::Null, false);
    }
    let content_type = incoming
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    match std::str::from_utf8(incoming.body) {
        Ok(text) if !is_binary(content_type, selected.binary_media_types) => (text.into(), false),
        _ => (
            base64::engine::general_purpose::STANDARD
                .encode(incoming.body)
                .into(),
            true,
        ),
    }
}

/// The Lambda proxy event of a REST API.
pub(crate) fn proxy_event(incoming: &Incoming<'_>, selected: &Selected<'_>) -> Json {
    let (headers, multi_headers) = headers_json(incoming.headers);
    let (query, multi_query) = query_json(incoming.raw_query);
    let (body, base64) = body_of(incoming, selected);
    json!({
        "resource": selected.resource_path,
        "path": incoming.path,
        "httpMethod": incoming.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": string_map(selected.path_parameters),
        "stageVariables": string_map(selected.stage_variables),
        "requestContext": request_context(incoming, selected),
        "body": body,
        "isBase64Encoded": base64,
    })
}

/// The HTTP response a function's answer maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mapped {
    /// The status.
    pub status: u16,
    /// Headers in order; a name may repeat.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// A function answer API Gateway cannot map: the client gets a 502.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Malformed(pub &'static str);

/// The event of a `REQUEST` authorizer: the proxy event without its body, with its type and
/// the method's ARN.
pub(crate) fn request_authorizer_event(
    incoming: &Incoming<'_>,
    selected: &Selected<'_>,
    method_arn: &str,
) -> Json {
    unkai_edge::execute_api::request_authorizer_event(
        proxy_event(incoming, selected),
        [("methodArn", method_arn.into())],
    )
}

fn value_text(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The members a proxy answer may have.
const MEMBERS: &[&str] = &[
    "statusCode",
    "headers",
    "multiValueHeaders",
    "body",
    "isBase64Encoded",
];

/// Maps a Lambda proxy answer: an object of `statusCode`, `headers`, `multiValueHeaders`
/// (merged with `headers`), `body` (a string), `isBase64Encoded`, and nothing else.
pub(crate) fn map_response(payload: &[u8]) -> Result<Mapped, Malformed> {
    let document: Json =
        serde_json::from_slice(payload).map_err(|_| Malformed("the answer is not JSON"))?;
    let Some(object) = document.as_object() else {
        return Err(Malformed("the answer is not an object"));
    };
    if object.keys().any(|key| !MEMBERS.contains(&key.as_str())) {
        return Err(Malformed(
            "the answer has members a proxy answer does not have",
        ));
    }
    let status = match object.get("statusCode") {
        Some(Json::Number(number)) => number.as_u64(),
        Some(Json::String(text)) => text.parse().ok(),
        _ => None,
    }
    .filter(|status| (100..=599).contains(status))
    .ok_or(Malformed("statusCode is not an HTTP status"))? as u16;
    let mut headers = Vec::new();
    if let Some(map) = object.get("headers").and_then(Json::as_object) {
        for (name, value) in map {
            headers.push((name.to_ascii_lowercase(), value_text(value)));
        }
    }
    if let Some(map) = object.get("multiValueHeaders").and_then(Json::as_object) {
        for (name, values) in map {
            let name = name.to_ascii_lowercase();
            let values = values
                .as_array()
                .ok_or(Malformed("multiValueHeaders holds a non-list"))?;
            for value in values {
                let value = value_text(value);
                if !headers.iter().any(|(n, v)| *n == name && *v == value) {
                    headers.push((name.clone(), value));
                }
            }
        }
    }
    let base64 = object.get("isBase64Encoded") == Some(&Json::Bool(true));
    let body = match object.get("body") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::String(text)) if base64 => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| Malformed("body is not base64"))?,
        Some(Json::String(text)) => text.clone().into_bytes(),
        Some(_) => return Err(Malformed("body is not a string")),
    };
    if !headers.iter().any(|(name, _)| name == "content-type") {
        headers.push(("content-type".into(), "application/json".into()));
    }
    Ok(Mapped {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert("host", "abc.execute-api.localhost:4566".parse().unwrap());
        headers.insert("user-agent", "curl/8".parse().unwrap());
        headers.append("x-multi", "a".parse().unwrap());
        headers.append("x-multi", "b".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        headers
    }

    fn incoming<'a>(headers: &'a http::HeaderMap, body: &'a [u8]) -> Incoming<'a> {
        Incoming {
            method: "POST",
            path: "/items/7",
            raw_query: "q=a%20b&q=c&flag",
            headers,
            body,
            source_ip: "127.0.0.1",
            domain_name: "abc.execute-api.localhost",
            request_id: "req-1",
            received_ms: 1_583_348_638_390,
        }
    }

    fn selected<'a>(
        parameters: &'a [(String, String)],
        authorizer: Option<&'a Json>,
        binary: &'a [String],
    ) -> Selected<'a> {
        Selected {
            account_id: "000000000000",
            api_id: "abc",
            stage: "prod",
            deployment_id: "d1",
            resource_id: "r1",
            resource_path: "/items/{id}",
            path_parameters: parameters,
            stage_variables: &[],
            binary_media_types: binary,
            caller: None,
            api_key: Some(("secret", "k1")),
            authorizer,
        }
    }

    /// The events a REST API sends its functions read as the `aws_lambda_events` types.
    #[test]
    fn events_deserialize_into_aws_lambda_events() {
        let headers = headers();
        let parameters = [("id".to_owned(), "7".to_owned())];
        let authorizer = json!({"principalId": "user", "role": "admin"});
        let incoming = incoming(&headers, br#"{"k":1}"#);
        let selected = selected(&parameters, Some(&authorizer), &[]);
        let proxy: aws_lambda_events::apigw::ApiGatewayProxyRequest =
            serde_json::from_value(proxy_event(&incoming, &selected)).unwrap();
        assert_eq!(
            proxy.path_parameters.get("id").map(String::as_str),
            Some("7")
        );
        assert_eq!(proxy.request_context.stage.as_deref(), Some("prod"));
        assert_eq!(proxy.body.as_deref(), Some(r#"{"k":1}"#));
        let arn = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/POST/items/7";
        let request: aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest =
            serde_json::from_value(request_authorizer_event(&incoming, &selected, arn)).unwrap();
        assert_eq!(request.type_.as_deref(), Some("REQUEST"));
        assert_eq!(request.method_arn.as_deref(), Some(arn));
        assert_eq!(request.resource.as_deref(), Some("/items/{id}"));
        let token: aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequest =
            serde_json::from_value(crate::authorizer::token_event("Bearer t", arn)).unwrap();
        assert_eq!(token.authorization_token.as_deref(), Some("Bearer t"));
        assert_eq!(token.method_arn.as_deref(), Some(arn));
    }

    #[test]
    fn proxy_events_follow_the_documented_shape() {
        let headers = headers();
        let parameters = [("id".to_owned(), "7".to_owned())];
        let authorizer = json!({"principalId": "user", "role": "admin"});
        let event = proxy_event(
            &incoming(&headers, br#"{"k":1}"#),
            &selected(&parameters, Some(&authorizer), &[]),
        );
        assert_eq!(
            event,
            json!({
                "resource": "/items/{id}",
                "path": "/items/7",
                "httpMethod": "POST",
                "headers": {
                    "host": "abc.execute-api.localhost:4566",
                    "user-agent": "curl/8",
                    "x-multi": "b",
                    "content-type": "application/json",
                },
                "multiValueHeaders": {
                    "host": ["abc.execute-api.localhost:4566"],
                    "user-agent": ["curl/8"],
                    "x-multi": ["a", "b"],
                    "content-type": ["application/json"],
                },
                "queryStringParameters": {"q": "c", "flag": ""},
                "multiValueQueryStringParameters": {"q": ["a b", "c"], "flag": [""]},
                "pathParameters": {"id": "7"},
                "stageVariables": null,
                "requestContext": {
                    "accountId": "000000000000",
                    "apiId": "abc",
                    "authorizer": {"principalId": "user", "role": "admin"},
                    "deploymentId": "d1",
                    "domainName": "abc.execute-api.localhost",
                    "domainPrefix": "abc",
                    "extendedRequestId": "req-1",
                    "httpMethod": "POST",
                    "identity": {
                        "accessKey": null,
                        "accountId": null,
                        "apiKey": "secret",
                        "apiKeyId": "k1",
                        "caller": null,
                        "cognitoAuthenticationProvider": null,
                        "cognitoAuthenticationType": null,
                        "cognitoIdentityId": null,
                        "cognitoIdentityPoolId": null,
                        "principalOrgId": null,
                        "sourceIp": "127.0.0.1",
                        "user": null,
                        "userAgent": "curl/8",
                        "userArn": null,
                    },
                    "path": "/prod/items/7",
                    "protocol": "HTTP/1.1",
                    "requestId": "req-1",
                    "requestTime": "04/Mar/2020:19:03:58 +0000",
                    "requestTimeEpoch": 1_583_348_638_390u64,
                    "resourceId": "r1",
                    "resourcePath": "/items/{id}",
                    "stage": "prod",
                },
                "body": "{\"k\":1}",
                "isBase64Encoded": false,
            })
        );
    }

    #[test]
    fn binary_media_types_arrive_as_base64() {
        let mut headers = http::HeaderMap::new();
        headers.insert("content-type", "image/png".parse().unwrap());
        let binary = ["image/*".to_owned()];
        let event = proxy_event(&incoming(&headers, b"abc"), &selected(&[], None, &binary));
        assert_eq!(
            (&event["body"], &event["isBase64Encoded"]),
            (&json!("YWJj"), &json!(true))
        );
        let event = proxy_event(&incoming(&headers, b"abc"), &selected(&[], None, &[]));
        assert_eq!(
            (&event["body"], &event["isBase64Encoded"]),
            (&json!("abc"), &json!(false))
        );
        let empty = http::HeaderMap::new();
        let event = proxy_event(&incoming(&empty, b""), &selected(&[], None, &[]));
        assert_eq!(event["headers"], Json::Null);
        assert_eq!(event["body"], Json::Null);
        assert!(is_binary("application/octet-stream; x=1", &["*/*".into()]));
        assert!(!is_binary("text/plain", &["image/png".into()]));
    }

    #[test]
    fn answers_map_to_responses() {
        let mapped = map_response(
            br#"{"statusCode": 404, "headers": {"A": "1", "b": "x"},
                 "multiValueHeaders": {"b": ["x", "3"]}, "body": "{}"}"#,
        )
        .unwrap();
        assert_eq!(mapped.status, 404);
        assert_eq!(mapped.body, b"{}");
        assert_eq!(
            mapped.headers,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x".into()),
                ("b".into(), "3".into()),
                ("content-type".into(), "application/json".into()),
            ]
        );
        let mapped =
            map_response(br#"{"statusCode": 200, "body": "aGk=", "isBase64Encoded": true}"#)
                .unwrap();
        assert_eq!(mapped.body, b"hi");
        for malformed in [
            &br#"{"greeting": "hello"}"#[..],
            br#"{"statusCode": 200, "body": {"a": 1}}"#,
            br#"{"statusCode": 200, "extra": 1}"#,
            br#"{"statusCode": "abc"}"#,
            b"\"text\"",
            b"nope",
        ] {
            assert!(
                map_response(malformed).is_err(),
                "{}",
                String::from_utf8_lossy(malformed)
            );
        }
    }
}
