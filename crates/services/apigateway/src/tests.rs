#![allow(clippy::unwrap_used)]

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::BodyExt as _;
use serde_json::{Value as Json, json};
use unkai_edge::{Public, PublicAuth, PublicRequest, compat};
use unkai_store_embedded::Embedded;
use unkai_types::Caller;
use unkai_types::ManualClock;
use unkai_types::ports::{InvokeFailure, Invoked};

use super::*;

#[test]
fn compatibility_table_is_current() {
    let root = unkai_testkit::repo_root();
    let table = compat::table(
        ServiceId::ApiGateway.info(),
        Operation::ALL.iter().map(|op| (op.name(), op.support())),
    );
    compat::check_file(&root, "docs/compat/apigateway.md", &table);
}

const FUNCTION: &str = "arn:aws:lambda:us-east-1:000000000000:function:f";
const AUTHORIZER: &str = "arn:aws:lambda:us-east-1:000000000000:function:auth";

fn lambda_uri(function: &str) -> String {
    format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function}/invocations")
}

/// What the fake function does when invoked.
#[derive(Clone)]
enum Behaviour {
    /// Answers `{"statusCode": 200, "body": <the event>}`.
    Echo,
    /// Answers these bytes.
    Answer(&'static str),
    /// Fails with an unhandled error.
    Fail,
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
            let invoked = |payload: Vec<u8>, error: bool| Invoked {
                payload,
                function_error: error.then(|| "Unhandled".to_owned()),
                executed_version: "$LATEST".into(),
            };
            if function == AUTHORIZER {
                // Allows the token "allow" on everything, denies "deny", fails otherwise.
                let token = event["authorizationToken"].as_str().unwrap_or_default();
                let effect = match token {
                    "allow" => "Allow",
                    "deny" => "Deny",
                    _ => {
                        return Ok(invoked(
                            br#"{"errorMessage":"Unauthorized"}"#.to_vec(),
                            true,
                        ));
                    }
                };
                let answer = json!({
                    "principalId": "user-1",
                    "policyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": "arn:aws:execute-api:*:*:*/*/GET/*"}
                    ]},
                    "context": {"tier": "gold", "n": 7},
                });
                return Ok(invoked(answer.to_string().into_bytes(), false));
            }
            let behaviour = self.behaviour.lock().unwrap().clone();
            match behaviour {
                Behaviour::Echo => Ok(invoked(
                    json!({"statusCode": 200, "body": event.to_string()})
                        .to_string()
                        .into_bytes(),
                    false,
                )),
                Behaviour::Answer(text) => Ok(invoked(text.as_bytes().to_vec(), false)),
                Behaviour::Fail => Ok(invoked(br#"{"errorMessage":"boom"}"#.to_vec(), true)),
                Behaviour::Slow(wait) => {
                    tokio::time::sleep(wait).await;
                    Ok(invoked(b"{}".to_vec(), false))
                }
            }
        })
    }
}

struct Fixture {
    service: ApiGateway,
    fake: Arc<Fake>,
    hand: ManualClock,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let kv = Kv::new(Embedded::open(unkai_store_embedded::Options::new(dir.path())).unwrap());
    let fake = Arc::new(Fake {
        behaviour: Mutex::new(Behaviour::Echo),
        calls: Mutex::new(Vec::new()),
    });
    let (clock, hand) = Clock::manual(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let service = ApiGateway::new(
        kv,
        clock,
        fake.clone(),
        Options::new("000000000000", "us-east-1"),
    );
    Fixture {
        service,
        fake,
        hand,
        _dir: dir,
    }
}

impl Fixture {
    /// A control-plane call: its status and JSON body.
    async fn api(&self, method: &str, path: &str, body: Json) -> (u16, Json) {
        let body = if body.is_null() {
            Bytes::new()
        } else {
            Bytes::from(body.to_string())
        };
        self.raw(method, path, body).await
    }

