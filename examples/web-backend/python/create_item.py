"""POST /items: validates the JSON body and stores it as a new item with a server-generated id."""

import uuid

from items import BadRequest, json_body, respond, table, validate


def handler(event, context):
    try:
        item = json_body(event)
        validate(item)
    except BadRequest as error:
        return respond(400, {"message": str(error)})
    item["id"] = str(uuid.uuid4())
    table.put_item(Item=item, ConditionExpression="attribute_not_exists(id)")
    return respond(201, item)
