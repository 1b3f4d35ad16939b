"""API Gateway HTTP APIs with boto3 and the AWS CLI: the control plane (APIs, routes,
integrations, stages, deployments, authorizers, tags) with the errors unkai sends (code, HTTP
status, message), and the invoke URLs called with real HTTP requests: the payload format 2.0
and 1.0 events a Lambda function receives, the mapping of its answer, route precedence, path
parameters, the `$default` stage and named stage prefixes, HTTP_PROXY integrations.

JWT authorizers are checked against an OpenID issuer the test serves on 127.0.0.1, with a
key and tokens made in the test.

The function under test echoes its event (tests/functions/python is for Lambda's own tests).
"""

import base64
import hashlib
import http.client
import http.server
import io
import json
import re
import secrets
import ssl
import threading
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import NO_RETRY, parse

ACCOUNT = "000000000000"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"

ECHO = '''
import base64
import json
import time


def handler(event, context):
    path = event.get("rawPath") or event.get("path") or ""
    if path.endswith("/fail"):
        raise RuntimeError("boom")
    if path.endswith("/sleep"):
        time.sleep(2)
        return {"statusCode": 200, "body": "slept"}
    if path.endswith("/plain"):
        return {"greeting": "hello"}
    if path.endswith("/text"):
        return "just text"
    if path.endswith("/custom"):
        return {
            "statusCode": 201,
            "headers": {"x-hello": "world", "content-type": "text/plain"},
            "cookies": ["a=1", "b=2"],
            "body": "created",
        }
    if path.endswith("/binary"):
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/octet-stream"},
            "body": base64.b64encode(b"\\x00\\x01binary").decode(),
            "isBase64Encoded": True,
        }
    if path.endswith("/multi"):
        return {
            "statusCode": 202,
            "headers": {"x-single": "s"},
            "multiValueHeaders": {"x-multi": ["1", "2"]},
            "body": "multi",
        }
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(event),
    }
'''

ID = re.compile(r"^[a-z0-9]{10}$")


def unique(prefix="api"):
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


def request(endpoint, method="GET", path="/", body=None, headers=None, sign=False):
    """Sends a request to an API's invoke URL (to unkai's port, with the API's Host)."""
    parsed = urlparse(endpoint)
    headers = dict(headers or {})
    headers["Host"] = parsed.netloc
    if sign:
        import boto3
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        credentials = boto3.Session().get_credentials()
        signed = AWSRequest(method=method, url=endpoint + path, data=body, headers=headers)
        SigV4Auth(credentials, "execute-api", REGION).add_auth(signed)
        headers = dict(signed.headers.items())
    connection = http.client.HTTPConnection("127.0.0.1", parsed.port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.getheaders(), response.read()


def header(headers, name):
    return [value for key, value in headers if key.lower() == name]


def event_of(endpoint, method="GET", path="/", **params):
    status, _, body = request(endpoint, method, path, **params)
    assert status == 200, body
    return json.loads(body)


NOT_FOUND = (404, {"message": "Not Found"})
INTERNAL = (500, {"message": "Internal Server Error"})


def answer(endpoint, method="GET", path="/", **params):
    status, _, body = request(endpoint, method, path, **params)
    return status, json.loads(body)


@pytest.fixture
def gw(client):
    return client("apigatewayv2")


@pytest.fixture
def unchecked(client):
    """A client that sends what botocore's own validation would refuse to."""
    return client("apigatewayv2", config=NO_RETRY.merge(Config(parameter_validation=False)))


@pytest.fixture(scope="module")
def function():
    """The echo function's ARN (one for the module; functions start once)."""
    import boto3

    lam = boto3.client("lambda", config=NO_RETRY)
    name = unique("echo")
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package(ECHO)},
    )["FunctionArn"]
    yield arn
    lam.delete_function(FunctionName=name)


@pytest.fixture
def make_api(gw):
    """Creates APIs; deletes them after the test."""
    created = []

    def make(**params):
        params.setdefault("Name", unique())
        params.setdefault("ProtocolType", "HTTP")
        api = gw.create_api(**params)
        created.append(api["ApiId"])
        return api

    yield make
    for api_id in created:
        try:
            gw.delete_api(ApiId=api_id)
        except ClientError:
            pass


def lambda_integration(gw, api_id, function, **params):
    params.setdefault("PayloadFormatVersion", "2.0")
    return gw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function, **params
    )["IntegrationId"]


