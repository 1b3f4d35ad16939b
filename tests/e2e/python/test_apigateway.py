"""API Gateway REST APIs with boto3 and the AWS CLI: the control plane (REST APIs, resources,
methods, integrations, deployments, stages, API keys, usage plans, authorizers, OpenAPI
import) with the errors unkai sends (code, HTTP status, message), and the invoke URLs called
with real HTTP requests, host-based (`<api-id>.execute-api.localhost`) and path-based
(`/restapis/<api-id>/<stage>/_user_request_/`): the Lambda proxy event, the mapping of the
function's answer, MOCK integrations, API keys and usage plans, TOKEN authorizers.
"""

import base64
import http.client
import io
import json
import re
import uuid
import zipfile
from urllib.parse import urlparse

import pytest
import yaml
from botocore.exceptions import ClientError
from conftest import NO_RETRY, parse

ACCOUNT = "000000000000"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"

ECHO = '''
import base64
import json


def handler(event, context):
    path = event.get("path") or ""
    if path.endswith("/fail"):
        raise RuntimeError("boom")
    if path.endswith("/malformed"):
        return {"greeting": "hello"}
    if path.endswith("/custom"):
        return {
            "statusCode": 201,
            "headers": {"x-hello": "world", "content-type": "text/plain"},
            "multiValueHeaders": {"x-multi": ["1", "2"]},
            "body": "created",
        }
    if path.endswith("/binary"):
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/octet-stream"},
            "body": base64.b64encode(b"\\x00\\x01binary").decode(),
            "isBase64Encoded": True,
        }
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
'''

AUTHORIZER = '''
def handler(event, context):
    token = event.get("authorizationToken")
    if token not in ("allow", "deny"):
        raise Exception("Unauthorized")
    return {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": "execute-api:Invoke",
                "Effect": "Allow" if token == "allow" else "Deny",
                "Resource": event["methodArn"],
            }],
        },
        "context": {"tier": "gold", "count": 3, "ok": True},
    }
'''

ID = re.compile(r"^[a-z0-9]{10}$")
MISSING = (403, {"message": "Missing Authentication Token"})
BAD_GATEWAY = (502, {"message": "Internal server error"})


def unique(prefix="rest"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def package(source):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("app.py", date_time=(2024, 1, 1, 0, 0, 0))
        entry.external_attr = 0o644 << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, source)
    return buffer.getvalue()