    async fn raw(&self, method: &str, path: &str, body: Bytes) -> (u16, Json) {
        let (parts, ()) = http::Request::builder()
            .method(method)
            .uri(path)
            .body(())
            .unwrap()
            .into_parts();
        let request = Request {
            context: unkai_edge::Context {
                request_id: "r".into(),
                caller: Caller::root("000000000000", "test"),
                region: "us-east-1".into(),
                received: SystemTime::now(),
            },
            parts,
            body,
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

    /// A request to an invoke URL: status, headers, body.
    async fn invoke(
        &self,
        host: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, http::HeaderMap, Bytes) {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", host);
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

    async fn answer(&self, api: &str, path: &str, headers: &[(&str, &str)]) -> (u16, Json) {
        let (status, _, body) = self
            .invoke(
                &format!("{api}.execute-api.localhost:4566"),
                "GET",
                path,
                headers,
            )
            .await;
        (status, serde_json::from_slice(&body).unwrap_or(Json::Null))
    }

    fn behave(&self, behaviour: Behaviour) {
        *self.fake.behaviour.lock().unwrap() = behaviour;
    }

    /// A REST API with `/items/{id}` (GET, Lambda proxy), returning (api id, root id).
    async fn items_api(&self) -> (String, String) {
        let (status, api) = self.api("POST", "/restapis", json!({"name": "a"})).await;
        assert_eq!(status, 201, "{api}");
        let id = api["id"].as_str().unwrap().to_owned();
        let root = api["rootResourceId"].as_str().unwrap().to_owned();
        let items = self.resource(&id, &root, "items").await;
        let item = self.resource(&id, &items, "{id}").await;
        self.method(&id, &item, "GET", json!({"authorizationType": "NONE"}))
            .await;
        let (status, integration) = self
            .api(
                "PUT",
                &format!("/restapis/{id}/resources/{item}/methods/GET/integration"),
                json!({"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambda_uri(FUNCTION)}),
            )
            .await;
        assert_eq!(status, 201, "{integration}");
        (id, root)
    }

    async fn resource(&self, api: &str, parent: &str, part: &str) -> String {
        let (status, resource) = self
            .api(
                "POST",
                &format!("/restapis/{api}/resources/{parent}"),
                json!({"pathPart": part}),
            )
            .await;
        assert_eq!(status, 201, "{resource}");
        resource["id"].as_str().unwrap().to_owned()
    }

    async fn method(&self, api: &str, resource: &str, method: &str, body: Json) {
        let (status, answer) = self
            .api(
                "PUT",
                &format!("/restapis/{api}/resources/{resource}/methods/{method}"),
                body,
            )
            .await;
        assert_eq!(status, 201, "{answer}");
    }

    async fn deploy(&self, api: &str, stage: &str) {
        let (status, deployment) = self
            .api(
                "POST",
                &format!("/restapis/{api}/deployments"),
                json!({"stageName": stage, "variables": {"env": "test"}}),
            )
            .await;
        assert_eq!(status, 201, "{deployment}");
    }
}

const MISSING: (u16, Json) = (403, Json::Null);

fn missing() -> (u16, Json) {
    (403, json!({"message": "Missing Authentication Token"}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployed_resources_invoke_their_function_with_the_proxy_event() {
    let _ = MISSING;
    let fixture = fixture();
    let (api, _) = fixture.items_api().await;
    assert_eq!(fixture.answer(&api, "/prod/items/7", &[]).await, missing());
    fixture.deploy(&api, "prod").await;
    let (status, headers, body) = fixture
        .invoke(
            &format!("{api}.execute-api.localhost:4566"),
            "GET",
            "/prod/items/7?q=1",
            &[],
        )
        .await;
    assert_eq!(status, 200, "{body:?}");
    assert_eq!(headers["x-amzn-requestid"], "req");
    let event: Json = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["resource"], "/items/{id}");
    assert_eq!(event["path"], "/items/7");
    assert_eq!(event["pathParameters"], json!({"id": "7"}));
    assert_eq!(event["queryStringParameters"], json!({"q": "1"}));
    assert_eq!(event["stageVariables"], json!({"env": "test"}));
    assert_eq!(event["requestContext"]["path"], "/prod/items/7");
    assert_eq!(event["requestContext"]["stage"], "prod");
    // The path form reaches the same method.
    let (status, _, body) = fixture
        .invoke(
            "localhost:4566",
            "GET",
            &format!("/restapis/{api}/prod/_user_request_/items/8"),
            &[],
        )
        .await;
    assert_eq!(status, 200);
    let event: Json = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["pathParameters"], json!({"id": "8"}));
    assert!(
        fixture
            .service
            .owns_path(&format!("/restapis/{api}/prod/_user_request_/x"))
    );
    assert!(
        !fixture
            .service
            .owns_path(&format!("/restapis/{api}/resources"))
    );
    // Unknown stage, resource, method, API.
    assert_eq!(fixture.answer(&api, "/dev/items/7", &[]).await, missing());
    assert_eq!(fixture.answer(&api, "/prod/other", &[]).await, missing());
    assert_eq!(fixture.answer(&api, "/prod/items", &[]).await, missing());
    assert_eq!(
        fixture.answer("nope", "/prod/items/7", &[]).await,
        missing()
    );
    assert_eq!(fixture.fake.calls.lock().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integration_failures_map_to_rest_api_errors() {
    let fixture = fixture();
    let (api, _) = fixture.items_api().await;
    fixture.deploy(&api, "prod").await;
    let bad = (502, json!({"message": "Internal server error"}));
    fixture.behave(Behaviour::Fail);
    assert_eq!(fixture.answer(&api, "/prod/items/1", &[]).await, bad);
    fixture.behave(Behaviour::Answer(r#"{"greeting": "hi"}"#));
    assert_eq!(fixture.answer(&api, "/prod/items/1", &[]).await, bad);
    fixture.behave(Behaviour::Answer(r#"{"statusCode": 201, "body": "made"}"#));
    let (status, _, body) = fixture
        .invoke(
            &format!("{api}.execute-api.localhost"),
            "GET",
            "/prod/items/1",
            &[],
        )
        .await;
    assert_eq!((status, &body[..]), (201, &b"made"[..]));
    // A short integration timeout.
    let (_, resources) = fixture
        .api("GET", &format!("/restapis/{api}/resources"), Json::Null)
        .await;
    let item = resources["item"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/items/{id}")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = fixture
        .api(
            "PATCH",
            &format!("/restapis/{api}/resources/{item}/methods/GET/integration"),
            json!({"patchOperations": [{"op": "replace", "path": "/timeoutInMillis", "value": "50"}]}),
        )
        .await;
    assert_eq!(status, 200);
    fixture.deploy(&api, "prod").await;
    fixture.behave(Behaviour::Slow(Duration::from_millis(400)));
    assert_eq!(
        fixture.answer(&api, "/prod/items/1", &[]).await,
        (504, json!({"message": "Endpoint request timed out"}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_integrations_answer_their_templates() {
    let fixture = fixture();
    let (_, api) = fixture.api("POST", "/restapis", json!({"name": "m"})).await;
    let (id, root) = (
        api["id"].as_str().unwrap().to_owned(),
        api["rootResourceId"].as_str().unwrap().to_owned(),
    );
    fixture
        .method(&id, &root, "GET", json!({"authorizationType": "NONE"}))
        .await;
    let base = format!("/restapis/{id}/resources/{root}/methods/GET");
    fixture
        .api(
            "PUT",
            &format!("{base}/integration"),
            json!({"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}}),
        )
        .await;
    fixture
        .api("PUT", &format!("{base}/responses/200"), json!({}))
        .await;
    let (status, response) = fixture
        .api(
            "PUT",
            &format!("{base}/integration/responses/200"),
            json!({"responseTemplates": {"application/json": "{\"mocked\": true}"}}),
        )
        .await;
    assert_eq!(status, 201, "{response}");
    let (status, method) = fixture.api("GET", &base, Json::Null).await;
    assert_eq!(status, 200);
    assert_eq!(method["methodIntegration"]["type"], "MOCK");
    assert_eq!(
        method["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"],
        json!({"application/json": "{\"mocked\": true}"})
    );
    assert_eq!(method["methodResponses"]["200"]["statusCode"], "200");
    fixture.deploy(&id, "v1").await;
    assert_eq!(
        fixture.answer(&id, "/v1", &[]).await,
        (200, json!({"mocked": true}))
    );
    assert_eq!(
        fixture.answer(&id, "/v1/", &[]).await,
        (200, json!({"mocked": true}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_and_usage_plans_guard_methods() {
    let fixture = fixture();
    let (api, root) = fixture.items_api().await;
    fixture
        .method(
            &api,
            &root,
            "GET",
            json!({"authorizationType": "NONE", "apiKeyRequired": true}),
        )
        .await;
    fixture
        .api(
            "PUT",
            &format!("/restapis/{api}/resources/{root}/methods/GET/integration"),
            json!({"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambda_uri(FUNCTION)}),
        )
        .await;
    fixture.deploy(&api, "prod").await;
    let forbidden = (403, json!({"message": "Forbidden"}));
    assert_eq!(fixture.answer(&api, "/prod", &[]).await, forbidden);
    let value = "a-key-of-at-least-twenty-chars";
    let (status, key) = fixture
        .api(
            "POST",
            "/apikeys",
            json!({"name": "k", "enabled": true, "value": value}),
        )
        .await;
    assert_eq!((status, &key["value"]), (201, &json!(value)));
    let key_id = key["id"].as_str().unwrap();
    // A key outside every plan is refused.
    assert_eq!(
        fixture.answer(&api, "/prod", &[("x-api-key", value)]).await,
        forbidden
    );
    let (status, plan) = fixture
        .api(
            "POST",
            "/usageplans",
            json!({
                "name": "p",
                "apiStages": [{"apiId": api, "stage": "prod"}],
                "throttle": {"rateLimit": 1.0, "burstLimit": 2},
                "quota": {"limit": 3, "period": "DAY"},
            }),
        )
        .await;
    assert_eq!(status, 201, "{plan}");
    let plan_id = plan["id"].as_str().unwrap();
    let (status, member) = fixture
        .api(
            "POST",
            &format!("/usageplans/{plan_id}/keys"),
            json!({"keyId": key_id, "keyType": "API_KEY"}),
        )
        .await;
    assert_eq!((status, &member["type"]), (201, &json!("API_KEY")));
    let with_key = [("x-api-key", value)];
    let (status, event) = fixture.answer(&api, "/prod", &with_key).await;
    assert_eq!(status, 200);
    let event: Json = serde_json::from_str(event.as_str().unwrap_or("null")).unwrap_or(event);
    let _ = event;
    assert_eq!(fixture.answer(&api, "/prod", &with_key).await.0, 200);
    // The burst is spent; the clock refills one token a second.
    assert_eq!(
        fixture.answer(&api, "/prod", &with_key).await,
        (429, json!({"message": "Too Many Requests"}))
    );
    fixture.hand.advance(Duration::from_secs(1));
    assert_eq!(fixture.answer(&api, "/prod", &with_key).await.0, 200);
    fixture.hand.advance(Duration::from_secs(1));
    assert_eq!(
        fixture.answer(&api, "/prod", &with_key).await,
        (429, json!({"message": "Limit Exceeded"}))
    );
    // The next day has a fresh quota.
    fixture.hand.advance(Duration::from_secs(86_400));
    assert_eq!(fixture.answer(&api, "/prod", &with_key).await.0, 200);
    let (status, usage) = fixture
        .api(
            "GET",
            &format!("/usageplans/{plan_id}/usage?startDate=2023-11-14&endDate=2023-11-15"),
            Json::Null,
        )
        .await;
    assert_eq!(status, 200, "{usage}");
    assert_eq!(usage["values"][key_id], json!([[3, 0], [1, 2]]));
    // A disabled key is refused.
    fixture
        .api(
            "PATCH",
            &format!("/apikeys/{key_id}"),
            json!({"patchOperations": [{"op": "replace", "path": "/enabled", "value": "false"}]}),
        )
        .await;
    assert_eq!(fixture.answer(&api, "/prod", &with_key).await, forbidden);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_authorizers_allow_deny_and_cache() {
    let fixture = fixture();
    let (_, api) = fixture
        .api("POST", "/restapis", json!({"name": "auth"}))
        .await;
    let (id, root) = (
        api["id"].as_str().unwrap().to_owned(),
        api["rootResourceId"].as_str().unwrap().to_owned(),
    );
    let (status, authorizer) = fixture
        .api(
            "POST",
            &format!("/restapis/{id}/authorizers"),
            json!({
                "name": "token",
                "type": "TOKEN",
                "authorizerUri": lambda_uri(AUTHORIZER),
                "identitySource": "method.request.header.Authorization",
            }),
        )
        .await;
    assert_eq!(status, 201, "{authorizer}");
    assert_eq!(authorizer["authorizerResultTtlInSeconds"], 300);
    let authorizer_id = authorizer["id"].as_str().unwrap();
    fixture
        .method(
            &id,
            &root,
            "ANY",
            json!({"authorizationType": "CUSTOM", "authorizerId": authorizer_id}),
        )
        .await;
    fixture
        .api(
            "PUT",
            &format!("/restapis/{id}/resources/{root}/methods/ANY/integration"),
            json!({"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambda_uri(FUNCTION)}),
        )
        .await;
    fixture.deploy(&id, "prod").await;
    assert_eq!(
        fixture.answer(&id, "/prod", &[]).await,
        (401, json!({"message": "Unauthorized"}))
    );
    assert_eq!(
        fixture
            .answer(&id, "/prod", &[("authorization", "deny")])
            .await,
        (
            403,
            json!({"message": "User is not authorized to access this resource with an explicit deny"})
        )
    );
    assert_eq!(
        fixture
            .answer(&id, "/prod", &[("authorization", "garbage")])
            .await,
        (401, json!({"message": "Unauthorized"}))
    );
    let (status, _, body) = fixture
        .invoke(
            &format!("{id}.execute-api.localhost"),
            "GET",
            "/prod",
            &[("authorization", "allow")],
        )
        .await;
    assert_eq!(status, 200);
    let event: Json = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        event["requestContext"]["authorizer"],
        json!({"principalId": "user-1", "tier": "gold", "n": "7"})
    );
    let authorizer_calls = || {
        fixture
            .fake
            .calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(function, _)| function == AUTHORIZER)
            .count()
    };
    let before = authorizer_calls();
    fixture
        .invoke(
            &format!("{id}.execute-api.localhost"),
            "GET",
            "/prod",
            &[("authorization", "allow")],
        )
        .await;
    assert_eq!(authorizer_calls(), before, "the decision is cached");
    // The cached policy still applies per method: POST is not allowed.
    assert_eq!(
        fixture
            .invoke(
                &format!("{id}.execute-api.localhost"),
                "POST",
                "/prod",
                &[("authorization", "allow")]
            )
            .await
            .0,
        403
    );
    fixture.hand.advance(Duration::from_secs(301));
    fixture
        .invoke(
            &format!("{id}.execute-api.localhost"),
            "GET",
            "/prod",
            &[("authorization", "allow")],
        )
        .await;
    assert_eq!(authorizer_calls(), before + 1, "the cache expired");
    let calls = fixture.fake.calls.lock().unwrap().clone();
    let (_, event) = calls.iter().find(|(f, _)| f == AUTHORIZER).unwrap();
    assert_eq!(event["type"], "TOKEN");
    assert_eq!(
        event["methodArn"],
        format!("arn:aws:execute-api:us-east-1:000000000000:{id}/prod/GET/")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_definitions_import_resources_methods_and_integrations() {
    let fixture = fixture();
    let definition = json!({
        "openapi": "3.0.1",
        "info": {"title": "imported", "version": "1.0"},
        "paths": {
            "/pets/{petId}": {
                "get": {
                    "parameters": [{"name": "petId", "in": "path", "required": true}],
                    "responses": {"200": {"description": "ok"}},
                    "security": [{"api_key": []}],
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "httpMethod": "POST", "uri": lambda_uri(FUNCTION),
                    },
                },
            },
            "/mock": {
                "x-amazon-apigateway-any-method": {
                    "security": [{"token": []}],
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                        "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json": "{}"}}},
                    },
                },
            },
        },
        "components": {"securitySchemes": {
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
            "token": {
                "type": "apiKey", "name": "Authorization", "in": "header",
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": lambda_uri(AUTHORIZER), "authorizerResultTtlInSeconds": 0},
            },
        }},
    });
    let (status, api) = fixture
        .raw(
            "POST",
            "/restapis?mode=import",
            Bytes::from(definition.to_string()),
        )
        .await;
    assert_eq!(status, 201, "{api}");
    assert_eq!(
        (&api["name"], &api["version"]),
        (&json!("imported"), &json!("1.0"))
    );
    let id = api["id"].as_str().unwrap();
    let (_, resources) = fixture
        .api(
            "GET",
            &format!("/restapis/{id}/resources?embed=methods"),
            Json::Null,
        )
        .await;
    let items = resources["item"].as_array().unwrap();
    let mut paths: Vec<&str> = items.iter().map(|r| r["path"].as_str().unwrap()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/", "/mock", "/pets", "/pets/{petId}"]);
    let pet = items.iter().find(|r| r["path"] == "/pets/{petId}").unwrap();
    let get = &pet["resourceMethods"]["GET"];
    assert_eq!(get["apiKeyRequired"], true);
    assert_eq!(
        get["requestParameters"],
        json!({"method.request.path.petId": true})
    );
    assert_eq!(get["methodIntegration"]["type"], "AWS_PROXY");
    let mock = items.iter().find(|r| r["path"] == "/mock").unwrap();
    assert_eq!(
        mock["resourceMethods"]["ANY"]["authorizationType"],
        "CUSTOM"
    );
    let (_, authorizers) = fixture
        .api("GET", &format!("/restapis/{id}/authorizers"), Json::Null)
        .await;
    assert_eq!(authorizers["item"][0]["name"], "token");
    assert_eq!(
        authorizers["item"][0]["identitySource"],
        "method.request.header.Authorization"
    );
    fixture.deploy(id, "prod").await;
    assert_eq!(
        fixture
            .answer(id, "/prod/mock", &[("authorization", "allow")])
            .await,
        (200, json!({}))
    );
    // PutRestApi overwrite replaces everything.
    let replacement = json!({
        "swagger": "2.0",
        "info": {"title": "replaced"},
        "paths": {"/only": {"get": {"x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "responses": {"default": {"statusCode": "200"}}}}}},
    });
    let (status, api) = fixture
        .raw(
            "PUT",
            &format!("/restapis/{id}?mode=overwrite"),
            Bytes::from(replacement.to_string()),
        )
        .await;
    assert_eq!((status, &api["name"]), (200, &json!("replaced")), "{api}");
    let (_, resources) = fixture
        .api("GET", &format!("/restapis/{id}/resources"), Json::Null)
        .await;
    let mut paths: Vec<&str> = resources["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/", "/only"]);
    let (status, error) = fixture
        .raw(
            "POST",
            "/restapis?mode=import",
            Bytes::from_static(b"not json"),
        )
        .await;
    assert_eq!(status, 400, "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_plane_errors_use_api_gateway_wording() {
    let fixture = fixture();
    assert_eq!(
        fixture.api("GET", "/restapis/abcdefghij", Json::Null).await,
        (
            404,
            json!({"message": "Invalid API identifier specified 000000000000:abcdefghij"})
        )
    );
    let (api, root) = fixture.items_api().await;
    assert_eq!(
        fixture
            .api(
                "GET",
                &format!("/restapis/{api}/resources/nope"),
                Json::Null
            )
            .await,
        (
            404,
            json!({"message": "Invalid Resource identifier specified"})
        )
    );
    assert_eq!(
        fixture
            .api(
                "POST",
                &format!("/restapis/{api}/resources/{root}"),
                json!({"pathPart": "items"})
            )
            .await,
        (
            409,
            json!({"message": "Another resource with the same parent already has this name: items"})
        )
    );
    assert_eq!(
        fixture
            .api(
                "GET",
                &format!("/restapis/{api}/resources/{root}/methods/GET"),
                Json::Null
            )
            .await,
        (
            404,
            json!({"message": "Invalid Method identifier specified"})
        )
    );
    assert_eq!(
        fixture
            .api("GET", &format!("/restapis/{api}/stages/nope"), Json::Null)
            .await,
        (
            404,
            json!({"message": "Invalid stage identifier specified"})
        )
    );
    let (status, _) = fixture
        .api("POST", "/restapis", json!({"name": "empty"}))
        .await;
    assert_eq!(status, 201);
    fixture.deploy(&api, "prod").await;
    let (_, stage) = fixture
        .api("GET", &format!("/restapis/{api}/stages/prod"), Json::Null)
        .await;
    let deployment = stage["deploymentId"].as_str().unwrap();
    assert_eq!(
        fixture
            .api(
                "DELETE",
                &format!("/restapis/{api}/deployments/{deployment}"),
                Json::Null
            )
            .await,
        (
            400,
            json!({"message": "Active stages pointing to this deployment must be moved or deleted"})
        )
    );
    assert_eq!(
        fixture
            .api(
                "POST",
                &format!("/restapis/{api}/stages"),
                json!({"stageName": "prod", "deploymentId": deployment})
            )
            .await
            .0,
        409
    );
    let (status, updated) = fixture
        .api(
            "PATCH",
            &format!("/restapis/{api}/stages/prod"),
            json!({"patchOperations": [
                {"op": "replace", "path": "/variables/color", "value": "blue"},
                {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"},
                {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "10"},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["variables"],
        json!({"color": "blue", "env": "test"})
    );
    assert_eq!(updated["methodSettings"]["*/*"]["throttlingBurstLimit"], 10);
    let (status, renamed) = fixture
        .api(
            "PATCH",
            &format!("/restapis/{api}"),
            json!({"patchOperations": [{"op": "replace", "path": "/name", "value": "b"}]}),
        )
        .await;
    assert_eq!((status, &renamed["name"]), (200, &json!("b")));
    assert_eq!(
        fixture
            .api(
                "PATCH",
                &format!("/restapis/{api}"),
                json!({"patchOperations": [{"op": "replace", "path": "/nope", "value": "b"}]})
            )
            .await
            .0,
        400
    );
    // Tags.
    let arn = format!("arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2F{api}");
    assert_eq!(
        fixture
            .api(
                "PUT",
                &format!("/tags/{arn}"),
                json!({"tags": {"a": "1", "b": "2"}})
            )
            .await
            .0,
        204
    );
    fixture
        .api("DELETE", &format!("/tags/{arn}?tagKeys=a"), Json::Null)
        .await;
    assert_eq!(
        fixture
            .api("GET", &format!("/tags/{arn}"), Json::Null)
            .await,
        (200, json!({"tags": {"b": "2"}}))
    );
    assert_eq!(
        fixture
            .api("DELETE", &format!("/restapis/{api}"), Json::Null)
            .await
            .0,
        202
    );
    assert_eq!(fixture.answer(&api, "/prod/items/1", &[]).await, missing());
    let (status, error) = fixture
        .api("GET", "/restapis/x/documentation/parts", Json::Null)
        .await;
    assert_eq!(status, 501, "{error}");
}