def test_quick_create_serves_the_function_on_the_default_stage(make_api, gw, function):
    api = make_api(Target=function)
    api_id = api["ApiId"]
    assert ID.match(api_id)
    port = urlparse(api["ApiEndpoint"]).port
    assert api["ApiEndpoint"] == f"http://{api_id}.execute-api.localhost:{port}"
    assert api["ProtocolType"] == "HTTP"
    assert api["RouteSelectionExpression"] == "$request.method $request.path"
    assert api["ApiKeySelectionExpression"] == "$request.header.x-api-key"
    assert api["DisableExecuteApiEndpoint"] is False

    [stage] = gw.get_stages(ApiId=api_id)["Items"]
    assert stage["StageName"] == "$default"
    assert stage["AutoDeploy"] is True and stage["ApiGatewayManaged"] is True
    assert stage["LastDeploymentStatusMessage"] == (
        f"Successfully deployed stage with deployment ID '{stage['DeploymentId']}'"
    )
    [route] = gw.get_routes(ApiId=api_id)["Items"]
    assert route["RouteKey"] == "$default" and route["ApiGatewayManaged"] is True
    [integration] = gw.get_integrations(ApiId=api_id)["Items"]
    assert route["Target"] == f"integrations/{integration['IntegrationId']}"
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["IntegrationUri"] == function
    assert integration["IntegrationMethod"] == "POST"
    assert integration["PayloadFormatVersion"] == "2.0"
    assert integration["TimeoutInMillis"] == 30000
    assert integration["ConnectionType"] == "INTERNET"

    event = event_of(
        api["ApiEndpoint"],
        "POST",
        "/hello/world?a=1&a=2&b=x%20y",
        body=b'{"k": 1}',
        headers={
            "Content-Type": "application/json",
            "Cookie": "c1=v1; c2=v2",
            "User-Agent": "unkai-test",
            "X-Multi": "one",
        },
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/hello/world"
    assert event["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["content-type"] == "application/json"
    assert event["headers"]["x-multi"] == "one"
    assert event["headers"]["x-forwarded-proto"] == "http"
    assert event["body"] == '{"k": 1}' and event["isBase64Encoded"] is False
    assert "pathParameters" not in event and "stageVariables" not in event
    context = event["requestContext"]
    assert context["accountId"] == ACCOUNT
    assert context["apiId"] == api_id
    assert context["domainName"] == f"{api_id}.execute-api.localhost"
    assert context["domainPrefix"] == api_id
    assert context["http"] == {
        "method": "POST",
        "path": "/hello/world",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "unkai-test",
    }
    assert context["routeKey"] == "$default" and context["stage"] == "$default"
    assert re.match(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$", context["time"])
    assert isinstance(context["timeEpoch"], int)
    status, headers, _ = request(api["ApiEndpoint"], "GET", "/x")
    assert header(headers, "apigw-requestid")


def test_quick_create_with_a_route_key(make_api, function):
    api = make_api(Target=function, RouteKey="GET /items/{id}")
    event = event_of(api["ApiEndpoint"], "GET", "/items/a%20b")
    assert event["routeKey"] == "GET /items/{id}"
    assert event["pathParameters"] == {"id": "a b"}
    assert event["rawPath"] == "/items/a%20b"
    assert answer(api["ApiEndpoint"], "POST", "/items/7") == NOT_FOUND
    assert answer(api["ApiEndpoint"], "GET", "/items") == NOT_FOUND


def test_route_precedence_and_named_stages(make_api, gw, function):
    api_id = make_api()["ApiId"]
    endpoint = gw.get_api(ApiId=api_id)["ApiEndpoint"]
    integration = lambda_integration(gw, api_id, function)
    for key in [
        "GET /pets/dog/1",
        "GET /pets/dog/{id}",
        "GET /pets/{proxy+}",
        "ANY /{proxy+}",
        "GET /",
        "$default",
    ]:
        gw.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}")
    stage = gw.create_stage(
        ApiId=api_id, StageName="prod", AutoDeploy=True, StageVariables={"env": "production"}
    )
    assert stage["AutoDeploy"] is True and stage["DeploymentId"]

    def route_of(method, path):
        event = event_of(endpoint, method, path)
        return event["routeKey"], event.get("pathParameters")

    # The example of the developer guide's "Routing API requests".
    assert route_of("GET", "/prod/pets/dog/1") == ("GET /pets/dog/1", None)
    assert route_of("GET", "/prod/pets/dog/2") == ("GET /pets/dog/{id}", {"id": "2"})
    assert route_of("GET", "/prod/pets/cat/1") == ("GET /pets/{proxy+}", {"proxy": "cat/1"})
    assert route_of("POST", "/prod/pets/cat/1") == ("ANY /{proxy+}", {"proxy": "pets/cat/1"})
    assert route_of("GET", "/prod") == ("GET /", None)
    assert route_of("DELETE", "/prod") == ("$default", None)

    event = event_of(endpoint, "GET", "/prod/pets/dog/2?x=1")
    assert event["rawPath"] == "/prod/pets/dog/2"
    assert event["requestContext"]["http"]["path"] == "/prod/pets/dog/2"
    assert event["requestContext"]["stage"] == "prod"
    assert event["stageVariables"] == {"env": "production"}

    # Without a $default stage, a path that names no stage finds nothing.
    assert answer(endpoint, "GET", "/pets/dog/1") == NOT_FOUND
    assert answer(endpoint, "GET", "/") == NOT_FOUND

    # With one, such paths go to it; a named stage still wins its prefix.
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    event = event_of(endpoint, "GET", "/pets/dog/1")
    assert (event["routeKey"], event["requestContext"]["stage"]) == ("GET /pets/dog/1", "$default")
    assert event_of(endpoint, "GET", "/prod/pets/dog/1")["requestContext"]["stage"] == "prod"


def test_payload_format_1_0(make_api, gw, function):
    api_id = make_api()["ApiId"]
    endpoint = gw.get_api(ApiId=api_id)["ApiEndpoint"]
    integration = lambda_integration(gw, api_id, function, PayloadFormatVersion="1.0")
    gw.create_route(
        ApiId=api_id, RouteKey="POST /items/{id}", Target=f"integrations/{integration}"
    )
    gw.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{integration}")
    gw.create_stage(ApiId=api_id, StageName="v1", AutoDeploy=True)

    event = event_of(
        endpoint,
        "POST",
        "/v1/items/7?q=a&q=b",
        body=b"hello",
        headers={"Content-Type": "text/plain", "User-Agent": "unkai-test"},
    )
    assert event["version"] == "1.0"
    assert event["resource"] == "/items/{id}"
    assert event["path"] == "/v1/items/7"
    assert event["httpMethod"] == "POST"
    assert event["headers"]["content-type"] == "text/plain"
    assert event["multiValueHeaders"]["content-type"] == ["text/plain"]
    assert event["queryStringParameters"] == {"q": "b"}
    assert event["multiValueQueryStringParameters"] == {"q": ["a", "b"]}
    assert event["pathParameters"] == {"id": "7"}
    assert event["stageVariables"] is None
    assert event["body"] == "hello" and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["httpMethod"] == "POST"
    assert context["path"] == "/v1/items/7"
    assert context["resourcePath"] == "/items/{id}"
    assert context["stage"] == "v1"
    assert context["apiId"] == api_id and context["accountId"] == ACCOUNT
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "unkai-test"
    assert isinstance(context["requestTimeEpoch"], int)

    event = event_of(endpoint, "GET", "/v1/other")
    assert event["resource"] == "$default"
    assert event["queryStringParameters"] is None and event["body"] is None

    # 1.0 answers: multiValueHeaders, and no shortcut without statusCode.
    status, headers, body = request(endpoint, "GET", "/v1/multi")
    assert (status, body) == (202, b"multi")
    assert header(headers, "x-multi") == ["1", "2"]
    assert header(headers, "x-single") == ["s"]
    assert answer(endpoint, "GET", "/v1/plain") == INTERNAL


def test_payload_format_2_0_answers(make_api, function):
    endpoint = make_api(Target=function)["ApiEndpoint"]
    status, headers, body = request(endpoint, "GET", "/custom")
    assert (status, body) == (201, b"created")
    assert header(headers, "x-hello") == ["world"]
    assert header(headers, "content-type") == ["text/plain"]
    assert header(headers, "set-cookie") == ["a=1", "b=2"]

    status, headers, body = request(endpoint, "GET", "/plain")
    assert (status, json.loads(body)) == (200, {"greeting": "hello"})
    assert header(headers, "content-type") == ["application/json"]
    status, _, body = request(endpoint, "GET", "/text")
    assert (status, json.loads(body)) == (200, "just text")

    status, headers, body = request(endpoint, "GET", "/binary")
    assert (status, body) == (200, b"\x00\x01binary")
    assert header(headers, "content-type") == ["application/octet-stream"]

    assert answer(endpoint, "GET", "/fail") == INTERNAL

    # Binary request bodies reach the function base64-encoded.
    event = event_of(
        endpoint, "PUT", "/upload", body=b"\xff\x00", headers={"Content-Type": "image/png"}
    )
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00"


def test_integration_timeout_answers_service_unavailable(make_api, gw, function):
    api_id = make_api()["ApiId"]
    endpoint = gw.get_api(ApiId=api_id)["ApiEndpoint"]
    integration = lambda_integration(gw, api_id, function, TimeoutInMillis=1000)
    assert gw.get_integration(ApiId=api_id, IntegrationId=integration)["TimeoutInMillis"] == 1000
    gw.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{integration}")
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    assert answer(endpoint, "GET", "/sleep") == (503, {"message": "Service Unavailable"})


def test_stages_without_auto_deploy_serve_their_deployment(make_api, gw, function):
    api_id = make_api()["ApiId"]
    endpoint = gw.get_api(ApiId=api_id)["ApiEndpoint"]
    integration = lambda_integration(gw, api_id, function)
    target = f"integrations/{integration}"
    gw.create_route(ApiId=api_id, RouteKey="GET /one", Target=target)
    stage = gw.create_stage(ApiId=api_id, StageName="live")
    assert "DeploymentId" not in stage and stage["AutoDeploy"] is False
    assert answer(endpoint, "GET", "/live/one") == NOT_FOUND

    first = gw.create_deployment(ApiId=api_id, StageName="live", Description="first")
    assert first["DeploymentStatus"] == "DEPLOYED" and first["AutoDeployed"] is False
    assert gw.get_stage(ApiId=api_id, StageName="live")["DeploymentId"] == first["DeploymentId"]
    assert event_of(endpoint, "GET", "/live/one")["routeKey"] == "GET /one"

    gw.create_route(ApiId=api_id, RouteKey="GET /two", Target=target)
    assert answer(endpoint, "GET", "/live/two") == NOT_FOUND
    second = gw.create_deployment(ApiId=api_id, StageName="live")
    assert event_of(endpoint, "GET", "/live/two")["routeKey"] == "GET /two"

    # Back to the first deployment: its routes, not today's.
    gw.update_stage(ApiId=api_id, StageName="live", DeploymentId=first["DeploymentId"])
    assert answer(endpoint, "GET", "/live/two") == NOT_FOUND
    ids = {d["DeploymentId"] for d in gw.get_deployments(ApiId=api_id)["Items"]}
    assert ids == {first["DeploymentId"], second["DeploymentId"]}
    assert gw.update_deployment(
        ApiId=api_id, DeploymentId=second["DeploymentId"], Description="second"
    )["Description"] == "second"
    gw.delete_deployment(ApiId=api_id, DeploymentId=second["DeploymentId"])
    assert error_of(
        lambda: gw.delete_deployment(ApiId=api_id, DeploymentId=first["DeploymentId"])
    ) == (
        "BadRequestException",
        "Active stages pointing to this deployment must be moved or deleted",
        400,
    )

    # Turning AutoDeploy on deploys at once, and every later change too.
    updated = gw.update_stage(ApiId=api_id, StageName="live", AutoDeploy=True)
    assert updated["DeploymentId"] != first["DeploymentId"]
    assert event_of(endpoint, "GET", "/live/two")["routeKey"] == "GET /two"
    route = gw.create_route(ApiId=api_id, RouteKey="GET /three", Target=target)
    assert event_of(endpoint, "GET", "/live/three")["routeKey"] == "GET /three"
    gw.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="GET /four")
    assert answer(endpoint, "GET", "/live/three") == NOT_FOUND
    assert event_of(endpoint, "GET", "/live/four")["routeKey"] == "GET /four"
    gw.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    assert answer(endpoint, "GET", "/live/four") == NOT_FOUND


def test_control_plane_errors(make_api, gw, unchecked, function):
    missing = "abcdefghij"
    api_not_found = (
        "NotFoundException",
        f"Invalid API identifier specified {ACCOUNT}:{missing}",
        404,
    )
    assert error_of(lambda: gw.get_api(ApiId=missing)) == api_not_found
    assert error_of(lambda: gw.delete_api(ApiId=missing)) == api_not_found
    assert error_of(lambda: gw.get_routes(ApiId=missing)) == api_not_found
    assert error_of(lambda: gw.create_route(ApiId=missing, RouteKey="GET /x")) == api_not_found

    api_id = make_api()["ApiId"]
    integration = lambda_integration(gw, api_id, function)
    gw.create_route(ApiId=api_id, RouteKey="GET /items", Target=f"integrations/{integration}")
    assert error_of(lambda: gw.create_route(ApiId=api_id, RouteKey="GET /items")) == (
        "ConflictException",
        "Route with key GET /items already exists for this API",
        409,
    )
    gw.create_route(ApiId=api_id, RouteKey="GET /orgs/{orgId}")
    assert error_of(lambda: gw.create_route(ApiId=api_id, RouteKey="DELETE /orgs/{org_id}")) == (
        "ConflictException",
        'The provided route key "DELETE /orgs/{org_id}" has a conflicting variable on the '
        'same hierarchical level as "GET /orgs/{orgId}"',
        409,
    )
    for key in ["GET /a//b", "GET /{proxy+}/more", "GET items", "GET /a/"]:
        assert error_of(lambda: gw.create_route(ApiId=api_id, RouteKey=key)) == (
            "BadRequestException",
            "One or more path parts appear to be invalid",
            400,
        ), key
    code, _, status = error_of(lambda: gw.create_route(ApiId=api_id, RouteKey="FETCH /x"))
    assert (code, status) == ("BadRequestException", 400)

    assert error_of(lambda: gw.get_route(ApiId=api_id, RouteId="nope123")) == (
        "NotFoundException",
        "Invalid Route identifier specified nope123",
        404,
    )
    assert error_of(lambda: gw.get_integration(ApiId=api_id, IntegrationId="nope123")) == (
        "NotFoundException",
        "Invalid Integration identifier specified nope123",
        404,
    )
    assert error_of(
        lambda: gw.create_route(ApiId=api_id, RouteKey="GET /z", Target="integrations/nope123")
    ) == ("NotFoundException", "Invalid Integration identifier specified nope123", 404)
    assert error_of(lambda: gw.get_deployment(ApiId=api_id, DeploymentId="nope12")) == (
        "NotFoundException",
        "Invalid Deployment identifier specified nope12",
        404,
    )
    assert error_of(lambda: gw.get_authorizer(ApiId=api_id, AuthorizerId="nope12")) == (
        "NotFoundException",
        "Invalid Authorizer identifier specified nope12",
        404,
    )
    assert error_of(lambda: gw.get_stage(ApiId=api_id, StageName="nope")) == (
        "NotFoundException",
        "Invalid stage identifier specified",
        404,
    )
    gw.create_stage(ApiId=api_id, StageName="dev")
    assert error_of(lambda: gw.create_stage(ApiId=api_id, StageName="dev")) == (
        "ConflictException",
        "Stage already exists",
        409,
    )
    assert error_of(
        lambda: gw.update_stage(
            ApiId=api_id,
            StageName="dev",
            RouteSettings={"GET /unknown": {"ThrottlingBurstLimit": 1}},
        )
    ) == (
        "BadRequestException",
        "Unable to find Route by key GET /unknown within the provided RouteSettings",
        400,
    )
    assert error_of(
        lambda: gw.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=function,
            PayloadFormatVersion="2.0",
            TimeoutInMillis=30001,
        )
    ) == ("BadRequestException", "Timeout must be between 50 ms and 30000 ms", 400)
    code, _, status = error_of(
        lambda: gw.create_integration(
            ApiId=api_id,
            IntegrationType="HTTP_PROXY",
            IntegrationUri="http://example.com",
            IntegrationMethod="GET",
            PayloadFormatVersion="2.0",
        )
    )
    assert (code, status) == ("BadRequestException", 400)
    code, _, status = error_of(
        lambda: gw.create_integration(ApiId=api_id, IntegrationType="MOCK")
    )
    assert (code, status) == ("BadRequestException", 400)
    assert error_of(
        lambda: unchecked.create_api(Name="x", ProtocolType="GRPC")
    ) == (
        "BadRequestException",
        "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]",
        400,
    )
    empty = make_api()["ApiId"]
    assert error_of(lambda: gw.create_deployment(ApiId=empty)) == (
        "BadRequestException",
        "Unable to deploy API because no routes exist in this API",
        400,
    )


