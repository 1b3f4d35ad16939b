//! The Lambda proxy integration of HTTP APIs: a request becomes a payload format 2.0 or 1.0
//! event, and the function's answer becomes the HTTP response
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>).
//!
//! What the route's authorizer allowed the request with is `requestContext.authorizer`: `jwt`
//! (`claims`, `scopes`) or `lambda` (the context) in 2.0 events, `claims` and `scopes` or
//! `lambda` in 1.0 events. Lambda `REQUEST` authorizers get `authorizer_v2` or `authorizer_v1`
//! by their `AuthorizerPayloadFormatVersion`.
//!
//! Deviations: header names reach the function in lowercase in both formats (unkai's HTTP
//! stack does not keep their case); `sourceIp` is the loopback address.

use base64::Engine as _;
use serde_json::{Map, Value as Json, json};
use unkai_edge::protocol::rest::query_pairs;
use unkai_types::Caller;

/// The request, as it arrived.
#[derive(Debug)]
pub struct Incoming<'a> {
    /// `GET`.
    pub method: &'a str,
    /// The path as sent, with the stage prefix when there is one, not decoded.
    pub raw_path: &'a str,
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
    /// The request id (also sent back in `apigw-requestid`).
    pub request_id: &'a str,
    /// When it arrived, ms since the epoch.
    pub received_ms: u64,
}

/// What API Gateway knows about the request once it picked a route.
#[derive(Debug)]
pub struct Selected<'a> {
    /// The account that owns the API.
    pub account_id: &'a str,
    /// The API id.
    pub api_id: &'a str,
    /// The stage name (`$default`).
    pub stage: &'a str,
    /// The matched route key (`GET /items/{id}`, `$default`).
    pub route_key: &'a str,
    /// The id of the matched route.
    pub route_id: &'a str,
    /// The route's path template (`/items/{id}`; `$default` for the default route).
    pub resource: &'a str,
    /// Path parameters.
    pub path_parameters: &'a [(String, String)],
    /// The stage's variables.
    pub stage_variables: &'a [(String, String)],
    /// The caller of an `AWS_IAM` route.
    pub caller: Option<&'a Caller>,
    /// What the route's authorizer allowed the request with.
    pub authorizer: Option<&'a Authorized>,
}

/// What an authorizer allowed a request with, for the integration's event.
#[derive(Clone, Debug, PartialEq)]
pub enum Authorized {
    /// A Lambda authorizer's answer: its `context` and, for an IAM-policy answer, its
    /// `principalId`.
    Lambda {
        /// The `context` (`{}` without one).
        context: Json,
        /// The `principalId`.
        principal_id: Option<String>,
    },
    /// A JWT authorizer's valid token.
    Jwt {
        /// Every claim, as text.
        claims: Map<String, Json>,
        /// The token's scopes when the route asks for scopes.
        scopes: Option<Vec<String>>,
    },
}

fn header_text(value: &http::HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

fn string_map(pairs: &[(String, String)]) -> Json {
    Json::Object(
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), Json::from(value.clone())))
            .collect(),
    )
}

/// The body and whether it is base64: text content types as text, others base64.
fn body_of(incoming: &Incoming<'_>) -> Option<(String, bool)> {
    if incoming.body.is_empty() {
        return None;
    }
    let content_type = incoming
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    match std::str::from_utf8(incoming.body) {
        Ok(text) if unkai_edge::is_text_media_type(content_type) => Some((text.to_owned(), false)),
        _ => Some((
            base64::engine::general_purpose::STANDARD.encode(incoming.body),
            true,
        )),
    }
}

fn user_agent<'a>(incoming: &'a Incoming<'_>) -> &'a str {
    incoming
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|agent| agent.to_str().ok())
        .unwrap_or_default()
}

fn domain_prefix<'a>(incoming: &'a Incoming<'_>) -> &'a str {
    incoming
        .domain_name
        .split('.')
        .next()
        .unwrap_or(incoming.domain_name)
}

