//! Function URLs: requests to `http://<url-id>.lambda-url.<region>.localhost:<port>/…` become
//! payload format 2.0 events (<https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html>),
//! and the function's answer becomes the HTTP response: `statusCode`, `headers`, `cookies`,
//! `body`, `isBase64Encoded`, or any other JSON value as a 200 `application/json` body. With
//! `InvokeMode: RESPONSE_STREAM` the response streams as the function writes it, after the
//! JSON prelude (status, headers, cookies) `awslambda.HttpResponseStream` puts before eight NUL
//! bytes. `AWS_IAM` URLs need a SigV4 signature for `lambda`; CORS follows the URL's `Cors`.

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{Value as Json, json};
use unkai_edge::{BoxFuture, Public, PublicAuth, PublicRequest, Response, full};
use unkai_types::Caller;

use crate::Lambda;
use crate::ops::Target;
use crate::ops::invoke::settle;
use crate::store::{self, FunctionUrl, Version};
use unkai_runtime::Streamed;

/// The content type of a stream that begins with `awslambda.HttpResponseStream`'s prelude.
const HTTP_INTEGRATION: &str = "application/vnd.awslambda.http-integration-response";

/// What `awslambda.HttpResponseStream` puts between its JSON prelude and the body.
const PRELUDE_END: &[u8] = &[0; 8];