def test_get_apis_pages(make_api, gw):
    ids = sorted(make_api()["ApiId"] for _ in range(3))
    seen = []
    token = None
    while True:
        params = {"MaxResults": "1"}
        if token:
            params["NextToken"] = token
        page = gw.get_apis(**params)
        assert len(page["Items"]) <= 1
        seen.extend(item["ApiId"] for item in page["Items"])
        token = page.get("NextToken")
        if not token:
            break
    assert set(ids) <= set(seen)
    assert seen == sorted(seen)
    everything = gw.get_apis()
    assert "NextToken" not in everything
    assert set(ids) <= {item["ApiId"] for item in everything["Items"]}


def test_update_api_and_cors(make_api, gw, function):
    api = make_api(Target=function, Description="first")
    api_id, endpoint = api["ApiId"], api["ApiEndpoint"]
    updated = gw.update_api(
        ApiId=api_id,
        Name="renamed",
        Description="second",
        CorsConfiguration={
            "AllowOrigins": ["https://example.com"],
            "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["x-custom"],
            "ExposeHeaders": ["x-hello"],
            "MaxAge": 300,
            "AllowCredentials": True,
        },
    )
    assert (updated["Name"], updated["Description"]) == ("renamed", "second")
    assert updated["CorsConfiguration"]["AllowOrigins"] == ["https://example.com"]
    assert gw.get_api(ApiId=api_id)["CorsConfiguration"]["MaxAge"] == 300

    status, headers, body = request(
        endpoint,
        "OPTIONS",
        "/anything",
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "POST"},
    )
    assert (status, body) == (204, b"")
    assert header(headers, "access-control-allow-origin") == ["https://example.com"]
    assert header(headers, "access-control-allow-methods") == ["GET,POST"]
    assert header(headers, "access-control-allow-headers") == ["x-custom"]
    assert header(headers, "access-control-max-age") == ["300"]
    assert header(headers, "access-control-allow-credentials") == ["true"]
    status, headers, _ = request(
        endpoint, "GET", "/custom", headers={"Origin": "https://example.com"}
    )
    assert status == 201
    assert header(headers, "access-control-allow-origin") == ["https://example.com"]
    assert header(headers, "access-control-expose-headers") == ["x-hello"]
    _, headers, _ = request(endpoint, "GET", "/custom", headers={"Origin": "https://evil.com"})
    assert header(headers, "access-control-allow-origin") == []

    gw.delete_cors_configuration(ApiId=api_id)
    assert "CorsConfiguration" not in gw.get_api(ApiId=api_id)
    _, headers, _ = request(endpoint, "GET", "/custom", headers={"Origin": "https://example.com"})
    assert header(headers, "access-control-allow-origin") == []

    # Quick create's route key and target follow UpdateApi, deployed at once.
    gw.update_api(ApiId=api_id, RouteKey="GET /only")
    assert answer(endpoint, "GET", "/custom") == NOT_FOUND
    assert event_of(endpoint, "GET", "/only")["routeKey"] == "GET /only"
    plain = make_api()["ApiId"]
    code, _, status = error_of(lambda: gw.update_api(ApiId=plain, Target=function))
    assert (code, status) == ("BadRequestException", 400)