def error_of(call):
    """The (code, message, HTTP status) of the ClientError `call` raises."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["Error"].get("Message"),
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def port():
    import os

    return urlparse(os.environ["AWS_ENDPOINT_URL"]).port


def request(api_id, method="GET", path="/", body=None, headers=None, by_path=False):
    """Calls a REST API: `path` starts with the stage. Host-based unless `by_path`."""
    headers = dict(headers or {})
    if by_path:
        stage, _, rest = path.lstrip("/").partition("/")
        path = f"/restapis/{api_id}/{stage}/_user_request_/{rest}"
        headers["Host"] = f"localhost:{port()}"
    else:
        headers["Host"] = f"{api_id}.execute-api.localhost:{port()}"
    connection = http.client.HTTPConnection("127.0.0.1", port(), timeout=30)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.getheaders(), response.read()


def answer(api_id, method="GET", path="/", **params):
    status, _, body = request(api_id, method, path, **params)
    return status, json.loads(body) if body else None


def header(headers, name):
    return [value for key, value in headers if key.lower() == name]


def invocation_uri(function):
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function}/invocations"


@pytest.fixture
def gw(client):
    return client("apigateway")


def make_function(source, prefix):
    import boto3

    lam = boto3.client("lambda", config=NO_RETRY)
    name = unique(prefix)
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package(source)},
    )["FunctionArn"]
    return lam, name, arn


@pytest.fixture(scope="module")
def function():
    lam, name, arn = make_function(ECHO, "rest-echo")
    yield arn
    lam.delete_function(FunctionName=name)


@pytest.fixture(scope="module")
def authorizer_function():
    lam, name, arn = make_function(AUTHORIZER, "rest-auth")
    yield arn
    lam.delete_function(FunctionName=name)


@pytest.fixture
def make_api(gw):
    """Creates REST APIs; deletes them after the test."""
    created = []

    def make(**params):
        params.setdefault("name", unique())
        api = gw.create_rest_api(**params)
        created.append(api["id"])
        return api

    yield make
    for api_id in created:
        try:
            gw.delete_rest_api(restApiId=api_id)
        except ClientError:
            pass


def lambda_method(gw, api_id, resource_id, function, method="GET", **params):
    params.setdefault("authorizationType", "NONE")
    gw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=method, **params)
    return gw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=method,
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=invocation_uri(function),
    )


def items_api(make_api, gw, function):
    """`/items/{id}` (GET) and `/{proxy+}` (ANY) on the function, deployed to `prod`."""
    api = make_api(description="items")
    api_id = api["id"]
    root = api["rootResourceId"]
    items = gw.create_resource(restApiId=api_id, parentId=root, pathPart="items")
    item = gw.create_resource(restApiId=api_id, parentId=items["id"], pathPart="{id}")
    proxy = gw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    lambda_method(gw, api_id, item["id"], function)
    lambda_method(gw, api_id, proxy["id"], function, method="ANY")
    gw.create_deployment(restApiId=api_id, stageName="prod", variables={"color": "blue"})
    return api, items, item, proxy


def test_resources_methods_and_the_lambda_proxy_event(make_api, gw, function):
    api, items, item, proxy = items_api(make_api, gw, function)
    api_id = api["id"]
    assert ID.match(api_id) and ID.match(api["rootResourceId"])
    assert api["apiKeySource"] == "HEADER"
    assert api["endpointConfiguration"]["types"] == ["EDGE"]
    assert item["path"] == "/items/{id}" and item["parentId"] == items["id"]
    resources = gw.get_resources(restApiId=api_id, embed=["methods"])["items"]
    by_path = {resource["path"]: resource for resource in resources}
    assert set(by_path) == {"/", "/items", "/items/{id}", "/{proxy+}"}
    integration = by_path["/items/{id}"]["resourceMethods"]["GET"]["methodIntegration"]
    assert integration["type"] == "AWS_PROXY"
    assert integration["timeoutInMillis"] == 29000

    status, headers, body = request(api_id, "GET", "/prod/items/42?a=1&a=2&b=x",
                                    headers={"X-Custom": "c"})
    assert status == 200, body
    assert header(headers, "x-amzn-requestid")
    event = json.loads(body)
    assert event["resource"] == "/items/{id}"
    assert event["path"] == "/items/42"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["x-custom"] == "c"
    assert event["multiValueHeaders"]["x-custom"] == ["c"]
    assert event["queryStringParameters"] == {"a": "2", "b": "x"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x"]}
    assert event["pathParameters"] == {"id": "42"}
    assert event["stageVariables"] == {"color": "blue"}
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["accountId"] == ACCOUNT
    assert context["apiId"] == api_id
    assert context["resourceId"] == item["id"]
    assert context["resourcePath"] == "/items/{id}"
    assert context["httpMethod"] == "GET"
    assert context["path"] == "/prod/items/42"
    assert context["stage"] == "prod"
    assert context["protocol"] == "HTTP/1.1"
    assert context["domainName"] == f"{api_id}.execute-api.localhost"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert isinstance(context["requestTimeEpoch"], int)
    assert context["requestId"] == header(headers, "x-amzn-requestid")[0]

    # The path form reaches the same API.
    status, _, body = request(api_id, "GET", "/prod/items/7", by_path=True)
    assert status == 200, body
    assert json.loads(body)["pathParameters"] == {"id": "7"}

    # Greedy proxy resources take the rest of the path; literal parts win.
    status, _, body = request(api_id, "POST", "/prod/a/b/c", body=b'{"k": 1}',
                              headers={"Content-Type": "application/json"})
    event = json.loads(body)
    assert (status, event["resource"], event["pathParameters"]) == (
        200, "/{proxy+}", {"proxy": "a/b/c"})
    assert event["body"] == '{"k": 1}'
    # No method: the items resource has none; unknown stage; unknown API.
    assert answer(api_id, "GET", "/prod/items") == MISSING
    assert answer(api_id, "GET", "/dev/items/1") == MISSING
    assert answer("abcdefghij", "GET", "/prod/items/1") == MISSING
    assert answer(api_id, "GET", "/prod") == MISSING


def test_answers_map_to_responses(make_api, gw, function):
    api, *_ = items_api(make_api, gw, function)
    api_id = api["id"]
    status, headers, body = request(api_id, "GET", "/prod/x/custom")
    assert (status, body) == (201, b"created")
    assert header(headers, "x-hello") == ["world"]
    assert header(headers, "content-type") == ["text/plain"]
    assert header(headers, "x-multi") == ["1", "2"]
    status, _, body = request(api_id, "GET", "/prod/x/binary")
    assert (status, body) == (200, b"\x00\x01binary")
    assert answer(api_id, "GET", "/prod/x/malformed") == BAD_GATEWAY
    assert answer(api_id, "GET", "/prod/x/fail") == BAD_GATEWAY


def test_mock_integrations(make_api, gw):
    api = make_api()
    api_id, root = api["id"], api["rootResourceId"]
    health = gw.create_resource(restApiId=api_id, parentId=root, pathPart="health")
    gw.put_method(restApiId=api_id, resourceId=health["id"], httpMethod="GET",
                  authorizationType="NONE")
    gw.put_integration(restApiId=api_id, resourceId=health["id"], httpMethod="GET", type="MOCK",
                       requestTemplates={"application/json": '{"statusCode": 200}'})
    gw.put_method_response(restApiId=api_id, resourceId=health["id"], httpMethod="GET",
                           statusCode="200",
                           responseParameters={"method.response.header.X-Mocked": False})
    response = gw.put_integration_response(
        restApiId=api_id, resourceId=health["id"], httpMethod="GET", statusCode="200",
        responseTemplates={"application/json": '{"healthy": true}'},
        responseParameters={"method.response.header.X-Mocked": "'yes'"})
    assert response["statusCode"] == "200"
    method = gw.get_method(restApiId=api_id, resourceId=health["id"], httpMethod="GET")
    assert method["methodResponses"]["200"]["responseParameters"] == {
        "method.response.header.X-Mocked": False}
    assert method["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"] == {
        "application/json": '{"healthy": true}'}
    deployment = gw.create_deployment(restApiId=api_id, stageName="v1", description="first")
    assert deployment["description"] == "first"
    status, headers, body = request(api_id, "GET", "/v1/health")
    assert (status, json.loads(body)) == (200, {"healthy": True})
    assert header(headers, "x-mocked") == ["yes"]
    assert answer(api_id, "POST", "/v1/health") == MISSING


def test_import_rest_api_from_openapi(make_api, gw, function):
    definition = {
        "openapi": "3.0.1",
        "info": {"title": unique("imported"), "version": "2024-01-01"},
        "paths": {
            "/pets/{petId}": {
                "get": {
                    "parameters": [{"name": "petId", "in": "path", "required": True,
                                    "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "a pet"}},
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "httpMethod": "POST",
                        "uri": invocation_uri(function),
                    },
                },
            },
            "/ping": {
                "get": {
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 200}'},
                        "responses": {"default": {"statusCode": "200",
                                                  "responseTemplates": {"application/json": '"pong"'}}},
                    },
                },
            },
        },
    }
    api = gw.import_rest_api(body=json.dumps(definition).encode())
    try:
        api_id = api["id"]
        assert api["name"] == definition["info"]["title"]
        assert api["version"] == "2024-01-01"
        paths = {r["path"] for r in gw.get_resources(restApiId=api_id)["items"]}
        assert paths == {"/", "/pets", "/pets/{petId}", "/ping"}
        gw.create_deployment(restApiId=api_id, stageName="prod")
        event = json.loads(request(api_id, "GET", "/prod/pets/9")[2])
        assert (event["resource"], event["pathParameters"]) == ("/pets/{petId}", {"petId": "9"})
        assert answer(api_id, "GET", "/prod/ping") == (200, "pong")
        # PutRestApi in overwrite mode replaces the resources; YAML is read as well as JSON.
        definition["paths"].pop("/pets/{petId}")
        gw.put_rest_api(restApiId=api_id, mode="overwrite",
                        body=yaml.safe_dump(definition).encode())
        paths = {r["path"] for r in gw.get_resources(restApiId=api_id)["items"]}
        assert paths == {"/", "/ping"}
        code, _, status = error_of(lambda: gw.import_rest_api(body=b"not a definition"))
        assert (code, status) == ("BadRequestException", 400)
    finally:
        gw.delete_rest_api(restApiId=api["id"])


def test_api_keys_and_usage_plans(make_api, gw, function):
    api = make_api()
    api_id, root = api["id"], api["rootResourceId"]
    lambda_method(gw, api_id, root, function, apiKeyRequired=True)
    gw.create_deployment(restApiId=api_id, stageName="prod")
    forbidden = (403, {"message": "Forbidden"})
    assert answer(api_id, "GET", "/prod") == forbidden
    key = gw.create_api_key(name=unique("key"), enabled=True)
    assert len(key["value"]) >= 20 and key["enabled"] is True
    assert "value" not in gw.get_api_key(apiKey=key["id"])
    assert gw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == key["value"]
    with_key = {"x-api-key": key["value"]}
    # A key outside every plan of the stage is refused.
    assert answer(api_id, "GET", "/prod", headers=with_key) == forbidden
    plan = gw.create_usage_plan(
        name=unique("plan"),
        apiStages=[{"apiId": api_id, "stage": "prod"}],
        throttle={"rateLimit": 0.01, "burstLimit": 2},
        quota={"limit": 1000, "period": "DAY"},
    )
    try:
        assert plan["throttle"] == {"rateLimit": 0.01, "burstLimit": 2}
        assert plan["quota"]["period"] == "DAY"
        member = gw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"],
                                          keyType="API_KEY")
        assert (member["id"], member["type"]) == (key["id"], "API_KEY")
        assert [k["id"] for k in gw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [
            key["id"]]
        status, _, body = request(api_id, "GET", "/prod", headers=with_key)
        assert status == 200, body
        identity = json.loads(body)["requestContext"]["identity"]
        assert (identity["apiKey"], identity["apiKeyId"]) == (key["value"], key["id"])
        assert answer(api_id, "GET", "/prod", headers=with_key)[0] == 200
        assert answer(api_id, "GET", "/prod", headers=with_key) == (
            429, {"message": "Too Many Requests"})
        assert answer(api_id, "GET", "/prod", headers={"x-api-key": "wrong-key-wrong-key"}) == forbidden
        assert [p["id"] for p in gw.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    finally:
        gw.delete_usage_plan(usagePlanId=plan["id"])
        gw.delete_api_key(apiKey=key["id"])
    code, message, status = error_of(lambda: gw.get_api_key(apiKey=key["id"]))
    assert (code, message, status) == (
        "NotFoundException", "Invalid API Key identifier specified", 404)


def test_token_authorizers(make_api, gw, function, authorizer_function):
    api = make_api()
    api_id, root = api["id"], api["rootResourceId"]
    authorizer = gw.create_authorizer(
        restApiId=api_id, name="token", type="TOKEN",
        authorizerUri=invocation_uri(authorizer_function),
        identitySource="method.request.header.Authorization",
        authorizerResultTtlInSeconds=0,
    )
    assert ID.match(authorizer["id"]) and authorizer["authorizerResultTtlInSeconds"] == 0
    assert gw.get_authorizers(restApiId=api_id)["items"][0]["name"] == "token"
    lambda_method(gw, api_id, root, function, authorizationType="CUSTOM",
                  authorizerId=authorizer["id"])
    gw.create_deployment(restApiId=api_id, stageName="prod")
    assert answer(api_id, "GET", "/prod") == (401, {"message": "Unauthorized"})
    assert answer(api_id, "GET", "/prod", headers={"Authorization": "nope"}) == (
        401, {"message": "Unauthorized"})
    assert answer(api_id, "GET", "/prod", headers={"Authorization": "deny"}) == (
        403, {"message": "User is not authorized to access this resource with an explicit deny"})
    status, _, body = request(api_id, "GET", "/prod", headers={"Authorization": "allow"})
    assert status == 200, body
    assert json.loads(body)["requestContext"]["authorizer"] == {
        "principalId": "user-1", "tier": "gold", "count": "3", "ok": "true"}
    code, message, status = error_of(
        lambda: gw.delete_authorizer(restApiId=api_id, authorizerId=authorizer["id"]))
    assert (code, status) == ("ConflictException", 409)


def test_stages_deployments_and_tags(make_api, gw, function):
    api, *_ = items_api(make_api, gw, function)
    api_id = api["id"]
    stage = gw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["variables"] == {"color": "blue"}
    updated = gw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/color", "value": "green"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "50"},
        {"op": "replace", "path": "/description", "value": "production"},
    ])
    assert updated["variables"] == {"color": "green"}
    assert updated["methodSettings"]["*/*"]["throttlingBurstLimit"] == 50
    assert updated["methodSettings"]["*/*"]["throttlingRateLimit"] == 100.0
    event = json.loads(request(api_id, "GET", "/prod/items/1")[2])
    assert event["stageVariables"] == {"color": "green"}
    second = gw.create_deployment(restApiId=api_id, description="second")
    gw.create_stage(restApiId=api_id, stageName="beta", deploymentId=second["id"],
                    tags={"team": "a"})
    assert {s["stageName"] for s in gw.get_stages(restApiId=api_id)["item"]} == {"prod", "beta"}
    assert len(gw.get_deployments(restApiId=api_id)["items"]) == 2
    assert request(api_id, "GET", "/beta/items/1")[0] == 200
    arn = f"arn:aws:apigateway:{REGION}::/restapis/{api_id}"
    gw.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    gw.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert gw.get_tags(resourceArn=arn)["tags"] == {"b": "2"}
    assert gw.get_rest_api(restApiId=api_id)["tags"] == {"b": "2"}
    assert gw.get_tags(resourceArn=f"{arn}/stages/beta")["tags"] == {"team": "a"}
    renamed = gw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/binaryMediaTypes/image~1png"},
    ])
    assert (renamed["name"], renamed["binaryMediaTypes"]) == ("renamed", ["image/png"])
    gw.delete_stage(restApiId=api_id, stageName="beta")
    gw.delete_deployment(restApiId=api_id, deploymentId=second["id"])
    assert answer(api_id, "GET", "/beta/items/1") == MISSING


def test_control_plane_errors(make_api, gw, function):
    code, message, status = error_of(lambda: gw.get_rest_api(restApiId="abcdefghij"))
    assert (code, message, status) == (
        "NotFoundException", f"Invalid API identifier specified {ACCOUNT}:abcdefghij", 404)
    api, items, item, _ = items_api(make_api, gw, function)
    api_id, root = api["id"], api["rootResourceId"]
    assert error_of(lambda: gw.get_resource(restApiId=api_id, resourceId="nope")) == (
        "NotFoundException", "Invalid Resource identifier specified", 404)
    assert error_of(lambda: gw.create_resource(restApiId=api_id, parentId=root,
                                               pathPart="items")) == (
        "ConflictException",
        "Another resource with the same parent already has this name: items", 409)
    assert error_of(lambda: gw.get_method(restApiId=api_id, resourceId=root,
                                          httpMethod="GET")) == (
        "NotFoundException", "Invalid Method identifier specified", 404)
    assert error_of(lambda: gw.put_method(restApiId=api_id, resourceId=item["id"],
                                          httpMethod="GET", authorizationType="NONE")) == (
        "ConflictException", "Method already exists for this resource", 409)
    assert error_of(lambda: gw.get_integration(restApiId=api_id, resourceId=items["id"],
                                               httpMethod="GET"))[0] == "NotFoundException"
    assert error_of(lambda: gw.get_stage(restApiId=api_id, stageName="nope")) == (
        "NotFoundException", "Invalid stage identifier specified", 404)
    deployment = gw.get_stage(restApiId=api_id, stageName="prod")["deploymentId"]
    assert error_of(lambda: gw.delete_deployment(restApiId=api_id, deploymentId=deployment)) == (
        "BadRequestException",
        "Active stages pointing to this deployment must be moved or deleted", 400)
    assert error_of(lambda: gw.create_stage(restApiId=api_id, stageName="prod",
                                            deploymentId=deployment)) == (
        "ConflictException", "Stage already exists", 409)
    empty = make_api()
    assert error_of(lambda: gw.create_deployment(restApiId=empty["id"], stageName="x")) == (
        "BadRequestException", "The REST API doesn't contain any methods", 400)
    code, _, status = error_of(lambda: gw.get_usage_plan(usagePlanId="nope"))
    assert (code, status) == ("NotFoundException", 404)


def test_the_cli_creates_a_rest_api(aws, gw):
    code, stdout, stderr = aws("apigateway", "create-rest-api", "--name", unique("cli"),
                               "--endpoint-configuration", "types=REGIONAL")
    assert code == 0, stderr
    api = parse(stdout)
    try:
        assert ID.match(api["id"])
        assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
        code, stdout, stderr = aws("apigateway", "get-resources", "--rest-api-id", api["id"])
        assert code == 0, stderr
        assert parse(stdout)["items"] == [{"id": api["rootResourceId"], "path": "/"}]
        code, _, stderr = aws("apigateway", "get-rest-api", "--rest-api-id", "abcdefghij")
        assert code != 0
        assert "NotFoundException" in stderr
        assert f"Invalid API identifier specified {ACCOUNT}:abcdefghij" in stderr
    finally:
        gw.delete_rest_api(restApiId=api["id"])
