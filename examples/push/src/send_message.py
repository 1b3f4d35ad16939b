"""sendmessage: `{"action": "sendmessage", "message": ...}` is pushed to every other connection as
`{"from": <sender's connection id>, "message": ...}` through the API's @connections endpoint."""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def connection_ids():
    params = {"ProjectionExpression": "connectionId"}
    while True:
        page = table.scan(**params)
        yield from (item["connectionId"] for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def management_endpoint(request):
    """The @connections API of this stage. The SDKs' standard endpoint setting
    (AWS_ENDPOINT_URL) wins when it is set, as on a local server; on AWS it is the stage URL."""
    base = os.environ.get("AWS_ENDPOINT_URL")
    if base:
        return f"{base.rstrip('/')}/{request['stage']}"
    return f"https://{request['domainName']}/{request['stage']}"


def handler(event, context):
    request = event["requestContext"]
    sender = request["connectionId"]
    try:
        message = json.loads(event.get("body") or "")["message"]
    except (ValueError, TypeError, KeyError):
        usage = {"message": 'expected {"action": "sendmessage", "message": ...}'}
        return {"statusCode": 400, "body": json.dumps(usage)}

    connections = boto3.client("apigatewaymanagementapi", endpoint_url=management_endpoint(request))
    data = json.dumps({"from": sender, "message": message}).encode()
    delivered = 0
    for connection_id in connection_ids():
        if connection_id == sender:
            continue
        try:
            connections.post_to_connection(ConnectionId=connection_id, Data=data)
            delivered += 1
        except connections.exceptions.GoneException:
            # The client went away without $disconnect reaching us: forget it.
            table.delete_item(Key={"connectionId": connection_id})
    print(json.dumps({"sender": sender, "delivered": delivered}))
    return {"statusCode": 200}