def test_tags(make_api, gw, function):
    api_id = make_api(Tags={"team": "a"})["ApiId"]
    api_arn = f"arn:aws:apigateway:{REGION}::/apis/{api_id}"
    assert gw.get_tags(ResourceArn=api_arn)["Tags"] == {"team": "a"}
    gw.tag_resource(ResourceArn=api_arn, Tags={"env": "dev", "team": "b"})
    assert gw.get_tags(ResourceArn=api_arn)["Tags"] == {"env": "dev", "team": "b"}
    assert gw.get_api(ApiId=api_id)["Tags"] == {"env": "dev", "team": "b"}
    gw.untag_resource(ResourceArn=api_arn, TagKeys=["team"])
    assert gw.get_tags(ResourceArn=api_arn)["Tags"] == {"env": "dev"}

    gw.create_stage(ApiId=api_id, StageName="prod", Tags={"s": "1"})
    stage_arn = f"{api_arn}/stages/prod"
    gw.tag_resource(ResourceArn=stage_arn, Tags={"t": "2"})
    assert gw.get_tags(ResourceArn=stage_arn)["Tags"] == {"s": "1", "t": "2"}
    assert gw.get_stage(ApiId=api_id, StageName="prod")["Tags"] == {"s": "1", "t": "2"}
    missing = f"arn:aws:apigateway:{REGION}::/apis/abcdefghij"
    assert error_of(lambda: gw.get_tags(ResourceArn=missing)) == (
        "NotFoundException",
        f"Invalid API identifier specified {ACCOUNT}:abcdefghij",
        404,
    )