fn message(status: StatusCode, text: &str) -> Response {
    let mut response = http::Response::new(full(json!({ "Message": text }).to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

impl Public for Lambda {
    fn owns(&self, host: &str) -> bool {
        host.split('.').nth(1) == Some("lambda-url")
    }

    fn signing_name(&self) -> &'static str {
        "lambda"
    }

    fn max_body(&self) -> usize {
        6 * 1024 * 1024
    }

    fn call(&self, request: PublicRequest) -> BoxFuture<'_, Response> {
        Box::pin(self.serve_url(request))
    }
}

impl Lambda {
    async fn serve_url(&self, request: PublicRequest) -> Response {
        let host = request
            .parts
            .headers
            .get(http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let host = host
            .rsplit_once(':')
            .map_or(host.clone(), |(name, _)| name.to_owned());
        let id = host.split('.').next().unwrap_or_default().to_owned();
        let found = self
            .inner
            .kv
            .transact(|tx| {
                let Some((name, qualifier)) = store::url_target(tx, &id)? else {
                    return Ok(None);
                };
                let target = Target {
                    name: name.clone(),
                    qualifier: (!qualifier.is_empty()).then_some(qualifier.clone()),
                };
                let Some(url) = store::get_url(tx, &name, &qualifier)? else {
                    return Ok(None);
                };
                match self.resolve(tx, &target) {
                    Ok(version) => Ok(Some((target, url, version))),
                    Err(crate::Error::ResourceNotFoundException(_)) => Ok(None),
                    Err(error) => Err(error),
                }
            })
            .await;
        let (target, url, version) = match found {
            Ok(Some(found)) => found,
            Ok(None) => return message(StatusCode::FORBIDDEN, "Forbidden"),
            Err(error) => {
                tracing::error!(%error, "function URL lookup failed");
                return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
            }
        };
        let caller = match (&url.auth_type[..], &request.auth) {
            ("AWS_IAM", PublicAuth::Signed(caller)) => Some(caller.clone()),
            ("AWS_IAM", _) => return message(StatusCode::FORBIDDEN, "Forbidden"),
            _ => None,
        };
        let cors: Option<Json> = url
            .cors
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok());
        let origin = request
            .parts
            .headers
            .get(http::header::ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .map(str::to_owned);
        if request.parts.method == http::Method::OPTIONS
            && request
                .parts
                .headers
                .contains_key(http::header::ACCESS_CONTROL_REQUEST_METHOD)
            && let Some(cors) = &cors
        {
            let mut response = http::Response::new(full(Bytes::new()));
            apply_cors(&mut response, cors, origin.as_deref(), true);
            return response;
        }
        let event = url_event(
            &self.inner.options.account,
            &request,
            &id,
            &host,
            caller.as_ref(),
        );
        let mut response = self
            .run_url(&target, &version, &url, event, &request.request_id)
            .await;
        if let Some(cors) = &cors {
            apply_cors(&mut response, cors, origin.as_deref(), false);
        }
        response
    }
}

/// The payload format 2.0 event of a request to a function URL of `account`.
fn url_event(
    account: &str,
    request: &PublicRequest,
    id: &str,
    host: &str,
    caller: Option<&Caller>,
) -> Json {
    let parts = &request.parts;
    let mut headers = serde_json::Map::new();
    let mut cookies: Vec<Json> = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::COOKIE {
            cookies.extend(
                value
                    .split("; ")
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
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let mut query = serde_json::Map::new();
    for (name, value) in unkai_edge::protocol::rest::query_pairs(&raw_query) {
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
    let now = request
        .received
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64);
    let user_agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|agent| agent.to_str().ok())
        .unwrap_or_default();
    let mut context = json!({
        "accountId": if caller.is_some() { account.to_owned() } else { "anonymous".into() },
        "apiId": id,
        "domainName": host,
        "domainPrefix": id,
        "http": {
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": user_agent,
        },
        "requestId": request.request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": unkai_types::clf_time(now),
        "timeEpoch": now,
    });
    if let Some(caller) = caller {
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
        "routeKey": "$default",
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
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
    if !request.body.is_empty() {
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        match std::str::from_utf8(&request.body) {
            Ok(text) if unkai_edge::is_text_media_type(content_type) || content_type.is_empty() => {
                event["body"] = text.into();
            }
            _ => {
                event["body"] = base64::engine::general_purpose::STANDARD
                    .encode(&request.body)
                    .into();
                event["isBase64Encoded"] = true.into();
            }
        }
    }
    event
}

impl Lambda {
    async fn run_url(
        &self,
        target: &Target,
        version: &Version,
        url: &FunctionUrl,
        event: Json,
        request_id: &str,
    ) -> Response {
        let payload = Bytes::from(event.to_string());
        let prepared = self
            .prepare_invocation(target, version, payload, request_id, false, None)
            .await;
        let (function, invocation) = match prepared {
            Ok(prepared) => prepared,
            Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        };
        if url.invoke_mode != "RESPONSE_STREAM" {
            let result = self.inner.runtime.invoke(&function, invocation).await;
            return buffered(settle(result, request_id, false));
        }
        let (sink, mut chunks) = tokio::sync::mpsc::channel::<Streamed>(16);
        let runtime = self.inner.runtime.clone();
        let mut running =
            tokio::spawn(
                async move { runtime.invoke_streaming(&function, invocation, sink).await },
            );
        let first = tokio::select! {
            chunk = chunks.recv() => chunk,
            result = &mut running => {
                let result = match result {
                    Ok(result) => settle(result, request_id, false),
                    Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
                };
                let mut content_type = None;
                let mut gathered = Vec::new();
                while let Ok(chunk) = chunks.try_recv() {
                    match chunk {
                        Streamed::ContentType(streamed) => content_type = Some(streamed),
                        Streamed::Data(bytes) => gathered.extend_from_slice(&bytes),
                    }
                }
                return match (result, content_type) {
                    (Ok(outcome), Some(content_type)) if outcome.streamed && !outcome.function_error => {
                        streamed_head(&content_type, Bytes::from(gathered), None).await
                    }
                    (other, _) => buffered(other),
                };
            }
        };
        let content_type = match first {
            Some(Streamed::ContentType(content_type)) => content_type,
            Some(Streamed::Data(_)) | None => {
                // The worker answered without streaming: its whole answer is the response.
                return match running.await {
                    Ok(result) => buffered(settle(result, request_id, false)),
                    Err(_) => message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
                };
            }
        };
        let (body, events) = tokio::sync::mpsc::channel::<Bytes>(16);
        tokio::spawn(async move {
            while let Some(chunk) = chunks.recv().await {
                if let Streamed::Data(chunk) = chunk
                    && body.send(chunk).await.is_err()
                {
                    break;
                }
            }
            let _ = running.await;
        });
        streamed_head(&content_type, Bytes::new(), Some(events)).await
    }
}

/// A response whose body streams: the first chunk (with the prelude, when there is one), then
/// what `rest` brings.
async fn streamed_head(
    content_type: &str,
    first: Bytes,
    mut rest: Option<tokio::sync::mpsc::Receiver<Bytes>>,
) -> Response {
    // `awslambda.HttpResponseStream` marks its prelude with this content type; the prelude
    // may come in pieces: gather until its end.
    let with_prelude = content_type == HTTP_INTEGRATION;
    let mut first = first;
    while with_prelude
        && first.len() < 64 * 1024
        && !first
            .windows(PRELUDE_END.len())
            .any(|window| window == PRELUDE_END)
    {
        let Some(more) = (match rest.as_mut() {
            Some(rest) => rest.recv().await,
            None => None,
        }) else {
            break;
        };
        let mut joined = first.to_vec();
        joined.extend_from_slice(&more);
        first = Bytes::from(joined);
    }
    let (prelude, first) = match with_prelude
        .then(|| first.windows(PRELUDE_END.len()))
        .into_iter()
        .flatten()
        .position(|window| window == PRELUDE_END)
        .and_then(|end| {
            let prelude: Json = serde_json::from_slice(&first[..end]).ok()?;
            prelude.is_object().then_some((prelude, end))
        }) {
        Some((prelude, end)) => (Some(prelude), first.slice(end + PRELUDE_END.len()..)),
        None => (None, first),
    };
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(16);
    tokio::spawn(async move {
        if !first.is_empty() && sender.send(first).await.is_err() {
            return;
        }
        if let Some(mut rest) = rest {
            while let Some(chunk) = rest.recv().await {
                if sender.send(chunk).await.is_err() {
                    return;
                }
            }
        }
    });
    let mut response = http::Response::new(crate::ops::ChannelBody(receiver).boxed_unsync());
    match prelude {
        Some(prelude) => apply_head(&mut response, &prelude),
        None => {
            let content_type = if with_prelude {
                "application/octet-stream"
            } else {
                content_type
            };
            if let Ok(value) = HeaderValue::from_str(content_type) {
                response
                    .headers_mut()
                    .insert(http::header::CONTENT_TYPE, value);
            }
        }
    }
    response
}

/// `statusCode`, `headers` and `cookies` of a response document.
fn apply_head(response: &mut Response, document: &Json) {
    if let Some(status) = document["statusCode"]
        .as_u64()
        .and_then(|status| StatusCode::from_u16(status as u16).ok())
    {
        *response.status_mut() = status;
    }
    if let Some(headers) = document["headers"].as_object() {
        for (name, value) in headers {
            let value = match value {
                Json::String(text) => text.clone(),
                other => other.to_string(),
            };
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                response.headers_mut().insert(name, value);
            }
        }
    }
    if let Some(cookies) = document["cookies"].as_array() {
        for cookie in cookies.iter().filter_map(Json::as_str) {
            if let Ok(value) = HeaderValue::from_str(cookie) {
                response
                    .headers_mut()
                    .append(http::header::SET_COOKIE, value);
            }
        }
    }
}

/// The HTTP response of a function's whole answer.
fn buffered(result: Result<unkai_runtime::Outcome, crate::Error>) -> Response {
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(crate::Error::TooManyRequestsException { .. }) => {
            return message(StatusCode::TOO_MANY_REQUESTS, "Rate Exceeded.");
        }
        Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    };
    if outcome.function_error {
        return message(StatusCode::BAD_GATEWAY, "Internal Server Error");
    }
    let Ok(document) = serde_json::from_slice::<Json>(&outcome.payload) else {
        return message(StatusCode::BAD_GATEWAY, "Internal Server Error");
    };
    if document.get("statusCode").is_none() {
        // Any other JSON value is the body of a 200.
        let mut response = http::Response::new(full(outcome.payload));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return response;
    }
    let body = match &document["body"] {
        Json::String(text) if document["isBase64Encoded"] == true => {
            match base64::engine::general_purpose::STANDARD.decode(text) {
                Ok(bytes) => Bytes::from(bytes),
                Err(_) => return message(StatusCode::BAD_GATEWAY, "Internal Server Error"),
            }
        }
        Json::String(text) => Bytes::from(text.clone()),
        Json::Null => Bytes::new(),
        other => Bytes::from(other.to_string()),
    };
    let mut response = http::Response::new(full(body));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    apply_head(&mut response, &document);
    response
}

/// The CORS headers of a URL's `Cors` for `origin`.
fn apply_cors(response: &mut Response, cors: &Json, origin: Option<&str>, preflight: bool) {
    let list = |key: &str| -> Vec<String> {
        cors[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let rule = unkai_edge::CorsRule {
        allow_origins: list("AllowOrigins"),
        allow_credentials: cors["AllowCredentials"] == true,
        allow_methods: list("AllowMethods"),
        allow_headers: list("AllowHeaders"),
        expose_headers: list("ExposeHeaders"),
        max_age: cors["MaxAge"].as_u64(),
    };
    rule.apply(response, origin, preflight);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The event deserializes into the community `aws_lambda_events` type and carries the
    /// members of the AWS documentation's example
    /// (<https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html>).
    #[test]
    fn url_events_deserialize_into_aws_lambda_events() {
        let (parts, ()) = http::Request::post("/my/path?parameter1=value1&parameter1=value2")
            .header("host", "abc.lambda-url.us-east-1.localhost:4566")
            .header("cookie", "cookie1=a; cookie2=b")
            .header("content-type", "application/json")
            .header("user-agent", "agent")
            .body(())
            .unwrap()
            .into_parts();
        let request = PublicRequest {
            parts,
            body: Bytes::from_static(b"{\"k\": 1}"),
            request_id: "id".into(),
            received: std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_583_348_638_390),
            auth: PublicAuth::Anonymous,
        };
        let event = url_event(
            "000000000000",
            &request,
            "abc",
            "abc.lambda-url.us-east-1.localhost",
            None,
        );
        let parsed: aws_lambda_events::lambda_function_urls::LambdaFunctionUrlRequest =
            serde_json::from_value(event.clone()).unwrap();
        assert_eq!(parsed.raw_path.as_deref(), Some("/my/path"));
        assert_eq!(parsed.request_context.http.method.as_deref(), Some("POST"));
        assert_eq!(
            parsed.cookies,
            Some(vec!["cookie1=a".into(), "cookie2=b".into()])
        );
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
            "isBase64Encoded",
        ] {
            assert!(event.get(key).is_some(), "the event lacks {key}");
        }
        assert_eq!(
            event["queryStringParameters"]["parameter1"],
            "value1,value2"
        );
        assert_eq!(event["requestContext"]["accountId"], "anonymous");
        assert_eq!(
            event["requestContext"]["time"],
            "04/Mar/2020:19:03:58 +0000"
        );
    }
}
