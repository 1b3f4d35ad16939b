"""WebSocket APIs with boto3 and a real WebSocket client (`websockets`): $connect, routes by
`$request.body.action`, a route with a route response, pushes from a function through the
`@connections` API (boto3's `apigatewaymanagementapi`), and $disconnect."""

import asyncio
import io
import json
import os
import socket
import time
import uuid
import zipfile
from urllib.parse import urlparse

import boto3
import pytest
import websockets
from botocore.exceptions import ClientError
from conftest import NO_RETRY

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

CHAT = '''
import json
import os

import boto3

# With AWS_ENDPOINT_URL set, the management client goes to unkai's own endpoint.
connections = boto3.client("apigatewaymanagementapi")
table = boto3.client("dynamodb")


def handler(event, context):
    context_ = event["requestContext"]
    route = context_["routeKey"]
    me = context_["connectionId"]
    if route == "$connect":
        if (event.get("queryStringParameters") or {}).get("deny"):
            return {"statusCode": 403}
        return {"statusCode": 200}
    if route == "$disconnect":
        table.put_item(TableName=os.environ["TABLE"], Item={"id": {"S": me}})
        return {"statusCode": 200}
    body = json.loads(event["body"])
    if route == "whoami":
        return {"statusCode": 200, "body": me}
    if route == "send":
        connections.post_to_connection(ConnectionId=body["to"], Data=body["text"].encode())
        info = connections.get_connection(ConnectionId=body["to"])
        return {"statusCode": 200, "body": info["Identity"]["SourceIp"]}
    return {"statusCode": 200}
'''


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def package(source):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("app.py", date_time=(2024, 1, 1, 0, 0, 0))
        entry.external_attr = 0o644 << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, source)
    return buffer.getvalue()


@pytest.fixture
def chat_api(client):
    """A WebSocket API on stage `prod` whose routes run the chat function."""
    gw = client("apigatewayv2")
    lam = client("lambda")
    ddb = client("dynamodb")
    table = unique("disconnects")
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    name = unique("chat")
    function = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Environment={"Variables": {"TABLE": table}},
        Code={"ZipFile": package(CHAT)},
    )["FunctionArn"]
    api = gw.create_api(
        Name=unique("ws"),
        ProtocolType="WEBSOCKET",
        RouteSelectionExpression="$request.body.action",
    )
    integration = gw.create_integration(
        ApiId=api["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=function
    )["IntegrationId"]
    for key in ["$connect", "$disconnect", "$default", "send", "whoami"]:
        route = gw.create_route(
            ApiId=api["ApiId"], RouteKey=key, Target=f"integrations/{integration}"
        )
        if key == "whoami":
            gw.update_route(
                ApiId=api["ApiId"],
                RouteId=route["RouteId"],
                RouteResponseSelectionExpression="$default",
            )
    gw.create_stage(ApiId=api["ApiId"], StageName="prod", AutoDeploy=True)
    yield api, table
    gw.delete_api(ApiId=api["ApiId"])
    lam.delete_function(FunctionName=name)
    ddb.delete_table(TableName=table)


def connect(api, query=""):
    """A WebSocket client of stage `prod` (through unkai's port, with the API's host)."""
    endpoint = urlparse(api["ApiEndpoint"])
    sock = socket.create_connection(("127.0.0.1", endpoint.port))
    return websockets.connect(f"{api['ApiEndpoint']}/prod{query}", sock=sock, open_timeout=30)


def test_websocket_api_endpoint(chat_api):
    api, _ = chat_api
    assert api["ApiEndpoint"].startswith("ws://") and ".execute-api.localhost:" in api["ApiEndpoint"]


def test_push_through_connections(chat_api):
    api, table = chat_api

    async def scenario():
        async with connect(api) as alice, connect(api) as bob:
            await alice.send(json.dumps({"action": "whoami"}))
            alice_id = await asyncio.wait_for(alice.recv(), 30)
            await bob.send(json.dumps({"action": "whoami"}))
            bob_id = await asyncio.wait_for(bob.recv(), 30)
            assert alice_id != bob_id and len(bob_id) > 8
            # A function posts to Bob through @connections with boto3.
            await alice.send(json.dumps({"action": "send", "to": bob_id, "text": "hi bob"}))
            assert await asyncio.wait_for(bob.recv(), 30) == "hi bob"
            # A message no route takes goes to $default, which answers nothing.
            await alice.send("not json")
        return bob_id

    bob_id = asyncio.run(scenario())
    # Closing ran $disconnect, which recorded the connection.
    ddb = boto3.client("dynamodb", config=NO_RETRY)
    deadline = time.time() + 30
    while "Item" not in ddb.get_item(TableName=table, Key={"id": {"S": bob_id}}):
        assert time.time() < deadline, "$disconnect did not run"
        time.sleep(0.2)
    # The connection is gone.
    management = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"{os.environ['AWS_ENDPOINT_URL']}/prod",
        config=NO_RETRY,
    )
    with pytest.raises(ClientError) as gone:
        management.post_to_connection(ConnectionId=bob_id, Data=b"late")
    assert gone.value.response["Error"]["Code"] == "GoneException"
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


def test_connect_can_refuse(chat_api):
    api, _ = chat_api

    async def scenario():
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with connect(api, "?deny=1"):
                pass
        return refused.value.response.status_code

    assert asyncio.run(scenario()) == 403


