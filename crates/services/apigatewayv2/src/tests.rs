#![allow(clippy::unwrap_used)]

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::StatusCode;
use http_body_util::BodyExt as _;
use serde_json::{Value as Json, json};
use tokio_tungstenite::tungstenite::Message;
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
    /// Answers this document.
    Document(Json),
    /// Fails with an unhandled error.
    Fail,
    /// Fails with this error message.
    FailWith(&'static str),
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
                Behaviour::Document(document) => {
                    Ok(invoked(document.to_string().into_bytes(), false))
                }
                Behaviour::Fail => Ok(invoked(br#"{"errorMessage":"boom"}"#.to_vec(), true)),
                Behaviour::FailWith(message) => Ok(invoked(
                    json!({ "errorMessage": message }).to_string().into_bytes(),
                    true,
                )),
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

fn caller() -> Caller {
    Caller::root("000000000000", "test")
}

/// A control-plane call to `service`: its status and JSON body.
async fn control(service: &ApiGatewayV2, method: &str, path: &str, body: Json) -> (u16, Json) {
    let (parts, ()) = http::Request::builder()
        .method(method)
        .uri(path)
        .body(())
        .unwrap()
        .into_parts();
    let request = Request {
        context: unkai_edge::Context {
            request_id: "r".into(),
            caller: caller(),
            region: "us-east-1".into(),
            received: SystemTime::now(),
        },
        parts,
        body: Bytes::from(body.to_string()),
    };
    let response = Service::call(service, request).await;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        Json::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, json)
}

impl Fixture {
    /// A control-plane call: its status and JSON body.
    async fn api(&self, method: &str, path: &str, body: Json) -> (u16, Json) {
        control(&self.service, method, path, body).await
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

    /// A Lambda REQUEST authorizer of `api` (the `auth` function, the `Authorization`
    /// header) with `settings` added.
    async fn lambda_authorizer(&self, api: &str, settings: Json) -> Json {
        let mut body = json!({
            "name": "auth",
            "authorizerType": "REQUEST",
            "authorizerUri": "arn:aws:lambda:us-east-1:000000000000:function:auth",
            "identitySource": ["$request.header.Authorization"],
        });
        if let (Some(body), Json::Object(settings)) = (body.as_object_mut(), settings) {
            body.extend(settings);
        }
        let (status, authorizer) = self
            .api("POST", &format!("/v2/apis/{api}/authorizers"), body)
            .await;
        assert_eq!(status, 201, "{authorizer}");
        authorizer
    }

    /// The first route of `api` (a quick-created API's only one).
    async fn first_route(&self, api: &str) -> Json {
        let (_, routes) = self
            .api("GET", &format!("/v2/apis/{api}/routes"), Json::Null)
            .await;
        routes["items"][0].clone()
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

/// Lambda authorizer answers are cached per identity for the TTL, until
/// `ResetAuthorizersCache` forgets the stage's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_authorizer_answers_are_cached_until_reset() {
    let fixture = fixture();
    let api = fixture.quick_api().await;
    let authorizer = fixture
        .lambda_authorizer(
            &api,
            json!({
                "authorizerPayloadFormatVersion": "2.0",
                "enableSimpleResponses": true,
                "authorizerResultTtlInSeconds": 300,
            }),
        )
        .await;
    let route = fixture.first_route(&api).await["routeId"]
        .as_str()
        .unwrap()
        .to_owned();
    fixture
        .api(
            "PATCH",
            &format!("/v2/apis/{api}/routes/{route}"),
            json!({"authorizationType": "CUSTOM", "authorizerId": authorizer["authorizerId"]}),
        )
        .await;
    let token = [("authorization", "t")];
    fixture.behave(Behaviour::Document(json!({"isAuthorized": true})));
    assert_eq!(fixture.invoke_with(&api, "GET", "/x", &token).await.0, 200);
    fixture.behave(Behaviour::Document(json!({"isAuthorized": false})));
    assert_eq!(fixture.invoke_with(&api, "GET", "/x", &token).await.0, 200);
    let (status, _) = fixture
        .api(
            "DELETE",
            &format!("/v2/apis/{api}/stages/$default/cache/authorizers"),
            Json::Null,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(fixture.invoke_with(&api, "GET", "/x", &token).await.0, 403);
    // Authorizer, integration, integration (cached answer), authorizer.
    assert_eq!(fixture.fake.calls.lock().unwrap().len(), 4);
}

/// A cached IAM-policy answer is evaluated again for each route: a policy that allows one
/// route does not open another for the same identity, and no second call is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_policies_are_evaluated_per_route() {
    let fixture = fixture();
    let api = fixture.quick_api().await;
    let authorizer = fixture
        .lambda_authorizer(
            &api,
            json!({
                "authorizerPayloadFormatVersion": "2.0",
                "authorizerResultTtlInSeconds": 300,
            }),
        )
        .await;
    let target = fixture.first_route(&api).await["target"]
        .as_str()
        .unwrap()
        .to_owned();
    for key in ["GET /open", "GET /closed"] {
        let (status, created) = fixture
            .api(
                "POST",
                &format!("/v2/apis/{api}/routes"),
                json!({
                    "routeKey": key,
                    "target": target,
                    "authorizationType": "CUSTOM",
                    "authorizerId": authorizer["authorizerId"],
                }),
            )
            .await;
        assert_eq!(status, 201, "{created}");
    }
    fixture.behave(Behaviour::Document(json!({
        "principalId": "ada",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Action": "execute-api:Invoke", "Effect": "Allow",
            "Resource": format!("arn:aws:execute-api:us-east-1:000000000000:{api}/$default/GET/open"),
        }]},
    })));
    let token = [("authorization", "t")];
    assert_eq!(
        fixture.invoke_with(&api, "GET", "/open", &token).await.0,
        200
    );
    let asked = fixture.fake.calls.lock().unwrap()[0].1.clone();
    assert_eq!(
        asked["routeArn"],
        format!("arn:aws:execute-api:us-east-1:000000000000:{api}/$default/GET/open")
    );
    assert_eq!(
        fixture.invoke_with(&api, "GET", "/closed", &token).await.0,
        403
    );
    assert_eq!(
        fixture.invoke_with(&api, "GET", "/open", &token).await.0,
        200
    );
    // Authorizer, integration, integration: the second and third answers came from the cache.
    assert_eq!(fixture.fake.calls.lock().unwrap().len(), 3);
}

/// A Lambda REQUEST authorizer with payload format 1.0: the function gets the REST API style
/// event (`methodArn`, `identitySource` joined with commas, `multiValueHeaders`) and answers
/// an IAM policy; the integration gets the allowed context.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_authorizers_with_payload_format_1_0() {
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
                "identitySource": ["$request.header.Authorization", "$request.querystring.tenant"],
                "authorizerPayloadFormatVersion": "1.0",
                "authorizerResultTtlInSeconds": 0,
            }),
        )
        .await;
    assert_eq!(status, 201, "{authorizer}");
    let (_, routes) = fixture
        .api("GET", &format!("/v2/apis/{api}/routes"), Json::Null)
        .await;
    let route = routes["items"][0]["routeId"].as_str().unwrap().to_owned();
    fixture
        .api(
            "PATCH",
            &format!("/v2/apis/{api}/routes/{route}"),
            json!({"authorizationType": "CUSTOM", "authorizerId": authorizer["authorizerId"]}),
        )
        .await;
    let token = [("authorization", "Bearer t")];
    // One identity source missing: 401 without running the function.
    assert_eq!(fixture.invoke_with(&api, "GET", "/x", &token).await.0, 401);
    assert!(fixture.fake.calls.lock().unwrap().is_empty());

    let policy = |effect: &str| {
        json!({
            "principalId": "ada",
            "policyDocument": {"Version": "2012-10-17", "Statement": [{
                "Action": "execute-api:Invoke", "Effect": effect,
                "Resource": format!("arn:aws:execute-api:us-east-1:000000000000:{api}/*"),
            }]},
            "context": {"tier": "gold"},
        })
    };
    fixture.behave(Behaviour::Document(policy("Deny")));
    let (status, _, body) = fixture
        .invoke_with(&api, "GET", "/x?tenant=t1", &token)
        .await;
    assert_eq!(
        (status, &body[..]),
        (403, &br#"{"message":"Forbidden"}"#[..])
    );
    let asked = fixture.fake.calls.lock().unwrap()[0].1.clone();
    assert_eq!(asked["version"], "1.0");
    assert_eq!(asked["type"], "REQUEST");
    assert_eq!(
        asked["methodArn"],
        format!("arn:aws:execute-api:us-east-1:000000000000:{api}/$default/$default")
    );
    assert_eq!(asked["identitySource"], "Bearer t,t1");
    assert_eq!(asked["authorizationToken"], "Bearer t,t1");
    assert_eq!(asked["httpMethod"], "GET");
    assert_eq!(asked["path"], "/x");
    assert_eq!(asked["headers"]["authorization"], "Bearer t");
    assert_eq!(
        asked["multiValueHeaders"]["authorization"],
        json!(["Bearer t"])
    );
    assert_eq!(asked["queryStringParameters"], json!({"tenant": "t1"}));
    assert_eq!(asked["requestContext"]["httpMethod"], "GET");
    assert!(asked.get("body").is_none() && asked.get("routeArn").is_none());

    fixture.behave(Behaviour::Document(policy("Allow")));
    let (status, _, _) = fixture
        .invoke_with(&api, "GET", "/x?tenant=t1", &token)
        .await;
    assert_eq!(status, 200);
    let calls = fixture.fake.calls.lock().unwrap().clone();
    let (_, integration_event) = calls.last().unwrap();
    assert_eq!(
        integration_event["requestContext"]["authorizer"]["lambda"],
        json!({"tier": "gold"})
    );

    // The policy must allow this route's ARN: one for another API denies.
    fixture.behave(Behaviour::Document(json!({
        "principalId": "ada",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Action": "execute-api:Invoke", "Effect": "Allow",
            "Resource": "arn:aws:execute-api:us-east-1:000000000000:other/*",
        }]},
    })));
    let elsewhere = fixture
        .invoke_with(&api, "GET", "/x?tenant=t1", &token)
        .await;
    assert_eq!(elsewhere.0, 403);

    // An answer without a policy denies; a failing function is 500.
    fixture.behave(Behaviour::Answer(r#"{"isAuthorized": true}"#));
    let forbidden = fixture
        .invoke_with(&api, "GET", "/x?tenant=t1", &token)
        .await;
    assert_eq!(forbidden.0, 403);
    fixture.behave(Behaviour::Fail);
    let failed = fixture
        .invoke_with(&api, "GET", "/x?tenant=t1", &token)
        .await;
    assert_eq!(failed.0, 500);
}

/// A WebSocket API whose `$connect` route has a Lambda REQUEST authorizer: the handshake is
/// refused with 401 without the identity (or when the function says `Unauthorized`), 403 when
/// the policy does not allow, 500 when the function fails; an allowed connection's `$connect`
/// event carries the context and `principalId` in `requestContext.authorizer`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_connect_authorizers_refuse_handshakes() {
    let fixture = fixture();
    let (status, api) = fixture
        .api(
            "POST",
            "/v2/apis",
            json!({"name": "ws", "protocolType": "WEBSOCKET",
                   "routeSelectionExpression": "$request.body.action"}),
        )
        .await;
    assert_eq!(status, 201, "{api}");
    let api = api["apiId"].as_str().unwrap().to_owned();
    let (_, integration) = fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/integrations"),
            json!({"integrationType": "AWS_PROXY", "integrationUri": FUNCTION}),
        )
        .await;
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
                "identitySource": ["route.request.header.Auth", "route.request.querystring.token"],
            }),
        )
        .await;
    assert_eq!(status, 201, "{authorizer}");
    let (status, route) = fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/routes"),
            json!({
                "routeKey": "$connect",
                "target": format!("integrations/{}", integration["integrationId"].as_str().unwrap()),
                "authorizationType": "CUSTOM",
                "authorizerId": authorizer["authorizerId"],
            }),
        )
        .await;
    assert_eq!(status, 201, "{route}");
    let (status, stage) = fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/stages"),
            json!({"stageName": "prod", "autoDeploy": true, "stageVariables": {"env": "test"}}),
        )
        .await;
    assert_eq!(status, 201, "{stage}");

    let handshake = [
        ("upgrade", "websocket"),
        ("connection", "Upgrade"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("sec-websocket-version", "13"),
    ];
    let connect = |path: &'static str, auth: bool| {
        let fixture = &fixture;
        let api = api.clone();
        async move {
            let mut headers = handshake.to_vec();
            if auth {
                headers.push(("auth", "secret"));
            }
            let (status, _, body) = fixture.invoke_with(&api, "GET", path, &headers).await;
            (status, body)
        }
    };
    let refused =
        |status: u16, text: &str| (status, Bytes::from(json!({"message": text}).to_string()));

    // Missing identity sources: 401, the function does not run.
    assert_eq!(
        connect("/prod?token=t", false).await,
        refused(401, "Unauthorized")
    );
    assert_eq!(connect("/prod", true).await, refused(401, "Unauthorized"));
    assert!(fixture.fake.calls.lock().unwrap().is_empty());

    let policy = |effect: &str| {
        json!({
            "principalId": "me",
            "policyDocument": {"Version": "2012-10-17", "Statement": [{
                "Action": "execute-api:Invoke", "Effect": effect,
                "Resource": format!("arn:aws:execute-api:us-east-1:000000000000:{api}/prod/$connect"),
            }]},
            "context": {"user": "ada", "level": 3, "admin": false},
        })
    };
    fixture.behave(Behaviour::Document(policy("Deny")));
    assert_eq!(
        connect("/prod?token=t", true).await,
        refused(403, "Forbidden")
    );
    fixture.behave(Behaviour::FailWith("Unauthorized"));
    assert_eq!(
        connect("/prod?token=t", true).await,
        refused(401, "Unauthorized")
    );
    fixture.behave(Behaviour::Fail);
    assert_eq!(
        connect("/prod?token=t", true).await,
        refused(500, "Internal Server Error")
    );
    let calls = fixture.fake.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 3, "only the authorizer ran");
    let (function, asked) = &calls[0];
    assert_eq!(function, authorizer_function);
    assert_eq!(asked["type"], "REQUEST");
    assert_eq!(
        asked["methodArn"],
        format!("arn:aws:execute-api:us-east-1:000000000000:{api}/prod/$connect")
    );
    assert_eq!(asked["headers"]["auth"], "secret");
    assert_eq!(asked["multiValueHeaders"]["auth"], json!(["secret"]));
    assert_eq!(asked["queryStringParameters"], json!({"token": "t"}));
    assert_eq!(
        asked["multiValueQueryStringParameters"],
        json!({"token": ["t"]})
    );
    assert_eq!(asked["stageVariables"], json!({"env": "test"}));
    assert_eq!(asked["requestContext"]["routeKey"], "$connect");
    assert_eq!(asked["requestContext"]["eventType"], "CONNECT");
    let parsed: aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest =
        serde_json::from_value(asked.clone()).unwrap();
    assert_eq!(
        parsed.method_arn,
        asked["methodArn"].as_str().map(str::to_owned)
    );

    // Allowed: $connect runs with the authorizer's context (the fake request has no
    // connection to upgrade, so the handshake itself ends with 400 here).
    fixture.behave(Behaviour::Document(policy("Allow")));
    assert_eq!(connect("/prod?token=t", true).await.0, 400);
    let calls = fixture.fake.calls.lock().unwrap().clone();
    let (function, connected) = calls.last().unwrap();
    assert_eq!(function, FUNCTION);
    assert_eq!(connected["requestContext"]["eventType"], "CONNECT");
    assert_eq!(
        connected["requestContext"]["authorizer"],
        json!({"user": "ada", "level": "3", "admin": "false", "principalId": "me"})
    );
    let parsed: aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest =
        serde_json::from_value(connected.clone()).unwrap();
    assert_eq!(
        parsed.request_context.authorizer.fields["principalId"],
        "me"
    );
}