/// The payload format 2.0 event.
pub fn v2(incoming: &Incoming<'_>, selected: &Selected<'_>) -> Json {
    let mut headers = Map::new();
    let mut cookies: Vec<Json> = Vec::new();
    for (name, value) in incoming.headers {
        let value = header_text(value);
        if name == http::header::COOKIE {
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|cookie| !cookie.is_empty())
                    .map(|cookie| Json::from(cookie.to_owned())),
            );
            continue;
        }
        match headers.get_mut(name.as_str()) {
            Some(Json::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), value.into());
            }
        }
    }
    let mut query = Map::new();
    for (name, value) in query_pairs(incoming.raw_query) {
        match query.get_mut(&name) {
            Some(Json::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                query.insert(name, value.into());
            }
        }
    }
    let mut context = json!({
        "accountId": selected.account_id,
        "apiId": selected.api_id,
        "domainName": incoming.domain_name,
        "domainPrefix": domain_prefix(incoming),
        "http": {
            "method": incoming.method,
            "path": incoming.raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": incoming.source_ip,
            "userAgent": user_agent(incoming),
        },
        "requestId": incoming.request_id,
        "routeKey": selected.route_key,
        "stage": selected.stage,
        "time": unkai_types::clf_time(incoming.received_ms),
        "timeEpoch": incoming.received_ms,
    });
    match selected.authorizer {
        Some(Authorized::Lambda {
            context: lambda, ..
        }) => {
            context["authorizer"] = json!({ "lambda": lambda });
        }
        Some(Authorized::Jwt { claims, scopes }) => {
            context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": scopes}});
        }
        None => {}
    }
    if let Some(caller) = selected.caller {
        context["authorizer"] = json!({"iam": {
            "accessKey": caller.access_key_id,
            "accountId": caller.account,
            "callerId": caller.user_id,
            "cognitoIdentity": null,
            "principalOrgId": null,
            "userArn": caller.arn,
            "userId": caller.user_id,
        }});
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": selected.route_key,
        "rawPath": incoming.raw_path,
        "rawQueryString": incoming.raw_query,
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": false,
    });
    if !cookies.is_empty() {
        event["cookies"] = cookies.into();
    }
    if !query.is_empty() {
        event["queryStringParameters"] = query.into();
    }
    if !selected.path_parameters.is_empty() {
        event["pathParameters"] = string_map(selected.path_parameters);
    }
    if !selected.stage_variables.is_empty() {
        event["stageVariables"] = string_map(selected.stage_variables);
    }
    if let Some((body, base64)) = body_of(incoming) {
        event["body"] = body.into();
        event["isBase64Encoded"] = base64.into();
    }
    event
}

/// The payload format 2.0 event of a Lambda `REQUEST` authorizer: the request's 2.0 event
/// without its body, with the identity it was asked about and the route's ARN.
pub fn authorizer_v2(
    incoming: &Incoming<'_>,
    selected: &Selected<'_>,
    identity: &[String],
    route_arn: &str,
) -> Json {
    unkai_edge::execute_api::request_authorizer_event(
        v2(incoming, selected),
        [
            ("identitySource", json!(identity)),
            ("routeArn", json!(route_arn)),
        ],
    )
}

/// The payload format 1.0 event of a Lambda `REQUEST` authorizer (the REST API's `REQUEST`
/// authorizer event): the request's 1.0 event without its body, with the identity it was asked
/// about (joined with commas, as `identitySource` and `authorizationToken`) and the route's ARN
/// as `methodArn`.
pub fn authorizer_v1(
    incoming: &Incoming<'_>,
    selected: &Selected<'_>,
    identity: &[String],
    method_arn: &str,
) -> Json {
    unkai_edge::execute_api::request_authorizer_event(
        v1(incoming, selected),
        [
            ("methodArn", json!(method_arn)),
            ("identitySource", json!(identity.join(","))),
            ("authorizationToken", json!(identity.join(","))),
        ],
    )
}

