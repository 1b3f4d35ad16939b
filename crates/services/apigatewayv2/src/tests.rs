#![allow(clippy::unwrap_used)]

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use http_body_util::BodyExt as _;
use serde_json::json;
use unkai_edge::{Public, PublicAuth, PublicRequest, compat};
use unkai_store_embedded::Embedded;
use unkai_types::Caller;
use unkai_types::ports::{InvokeFailure, Invoked};

use super::*;

#[test]
fn compatibility_table_is_current() {
    let root = unkai_testkit::repo_root();
    let table = compat::table(
        ServiceId::ApiGatewayV2.info(),
        Operation::ALL.iter().map(|op| (op.name(), op.support())),
    );
    compat::check_file(&root, "docs/compat/apigatewayv2.md", &table);
}

const FUNCTION: &str = "arn:aws:lambda:us-east-1:000000000000:function:f";

/// What the fake function does when invoked.
#[derive(Clone)]
enum Behaviour {
    /// Answers `{"statusCode": 200, "body": <the event>}`.
    Echo,
    /// Answers these bytes.
    Answer(&'static str),
    /// Fails with an unhandled error.
    Fail,
    /// Does not run.
    Refuse(InvokeFailure),
    /// Answers after a while.
    Slow(Duration),
}

struct Fake {
    behaviour: Mutex<Behaviour>,
    calls: Mutex<Vec<(String, Json)>>,
}

impl Invoke for Fake {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
    ) -> unkai_types::ports::BoxFuture<'a, Result<Invoked, InvokeFailure>> {
        Box::pin(async move {
            let event: Json = serde_json::from_slice(&payload).unwrap();
            self.calls
                .lock()
                .unwrap()
                .push((function.to_owned(), event.clone()));
            let behaviour = self.behaviour.lock().unwrap().clone();
            let invoked = |payload: Vec<u8>, error: bool| Invoked {
                payload,
                function_error: error.then(|| "Unhandled".to_owned()),
                executed_version: "$LATEST".into(),
            };
            match behaviour {
                Behaviour::Echo => Ok(invoked(
                    json!({"statusCode": 200, "body": event.to_string()})
                        .to_string()
                        .into_bytes(),
                    false,
                )),
                Behaviour::Answer(text) => Ok(invoked(text.as_bytes().to_vec(), false)),
                Behaviour::Fail => Ok(invoked(br#"{"errorMessage":"boom"}"#.to_vec(), true)),
                Behaviour::Refuse(failure) => Err(failure),
                Behaviour::Slow(wait) => {
                    tokio::time::sleep(wait).await;
                    Ok(invoked(b"{}".to_vec(), false))
                }
            }
        })
    }
}

struct Fixture {
    service: ApiGatewayV2,
    fake: Arc<Fake>,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    fixture_on(Clock::system())
}

fn fixture_on(clock: Clock) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let kv = Kv::new(Embedded::open(unkai_store_embedded::Options::new(dir.path())).unwrap());
    let fake = Arc::new(Fake {
        behaviour: Mutex::new(Behaviour::Echo),
        calls: Mutex::new(Vec::new()),
    });
    let service = ApiGatewayV2::new(
        kv,
        clock,
        fake.clone(),
        Options::new("000000000000", "us-east-1"),
    );
    Fixture {
        service,
        fake,
        _dir: dir,
    }
}