def test_stage_settings(make_api, gw, function):
    api_id = make_api()["ApiId"]
    integration = lambda_integration(gw, api_id, function)
    gw.create_route(ApiId=api_id, RouteKey="GET /items", Target=f"integrations/{integration}")
    stage = gw.create_stage(
        ApiId=api_id,
        StageName="beta",
        Description="d",
        DefaultRouteSettings={"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 5.5},
        RouteSettings={"GET /items": {"ThrottlingBurstLimit": 1}},
        AccessLogSettings={"DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:g",
                           "Format": "$context.requestId"},
    )
    assert stage["DefaultRouteSettings"] == {
        "DetailedMetricsEnabled": False,
        "ThrottlingBurstLimit": 10,
        "ThrottlingRateLimit": 5.5,
    }
    assert stage["RouteSettings"]["GET /items"]["ThrottlingBurstLimit"] == 1
    assert stage["AccessLogSettings"]["Format"] == "$context.requestId"
    updated = gw.update_stage(
        ApiId=api_id, StageName="beta", StageVariables={"a": "b"}, Description="e"
    )
    assert (updated["StageVariables"], updated["Description"]) == ({"a": "b"}, "e")
    gw.delete_route_settings(ApiId=api_id, StageName="beta", RouteKey="GET /items")
    gw.delete_access_log_settings(ApiId=api_id, StageName="beta")
    stage = gw.get_stage(ApiId=api_id, StageName="beta")
    assert stage["RouteSettings"] == {} and "AccessLogSettings" not in stage
    gw.reset_authorizers_cache(ApiId=api_id, StageName="beta")
    gw.delete_stage(ApiId=api_id, StageName="beta")
    assert gw.get_stages(ApiId=api_id)["Items"] == []


def test_authorizers_are_stored(make_api, gw, function):
    api_id = make_api()["ApiId"]
    created = gw.create_authorizer(
        ApiId=api_id,
        Name="jwt",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Audience": ["aud"], "Issuer": "https://issuer.example.com"},
    )
    authorizer_id = created["AuthorizerId"]
    assert created["JwtConfiguration"] == {
        "Audience": ["aud"],
        "Issuer": "https://issuer.example.com",
    }
    request_authorizer = gw.create_authorizer(
        ApiId=api_id,
        Name="lambda",
        AuthorizerType="REQUEST",
        AuthorizerUri=(
            f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function}/invocations"
        ),
        AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True,
        IdentitySource=["$request.header.X-Token"],
    )
    assert request_authorizer["AuthorizerResultTtlInSeconds"] == 300
    updated = gw.update_authorizer(ApiId=api_id, AuthorizerId=authorizer_id, Name="renamed")
    assert updated["Name"] == "renamed" and updated["AuthorizerType"] == "JWT"
    assert {a["Name"] for a in gw.get_authorizers(ApiId=api_id)["Items"]} == {"renamed", "lambda"}
    route = gw.create_route(
        ApiId=api_id,
        RouteKey="GET /secure",
        AuthorizationType="JWT",
        AuthorizerId=authorizer_id,
        AuthorizationScopes=["read"],
    )
    assert (route["AuthorizationType"], route["AuthorizerId"]) == ("JWT", authorizer_id)
    code, _, status = error_of(
        lambda: gw.delete_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)
    )
    assert (code, status) == ("ConflictException", 409)
    code, _, status = error_of(
        lambda: gw.create_authorizer(
            ApiId=api_id, Name="x", AuthorizerType="JWT", IdentitySource=["$request.header.A"]
        )
    )
    assert (code, status) == ("BadRequestException", 400)
    gw.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    gw.delete_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)
    assert [a["Name"] for a in gw.get_authorizers(ApiId=api_id)["Items"]] == ["lambda"]