/// The RSA test keys of `tests/fixtures/jwt-keys.json`: (kid, JWK, private key).
fn test_keys() -> Vec<(String, Json, jsonwebtoken::EncodingKey)> {
    use base64::Engine as _;
    let fixture: Json =
        serde_json::from_str(include_str!("../tests/fixtures/jwt-keys.json")).unwrap();
    fixture["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| {
            let der = base64::engine::general_purpose::STANDARD
                .decode(key["der"].as_str().unwrap())
                .unwrap();
            let kid = key["kid"].as_str().unwrap().to_owned();
            let jwk = json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                             "n": key["n"], "e": key["e"]});
            (kid, jwk, jsonwebtoken::EncodingKey::from_rsa_der(&der))
        })
        .collect()
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT with `header` (whatever its `alg` says) and `claims`, signed RS256 with `key`.
fn signed(key: &jsonwebtoken::EncodingKey, header: Json, claims: Json) -> String {
    let text = format!(
        "{}.{}",
        base64url(header.to_string().as_bytes()),
        base64url(claims.to_string().as_bytes())
    );
    let signature =
        jsonwebtoken::crypto::sign(text.as_bytes(), key, jsonwebtoken::Algorithm::RS256).unwrap();
    format!("{text}.{signature}")
}

/// An OpenID issuer on 127.0.0.1: its discovery document and the key set in `jwks`, counting
/// the key set fetches.
struct Issuer {
    url: String,
    jwks: Arc<Mutex<Json>>,
    fetches: Arc<std::sync::atomic::AtomicUsize>,
}