impl Fixture {
    /// A control-plane call: its status and JSON body.
    async fn api(&self, method: &str, path: &str, body: Json) -> (u16, Json) {
        let (parts, ()) = http::Request::builder()
            .method(method)
            .uri(path)
            .body(())
            .unwrap()
            .into_parts();
        let request = Request {
            context: unkai_edge::Context {
                request_id: "r".into(),
                caller: Caller {
                    account: "000000000000".into(),
                    arn: "arn:aws:iam::000000000000:root".into(),
                    user_id: "000000000000".into(),
                    access_key_id: "test".into(),
                },
                region: "us-east-1".into(),
                received: SystemTime::now(),
            },
            parts,
            body: Bytes::from(body.to_string()),
        };
        let response = Service::call(&self.service, request).await;
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = if bytes.is_empty() {
            Json::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        (status, json)
    }

    /// A request to an API's invoke URL: status, headers, body.
    async fn invoke(&self, api: &str, method: &str, path: &str) -> (u16, http::HeaderMap, Bytes) {
        self.invoke_with(api, method, path, &[]).await
    }

    /// Like `invoke`, with request headers.
    async fn invoke_with(
        &self,
        api: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, http::HeaderMap, Bytes) {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", format!("{api}.execute-api.localhost:4566"));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let (parts, ()) = builder.body(()).unwrap().into_parts();
        let response = Public::call(
            &self.service,
            PublicRequest {
                parts,
                body: Bytes::new(),
                request_id: "req".into(),
                received: SystemTime::now(),
                auth: PublicAuth::Anonymous,
            },
        )
        .await;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, body)
    }

    async fn answer(&self, api: &str, path: &str) -> (u16, Json) {
        let (status, _, body) = self.invoke(api, "GET", path).await;
        (status, serde_json::from_slice(&body).unwrap())
    }

    fn behave(&self, behaviour: Behaviour) {
        *self.fake.behaviour.lock().unwrap() = behaviour;
    }