def _probable_prime(bits):
    """A random prime of exactly `bits` bits (top two bits set, so p*q has 2*bits bits)."""
    small = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2))]
    while True:
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if any(candidate % p == 0 for p in small):
            continue
        d, r = candidate - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        for _ in range(40):
            x = pow(secrets.randbelow(candidate - 3) + 2, d, candidate)
            if x in (1, candidate - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, candidate)
                if x == candidate - 1:
                    break
            else:
                break
        else:
            return candidate


class RsaKey:
    """A 2048-bit RSA key made in the test (no crypto package needed): its JWK and RS256
    signatures (PKCS #1 v1.5 with SHA-256)."""

    def __init__(self, kid):
        e = 65537
        while True:
            p, q = _probable_prime(1024), _probable_prime(1024)
            phi = (p - 1) * (q - 1)
            if p != q and phi % e:
                break
        self.kid, self.n, self.e, self.d = kid, p * q, e, pow(e, -1, phi)

    @staticmethod
    def _b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def jwk(self):
        def number(value):
            return self._b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                "n": number(self.n), "e": number(self.e)}

    def token(self, claims):
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        signed = ".".join(self._b64(json.dumps(part).encode()) for part in (header, claims))
        digest_info = bytes.fromhex("3031300d060960864801650304020105000420")
        digest_info += hashlib.sha256(signed.encode()).digest()
        size = 256
        padded = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
        signature = pow(int.from_bytes(padded, "big"), self.d, self.n).to_bytes(size, "big")
        return f"{signed}.{self._b64(signature)}"