async fn issuer(jwks: Json) -> Issuer {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let jwks = Arc::new(Mutex::new(jwks));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (served, counted, base) = (jwks.clone(), fetches.clone(), url.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (served, counted, base) = (served.clone(), counted.clone(), base.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: http::Request<_>| {
                    let body = match request.uri().path() {
                        "/.well-known/openid-configuration" => {
                            json!({"issuer": base, "jwks_uri": format!("{base}/jwks")})
                        }
                        "/jwks" => {
                            counted.fetch_add(1, Ordering::SeqCst);
                            served.lock().unwrap().clone()
                        }
                        _ => Json::Null,
                    };
                    let mut response = http::Response::new(http_body_util::Full::new(Bytes::from(
                        body.to_string(),
                    )));
                    if body.is_null() {
                        *response.status_mut() = StatusCode::NOT_FOUND;
                    }
                    async move { Ok::<_, std::convert::Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Issuer { url, jwks, fetches }
}

impl Issuer {
    fn fetches(&self) -> usize {
        self.fetches.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A JWT authorizer on the quick-created API's route: 401 without a token or with an invalid
/// one (issuer, audience, signature, algorithm, times on the service's clock), 403 without one
/// of the route's scopes; the claims and scopes reach the integration; keys are fetched once,
/// kept for two hours, and fetched again for an unknown key id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_authorizers_guard_routes() {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let (clock, hand) = Clock::manual(start);
    let fixture = fixture_on(clock);
    let keys = test_keys();
    let (kid_a, jwk_a, key_a) = &keys[0];
    let (kid_b, jwk_b, key_b) = &keys[1];
    let issuer = issuer(json!({"keys": [jwk_a]})).await;
    let api = fixture.quick_api().await;
    let (status, authorizer) = fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/authorizers"),
            json!({
                "name": "jwt",
                "authorizerType": "JWT",
                "identitySource": ["$request.header.Authorization"],
                "jwtConfiguration": {"issuer": issuer.url, "audience": ["app", "other-app"]},
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
            json!({"authorizationType": "JWT", "authorizerId": authorizer["authorizerId"]}),
        )
        .await;
    assert_eq!(status, 200, "{patched}");

    let now = 1_700_000_000u64;
    let claims = json!({"iss": issuer.url, "aud": "app", "sub": "ada", "exp": now + 60,
                        "iat": now, "nbf": now, "groups": ["g1", "g2"]});
    let header_a = json!({"alg": "RS256", "typ": "JWT", "kid": kid_a});
    let good = signed(key_a, header_a.clone(), claims.clone());
    let call = |token: Option<String>| {
        let fixture = &fixture;
        let api = api.clone();
        async move {
            let headers: Vec<(&str, String)> = token
                .map(|token| vec![("authorization", token)])
                .unwrap_or_default();
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            let (status, headers, body) = fixture.invoke_with(&api, "GET", "/x", &headers).await;
            let challenge = headers
                .get("www-authenticate")
                .map(|value| value.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (status, challenge, body)
        }
    };
    let refused = |reason: &str| {
        format!(r#"Bearer scope="" error="invalid_token" error_description="{reason}""#)
    };

    // No token.
    let (status, challenge, body) = call(None).await;
    assert_eq!(
        (status, challenge.as_str(), &body[..]),
        (401, "", &br#"{"message":"Unauthorized"}"#[..])
    );
    assert_eq!(issuer.fetches(), 0);

    // A valid token, with or without `Bearer `; the claims reach the function as text.
    let (status, _, body) = call(Some(format!("Bearer {good}"))).await;
    assert_eq!(status, 200, "{body:?}");
    let event: Json = serde_json::from_slice(&body).unwrap();
    let jwt = &event["requestContext"]["authorizer"]["jwt"];
    assert_eq!(jwt["claims"]["sub"], "ada");
    assert_eq!(jwt["claims"]["exp"], (now + 60).to_string());
    assert_eq!(jwt["claims"]["groups"], "[g1 g2]");
    assert_eq!(jwt["scopes"], Json::Null);
    assert_eq!(call(Some(good.clone())).await.0, 200);
    assert_eq!(issuer.fetches(), 1, "the key set is kept");

    // Invalid tokens.
    let with = |change: Json| {
        let mut claims = claims.clone();
        claims
            .as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        signed(key_a, header_a.clone(), claims)
    };
    for (token, reason) in [
        (
            with(json!({"aud": "someone-else"})),
            "the token does not have a valid audience",
        ),
        (
            with(json!({"iss": "http://evil"})),
            "the token does not have a valid issuer",
        ),
        (with(json!({"nbf": now + 10})), "the token is not valid yet"),
        (
            signed(key_b, header_a.clone(), claims.clone()),
            "the token's signature is invalid",
        ),
        (
            // Another token's signature.
            format!(
                "{}.{}",
                good.rsplit_once('.').unwrap().0,
                with(json!({"sub": "eve"})).rsplit_once('.').unwrap().1
            ),
            "the token's signature is invalid",
        ),
        (
            signed(key_a, json!({"alg": "HS256", "kid": kid_a}), claims.clone()),
            "signing method HS256 is invalid",
        ),
        ("not-a-jwt".to_owned(), "the token is not a valid JWT"),
    ] {
        let (status, challenge, body) = call(Some(token)).await;
        assert_eq!(
            (status, challenge, &body[..]),
            (401, refused(reason), &br#"{"message":"Unauthorized"}"#[..])
        );
    }

    // Time passes on the service's clock: the token expires.
    hand.advance(Duration::from_secs(60));
    assert_eq!(
        call(Some(good.clone())).await.1,
        refused("the token has expired")
    );

    // A key the issuer added later: unknown to the cached set, so the set is fetched again.
    let header_b = json!({"alg": "RS256", "kid": kid_b});
    let fresh = |key, header: &Json| {
        let mut claims = claims.clone();
        claims["exp"] = json!(now + 3 * 3600);
        signed(key, header.clone(), claims)
    };
    let before = issuer.fetches();
    assert_eq!(
        call(Some(fresh(key_b, &header_b))).await.1,
        refused("the token's key id is not in the issuer's key set")
    );
    assert_eq!(issuer.fetches(), before + 1);
    *issuer.jwks.lock().unwrap() = json!({"keys": [jwk_a, jwk_b]});
    assert_eq!(call(Some(fresh(key_b, &header_b))).await.0, 200);
    assert_eq!(issuer.fetches(), before + 2);
    assert_eq!(call(Some(fresh(key_a, &header_a))).await.0, 200);
    assert_eq!(issuer.fetches(), before + 2);
    // After two hours the set is fetched again: key a is gone.
    *issuer.jwks.lock().unwrap() = json!({"keys": [jwk_b]});
    hand.advance(Duration::from_secs(2 * 3600));
    assert_eq!(call(Some(fresh(key_b, &header_b))).await.0, 200);
    assert_eq!(issuer.fetches(), before + 3);
    assert_eq!(
        call(Some(fresh(key_a, &header_a))).await.1,
        refused("the token's key id is not in the issuer's key set")
    );

    // The route asks for scopes: one of them is needed (403 otherwise).
    let (status, patched) = fixture
        .api(
            "PATCH",
            &format!("/v2/apis/{api}/routes/{route}"),
            json!({"authorizationScopes": ["read", "admin"]}),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    let scoped = |scope: &str| {
        let mut claims = claims.clone();
        claims["exp"] = json!(now + 4 * 3600);
        claims["scope"] = json!(scope);
        signed(key_b, header_b.clone(), claims)
    };
    let (status, challenge, body) = call(Some(scoped("write"))).await;
    assert_eq!(
        (status, challenge.as_str(), &body[..]),
        (
            403,
            r#"Bearer scope="read admin" error="insufficient_scope" error_description="the token does not have one of the route's scopes""#,
            &br#"{"message":"Forbidden"}"#[..]
        )
    );
    let (status, _, body) = call(Some(scoped("write read"))).await;
    assert_eq!(status, 200);
    let event: Json = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        event["requestContext"]["authorizer"]["jwt"]["scopes"],
        json!(["write", "read"])
    );

    // Payload format 1.0 integrations get the claims as requestContext.authorizer.claims.
    let (_, integrations) = fixture
        .api("GET", &format!("/v2/apis/{api}/integrations"), Json::Null)
        .await;
    let integration = integrations["items"][0]["integrationId"].as_str().unwrap();
    let (status, updated) = fixture
        .api(
            "PATCH",
            &format!("/v2/apis/{api}/integrations/{integration}"),
            json!({"payloadFormatVersion": "1.0"}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    let (status, _, body) = call(Some(scoped("read"))).await;
    assert_eq!(status, 200);
    let event: Json = serde_json::from_slice(&body).unwrap();
    let authorizer = &event["requestContext"]["authorizer"];
    assert_eq!(authorizer["claims"]["sub"], "ada");
    assert_eq!(authorizer["scopes"], json!(["read"]));
}

/// An issuer that cannot be reached refuses tokens (401), it does not let them through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_authorizers_without_their_issuer_refuse_tokens() {
    let fixture = fixture();
    let keys = test_keys();
    let (kid, _, key) = &keys[0];
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let api = fixture.quick_api().await;
    let (_, authorizer) = fixture
        .api(
            "POST",
            &format!("/v2/apis/{api}/authorizers"),
            json!({"name": "jwt", "authorizerType": "JWT",
                   "identitySource": ["$request.querystring.token"],
                   "jwtConfiguration": {"issuer": url, "audience": ["app"]}}),
        )
        .await;
    let (_, routes) = fixture
        .api("GET", &format!("/v2/apis/{api}/routes"), Json::Null)
        .await;
    let route = routes["items"][0]["routeId"].as_str().unwrap().to_owned();
    fixture
        .api(
            "PATCH",
            &format!("/v2/apis/{api}/routes/{route}"),
            json!({"authorizationType": "JWT", "authorizerId": authorizer["authorizerId"]}),
        )
        .await;
    let token = signed(
        key,
        json!({"alg": "RS256", "kid": kid}),
        json!({"iss": url, "aud": "app"}),
    );
    assert_eq!(fixture.invoke(&api, "GET", "/x").await.0, 401);
    let (status, headers, _) = fixture
        .invoke(&api, "GET", &format!("/x?token={token}"))
        .await;
    assert_eq!(status, 401);
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("the issuer's signing keys could not be fetched")
    );
    assert!(fixture.fake.calls.lock().unwrap().is_empty());
}

/// A node of a test cluster: the service over a store it shares with the other nodes, served
/// on a port of its own (upgrades included) as the edge would: hosts `*.execute-api.*` to the
/// invoke URLs (a request with an `Authorization` header counts as signed), any other host to
/// the `@connections` API.
struct Node {
    service: ApiGatewayV2,
    address: String,
    /// The functions its routes invoke.
    fake: Arc<Fake>,
    serving: tokio::task::JoinHandle<()>,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.serving.abort();
    }
}

async fn node(kv: &Kv) -> Node {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let mut options = Options::new("000000000000", "us-east-1");
    options.node = address.clone();
    let fake = Arc::new(Fake {
        behaviour: Mutex::new(Behaviour::Echo),
        calls: Mutex::new(Vec::new()),
    });
    let service = ApiGatewayV2::new(kv.clone(), Clock::system(), fake.clone(), options);
    let served = service.clone();
    let serving = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = served.clone();
            tokio::spawn(async move {
                let handler = hyper::service::service_fn(move |request: http::Request<_>| {
                    let service = service.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(serve_as_edge(&service, request).await)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), handler)
                    .with_upgrades()
                    .await;
            });
        }
    });
    Node {
        service,
        address,
        fake,
        serving,
    }
}

async fn serve_as_edge(
    service: &ApiGatewayV2,
    request: http::Request<hyper::body::Incoming>,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or_default();
    if host.contains(".execute-api.") {
        let auth = if parts.headers.contains_key(http::header::AUTHORIZATION) {
            PublicAuth::Signed(caller())
        } else {
            PublicAuth::Anonymous
        };
        let request = PublicRequest {
            parts,
            body,
            request_id: "req".into(),
            received: SystemTime::now(),
            auth,
        };
        Public::call(service, request).await
    } else {
        let request = Request {
            context: unkai_edge::Context {
                request_id: "r".into(),
                caller: caller(),
                region: "us-east-1".into(),
                received: SystemTime::now(),
            },
            parts,
            body,
        };
        Service::call(&service.connections_api(), request).await
    }
}

/// A WebSocket API without routes, deployed to stage `prod`.
async fn websocket_api(service: &ApiGatewayV2) -> String {
    let (status, api) = control(
        service,
        "POST",
        "/v2/apis",
        json!({"name": "ws", "protocolType": "WEBSOCKET",
               "routeSelectionExpression": "$request.body.action"}),
    )
    .await;
    assert_eq!(status, 201, "{api}");
    let api = api["apiId"].as_str().unwrap().to_owned();
    let (status, stage) = control(
        service,
        "POST",
        &format!("/v2/apis/{api}/stages"),
        json!({"stageName": "prod", "autoDeploy": true}),
    )
    .await;
    assert_eq!(status, 201, "{stage}");
    api
}

type Client = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// A WebSocket client of `api`'s stage `prod` on the node at `address`, and its connection id.
async fn ws_connect(address: &str, api: &str) -> (Client, String) {
    use futures_util::{SinkExt, StreamExt};
    let mut client = ws_open(address, api).await;
    // A message no route takes is answered with the connection's id, as AWS does.
    client.send(Message::text("hello")).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(10), client.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let answer: Json = serde_json::from_str(answer.to_text().unwrap()).unwrap();
    assert_eq!(answer["message"], "Forbidden", "{answer}");
    let id = answer["connectionId"].as_str().unwrap().to_owned();
    (client, id)
}

/// A WebSocket client of `api`'s stage `prod` on the node at `address`.
async fn ws_open(address: &str, api: &str) -> Client {
    ws_handshake(address, api, &[])
        .await
        .unwrap_or_else(|head| panic!("{head}"))
}

/// A WebSocket handshake with `headers` to `api`'s stage `prod` on the node at `address`: the
/// client, or the response head when the handshake is refused.
async fn ws_handshake(
    address: &str,
    api: &str,
    headers: &[(&str, &str)],
) -> Result<Client, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut handshake = format!(
        "GET /prod HTTP/1.1\r\nhost: {api}.execute-api.localhost:4566\r\nupgrade: websocket\r\n\
         connection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         sec-websocket-version: 13\r\n"
    );
    for (name, value) in headers {
        handshake.push_str(&format!("{name}: {value}\r\n"));
    }
    handshake.push_str("\r\n");
    stream.write_all(handshake.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(stream.read_u8().await.unwrap());
    }
    let head = String::from_utf8(head).unwrap();
    if !head.starts_with("HTTP/1.1 101") {
        return Err(head);
    }
    Ok(tokio_tungstenite::WebSocketStream::from_raw_socket(
        stream,
        tokio_tungstenite::tungstenite::protocol::Role::Client,
        None,
    )
    .await)
}

/// An `@connections` request to the node at `address`: on unkai's endpoint (`host` None) or on
/// an API's host; its status and body.
async fn connections_call(
    address: &str,
    host: Option<&str>,
    method: &str,
    id: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("/prod/@connections/{}", encoded(id)))
        .header("host", host.unwrap_or(address))
        .header("authorization", "AWS4-HMAC-SHA256 (checked by the edge)");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(http_body_util::Full::new(Bytes::from(body.to_owned())))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A connection id (base64) as a path segment.
fn encoded(id: &str) -> String {
    id.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

async fn record(kv: &Kv, id: &str) -> Option<store::Connection> {
    kv.transact(|tx| store::get_connection(tx, id))
        .await
        .unwrap()
}

/// Waits (a few seconds at most) until `id` has no record.
async fn record_goes(kv: &Kv, id: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while record(kv, id).await.is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the record of {id} stayed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

const GONE: &str = r#"{"message":"Gone"}"#;

/// A node records each WebSocket connection it accepts, with its own address, and removes the
/// record when the connection closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_connections_are_recorded_while_open() {
    let dir = tempfile::tempdir().unwrap();
    let kv = Kv::new(Embedded::open(unkai_store_embedded::Options::new(dir.path())).unwrap());
    let node = node(&kv).await;
    let api = websocket_api(&node.service).await;
    let (mut client, id) = ws_connect(&node.address, &api).await;
    let recorded = record(&kv, &id).await.unwrap();
    assert_eq!(recorded.node, node.address);
    assert_eq!(
        (recorded.api.as_str(), recorded.stage.as_str()),
        (api.as_str(), "prod")
    );
    let held = kv
        .transact(|tx| store::connections_of(tx, &node.address, 10))
        .await
        .unwrap();
    assert_eq!(held, [id.as_str()]);
    client.close(None).await.unwrap();
    record_goes(&kv, &id).await;
    assert_eq!(
        connections_call(&node.address, None, "POST", &id, &[], "late").await,
        (410, GONE.to_owned())
    );
}

/// `@connections` on a node that does not hold the connection is passed on to the node that
/// does: the client gets the message, `GetConnection` describes it, `DeleteConnection` closes
/// it; on an API's host only its own connections; a request passed on once is not passed on
/// again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_calls_reach_the_node_that_holds_the_connection() {
    use futures_util::StreamExt;
    let dir = tempfile::tempdir().unwrap();
    let kv = Kv::new(Embedded::open(unkai_store_embedded::Options::new(dir.path())).unwrap());
    let (a, b) = (node(&kv).await, node(&kv).await);
    let api = websocket_api(&b.service).await;
    let other = websocket_api(&b.service).await;
    let (mut client, id) = ws_connect(&a.address, &api).await;
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(10), client.next())
            .await
            .unwrap()
    };

    assert_eq!(
        connections_call(&b.address, None, "POST", &id, &[], "through b").await,
        (200, String::new())
    );
    assert_eq!(next().await.unwrap().unwrap(), Message::text("through b"));
    let api_host = format!("{api}.execute-api.localhost:4566");
    assert_eq!(
        connections_call(&b.address, Some(&api_host), "POST", &id, &[], "by host").await,
        (200, String::new())
    );
    assert_eq!(next().await.unwrap().unwrap(), Message::text("by host"));
    let (status, described) = connections_call(&b.address, None, "GET", &id, &[], "").await;
    assert_eq!(status, 200, "{described}");
    let described: Json = serde_json::from_str(&described).unwrap();
    assert_eq!(described["identity"]["sourceIp"], "127.0.0.1");
    assert!(described["connectedAt"].as_str().unwrap().ends_with('Z'));

    // Another API's host does not reach it, on either node.
    let other_host = format!("{other}.execute-api.localhost:4566");
    for address in [&a.address, &b.address] {
        assert_eq!(
            connections_call(address, Some(&other_host), "POST", &id, &[], "no").await,
            (410, GONE.to_owned())
        );
    }
    // Passed on already: not passed on again (and the record stays).
    assert_eq!(
        connections_call(
            &b.address,
            None,
            "POST",
            &id,
            &[("x-unkai-forwarded-by", "10.9.9.9:4566")],
            "twice"
        )
        .await,
        (410, GONE.to_owned())
    );
    assert!(record(&kv, &id).await.is_some());

    assert_eq!(
        connections_call(&b.address, None, "DELETE", &id, &[], "").await,
        (204, String::new())
    );
    assert!(matches!(next().await, Some(Ok(Message::Close(_))) | None));
    record_goes(&kv, &id).await;
    assert_eq!(
        connections_call(&b.address, None, "POST", &id, &[], "late").await,
        (410, GONE.to_owned())
    );
}

/// Records that cannot name an open connection are deleted when found: one whose node refuses
/// connections (it crashed), one naming the node that finds it (it does not hold it), one
/// older than any connection may live (not even asked: its node would not answer); and a node
/// that starts forgets the records naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_connection_records_are_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let kv = Kv::new(Embedded::open(unkai_store_embedded::Options::new(dir.path())).unwrap());
    let (a, b) = (node(&kv).await, node(&kv).await);
    let api = websocket_api(&b.service).await;
    let crashed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().to_string()
    };
    // Takes connections (the kernel's backlog) and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_address = silent.local_addr().unwrap().to_string();
    let now = b.service.now_ms();
    let put = |id: &'static str, node: &str, connected_ms: u64| {
        let connection = store::Connection {
            api: api.clone(),
            stage: "prod".into(),
            node: node.to_owned(),
            connected_ms,
        };
        let kv = kv.clone();
        async move {
            kv.transact(|tx| {
                store::put_connection(tx, id, &connection);
                Ok::<_, unkai_store::Error>(())
            })
            .await
            .unwrap();
        }
    };
    put("on-crashed", &crashed, now).await;
    put("on-b", &b.address, now).await;
    put("too-old", &silent_address, now - MAX_AGE_MS - 1000).await;
    for id in ["on-crashed", "on-b", "too-old"] {
        let answer = tokio::time::timeout(
            Duration::from_secs(5),
            connections_call(&b.address, None, "POST", id, &[], "x"),
        )
        .await
        .unwrap();
        assert_eq!(answer, (410, GONE.to_owned()), "{id}");
        assert!(record(&kv, id).await.is_none(), "{id}");
    }

    // A node starting again on the address of one that crashed.
    put("left-1", &crashed, now).await;
    put("left-2", &crashed, now).await;
    put("elsewhere", &a.address, now).await;
    let mut options = Options::new("000000000000", "us-east-1");
    options.node = crashed.clone();
    let fake = Arc::new(Fake {
        behaviour: Mutex::new(Behaviour::Echo),
        calls: Mutex::new(Vec::new()),
    });
    let restarted = ApiGatewayV2::new(kv.clone(), Clock::system(), fake, options);
    assert_eq!(restarted.recover().await.unwrap(), 2);
    assert!(record(&kv, "left-1").await.is_none());
    assert!(record(&kv, "left-2").await.is_none());
    assert!(record(&kv, "elsewhere").await.is_some());
}

