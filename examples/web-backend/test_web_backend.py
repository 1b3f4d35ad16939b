"""The items API over HTTP: create, read, update, list (paginated) and delete, the 4xx answers to
bad input and unknown ids, and what lands in the table."""

from decimal import Decimal
from uuid import UUID

from conftest import http


def test_crud_over_http(stack, dynamodb):
    api = stack["ApiUrl"]
    table = dynamodb.Table(stack["TableName"])

    created = http("POST", f"{api}/items", {"name": "desk lamp", "price": 24.5, "color": "green"})
    assert created.status == 201, created
    item = created.json()
    item_id = item["id"]
    UUID(item_id)  # server-generated
    assert item == {"id": item_id, "name": "desk lamp", "price": 24.5, "color": "green"}
    stored = table.get_item(Key={"id": item_id})["Item"]
    assert stored == {
        "id": item_id,
        "name": "desk lamp",
        "price": Decimal("24.5"),
        "color": "green",
    }

    got = http("GET", f"{api}/items/{item_id}")
    assert got.status == 200, got
    assert got.headers["content-type"].startswith("application/json")
    assert got.json() == item

    updated = http("PUT", f"{api}/items/{item_id}", {"price": 19, "stock": 3})
    assert updated.status == 200, updated
    assert updated.json() == {**item, "price": 19, "stock": 3}
    assert table.get_item(Key={"id": item_id})["Item"]["price"] == 19

    listed = http("GET", f"{api}/items")
    assert listed.status == 200, listed
    assert item_id in [entry["id"] for entry in listed.json()["items"]]

    deleted = http("DELETE", f"{api}/items/{item_id}")
    assert deleted.status == 204, deleted
    assert "Item" not in table.get_item(Key={"id": item_id})
    assert http("GET", f"{api}/items/{item_id}").status == 404
    # DELETE is idempotent.
    assert http("DELETE", f"{api}/items/{item_id}").status == 204


def test_bad_input_is_refused(stack, dynamodb):
    api = stack["ApiUrl"]
    table = dynamodb.Table(stack["TableName"])
    before = table.scan(Select="COUNT")["Count"]

    for body in [
        "not json",
        "[1, 2]",
        {"price": 3},
        {"name": "", "price": 3},
        {"name": "x" * 101},
        {"name": "pen", "price": -1},
        {"name": "pen", "price": "cheap"},
        {"name": "pen", "price": True},
    ]:
        answer = http("POST", f"{api}/items", body)
        assert answer.status == 400, (body, answer)
        assert answer.json()["message"], answer
    assert table.scan(Select="COUNT")["Count"] == before
    assert http("POST", f"{api}/items", {"name": "x" * 100}).status == 201

    item = http("POST", f"{api}/items", {"name": "pen", "price": 2}).json()
    for body in ["{", {}, {"price": -5}, {"name": ""}, {"id": "other"}]:
        answer = http("PUT", f"{api}/items/{item['id']}", body)
        assert answer.status == 400, (body, answer)
        assert answer.json()["message"], answer
    assert table.get_item(Key={"id": item["id"]})["Item"]["price"] == 2

    missing = http("GET", f"{api}/items/no-such-item")
    assert missing.status == 404 and missing.json()["message"], missing
    missing = http("PUT", f"{api}/items/no-such-item", {"price": 1})
    assert missing.status == 404 and missing.json()["message"], missing
    assert "Item" not in table.get_item(Key={"id": "no-such-item"})  # no upsert

    assert http("GET", f"{api}/items?limit=0").status == 400
    assert http("GET", f"{api}/items?limit=101").status == 400
    assert http("GET", f"{api}/items?next=garbage").status == 400


def test_listing_pages_through_every_item(stack, dynamodb):
    api = stack["ApiUrl"]
    table = dynamodb.Table(stack["TableName"])
    with table.batch_writer() as batch:
        for n in range(230):
            batch.put_item(Item={"id": f"bulk-{n:03}", "name": f"bulk item {n}", "price": n})
    expected = {entry["id"] for entry in table.scan(ProjectionExpression="id")["Items"]}

    seen, pages, token = [], 0, None
    while True:
        answer = http("GET", f"{api}/items" + (f"?next={token}" if token else ""))
        assert answer.status == 200, answer
        page = answer.json()
        assert len(page["items"]) <= 100
        seen += [entry["id"] for entry in page["items"]]
        pages += 1
        token = page.get("next")
        if not token:
            break
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    assert pages >= 3

    small = http("GET", f"{api}/items?limit=7").json()
    assert len(small["items"]) == 7 and small["next"]