/// The payload format 1.0 event (the REST API proxy event, as HTTP APIs send it).
pub fn v1(incoming: &Incoming<'_>, selected: &Selected<'_>) -> Json {
    let mut headers = Map::new();
    let mut multi_headers = Map::new();
    for (name, value) in incoming.headers {
        let value = header_text(value);
        headers.insert(name.as_str().to_owned(), value.clone().into());
        match multi_headers.get_mut(name.as_str()) {
            Some(Json::Array(values)) => values.push(value.into()),
            _ => {
                multi_headers.insert(name.as_str().to_owned(), json!([value]));
            }
        }
    }
    let pairs = query_pairs(incoming.raw_query);
    let (query, multi_query) = if pairs.is_empty() {
        (Json::Null, Json::Null)
    } else {
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
    };
    let identity = match selected.caller {
        Some(caller) => json!({
            "accessKey": caller.access_key_id,
            "accountId": caller.account,
            "caller": caller.user_id,
            "cognitoAuthenticationProvider": null,
            "cognitoAuthenticationType": null,
            "cognitoIdentityId": null,
            "cognitoIdentityPoolId": null,
            "principalOrgId": null,
            "sourceIp": incoming.source_ip,
            "user": caller.user_id,
            "userAgent": user_agent(incoming),
            "userArn": caller.arn,
        }),
        None => json!({
            "accessKey": null,
            "accountId": null,
            "caller": null,
            "cognitoAuthenticationProvider": null,
            "cognitoAuthenticationType": null,
            "cognitoIdentityId": null,
            "cognitoIdentityPoolId": null,
            "principalOrgId": null,
            "sourceIp": incoming.source_ip,
            "user": null,
            "userAgent": user_agent(incoming),
            "userArn": null,
        }),
    };
    let mut context = json!({
        "accountId": selected.account_id,
        "apiId": selected.api_id,
        "domainName": incoming.domain_name,
        "domainPrefix": domain_prefix(incoming),
        "extendedRequestId": incoming.request_id,
        "httpMethod": incoming.method,
        "identity": identity,
        "path": incoming.raw_path,
        "protocol": "HTTP/1.1",
        "requestId": incoming.request_id,
        "requestTime": unkai_types::clf_time(incoming.received_ms),
        "requestTimeEpoch": incoming.received_ms,
        "resourceId": selected.route_id,
        "resourcePath": selected.resource,
        "stage": selected.stage,
    });
    match selected.authorizer {
        Some(Authorized::Jwt { claims, scopes }) => {
            context["authorizer"] = json!({"claims": claims, "scopes": scopes});
        }
        Some(Authorized::Lambda {
            context: lambda, ..
        }) => {
            context["authorizer"] = json!({ "lambda": lambda });
        }
        None => {}
    }
    let (body, base64) = match body_of(incoming) {
        Some((body, base64)) => (Json::from(body), base64),
        None => (Json::Null, false),
    };
    let optional = |pairs: &[(String, String)]| {
        if pairs.is_empty() {
            Json::Null
        } else {
            string_map(pairs)
        }
    };
    json!({
        "version": "1.0",
        "resource": selected.resource,
        "path": incoming.raw_path,
        "httpMethod": incoming.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "requestContext": context,
        "pathParameters": optional(selected.path_parameters),
        "stageVariables": optional(selected.stage_variables),
        "body": body,
        "isBase64Encoded": base64,
    })
}

/// The HTTP response a function's answer maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapped {
    /// The status.
    pub status: u16,
    /// Headers in order; a name may repeat (`set-cookie`).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// A function answer API Gateway cannot map: the client gets a 500.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

fn status_of(document: &Json) -> Result<u16, Malformed> {
    let status = match &document["statusCode"] {
        Json::Number(number) => number.as_u64(),
        Json::String(text) => text.parse().ok(),
        _ => None,
    }
    .ok_or(Malformed("statusCode is not a number"))?;
    if !(100..=599).contains(&status) {
        return Err(Malformed("statusCode is not an HTTP status"));
    }
    Ok(status as u16)
}

