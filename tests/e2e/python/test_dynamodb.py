"""DynamoDB and DynamoDB Streams with boto3: every operation family, with the errors AWS sends
(code, HTTP status, message)."""

import time
import uuid

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["Error"].get("Message"),
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


@pytest.fixture
def ddb(client):
    return client("dynamodb")


@pytest.fixture
def resource():
    return boto3.resource("dynamodb")


@pytest.fixture
def table(ddb, resource):
    name = f"t-{uuid.uuid4().hex[:12]}"
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": "p", "KeyType": "HASH"},
            {"AttributeName": "c", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "p", "AttributeType": "S"},
            {"AttributeName": "c", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "c", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    yield resource.Table(name)
    ddb.delete_table(TableName=name)


def test_table_lifecycle_and_control_plane_errors(ddb):
    name = f"t-{uuid.uuid4().hex[:12]}"
    created = ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        Tags=[{"Key": "team", "Value": "clouds"}],
    )["TableDescription"]
    assert created["TableStatus"] == "CREATING"
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    described = ddb.describe_table(TableName=name)["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    assert name in ddb.list_tables()["TableNames"]
    tags = ddb.list_tags_of_resource(ResourceArn=described["TableArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "clouds"}]
    assert error_of(lambda: ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )) == ("ResourceInUseException", f"Table already exists: {name}", 400)
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    assert error_of(lambda: ddb.describe_table(TableName=name)) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {name} not found",
        400,
    )
    code, message, status = error_of(lambda: ddb.describe_table(TableName="ab"))
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3"
    )


def test_items_round_trip_with_every_type(table):
    item = {
        "p": "a", "c": 1, "s": "text", "n": 12.5, "b": b"\x00\x01", "ss": {"x", "y"},
        "ns": {1, 2}, "bs": {b"\x02"}, "m": {"k": [1, "two", None, True]}, "nul": None,
        "flag": False,
    }
    item["n"] = __import__("decimal").Decimal("12.5")
    table.put_item(Item=item)
    got = table.get_item(Key={"p": "a", "c": 1}, ConsistentRead=True)["Item"]
    assert got["m"]["k"][1] == "two" and got["ss"] == {"x", "y"} and got["b"].value == b"\x00\x01"
    assert error_of(lambda: table.put_item(Item={"p": "a"})) == (
        "ValidationException",
        "One or more parameter values were invalid: Missing the key c in the item",
        400,
    )
    assert error_of(lambda: table.get_item(Key={"p": "a"}))[1] == (
        "The provided key element does not match the schema"
    )


