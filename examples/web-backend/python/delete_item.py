"""DELETE /items/{id}: removes the item; 204 whether or not it existed (DELETE is idempotent)."""

from items import table


def handler(event, context):
    table.delete_item(Key={"id": event["pathParameters"]["id"]})
    return {"statusCode": 204}