/// Two hours, the longest a connection lives.
const MAX_AGE_MS: u64 = 2 * 60 * 60 * 1000;

/// Routes `key` of `api` to the test function through an integration of its own, with the
/// route's other `settings`.
async fn function_route(service: &ApiGatewayV2, api: &str, key: &str, mut settings: Json) {
    let (status, integration) = control(
        service,
        "POST",
        &format!("/v2/apis/{api}/integrations"),
        json!({"integrationType": "AWS_PROXY", "integrationUri": FUNCTION}),
    )
    .await;
    assert_eq!(status, 201, "{integration}");
    settings["routeKey"] = json!(key);
    settings["target"] = json!(format!(
        "integrations/{}",
        integration["integrationId"].as_str().unwrap()
    ));
    let (status, route) =
        control(service, "POST", &format!("/v2/apis/{api}/routes"), settings).await;
    assert_eq!(status, 201, "{route}");
}

/// The events of a connection's life — `$connect`, a message to `$default`, `$disconnect` —
/// read as `aws_lambda_events`' WebSocket type, with the documented members.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_events_deserialize_into_aws_lambda_events() {
    use futures_util::SinkExt;
    let dir = tempfile::tempdir().unwrap();
    let kv = Kv::new(Embedded::open(unkai_store_embedded::Options::new(dir.path())).unwrap());
    let node = node(&kv).await;
    let api = websocket_api(&node.service).await;
    for route in ["$connect", "$default", "$disconnect"] {
        function_route(&node.service, &api, route, json!({})).await;
    }
    let mut client = ws_open(&node.address, &api).await;
    client
        .send(Message::text(r#"{"action":"nothing","n":1}"#))
        .await
        .unwrap();
    // Once the message is delivered, close.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while node.fake.calls.lock().unwrap().len() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "no MESSAGE event");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    client.close(None).await.unwrap();
    while node.fake.calls.lock().unwrap().len() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no DISCONNECT event"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let calls = node.fake.calls.lock().unwrap().clone();
    let mut connection_ids = Vec::new();
    for ((function, event), (route, kind)) in calls.iter().zip([
        ("$connect", "CONNECT"),
        ("$default", "MESSAGE"),
        ("$disconnect", "DISCONNECT"),
    ]) {
        assert_eq!(function, FUNCTION);
        let parsed: aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest =
            serde_json::from_value(event.clone())
                .unwrap_or_else(|error| panic!("{error}: {event}"));
        let context = &parsed.request_context;
        assert_eq!(context.route_key.as_deref(), Some(route), "{event}");
        assert_eq!(context.event_type.as_deref(), Some(kind), "{event}");
        assert_eq!(context.stage.as_deref(), Some("prod"));
        assert_eq!(context.apiid.as_deref(), Some(api.as_str()));
        assert!(
            context.request_id.is_some() && context.connected_at > 0,
            "{event}"
        );
        connection_ids.push(context.connection_id.clone().unwrap());
    }
    assert!(connection_ids.iter().all(|id| *id == connection_ids[0]));
    assert_eq!(calls[1].1["body"], r#"{"action":"nothing","n":1}"#);
    assert_eq!(calls[1].1["requestContext"]["messageDirection"], "IN");
}

/// A `$connect` route with `AWS_IAM` authorization takes only signed handshakes (403
/// otherwise), and the connection's events name the signer in `requestContext.identity`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_iam_connect_routes_need_a_signed_handshake() {
    let dir = tempfile::tempdir().unwrap();
    let kv = Kv::new(Embedded::open(unkai_store_embedded::Options::new(dir.path())).unwrap());
    let node = node(&kv).await;
    let api = websocket_api(&node.service).await;
    function_route(
        &node.service,
        &api,
        "$connect",
        json!({"authorizationType": "AWS_IAM"}),
    )
    .await;
    let refused = ws_handshake(&node.address, &api, &[]).await.err().unwrap();
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    assert!(
        node.fake.calls.lock().unwrap().is_empty(),
        "$connect did not run"
    );
    // The test edge treats a request with an Authorization header as signed by caller().
    let signed = [("authorization", "AWS4-HMAC-SHA256 (checked by the edge)")];
    let _client = ws_handshake(&node.address, &api, &signed).await.unwrap();
    let calls = node.fake.calls.lock().unwrap().clone();
    let (_, connected) = calls.last().unwrap();
    let identity = &connected["requestContext"]["identity"];
    assert_eq!(identity["userArn"], caller().arn);
    assert_eq!(identity["accessKey"], caller().access_key_id);
    assert_eq!(identity["accountId"], caller().account);
    let parsed: aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest =
        serde_json::from_value(connected.clone()).unwrap();
    assert_eq!(
        parsed.request_context.identity.user_arn.as_deref(),
        Some(caller().arn.as_str())
    );
}
