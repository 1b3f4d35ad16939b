"""$connect: remembers the new connection."""

import os
import time

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    table.put_item(
        Item={
            "connectionId": event["requestContext"]["connectionId"],
            "connectedAt": int(time.time()),
        }
    )
    return {"statusCode": 200}