def test_delete_connection_closes_it(chat_api):
    api, _ = chat_api
    management = boto3.client("apigatewaymanagementapi", config=NO_RETRY)

    async def scenario():
        async with connect(api) as client:
            await client.send(json.dumps({"action": "whoami"}))
            me = await asyncio.wait_for(client.recv(), 30)
            info = management.get_connection(ConnectionId=me)
            assert info["Identity"]["SourceIp"] == "127.0.0.1"
            management.delete_connection(ConnectionId=me)
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                await asyncio.wait_for(client.recv(), 30)

    asyncio.run(scenario())


GUARDED = '''
import json


def handler(event, context):
    if event.get("type") == "REQUEST":
        # The $connect route's authorizer.
        token = (event.get("queryStringParameters") or {}).get("token")
        if token == "expired":
            raise Exception("Unauthorized")
        return {
            "principalId": "user-1",
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow" if token == "good" else "Deny",
                    "Resource": event["methodArn"],
                }],
            },
            "context": {"tier": "gold", "level": 3},
        }
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
'''


@pytest.fixture
def guarded_api(client):
    """A WebSocket API on stage `prod` whose $connect route has a Lambda REQUEST authorizer
    (identity: the `token` query parameter); $default answers the authorizer context it got."""
    gw = client("apigatewayv2")
    lam = client("lambda")
    name = unique("guarded")
    function = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package(GUARDED)},
    )["FunctionArn"]
    api = gw.create_api(
        Name=unique("ws"),
        ProtocolType="WEBSOCKET",
        RouteSelectionExpression="$request.body.action",
    )
    api_id = api["ApiId"]
    authorizer = gw.create_authorizer(
        ApiId=api_id,
        Name="guard",
        AuthorizerType="REQUEST",
        AuthorizerUri=(
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"{function}/invocations"
        ),
        IdentitySource=["route.request.querystring.token"],
    )
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function
    )["IntegrationId"]
    gw.create_route(
        ApiId=api_id,
        RouteKey="$connect",
        Target=f"integrations/{integration}",
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer["AuthorizerId"],
    )
    gw.create_route(
        ApiId=api_id,
        RouteKey="$default",
        Target=f"integrations/{integration}",
        RouteResponseSelectionExpression="$default",
    )
    gw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    yield api
    gw.delete_api(ApiId=api_id)
    lam.delete_function(FunctionName=name)


def test_connect_authorizer(guarded_api):
    api = guarded_api

    async def refused(query):
        with pytest.raises(websockets.exceptions.InvalidStatus) as caught:
            async with connect(api, query):
                pass
        return caught.value.response.status_code

    async def scenario():
        assert await refused("") == 401
        assert await refused("?token=bad") == 403
        assert await refused("?token=expired") == 401
        async with connect(api, "?token=good") as client:
            await client.send("hello")
            return json.loads(await asyncio.wait_for(client.recv(), 30))

    # The context reaches later routes' events, values as strings, with the principal.
    assert asyncio.run(scenario()) == {"tier": "gold", "level": "3", "principalId": "user-1"}


IDENTITY = '''
import json


def handler(event, context):
    if event["requestContext"]["routeKey"] == "$connect":
        return {"statusCode": 200}
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["identity"])}
'''


def test_aws_iam_connect_needs_a_signed_handshake(client):
    """An AWS_IAM $connect route: an unsigned handshake is refused with 403; one signed for
    execute-api (SigV4, as the SDKs sign) opens, and the events name the signer."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    gw = client("apigatewayv2")
    lam = client("lambda")
    name = unique("iam-ws")
    function = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package(IDENTITY)},
    )["FunctionArn"]
    api = gw.create_api(
        Name=unique("ws"), ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    api_id = api["ApiId"]
    try:
        integration = gw.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function
        )["IntegrationId"]
        gw.create_route(ApiId=api_id, RouteKey="$connect", AuthorizationType="AWS_IAM",
                        Target=f"integrations/{integration}")
        gw.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{integration}",
                        RouteResponseSelectionExpression="$default")
        gw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
        url = f"{api['ApiEndpoint']}/prod"
        signing = AWSRequest(method="GET", url=url.replace("ws://", "http://", 1))
        credentials = boto3.Session().get_credentials()
        SigV4Auth(credentials, "execute-api", os.environ["AWS_REGION"]).add_auth(signing)
        port = urlparse(url).port

        async def scenario():
            with pytest.raises(websockets.exceptions.InvalidStatus) as caught:
                async with websockets.connect(
                    url, sock=socket.create_connection(("127.0.0.1", port)), open_timeout=30
                ):
                    pass
            assert caught.value.response.status_code == 403
            async with websockets.connect(
                url,
                sock=socket.create_connection(("127.0.0.1", port)),
                open_timeout=30,
                additional_headers=dict(signing.headers),
            ) as connection:
                await connection.send("who")
                return json.loads(await asyncio.wait_for(connection.recv(), 30))

        identity = asyncio.run(scenario())
        assert identity["accessKey"] == credentials.access_key
        assert identity["userArn"].startswith("arn:aws:iam::")
        assert identity["sourceIp"] == "127.0.0.1"
    finally:
        gw.delete_api(ApiId=api_id)
        lam.delete_function(FunctionName=name)