def test_conditions_updates_and_return_values(table):
    table.put_item(Item={"p": "u", "c": 1, "count": 1})
    updated = table.update_item(
        Key={"p": "u", "c": 1},
        UpdateExpression="SET #n = #n + :one, tags = list_append(if_not_exists(tags, :empty), :t)",
        ConditionExpression=Attr("count").eq(1),
        ExpressionAttributeNames={"#n": "count"},
        ExpressionAttributeValues={":one": 1, ":empty": [], ":t": ["x"]},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert updated["count"] == 2 and updated["tags"] == ["x"]
    code, message, status = error_of(lambda: table.put_item(
        Item={"p": "u", "c": 1},
        ConditionExpression="attribute_not_exists(p)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    ))
    assert (code, message, status) == (
        "ConditionalCheckFailedException", "The conditional request failed", 400)
    old = table.delete_item(Key={"p": "u", "c": 1}, ReturnValues="ALL_OLD")["Attributes"]
    assert old["count"] == 2


def test_query_scan_pagination_and_the_index(table):
    with table.batch_writer() as batch:
        for c in range(25):
            batch.put_item(Item={"p": "q", "c": c, "g": "even" if c % 2 == 0 else "odd"})
    page = table.query(KeyConditionExpression=Key("p").eq("q") & Key("c").between(5, 14), Limit=4)
    assert [i["c"] for i in page["Items"]] == [5, 6, 7, 8]
    assert page["LastEvaluatedKey"] == {"p": "q", "c": 8}
    rest = table.query(
        KeyConditionExpression=Key("p").eq("q") & Key("c").between(5, 14),
        ExclusiveStartKey=page["LastEvaluatedKey"],
        ScanIndexForward=True,
    )
    assert [i["c"] for i in rest["Items"]] == list(range(9, 15))
    evens = table.query(IndexName="by-g", KeyConditionExpression=Key("g").eq("even"), ScanIndexForward=False)
    assert [i["c"] for i in evens["Items"]] == list(range(24, -1, -2))
    filtered = table.scan(FilterExpression=Attr("c").gt(20))
    assert sorted(i["c"] for i in filtered["Items"]) == [21, 22, 23, 24]
    assert filtered["ScannedCount"] == 25
    segments = [
        table.scan(Segment=s, TotalSegments=3, Select="COUNT")["Count"] for s in range(3)
    ]
    assert sum(segments) == 25
    assert error_of(lambda: table.query(IndexName="nope", KeyConditionExpression=Key("g").eq("x")))[:1] == (
        "ValidationException",)


def test_batches_and_transactions(ddb, table):
    name = table.name
    ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": {"p": {"S": "b"}, "c": {"N": str(c)}}}} for c in range(3)
    ]})
    got = ddb.batch_get_item(RequestItems={name: {"Keys": [
        {"p": {"S": "b"}, "c": {"N": str(c)}} for c in range(4)
    ]}})
    assert len(got["Responses"][name]) == 3 and got["UnprocessedKeys"] == {}
    code, message, status = error_of(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"p": {"S": "t"}, "c": {"N": "1"}}}},
        {"ConditionCheck": {
            "TableName": name, "Key": {"p": {"S": "b"}, "c": {"N": "0"}},
            "ConditionExpression": "attribute_not_exists(p)",
        }},
    ]))
    assert (code, status) == ("TransactionCanceledException", 400)
    assert message == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed]"
    )
    assert "Item" not in ddb.get_item(TableName=name, Key={"p": {"S": "t"}, "c": {"N": "1"}})
    token = uuid.uuid4().hex
    for _ in range(2):
        ddb.transact_write_items(ClientRequestToken=token, TransactItems=[
            {"Update": {
                "TableName": name, "Key": {"p": {"S": "t"}, "c": {"N": "2"}},
                "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}},
            }},
        ])
    got = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": name, "Key": {"p": {"S": "t"}, "c": {"N": "2"}}}}
    ])["Responses"]
    assert got[0]["Item"]["n"] == {"N": "1"}, "the token made the second call a no-op"


def test_streams_carry_every_change(ddb, client, table):
    streams = client("dynamodbstreams")
    arn = ddb.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    table.put_item(Item={"p": "s", "c": 1, "v": "one"})
    table.update_item(Key={"p": "s", "c": 1}, UpdateExpression="SET v = :v",
                      ExpressionAttributeValues={":v": "two"})
    table.delete_item(Key={"p": "s", "c": 1})
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"S": "one"}
    assert records[1]["dynamodb"]["NewImage"]["v"] == {"S": "two"}
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequence == sorted(sequence)


def test_time_to_live_expires_items(ddb, table):
    table.put_item(Item={"p": "ttl", "c": 1, "expires": int(time.time()) - 10})
    table.put_item(Item={"p": "ttl", "c": 2, "expires": int(time.time()) + 3600})
    ddb.update_time_to_live(TableName=table.name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    assert ddb.describe_time_to_live(TableName=table.name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    deadline = time.time() + 20
    while time.time() < deadline:
        left = table.query(KeyConditionExpression=Key("p").eq("ttl"))["Items"]
        if [i["c"] for i in left] == [2]:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the expired item is still there: {left}")