    async fn quick_api(&self) -> String {
        let (status, api) = self
            .api(
                "POST",
                "/v2/apis",
                json!({"name": "a", "protocolType": "HTTP", "target": FUNCTION}),
            )
            .await;
        assert_eq!(status, 201, "{api}");
        api["apiId"].as_str().unwrap().to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_created_apis_invoke_their_function() {
    let fixture = fixture();
    let api = fixture.quick_api().await;
    assert!(
        fixture
            .service
            .owns(&format!("{api}.execute-api.localhost"))
    );
    assert!(!fixture.service.owns("abc.lambda-url.us-east-1.localhost"));
    let (status, headers, body) = fixture.invoke(&api, "GET", "/a/b?x=1").await;
    assert_eq!(status, 200);
    assert_eq!(headers["apigw-requestid"], "req");
    let event: Json = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["rawPath"], "/a/b");
    assert_eq!(event["queryStringParameters"], json!({"x": "1"}));
    assert_eq!(event["headers"]["x-forwarded-port"], "4566");
    let calls = fixture.fake.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, FUNCTION);
    assert_eq!(
        fixture.answer("unknownapi", "/").await,
        (404, json!({"message": "Not Found"}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integration_failures_map_to_api_gateway_errors() {
    let fixture = fixture();
    let api = fixture.quick_api().await;
    let internal = (500, json!({"message": "Internal Server Error"}));
    fixture.behave(Behaviour::Fail);
    assert_eq!(fixture.answer(&api, "/").await, internal);
    fixture.behave(Behaviour::Answer("not json"));
    assert_eq!(fixture.answer(&api, "/").await, internal);
    fixture.behave(Behaviour::Answer(r#"{"statusCode": "x"}"#));
    assert_eq!(fixture.answer(&api, "/").await, internal);
    fixture.behave(Behaviour::Refuse(InvokeFailure::NotFound("gone".into())));
    assert_eq!(fixture.answer(&api, "/").await, internal);
    fixture.behave(Behaviour::Refuse(InvokeFailure::Throttled));
    assert_eq!(
        fixture.answer(&api, "/").await,
        (429, json!({"message": "Too Many Requests"}))
    );

    let (_, integrations) = fixture
        .api("GET", &format!("/v2/apis/{api}/integrations"), Json::Null)
        .await;
    let integration = integrations["items"][0]["integrationId"].as_str().unwrap();
    let (status, updated) = fixture
        .api(
            "PATCH",
            &format!("/v2/apis/{api}/integrations/{integration}"),
            json!({"timeoutInMillis": 50}),
        )
        .await;
    assert_eq!((status, &updated["timeoutInMillis"]), (200, &json!(50)));
    fixture.behave(Behaviour::Slow(Duration::from_millis(500)));
    assert_eq!(
        fixture.answer(&api, "/").await,
        (503, json!({"message": "Service Unavailable"}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployments_keep_what_they_snapshot() {
    let fixture = fixture();
    let (_, api) = fixture
        .api(
            "POST",
            "/v2/apis",
            json!({"name": "a", "protocolType": "HTTP"}),
        )
        .await;
    let api = api["apiId"].as_str().unwrap().to_owned();
    let (_, integration) = fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/integrations"),
            json!({"integrationType": "AWS_PROXY", "integrationUri": FUNCTION}),
        )
        .await;
    assert_eq!(integration["payloadFormatVersion"], "2.0");
    let target = format!(
        "integrations/{}",
        integration["integrationId"].as_str().unwrap()
    );
    fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/routes"),
            json!({"routeKey": "GET /a", "target": target}),
        )
        .await;
    let (status, stage) = fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/stages"),
            json!({"stageName": "s"}),
        )
        .await;
    assert_eq!((status, stage.get("deploymentId")), (201, None));
    assert_eq!(fixture.answer(&api, "/s/a").await.0, 404);
    let (status, deployment) = fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/deployments"),
            json!({"stageName": "s"}),
        )
        .await;
    assert_eq!(
        (status, &deployment["deploymentStatus"]),
        (201, &json!("DEPLOYED"))
    );
    assert_eq!(fixture.answer(&api, "/s/a").await.0, 200);
    // A later change of the integration does not reach the deployed snapshot.
    let integration_id = target.trim_start_matches("integrations/");
    fixture
        .api(
            "PATCH",
            &format!("/v2/apis/{api}/integrations/{integration_id}"),
            json!({"integrationUri": "arn:aws:lambda:us-east-1:000000000000:function:other"}),
        )
        .await;
    fixture.invoke(&api, "GET", "/s/a").await;
    let calls = fixture.fake.calls.lock().unwrap().clone();
    assert_eq!(calls.last().unwrap().0, FUNCTION);
    // The $default stage is not a path prefix.
    assert_eq!(fixture.answer(&api, "/$default/a").await.0, 404);
}

/// Answers 418 with the host it got.
struct Teapot;

impl Public for Teapot {
    fn owns(&self, _host: &str) -> bool {
        false
    }
    fn signing_name(&self) -> &'static str {
        "execute-api"
    }
    fn max_body(&self) -> usize {
        1024
    }
    fn call(&self, request: PublicRequest) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let host = request.parts.headers[http::header::HOST].clone();
            let mut response =
                http::Response::new(unkai_edge::full(Bytes::from(host.as_bytes().to_vec())));
            *response.status_mut() = StatusCode::IM_A_TEAPOT;
            response
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_of_other_apis_go_to_the_fallback() {
    let mut fixture = fixture();
    fixture.service = fixture.service.clone().with_fallback(Arc::new(Teapot));
    let api = fixture.quick_api().await;
    assert_eq!(fixture.invoke(&api, "GET", "/x").await.0, 200);
    let (status, _, body) = fixture.invoke("restapi123", "GET", "/prod/x").await;
    assert_eq!(status, 418);
    assert_eq!(&body[..], b"restapi123.execute-api.localhost:4566");
}

/// Stage throttles, and a route's own, answer 429 once their bucket is empty, refilled by the
/// clock (no sleeps).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stage_and_route_throttles_answer_429_on_the_clock() {
    let (clock, hand) = Clock::manual(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000));
    let fixture = fixture_on(clock);
    let api = fixture.quick_api().await;
    let stage = format!("/v2/apis/{api}/stages/$default");
    let settings = json!({"throttlingBurstLimit": 2, "throttlingRateLimit": 1.0});
    let (status, body) = fixture
        .api("PATCH", &stage, json!({"defaultRouteSettings": settings}))
        .await;
    assert_eq!(status, 200, "{body}");
    for _ in 0..2 {
        assert_eq!(fixture.invoke(&api, "GET", "/x").await.0, 200);
    }
    let throttled = (429, json!({"message": "Too Many Requests"}));
    assert_eq!(fixture.answer(&api, "/x").await, throttled);
    hand.advance(Duration::from_millis(999));
    assert_eq!(fixture.answer(&api, "/x").await, throttled);
    hand.advance(Duration::from_millis(1));
    assert_eq!(fixture.invoke(&api, "GET", "/x").await.0, 200);

    // The route's own settings replace the stage's default.
    let own = json!({"$default": {"throttlingBurstLimit": 5, "throttlingRateLimit": 0.5}});
    let (status, body) = fixture
        .api("PATCH", &stage, json!({"routeSettings": own}))
        .await;
    assert_eq!(status, 200, "{body}");
    hand.advance(Duration::from_secs(60));
    for _ in 0..5 {
        assert_eq!(fixture.invoke(&api, "GET", "/x").await.0, 200);
    }
    assert_eq!(fixture.answer(&api, "/x").await, throttled);
    hand.advance(Duration::from_secs(2));
    assert_eq!(fixture.invoke(&api, "GET", "/x").await.0, 200);
}

/// A route with a Lambda REQUEST authorizer (simple responses): 401 without the identity, 403
/// when the function says no, and the integration's event carries the allowed context.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_authorizers_guard_routes() {
    let fixture = fixture();
    let api = fixture.quick_api().await;
    let authorizer_function = "arn:aws:lambda:us-east-1:000000000000:function:auth";
    let (status, authorizer) = fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/authorizers"),
            json!({
                "name": "auth",
                "authorizerType": "REQUEST",
                "authorizerUri": format!(
                    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{authorizer_function}/invocations"
                ),
                "identitySource": ["$request.header.Authorization"],
                "authorizerPayloadFormatVersion": "2.0",
                "enableSimpleResponses": true,
                "authorizerResultTtlInSeconds": 0,
            }),
        )
        .await;
    assert_eq!(status, 201, "{authorizer}");
    let (_, routes) = fixture
        .api("GET", &format!("/v2/apis/{api}/routes"), Json::Null)
        .await;
    let route = routes["items"][0]["routeId"].as_str().unwrap().to_owned();
    let (status, patched) = fixture
        .api(
            "PATCH",
            &format!("/v2/apis/{api}/routes/{route}"),
            json!({"authorizationType": "CUSTOM", "authorizerId": authorizer["authorizerId"]}),
        )
        .await;
    assert_eq!(status, 200, "{patched}");

    let (status, _, body) = fixture.invoke(&api, "GET", "/x").await;
    assert_eq!(
        (status, &body[..]),
        (401, &br#"{"message":"Unauthorized"}"#[..])
    );
    let token = [("authorization", "Bearer t")];
    fixture.behave(Behaviour::Answer(r#"{"isAuthorized": false}"#));
    let (status, _, body) = fixture.invoke_with(&api, "GET", "/x", &token).await;
    assert_eq!(
        (status, &body[..]),
        (403, &br#"{"message":"Forbidden"}"#[..])
    );

    fixture.behave(Behaviour::Answer(
        r#"{"isAuthorized": true, "context": {"user": "ada"}}"#,
    ));
    let (status, _, _) = fixture.invoke_with(&api, "GET", "/x", &token).await;
    assert_eq!(status, 200);
    let calls = fixture.fake.calls.lock().unwrap().clone();
    let (function, asked) = &calls[calls.len() - 2];
    assert_eq!(function, authorizer_function);
    assert_eq!(asked["type"], "REQUEST");
    assert_eq!(asked["identitySource"], json!(["Bearer t"]));
    assert_eq!(
        asked["routeArn"],
        format!("arn:aws:execute-api:us-east-1:000000000000:{api}/$default/$default")
    );
    let (_, integration_event) = &calls[calls.len() - 1];
    assert_eq!(
        integration_event["requestContext"]["authorizer"]["lambda"],
        json!({"user": "ada"})
    );
}