# A test CA and a certificate it signed for localhost and 127.0.0.1; the unkai of the tests
# trusts the CA (SSL_CERT_FILE).
TLS = Path(__file__).resolve().parents[3] / "crates" / "edge" / "tests" / "tls"


@pytest.fixture(scope="module", params=["http", "https"])
def issuer(request):
    """An OpenID issuer on 127.0.0.1 (discovery document and key set), over http and over
    https: (URL, its key)."""
    key = RsaKey("e2e-key")
    documents = {}

    class Issuer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            document = documents.get(self.path)
            body = json.dumps(document).encode()
            self.send_response(200 if document else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Issuer)
    scheme = request.param
    if scheme == "https":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS / "server.pem", TLS / "server.key")
        server.socket = context.wrap_socket(server.socket, server_side=True)
    url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    documents["/.well-known/openid-configuration"] = {"issuer": url, "jwks_uri": f"{url}/jwks"}
    documents["/jwks"] = {"keys": [key.jwk()]}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url, key
    server.shutdown()


def test_jwt_authorizers_guard_routes(make_api, gw, function, issuer):
    url, key = issuer
    api = make_api(Target=function, RouteKey="GET /secure")
    api_id = api["ApiId"]
    authorizer = gw.create_authorizer(
        ApiId=api_id,
        Name="jwt",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": url, "Audience": ["e2e-app"]},
    )
    [route] = gw.get_routes(ApiId=api_id)["Items"]
    gw.update_route(
        ApiId=api_id,
        RouteId=route["RouteId"],
        AuthorizationType="JWT",
        AuthorizerId=authorizer["AuthorizerId"],
        AuthorizationScopes=["items/read"],
    )
    now = int(time.time())
    claims = {"iss": url, "aud": "e2e-app", "sub": "user-1", "email": "ada@example.com",
              "scope": "items/read openid", "iat": now, "exp": now + 300}

    def call(token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, response_headers, body = request(
            api["ApiEndpoint"], "GET", "/secure", headers=headers
        )
        return status, json.loads(body), header(response_headers, "www-authenticate")

    status, event, _ = call(key.token(claims))
    assert status == 200, event
    jwt = event["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"]["sub"] == "user-1"
    assert jwt["claims"]["email"] == "ada@example.com"
    assert jwt["claims"]["exp"] == str(now + 300)
    assert jwt["scopes"] == ["items/read", "openid"]

    assert call() == (401, {"message": "Unauthorized"}, [])
    status, body, challenge = call(key.token(dict(claims, aud="someone-else")))
    assert (status, body) == (401, {"message": "Unauthorized"})
    assert 'error="invalid_token"' in challenge[0]
    status, body, _ = call(key.token(dict(claims, exp=now - 10)))
    assert (status, body) == (401, {"message": "Unauthorized"})
    status, body, challenge = call(key.token(dict(claims, scope="openid")))
    assert (status, body) == (403, {"message": "Forbidden"})
    assert 'error="insufficient_scope"' in challenge[0]


def test_aws_iam_routes_need_a_signature(make_api, gw, function):
    api = make_api(Target=function, RouteKey="GET /private")
    route = gw.get_routes(ApiId=api["ApiId"])["Items"][0]
    gw.update_route(ApiId=api["ApiId"], RouteId=route["RouteId"], AuthorizationType="AWS_IAM")
    assert answer(api["ApiEndpoint"], "GET", "/private") == (403, {"message": "Forbidden"})
    event = event_of(api["ApiEndpoint"], "GET", "/private", sign=True)
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["accountId"] == ACCOUNT and iam["accessKey"]


class Backend(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        document = json.dumps(
            {"method": self.command, "path": self.path, "body": body.decode(),
             "host": self.headers.get("Host")}
        ).encode()
        self.send_response(207)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Backend", "yes")
        self.send_header("Content-Length", str(len(document)))
        self.end_headers()
        self.wfile.write(document)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def backend():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_http_proxy_integrations(make_api, gw, backend):
    api_id = make_api()["ApiId"]
    endpoint = gw.get_api(ApiId=api_id)["ApiEndpoint"]
    integration = gw.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP_PROXY",
        IntegrationUri=f"{backend}/backend/{{proxy}}",
        IntegrationMethod="ANY",
        PayloadFormatVersion="1.0",
    )
    assert integration["PayloadFormatVersion"] == "1.0"
    gw.create_route(
        ApiId=api_id,
        RouteKey="ANY /p/{proxy+}",
        Target=f"integrations/{integration['IntegrationId']}",
    )
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    status, headers, body = request(endpoint, "POST", "/p/a/b?x=1", body=b"payload")
    assert status == 207
    assert header(headers, "x-backend") == ["yes"]
    assert json.loads(body) == {
        "method": "POST",
        "path": "/backend/a/b?x=1",
        "body": "payload",
        "host": backend.split("//")[1],
    }
    # A quick-created HTTP API proxies to its URL with the request's method.
    quick = make_api(Target=f"{backend}/fixed")
    [quick_integration] = gw.get_integrations(ApiId=quick["ApiId"])["Items"]
    assert quick_integration["IntegrationType"] == "HTTP_PROXY"
    assert quick_integration["IntegrationMethod"] == "ANY"
    status, _, body = request(quick["ApiEndpoint"], "DELETE", "/ignored?y=2")
    assert status == 207
    assert json.loads(body)["method"] == "DELETE"
    assert json.loads(body)["path"] == "/fixed?y=2"


def test_deleted_and_websocket_apis_are_not_served(make_api, gw, function):
    api = make_api(Target=function)
    assert request(api["ApiEndpoint"], "GET", "/plain")[0] == 200
    gw.update_api(ApiId=api["ApiId"], DisableExecuteApiEndpoint=True)
    assert answer(api["ApiEndpoint"], "GET", "/plain") == (403, {"message": "Forbidden"})
    gw.delete_api(ApiId=api["ApiId"])
    # No API answers for the id any more (REST APIs, the fallback for unknown ids, answer 403).
    assert answer(api["ApiEndpoint"], "GET", "/plain") in (
        NOT_FOUND,
        (403, {"message": "Missing Authentication Token"}),
    )
    assert api["ApiId"] not in {item["ApiId"] for item in gw.get_apis()["Items"]}

    socket = make_api(ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    assert socket["ApiEndpoint"].startswith("ws://")
    assert socket["RouteSelectionExpression"] == "$request.body.action"
    route = gw.create_route(ApiId=socket["ApiId"], RouteKey="$connect")
    assert route["RouteKey"] == "$connect"
    assert answer(socket["ApiEndpoint"].replace("ws://", "http://"), "GET", "/") == NOT_FOUND


def test_the_cli_creates_an_api(aws, gw):
    code, stdout, stderr = aws(
        "apigatewayv2", "create-api", "--name", unique("cli"), "--protocol-type", "HTTP",
        "--cors-configuration", "AllowOrigins=https://example.com",
    )
    assert code == 0, stderr
    api = parse(stdout)
    try:
        assert ID.match(api["ApiId"])
        assert api["ProtocolType"] == "HTTP"
        assert api["CorsConfiguration"] == {"AllowOrigins": ["https://example.com"]}
        code, stdout, stderr = aws(
            "apigatewayv2", "create-route", "--api-id", api["ApiId"], "--route-key", "GET /cli"
        )
        assert code == 0, stderr
        assert parse(stdout)["RouteKey"] == "GET /cli"
        code, _, stderr = aws("apigatewayv2", "get-api", "--api-id", "abcdefghij")
        assert code != 0
        assert "NotFoundException" in stderr
        assert f"Invalid API identifier specified {ACCOUNT}:abcdefghij" in stderr
    finally:
        gw.delete_api(ApiId=api["ApiId"])
