"""The items API with inline Python code, deployed with `aws cloudformation deploy`: the same
HTTP behaviour as the web-backend example, checked in the table."""

from decimal import Decimal

from conftest import http


def test_items_api(cloudformation_stack, dynamodb):
    api = cloudformation_stack["ApiUrl"]
    table = dynamodb.Table(cloudformation_stack["TableName"])

    created = http("POST", f"{api}/items", {"name": "mug", "price": 7.25})
    assert created.status == 201, created
    item = created.json()
    assert item == {"id": item["id"], "name": "mug", "price": 7.25}
    assert table.get_item(Key={"id": item["id"]})["Item"]["price"] == Decimal("7.25")

    assert http("GET", f"{api}/items/{item['id']}").json() == item
    updated = http("PUT", f"{api}/items/{item['id']}", {"name": "big mug"})
    assert updated.status == 200 and updated.json()["name"] == "big mug", updated
    assert table.get_item(Key={"id": item["id"]})["Item"]["name"] == "big mug"

    for n in range(120):
        assert http("POST", f"{api}/items", {"name": f"cup {n}", "price": n}).status == 201
    first = http("GET", f"{api}/items").json()
    assert len(first["items"]) == 100 and first["next"]
    rest = http("GET", f"{api}/items?next={first['next']}").json()
    ids = {entry["id"] for entry in first["items"] + rest["items"]}
    assert len(ids) == 121 and "next" not in rest

    assert http("DELETE", f"{api}/items/{item['id']}").status == 204
    assert "Item" not in table.get_item(Key={"id": item["id"]})
    assert http("GET", f"{api}/items/{item['id']}").status == 404


def test_bad_input(cloudformation_stack):
    api = cloudformation_stack["ApiUrl"]
    for body in ["nope", {"price": 1}, {"name": "x" * 101}, {"name": "a", "price": -1}]:
        answer = http("POST", f"{api}/items", body)
        assert answer.status == 400 and answer.json()["message"], (body, answer)
    assert http("PUT", f"{api}/items/missing", {"price": 1}).status == 404
    assert http("PUT", f"{api}/items/missing", {"price": -1}).status == 400
    assert http("GET", f"{api}/items?limit=500").status == 400
