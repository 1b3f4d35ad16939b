"""What the Python functions of the items API share: the table, request parsing, validation and
JSON responses for an API Gateway HTTP API (payload format 2.0)."""

import base64
import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


class BadRequest(Exception):
    """The client's input is wrong; the message goes back with a 400."""


def _no_constants(name):
    raise BadRequest(f"{name} is not a valid JSON number")


def json_body(event):
    """The request body as a JSON object; numbers as int or Decimal, as DynamoDB wants them."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    try:
        value = json.loads(body, parse_float=Decimal, parse_constant=_no_constants)
    except ValueError:
        raise BadRequest("request body must be valid JSON") from None
    if not isinstance(value, dict):
        raise BadRequest("request body must be a JSON object")
    return value


def validate(item):
    """Checks the fields every item must respect: name (1 to 100 characters), price (>= 0)."""
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("name is required and must be a non-empty string")
    if len(name) > 100:
        raise BadRequest("name must be at most 100 characters")
    if "price" in item:
        price = item["price"]
        if isinstance(price, bool) or not isinstance(price, (int, Decimal)):
            raise BadRequest("price must be a number")
        if not Decimal(price).is_finite() or price < 0:
            raise BadRequest("price must be greater than or equal to 0")


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def respond(status, body=None):
    response = {"statusCode": status, "headers": {"content-type": "application/json"}}
    if body is not None:
        response["body"] = json.dumps(body, default=_plain)
    return response