fn value_text(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn body_bytes(document: &Json) -> Result<Vec<u8>, Malformed> {
    let base64 = document["isBase64Encoded"] == true;
    match &document["body"] {
        Json::Null => Ok(Vec::new()),
        Json::String(text) if base64 => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| Malformed("body is not base64")),
        Json::String(text) => Ok(text.clone().into_bytes()),
        other => Ok(other.to_string().into_bytes()),
    }
}

fn with_content_type(mut headers: Vec<(String, String)>) -> Vec<(String, String)> {
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("content-type".into(), "application/json".into()));
    }
    headers
}

/// The members of an answer object that the mappings read, each parsed; the rest (an echoed
/// event, say) is only checked to be JSON, which costs no allocation. `None` for JSON that is
/// not an object.
fn answer(payload: &[u8]) -> Result<Option<Json>, Malformed> {
    match serde_json::from_slice::<Members>(payload) {
        Ok(Members(members)) => Ok(Some(Json::Object(members))),
        Err(_) if serde_json::from_slice::<serde::de::IgnoredAny>(payload).is_ok() => Ok(None),
        Err(_) => Err(Malformed("the answer is not JSON")),
    }
}

struct Members(Map<String, Json>);

/// A member name, sorted without copying it.
#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Member {
    StatusCode,
    Headers,
    MultiValueHeaders,
    Cookies,
    Body,
    IsBase64Encoded,
    #[serde(other)]
    Other,
}

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members = Map::new();
                while let Some(member) = map.next_key::<Member>()? {
                    let name = match member {
                        Member::StatusCode => "statusCode",
                        Member::Headers => "headers",
                        Member::MultiValueHeaders => "multiValueHeaders",
                        Member::Cookies => "cookies",
                        Member::Body => "body",
                        Member::IsBase64Encoded => "isBase64Encoded",
                        Member::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            continue;
                        }
                    };
                    // A repeated member: the last one counts, as in a parsed document.
                    members.insert(name.to_owned(), map.next_value()?);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Maps a payload format 2.0 answer: a document with `statusCode` (`headers`, `cookies`,
/// `body`, `isBase64Encoded`), or any other JSON value, which is the body of a 200
/// `application/json` response.
pub fn map_v2(payload: &[u8]) -> Result<Mapped, Malformed> {
    let document = match answer(payload)? {
        Some(document) if document.get("statusCode").is_some() => document,
        _ => {
            return Ok(Mapped {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: payload.to_vec(),
            });
        }
    };
    let status = status_of(&document)?;
    let mut headers = Vec::new();
    if let Some(map) = document["headers"].as_object() {
        for (name, value) in map {
            headers.push((name.to_ascii_lowercase(), value_text(value)));
        }
    }
    if let Some(cookies) = document["cookies"].as_array() {
        for cookie in cookies {
            headers.push(("set-cookie".into(), value_text(cookie)));
        }
    }
    Ok(Mapped {
        status,
        headers: with_content_type(headers),
        body: body_bytes(&document)?,
    })
}

/// Maps a payload format 1.0 answer: `statusCode`, `headers`, `multiValueHeaders` (which win
/// over `headers` for the same name), `body`, `isBase64Encoded`.
pub fn map_v1(payload: &[u8]) -> Result<Mapped, Malformed> {
    let Some(document) = answer(payload)?.filter(|document| document.get("statusCode").is_some())
    else {
        return Err(Malformed("the answer has no statusCode"));
    };
    let status = status_of(&document)?;
    let multi = document["multiValueHeaders"].as_object();
    let mut headers = Vec::new();
    if let Some(map) = document["headers"].as_object() {
        for (name, value) in map {
            if multi.is_some_and(|multi| multi.contains_key(name)) {
                continue;
            }
            headers.push((name.to_ascii_lowercase(), value_text(value)));
        }
    }
    if let Some(map) = multi {
        for (name, values) in map {
            for value in values.as_array().into_iter().flatten() {
                headers.push((name.to_ascii_lowercase(), value_text(value)));
            }
        }
    }
    Ok(Mapped {
        status,
        headers: with_content_type(headers),
        body: body_bytes(&document)?,
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
        headers.insert("cookie", "c1=v1; c2=v2".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        headers
    }

    fn incoming<'a>(headers: &'a http::HeaderMap, body: &'a [u8]) -> Incoming<'a> {
        Incoming {
            method: "POST",
            raw_path: "/prod/items/7",
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
        variables: &'a [(String, String)],
    ) -> Selected<'a> {
        Selected {
            account_id: "000000000000",
            api_id: "abc",
            stage: "prod",
            route_key: "POST /items/{id}",
            route_id: "r1",
            resource: "/items/{id}",
            path_parameters: parameters,
            stage_variables: variables,
            caller: None,
            authorizer: None,
        }
    }

    #[test]
    fn version_2_events_follow_the_documented_shape() {
        let headers = headers();
        let parameters = [("id".to_owned(), "7".to_owned())];
        let variables = [("env".to_owned(), "test".to_owned())];
        let event = v2(
            &incoming(&headers, br#"{"k":1}"#),
            &selected(&parameters, &variables),
        );
        assert_eq!(
            event,
            json!({
                "version": "2.0",
                "routeKey": "POST /items/{id}",
                "rawPath": "/prod/items/7",
                "rawQueryString": "q=a%20b&q=c&flag",
                "cookies": ["c1=v1", "c2=v2"],
                "headers": {
                    "host": "abc.execute-api.localhost:4566",
                    "user-agent": "curl/8",
                    "x-multi": "a,b",
                    "content-type": "application/json",
                },
                "queryStringParameters": {"q": "a b,c", "flag": ""},
                "pathParameters": {"id": "7"},
                "stageVariables": {"env": "test"},
                "requestContext": {
                    "accountId": "000000000000",
                    "apiId": "abc",
                    "domainName": "abc.execute-api.localhost",
                    "domainPrefix": "abc",
                    "http": {
                        "method": "POST",
                        "path": "/prod/items/7",
                        "protocol": "HTTP/1.1",
                        "sourceIp": "127.0.0.1",
                        "userAgent": "curl/8",
                    },
                    "requestId": "req-1",
                    "routeKey": "POST /items/{id}",
                    "stage": "prod",
                    "time": "04/Mar/2020:19:03:58 +0000",
                    "timeEpoch": 1_583_348_638_390u64,
                },
                "body": "{\"k\":1}",
                "isBase64Encoded": false,
            })
        );
    }

    #[test]
    fn binary_bodies_are_base64_and_empty_ones_absent() {
        let mut headers = http::HeaderMap::new();
        headers.insert("content-type", "image/png".parse().unwrap());
        let event = v2(&incoming(&headers, &[0, 1, 2]), &selected(&[], &[]));
        assert_eq!(event["body"], "AAEC");
        assert_eq!(event["isBase64Encoded"], true);
        assert!(event.get("pathParameters").is_none() && event.get("stageVariables").is_none());
        let event = v2(&incoming(&headers, b""), &selected(&[], &[]));
        assert!(event.get("body").is_none() && event.get("cookies").is_none());
        let event = v1(&incoming(&headers, b""), &selected(&[], &[]));
        assert_eq!(event["body"], Json::Null);
        assert_eq!(event["pathParameters"], Json::Null);
    }

    #[test]
    fn version_1_events_follow_the_documented_shape() {
        let headers = headers();
        let parameters = [("id".to_owned(), "7".to_owned())];
        let event = v1(
            &incoming(&headers, br#"{"k":1}"#),
            &selected(&parameters, &[]),
        );
        assert_eq!(event["version"], "1.0");
        assert_eq!(event["resource"], "/items/{id}");
        assert_eq!(event["path"], "/prod/items/7");
        assert_eq!(event["httpMethod"], "POST");
        assert_eq!(event["headers"]["x-multi"], "b");
        assert_eq!(event["headers"]["cookie"], "c1=v1; c2=v2");
        assert_eq!(event["multiValueHeaders"]["x-multi"], json!(["a", "b"]));
        assert_eq!(
            event["queryStringParameters"],
            json!({"q": "c", "flag": ""})
        );
        assert_eq!(
            event["multiValueQueryStringParameters"],
            json!({"q": ["a b", "c"], "flag": [""]})
        );
        assert_eq!(event["pathParameters"], json!({"id": "7"}));
        assert_eq!(event["stageVariables"], Json::Null);
        assert_eq!(event["body"], "{\"k\":1}");
        assert_eq!(event["isBase64Encoded"], false);
        let context = &event["requestContext"];
        assert_eq!(context["httpMethod"], "POST");
        assert_eq!(context["resourcePath"], "/items/{id}");
        assert_eq!(context["path"], "/prod/items/7");
        assert_eq!(context["stage"], "prod");
        assert_eq!(context["requestTime"], "04/Mar/2020:19:03:58 +0000");
        assert_eq!(context["identity"]["sourceIp"], "127.0.0.1");
        assert_eq!(context["identity"]["userAgent"], "curl/8");
    }

    #[test]
    fn version_2_answers_map_to_responses() {
        let mapped = map_v2(
            br#"{"statusCode": 201, "headers": {"X-A": "1", "n": 2}, "cookies": ["a=1", "b=2"],
                 "body": "hi"}"#,
        )
        .unwrap();
        assert_eq!(mapped.status, 201);
        assert_eq!(mapped.body, b"hi");
        assert_eq!(
            mapped.headers,
            vec![
                ("x-a".into(), "1".into()),
                ("n".into(), "2".into()),
                ("set-cookie".into(), "a=1".into()),
                ("set-cookie".into(), "b=2".into()),
                ("content-type".into(), "application/json".into()),
            ]
        );
        let mapped =
            map_v2(br#"{"statusCode": 200, "body": "aGk=", "isBase64Encoded": true}"#).unwrap();
        assert_eq!(mapped.body, b"hi");
        // Any JSON without statusCode is the body of a 200.
        for shortcut in [
            &br#"{"greeting": "hello"}"#[..],
            b"\"text\"",
            b"[1,2]",
            b"42",
        ] {
            let mapped = map_v2(shortcut).unwrap();
            assert_eq!((mapped.status, mapped.body.as_slice()), (200, shortcut));
            assert_eq!(
                mapped.headers,
                vec![("content-type".into(), "application/json".into())]
            );
        }
        // Other members are skipped; a repeated member (however spelt) counts once, the last.
        let mapped = map_v2(
            br#"{"echo": {"a": [1, {"b": null}]}, "statusCode": 500, "status\u0043ode": 202,
                 "body": "x"}"#,
        )
        .unwrap();
        assert_eq!((mapped.status, mapped.body.as_slice()), (202, &b"x"[..]));
        assert!(map_v2(br#"{"statusCode": null}"#).is_err());
        assert!(map_v2(br#"{"a": 1} x"#).is_err());
        assert!(map_v2(b"not json").is_err());
        assert!(map_v2(br#"{"statusCode": "abc"}"#).is_err());
        assert!(map_v2(br#"{"statusCode": 1000}"#).is_err());
        assert!(map_v2(br#"{"statusCode": 200, "body": "%%", "isBase64Encoded": true}"#).is_err());
    }

    #[test]
    fn version_1_answers_map_to_responses() {
        let mapped = map_v1(
            br#"{"statusCode": 404, "headers": {"a": "1", "b": "x"},
                 "multiValueHeaders": {"b": ["2", "3"]}, "body": "{}"}"#,
        )
        .unwrap();
        assert_eq!(mapped.status, 404);
        assert_eq!(mapped.body, b"{}");
        assert_eq!(
            mapped.headers,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "2".into()),
                ("b".into(), "3".into()),
                ("content-type".into(), "application/json".into()),
            ]
        );
        assert!(map_v1(br#"{"greeting": "hello"}"#).is_err());
        assert!(map_v1(b"\"text\"").is_err());
        assert!(map_v1(b"nope").is_err());
    }

    /// The authorizer's event deserializes into `aws_lambda_events`' 2.0 authorizer request,
    /// with the members of the AWS documentation's example.
    #[test]
    fn authorizer_events_deserialize_into_aws_lambda_events() {
        let headers = headers();
        let parameters = [("id".to_owned(), "7".to_owned())];
        let variables = [("env".to_owned(), "test".to_owned())];
        let incoming = incoming(&headers, br#"{"k":1}"#);
        let selected = selected(&parameters, &variables);
        let arn = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/POST/items/{id}";
        let event = authorizer_v2(&incoming, &selected, &["Bearer t".to_owned()], arn);
        let parsed: aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request =
            serde_json::from_value(event.clone()).unwrap();
        assert_eq!(parsed.route_arn.as_deref(), Some(arn));
        assert_eq!(parsed.identity_source, Some(vec!["Bearer t".to_owned()]));
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
        for key in [
            "version",
            "type",
            "routeArn",
            "identitySource",
            "routeKey",
            "rawPath",
            "rawQueryString",
            "headers",
            "requestContext",
            "pathParameters",
            "stageVariables",
        ] {
            assert!(event.get(key).is_some(), "{key} missing from {event}");
        }
        assert!(event.get("body").is_none());
    }

    /// A JWT authorizer's claims and scopes deserialize into `aws_lambda_events`' request
    /// context in both formats: `authorizer.jwt` (2.0), `authorizer.claims` (1.0).
    #[test]
    fn jwt_claims_deserialize_into_aws_lambda_events() {
        let headers = headers();
        let incoming = incoming(&headers, b"");
        let authorized = Authorized::Jwt {
            claims: json!({"sub": "ada", "exp": "1700000060"})
                .as_object()
                .cloned()
                .unwrap(),
            scopes: Some(vec!["read".into()]),
        };
        let with_jwt = Selected {
            authorizer: Some(&authorized),
            ..selected(&[], &[])
        };
        let parsed: aws_lambda_events::apigw::ApiGatewayV2httpRequest =
            serde_json::from_value(v2(&incoming, &with_jwt)).unwrap();
        let jwt = parsed.request_context.authorizer.unwrap().jwt.unwrap();
        assert_eq!(jwt.claims["sub"], "ada");
        assert_eq!(jwt.scopes, Some(vec!["read".to_owned()]));
        let parsed: aws_lambda_events::apigw::ApiGatewayProxyRequest =
            serde_json::from_value(v1(&incoming, &with_jwt)).unwrap();
        let fields = parsed.request_context.authorizer.fields;
        assert_eq!(fields["claims"]["exp"], "1700000060");
        assert_eq!(fields["scopes"], json!(["read"]));
        // Without scopes on the route: null, as in the AWS documentation's 1.0 example.
        let authorized = Authorized::Jwt {
            claims: Map::new(),
            scopes: None,
        };
        let with_jwt = Selected {
            authorizer: Some(&authorized),
            ..selected(&[], &[])
        };
        assert_eq!(
            v1(&incoming, &with_jwt)["requestContext"]["authorizer"]["scopes"],
            Json::Null
        );
        assert_eq!(
            v2(&incoming, &with_jwt)["requestContext"]["authorizer"]["jwt"]["scopes"],
            Json::Null
        );
    }

    /// The 1.0 authorizer event deserializes into `aws_lambda_events`' HTTP API 1.0 authorizer
    /// request and the REST API `REQUEST` authorizer request, with the members of the AWS
    /// documentation's example.
    #[test]
    fn version_1_authorizer_events_deserialize_into_aws_lambda_events() {
        let headers = headers();
        let parameters = [("id".to_owned(), "7".to_owned())];
        let variables = [("env".to_owned(), "test".to_owned())];
        let incoming = incoming(&headers, br#"{"k":1}"#);
        let selected = selected(&parameters, &variables);
        let arn = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/POST/items/{id}";
        let identity = ["Bearer t".to_owned(), "c".to_owned()];
        let event = authorizer_v1(&incoming, &selected, &identity, arn);
        let parsed: aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV1Request =
            serde_json::from_value(event.clone()).unwrap();
        assert_eq!(parsed.method_arn.as_deref(), Some(arn));
        assert_eq!(parsed.identity_source.as_deref(), Some("Bearer t,c"));
        assert_eq!(parsed.authorization_token.as_deref(), Some("Bearer t,c"));
        assert_eq!(parsed.http_method, http::Method::POST);
        assert_eq!(parsed.path_parameters["id"], "7");
        assert_eq!(parsed.stage_variables["env"], "test");
        assert_eq!(parsed.request_context.http_method, http::Method::POST);
        assert_eq!(
            parsed.request_context.resource_path.as_deref(),
            Some("/items/{id}")
        );
        let parsed: aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest =
            serde_json::from_value(event.clone()).unwrap();
        assert_eq!(parsed.type_.as_deref(), Some("REQUEST"));
        assert_eq!(
            parsed.multi_value_headers.get_all("x-multi").iter().count(),
            2
        );
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
        for key in [
            "version",
            "type",
            "methodArn",
            "identitySource",
            "authorizationToken",
            "resource",
            "path",
            "httpMethod",
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "pathParameters",
            "stageVariables",
            "requestContext",
        ] {
            assert!(event.get(key).is_some(), "{key} missing from {event}");
        }
        assert_eq!(event["version"], "1.0");
        assert!(event.get("body").is_none());
    }

    /// The keys of a JSON object, sorted.
    fn keys(value: &Json) -> Vec<String> {
        let mut keys: Vec<String> = value
            .as_object()
            .map(|object| object.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    /// Both formats deserialize into the community `aws_lambda_events` types, and carry the
    /// members of the AWS documentation's examples.
    #[test]
    fn events_deserialize_into_aws_lambda_events() {
        let headers = headers();
        let parameters = [("id".to_owned(), "7".to_owned())];
        let variables = [("env".to_owned(), "test".to_owned())];
        let incoming = incoming(&headers, br#"{"k":1}"#);
        let selected = selected(&parameters, &variables);

        let v2_event = v2(&incoming, &selected);
        let parsed: aws_lambda_events::apigw::ApiGatewayV2httpRequest =
            serde_json::from_value(v2_event.clone()).unwrap();
        assert_eq!(parsed.route_key.as_deref(), Some("POST /items/{id}"));
        assert_eq!(parsed.request_context.http.method, http::Method::POST);
        assert_eq!(
            parsed.path_parameters.get("id").map(String::as_str),
            Some("7")
        );
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
        for key in [
            "version",
            "routeKey",
            "rawPath",
            "rawQueryString",
            "cookies",
            "headers",
            "queryStringParameters",
            "requestContext",
            "body",
            "pathParameters",
            "isBase64Encoded",
            "stageVariables",
        ] {
            assert!(keys(&v2_event).contains(&key.to_owned()), "v2 lacks {key}");
        }
        for key in [
            "accountId",
            "apiId",
            "domainName",
            "domainPrefix",
            "http",
            "requestId",
            "routeKey",
            "stage",
            "time",
            "timeEpoch",
        ] {
            assert!(
                keys(&v2_event["requestContext"]).contains(&key.to_owned()),
                "v2 requestContext lacks {key}"
            );
        }

        let v1_event = v1(&incoming, &selected);
        let parsed: aws_lambda_events::apigw::ApiGatewayProxyRequest =
            serde_json::from_value(v1_event.clone()).unwrap();
        assert_eq!(parsed.http_method, http::Method::POST);
        assert_eq!(
            parsed.path_parameters.get("id").map(String::as_str),
            Some("7")
        );
        for key in [
            "version",
            "resource",
            "path",
            "httpMethod",
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "requestContext",
            "pathParameters",
            "stageVariables",
            "body",
            "isBase64Encoded",
        ] {
            assert!(keys(&v1_event).contains(&key.to_owned()), "v1 lacks {key}");
        }
    }
}
