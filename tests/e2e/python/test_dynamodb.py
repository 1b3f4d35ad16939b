"""DynamoDB and DynamoDB Streams with boto3: every operation family, with the errors AWS sends
(code, HTTP status, message).

The messages are DynamoDB's own words: the ones the AWS API reference and developer guide
quote, or the ones recorded from DynamoDB by the ScyllaDB alternator and dynalite suites."""

import decimal
import time
import uuid

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import NO_RETRY

ACCOUNT = "000000000000"
REGION = "us-east-1"


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


def response_of(call):
    """The whole parsed error response of the ClientError `call` raises."""
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def validation(message):
    return ("ValidationException", message, 400)


def unique(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def wait_until(predicate, what, timeout=20.0):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def ddb(client):
    return client("dynamodb")


@pytest.fixture
def unchecked(client):
    """A DynamoDB client that sends what botocore's own validation would refuse to."""
    return client("dynamodb", config=NO_RETRY.merge(Config(parameter_validation=False)))


@pytest.fixture
def streams(client):
    return client("dynamodbstreams")


@pytest.fixture
def resource():
    return boto3.resource("dynamodb")


@pytest.fixture
def make_table(ddb, resource):
    """Creates tables (hash key `p` S, optional range key), waits for them, deletes them after."""
    created = []

    def make(range_type="N", **extra):
        name = unique()
        key_schema = [{"AttributeName": "p", "KeyType": "HASH"}]
        definitions = {"p": "S"}
        if range_type:
            key_schema.append({"AttributeName": "c", "KeyType": "RANGE"})
            definitions["c"] = range_type
        for index in extra.get("GlobalSecondaryIndexes", []) + extra.get("LocalSecondaryIndexes", []):
            for element in index["KeySchema"]:
                definitions.setdefault(element["AttributeName"], "S")
        ddb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=key_schema,
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": t} for n, t in definitions.items()
            ],
            **extra,
        )
        ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
        created.append(name)
        return resource.Table(name)

    yield make
    for name in created:
        try:
            ddb.delete_table(TableName=name)
        except ClientError:
            pass


GSI_BY_G = {
    "IndexName": "by-g",
    "KeySchema": [
        {"AttributeName": "g", "KeyType": "HASH"},
        {"AttributeName": "c", "KeyType": "RANGE"},
    ],
    "Projection": {"ProjectionType": "ALL"},
}


@pytest.fixture
def table(make_table):
    """Hash key `p` (S), range key `c` (N), a global index `by-g` on (g, c), a stream."""
    return make_table(
        GlobalSecondaryIndexes=[GSI_BY_G],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


# --- control plane -----------------------------------------------------------------------


def test_create_table_with_indexes_stream_and_tags(ddb, resource):
    name = unique()
    created = ddb.create_table(
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
            {"AttributeName": "l", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[GSI_BY_G],
        LocalSecondaryIndexes=[{
            "IndexName": "by-l",
            "KeySchema": [
                {"AttributeName": "p", "KeyType": "HASH"},
                {"AttributeName": "l", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]},
        }],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        Tags=[{"Key": "team", "Value": "clouds"}],
    )["TableDescription"]
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    assert created["TableStatus"] == "CREATING"
    assert created["TableArn"] == arn
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    described = ddb.describe_table(TableName=name)["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["KeySchema"] == [
        {"AttributeName": "p", "KeyType": "HASH"},
        {"AttributeName": "c", "KeyType": "RANGE"},
    ]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    [gsi] = described["GlobalSecondaryIndexes"]
    assert (gsi["IndexName"], gsi["IndexStatus"]) == ("by-g", "ACTIVE")
    assert gsi["IndexArn"] == f"{arn}/index/by-g"
    [lsi] = described["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "by-l"
    assert lsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}
    assert described["StreamSpecification"] == {
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert described["LatestStreamArn"] == f"{arn}/stream/{described['LatestStreamLabel']}"
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "clouds"}]
    # Both indexes answer queries.
    table = resource.Table(name)
    for c, l in enumerate(["b", "c", "a"]):
        table.put_item(Item={"p": "k", "c": c, "g": "G", "l": l, "v": c * 10, "w": "not projected"})
    by_l = table.query(IndexName="by-l", KeyConditionExpression=Key("p").eq("k"))["Items"]
    assert [(i["l"], i["v"]) for i in by_l] == [("a", 20), ("b", 0), ("c", 10)]
    assert "w" not in by_l[0]
    by_g = table.query(IndexName="by-g", KeyConditionExpression=Key("g").eq("G"))["Items"]
    assert [i["c"] for i in by_g] == [0, 1, 2] and by_g[0]["w"] == "not projected"
    ddb.delete_table(TableName=name)


def test_create_table_errors(ddb, table):
    key = dict(
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )
    assert error_of(lambda: ddb.create_table(TableName=table.name, **key)) == (
        "ResourceInUseException", f"Table already exists: {table.name}", 400)
    assert error_of(lambda: ddb.create_table(TableName="ab", **key)) == validation(
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3")
    assert error_of(lambda: ddb.create_table(
        TableName=unique(),
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "extra", "AttributeType": "S"},
        ],
    )) == validation(
        "One or more parameter values were invalid: Number of attributes in KeySchema does not "
        "exactly match number of attributes defined in AttributeDefinitions")

    def with_indexes(range_key=True, **indexes):
        key_schema = [{"AttributeName": "p", "KeyType": "HASH"}]
        definitions = [{"AttributeName": "p", "AttributeType": "S"}]
        if range_key:
            key_schema.append({"AttributeName": "c", "KeyType": "RANGE"})
            definitions.append({"AttributeName": "c", "AttributeType": "N"})
        for each in indexes.values():
            for element in (e for i in each for e in i["KeySchema"]):
                if all(d["AttributeName"] != element["AttributeName"] for d in definitions):
                    definitions.append({"AttributeName": element["AttributeName"], "AttributeType": "S"})
        return lambda: ddb.create_table(
            TableName=unique(), BillingMode="PAY_PER_REQUEST", KeySchema=key_schema,
            AttributeDefinitions=definitions, **indexes)

    def index(name, *keys, projection=None):
        kinds = ["HASH", "RANGE"]
        return {
            "IndexName": name,
            "KeySchema": [{"AttributeName": k, "KeyType": kinds[n]} for n, k in enumerate(keys)],
            "Projection": projection or {"ProjectionType": "KEYS_ONLY"},
        }

    invalid = "One or more parameter values were invalid: "
    assert error_of(with_indexes(GlobalSecondaryIndexes=[
        index("inc", "c", projection={"ProjectionType": "INCLUDE"})])) == validation(
        invalid + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    assert error_of(with_indexes(GlobalSecondaryIndexes=[
        index(f"g{n:02}", "c") for n in range(21)])) == validation(
        invalid + "GlobalSecondaryIndex count exceeds the per-table limit of 20")
    assert error_of(with_indexes(LocalSecondaryIndexes=[
        index(f"l{n:02}", "p", "c") for n in range(6)])) == validation(
        invalid + "Number of LocalSecondaryIndexes exceeds per-table limit of 5")
    assert error_of(with_indexes(LocalSecondaryIndexes=[index("lsi", "p")])) == validation(
        invalid + "Index KeySchema does not have a range key for index: lsi")
    assert error_of(with_indexes(
        range_key=False, LocalSecondaryIndexes=[index("lsi", "p", "x")])) == validation(
        invalid + "Table KeySchema does not have a range key, which is required when "
        "specifying a LocalSecondaryIndex")
    assert error_of(lambda: ddb.create_table(
        TableName=unique(),
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )) == validation(
        invalid + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
        "BillingMode is PROVISIONED")


def test_list_tables_pages_in_name_order(ddb, unchecked, make_table):
    names = sorted(make_table(range_type=None).name for _ in range(3))
    seen = []
    start = {}
    while True:
        page = ddb.list_tables(Limit=2, **start)
        assert len(page["TableNames"]) <= 2
        seen += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            break
        assert page["LastEvaluatedTableName"] == page["TableNames"][-1]
        start = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    assert seen == sorted(seen)
    assert [n for n in seen if n in names] == names
    after_first = ddb.list_tables(ExclusiveStartTableName=names[0])["TableNames"]
    assert names[0] not in after_first and names[1] in after_first
    assert error_of(lambda: unchecked.list_tables(Limit=0)) == validation(
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1")


def test_update_table_adds_a_global_index_with_backfill_and_removes_it(ddb, make_table):
    table = make_table()
    with table.batch_writer() as batch:
        for c in range(10):
            batch.put_item(Item={"p": "k", "c": c, "x": "odd" if c % 2 else "even"})
    updated = ddb.update_table(
        TableName=table.name,
        AttributeDefinitions=[
            {"AttributeName": "x", "AttributeType": "S"},
            {"AttributeName": "c", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by-x",
            "KeySchema": [
                {"AttributeName": "x", "KeyType": "HASH"},
                {"AttributeName": "c", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }}],
    )["TableDescription"]
    assert [i["IndexStatus"] for i in updated["GlobalSecondaryIndexes"]] == ["CREATING"]

    def active():
        [index] = ddb.describe_table(TableName=table.name)["Table"]["GlobalSecondaryIndexes"]
        return index["IndexStatus"] == "ACTIVE"

    wait_until(active, "the index to be backfilled")
    odd = table.query(IndexName="by-x", KeyConditionExpression=Key("x").eq("odd"))["Items"]
    assert odd == [{"p": "k", "c": c, "x": "odd"} for c in (1, 3, 5, 7, 9)]
    assert error_of(lambda: ddb.update_table(
        TableName=table.name,
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by-x",
            "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }}],
    )) == validation("Attempting to create an index which already exists")

    ddb.update_table(
        TableName=table.name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-x"}}])
    wait_until(
        lambda: "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=table.name)["Table"],
        "the index to be removed")
    assert error_of(lambda: table.query(
        IndexName="by-x", KeyConditionExpression=Key("x").eq("odd"))) == validation(
        "The table does not have the specified index: by-x")
    assert error_of(lambda: ddb.update_table(
        TableName=table.name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-x"}}],
    )) == ("ResourceNotFoundException", "Requested resource not found: Index: by-x not found", 400)


def test_update_table_errors_and_deletion_protection(ddb, make_table):
    table = make_table(range_type=None)
    assert error_of(lambda: ddb.update_table(TableName=table.name)) == validation(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
        "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
        "OnDemandThroughput, WarmThroughput or TableClass is required")
    assert error_of(lambda: ddb.update_table(
        TableName=table.name, StreamSpecification={"StreamEnabled": False})) == validation(
        f"Table has no stream to disable: TableName: {table.name}")
    protected = ddb.update_table(TableName=table.name, DeletionProtectionEnabled=True)
    assert protected["TableDescription"]["DeletionProtectionEnabled"] is True
    assert error_of(lambda: ddb.delete_table(TableName=table.name)) == validation(
        "Resource cannot be deleted as it is currently protected against deletion. Disable "
        "deletion protection first.")
    ddb.update_table(TableName=table.name, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=table.name)


def test_delete_table(ddb, make_table):
    table = make_table(range_type=None)
    deleted = ddb.delete_table(TableName=table.name)["TableDescription"]
    assert deleted["TableStatus"] == "DELETING"
    assert deleted["TableName"] == table.name
    missing = ("ResourceNotFoundException",
               f"Requested resource not found: Table: {table.name} not found", 400)
    assert error_of(lambda: ddb.describe_table(TableName=table.name)) == missing
    assert error_of(lambda: ddb.delete_table(TableName=table.name)) == missing
    assert error_of(lambda: table.get_item(Key={"p": "x"})) == (
        "ResourceNotFoundException", "Requested resource not found", 400)


def test_time_to_live_settings_and_expiry(ddb, table):
    assert ddb.describe_time_to_live(TableName=table.name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}
    now = int(time.time())
    table.put_item(Item={"p": "ttl", "c": 1, "expires": now - 10})
    table.put_item(Item={"p": "ttl", "c": 2, "expires": now + 3600})
    table.put_item(Item={"p": "ttl", "c": 3, "expires": "not a number"})
    spec = {"Enabled": True, "AttributeName": "expires"}
    assert ddb.update_time_to_live(
        TableName=table.name, TimeToLiveSpecification=spec)["TimeToLiveSpecification"] == spec
    assert ddb.describe_time_to_live(TableName=table.name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    assert error_of(lambda: ddb.update_time_to_live(
        TableName=table.name, TimeToLiveSpecification=spec)) == validation(
        "TimeToLive is already enabled")

    def expired():
        left = table.query(KeyConditionExpression=Key("p").eq("ttl"))["Items"]
        return [i["c"] for i in left] == [2, 3]

    wait_until(expired, "the expired item to go")
    arn = ddb.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams", config=NO_RETRY)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    removed = [r for r in records_from(streams, arn, shard, "TRIM_HORIZON")
               if r["eventName"] == "REMOVE"]
    assert [r["dynamodb"]["Keys"] for r in removed] == [{"p": {"S": "ttl"}, "c": {"N": "1"}}]
    assert removed[0]["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    ddb.update_time_to_live(
        TableName=table.name,
        TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
    assert error_of(lambda: ddb.update_time_to_live(
        TableName=table.name,
        TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})) == validation(
        "TimeToLive is already disabled")
    assert error_of(lambda: ddb.describe_time_to_live(TableName="no-such-table")) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: no-such-table not found", 400)


def test_tags(ddb, make_table):
    arn = ddb.describe_table(TableName=make_table(range_type=None).name)["Table"]["TableArn"]
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    ddb.tag_resource(ResourceArn=arn, Tags=[
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}, {"Key": "c", "Value": "3"}])
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "one"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["b", "not-there"])
    tags = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted(tags, key=lambda t: t["Key"]) == [
        {"Key": "a", "Value": "one"}, {"Key": "c", "Value": "3"}]
    missing = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/no-such-table"
    assert error_of(lambda: ddb.list_tags_of_resource(ResourceArn=missing)) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {missing} not found", 400)
    assert error_of(lambda: ddb.tag_resource(
        ResourceArn=missing, Tags=[{"Key": "a", "Value": "1"}])) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {missing} not found", 400)


def test_describe_limits_and_endpoints(ddb):
    limits = ddb.describe_limits()
    assert {k: limits[k] for k in (
        "AccountMaxReadCapacityUnits", "AccountMaxWriteCapacityUnits",
        "TableMaxReadCapacityUnits", "TableMaxWriteCapacityUnits")} == {
        "AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}
    [endpoint] = ddb.describe_endpoints()["Endpoints"]
    assert endpoint["CachePeriodInMinutes"] == 1440
    assert endpoint["Address"]


# --- items -------------------------------------------------------------------------------


def test_items_round_trip_with_every_type(table):
    item = {
        "p": "a", "c": 1, "s": "text", "empty": "", "n": decimal.Decimal("12.5"),
        "b": b"\x00\x01", "ss": {"x", "y"}, "ns": {1, 2},
        "bs": {b"\x02"}, "m": {"k": [1, "two", None, True]}, "nul": None, "flag": False,
    }
    table.put_item(Item=item)
    got = table.get_item(Key={"p": "a", "c": 1}, ConsistentRead=True)["Item"]
    got["b"] = got["b"].value
    got["bs"] = {v.value for v in got["bs"]}
    assert got == item
    assert error_of(lambda: table.put_item(Item={"p": "a"})) == validation(
        "One or more parameter values were invalid: Missing the key c in the item")
    assert error_of(lambda: table.put_item(Item={"p": "a", "c": "one"})) == validation(
        "One or more parameter values were invalid: Type mismatch for key c expected: N "
        "actual: S")
    assert error_of(lambda: table.get_item(Key={"p": "a"})) == validation(
        "The provided key element does not match the schema")
    assert "Item" not in table.get_item(Key={"p": "a", "c": 2})


def test_numbers_come_back_normalized(ddb, table):
    # DynamoDB stores numbers in canonical plain decimal form (alternator's test_number.py
    # records it): no exponent, no leading or trailing zeros, no sign on zero.
    key = {"p": {"S": "n"}, "c": {"N": "1"}}
    written = {"a": "1E+125", "b": "-0.000", "c2": "001.50", "d": "1.5e-3", "e": "+7"}
    ddb.put_item(TableName=table.name, Item={**key, **{k: {"N": v} for k, v in written.items()}})
    got = ddb.get_item(TableName=table.name, Key=key)["Item"]
    assert {k: got[k]["N"] for k in written} == {
        "a": "1" + "0" * 125, "b": "0", "c2": "1.5", "d": "0.0015", "e": "7"}
    assert error_of(lambda: ddb.put_item(
        TableName=table.name, Item={**key, "x": {"N": "1E+126"}})) == validation(
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range")
    assert error_of(lambda: ddb.put_item(
        TableName=table.name, Item={**key, "x": {"N": "1" * 39}})) == validation(
        "Attempting to store more than 38 significant digits in a Number")


def test_attribute_values_must_be_well_formed(ddb, table):
    key = {"p": {"S": "w"}, "c": {"N": "1"}}
    put = lambda value: ddb.put_item(TableName=table.name, Item={**key, "x": value})  # noqa: E731
    assert error_of(lambda: put({"N": "abc"})) == validation(
        "The parameter cannot be converted to a numeric value: abc")
    assert error_of(lambda: put({})) == validation(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
    assert error_of(lambda: put({"S": "a", "N": "1"})) == validation(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes")
    assert error_of(lambda: put({"NULL": False})) == validation(
        "One or more parameter values were invalid: Null attribute value types must have the "
        "value of true")


def test_consumed_capacity(ddb, table):
    key = {"p": {"S": "cap"}, "c": {"N": "1"}}
    put = ddb.put_item(TableName=table.name, Item=key, ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"] == {"TableName": table.name, "CapacityUnits": 1.0}
    got = ddb.get_item(TableName=table.name, Key=key, ReturnConsumedCapacity="TOTAL")
    assert got["ConsumedCapacity"] == {"TableName": table.name, "CapacityUnits": 0.5}
    strong = ddb.get_item(
        TableName=table.name, Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert strong["ConsumedCapacity"]["CapacityUnits"] == 1.0
    assert "ConsumedCapacity" not in ddb.get_item(TableName=table.name, Key=key)


def test_put_get_update_delete_return_values(table):
    key = {"p": "rv", "c": 1}
    assert "Attributes" not in table.put_item(Item={**key, "a": 1}, ReturnValues="ALL_OLD")
    old = table.put_item(Item={**key, "a": 2, "b": "x"}, ReturnValues="ALL_OLD")["Attributes"]
    assert old == {**key, "a": 1}
    assert error_of(lambda: table.put_item(Item=key, ReturnValues="ALL_NEW")) == validation(
        "Return values set to invalid value")
    projected = table.get_item(Key=key, ProjectionExpression="b")["Item"]
    assert projected == {"b": "x"}

    def update(return_values):
        return table.update_item(
            Key=key, UpdateExpression="SET a = a + :one", ExpressionAttributeValues={":one": 1},
            ReturnValues=return_values)

    assert "Attributes" not in update("NONE")
    assert update("UPDATED_OLD")["Attributes"] == {"a": 3}
    assert update("UPDATED_NEW")["Attributes"] == {"a": 5}
    assert update("ALL_OLD")["Attributes"] == {**key, "a": 5, "b": "x"}
    assert update("ALL_NEW")["Attributes"] == {**key, "a": 7, "b": "x"}
    # An update of a missing item creates it.
    created = table.update_item(
        Key={"p": "rv", "c": 2}, UpdateExpression="SET a = :v",
        ExpressionAttributeValues={":v": "new"}, ReturnValues="ALL_NEW")["Attributes"]
    assert created == {"p": "rv", "c": 2, "a": "new"}
    assert table.delete_item(Key=key, ReturnValues="ALL_OLD")["Attributes"] == {
        **key, "a": 7, "b": "x"}
    assert "Attributes" not in table.delete_item(Key=key, ReturnValues="ALL_OLD")
    assert error_of(lambda: table.delete_item(Key=key, ReturnValues="ALL_NEW")) == validation(
        "Return values set to invalid value")


def test_condition_failures_return_the_old_item(table):
    key = {"p": "cc", "c": 1}
    table.put_item(Item={**key, "v": 1})
    failed = ("ConditionalCheckFailedException", "The conditional request failed", 400)
    put = lambda **extra: table.put_item(  # noqa: E731
        Item={**key, "v": 2}, ConditionExpression="attribute_not_exists(p)", **extra)
    assert error_of(put) == failed
    assert "Item" not in response_of(put)
    response = response_of(lambda: put(ReturnValuesOnConditionCheckFailure="ALL_OLD"))
    assert response["Item"] == {"p": {"S": "cc"}, "c": {"N": "1"}, "v": {"N": "1"}}
    response = response_of(lambda: table.update_item(
        Key=key, UpdateExpression="SET v = :two", ConditionExpression=Attr("v").eq(5),
        ExpressionAttributeValues={":two": 2}, ReturnValuesOnConditionCheckFailure="ALL_OLD"))
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert response["Item"]["v"] == {"N": "1"}
    response = response_of(lambda: table.delete_item(
        Key=key, ConditionExpression=Attr("v").gt(1),
        ReturnValuesOnConditionCheckFailure="ALL_OLD"))
    assert response["Error"]["Message"] == "The conditional request failed"
    assert response["Item"]["v"] == {"N": "1"}
    # A condition on a missing item sees no attributes.
    assert error_of(lambda: table.update_item(
        Key={"p": "cc", "c": 2}, UpdateExpression="SET v = :v",
        ConditionExpression="attribute_exists(p)", ExpressionAttributeValues={":v": 1},
    )) == failed
    assert "Item" not in table.get_item(Key={"p": "cc", "c": 2})
    table.delete_item(Key=key, ConditionExpression=Attr("v").eq(1))
    assert "Item" not in table.get_item(Key=key)


def test_update_item_errors(table):
    key = {"p": "ue", "c": 1}
    assert error_of(lambda: table.update_item(
        Key=key, UpdateExpression="SET c = :v", ExpressionAttributeValues={":v": 2},
    )) == validation(
        "One or more parameter values were invalid: Cannot update attribute c. This attribute "
        "is part of the key")
    table.put_item(Item={**key, "s": "text"})
    assert error_of(lambda: table.update_item(
        Key=key, UpdateExpression="ADD s :v", ExpressionAttributeValues={":v": 2},
    )) == validation("An operand in the update expression has an incorrect data type")
    assert error_of(lambda: table.update_item(
        Key=key, UpdateExpression="SET nothere.x = :v", ExpressionAttributeValues={":v": 2},
    )) == validation("The document path provided in the update expression is invalid for update")


# --- queries and scans -------------------------------------------------------------------


def test_query_ranges_pages_and_the_global_index(table):
    with table.batch_writer() as batch:
        for c in range(25):
            batch.put_item(Item={"p": "q", "c": c, "n": c, "g": "even" if c % 2 == 0 else "odd"})
        batch.put_item(Item={"p": "other", "c": 1, "g": "even"})
    between = Key("p").eq("q") & Key("c").between(5, 14)
    page = table.query(KeyConditionExpression=between, Limit=4)
    assert [i["c"] for i in page["Items"]] == [5, 6, 7, 8]
    assert (page["Count"], page["ScannedCount"]) == (4, 4)
    assert page["LastEvaluatedKey"] == {"p": "q", "c": 8}
    rest = table.query(KeyConditionExpression=between, ExclusiveStartKey=page["LastEvaluatedKey"])
    assert [i["c"] for i in rest["Items"]] == list(range(9, 15))
    assert "LastEvaluatedKey" not in rest
    backwards = table.query(
        KeyConditionExpression=Key("p").eq("q") & Key("c").lt(3), ScanIndexForward=False)
    assert [i["c"] for i in backwards["Items"]] == [2, 1, 0]
    evens = table.query(
        IndexName="by-g", KeyConditionExpression=Key("g").eq("even"), ScanIndexForward=False)
    assert [(i["p"], i["c"]) for i in evens["Items"]] == (
        [("q", c) for c in range(24, 1, -2)] + [("other", 1), ("q", 0)])
    index_page = table.query(IndexName="by-g", KeyConditionExpression=Key("g").eq("odd"), Limit=2)
    assert set(index_page["LastEvaluatedKey"]) == {"p", "c", "g"}
    filtered = table.query(
        KeyConditionExpression=Key("p").eq("q"), FilterExpression=Attr("n").gte(20),
        ProjectionExpression="c")
    assert filtered["Items"] == [{"c": c} for c in range(20, 25)]
    assert error_of(lambda: table.query(
        KeyConditionExpression=Key("p").eq("q"), FilterExpression=Attr("c").gte(20),
    )) == validation(
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: c")
    assert (filtered["Count"], filtered["ScannedCount"]) == (5, 25)
    counted = table.query(KeyConditionExpression=Key("p").eq("q"), Select="COUNT")
    assert counted["Count"] == 25 and "Items" not in counted
    assert error_of(lambda: table.query(
        IndexName="nope", KeyConditionExpression=Key("g").eq("x"))) == validation(
        "The table does not have the specified index: nope")
    assert error_of(lambda: table.query(
        IndexName="by-g", KeyConditionExpression=Key("g").eq("x"), ConsistentRead=True,
    )) == validation("Consistent reads are not supported on global secondary indexes")
    assert error_of(lambda: table.query(KeyConditionExpression=Key("c").eq(1))) == validation(
        "Query condition missed key schema element: p")
    assert error_of(lambda: table.query(KeyConditionExpression=Key("p").gt("q"))) == validation(
        "Query key condition not supported")
    assert error_of(lambda: table.query(
        KeyConditionExpression=Key("p").eq("q") & Key("c").between(5, 1))) == validation(
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater "
        "than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound "
        "operand: AttributeValue: {N:1}")


def test_scan_filters_pages_and_segments(table):
    with table.batch_writer() as batch:
        for c in range(30):
            batch.put_item(Item={"p": f"s{c % 7}", "c": c})
    items = []
    start = {}
    while True:
        page = table.scan(Limit=7, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    assert sorted(i["c"] for i in items) == list(range(30))
    filtered = table.scan(FilterExpression=Attr("c").gt(25))
    assert sorted(i["c"] for i in filtered["Items"]) == [26, 27, 28, 29]
    assert filtered["ScannedCount"] == 30
    segments = [table.scan(Segment=s, TotalSegments=4)["Items"] for s in range(4)]
    assert sorted(i["c"] for segment in segments for i in segment) == list(range(30))
    # A partition lives in exactly one segment.
    owners = {}
    for s, segment in enumerate(segments):
        for item in segment:
            assert owners.setdefault(item["p"], s) == s
    assert error_of(lambda: table.scan(Segment=4, TotalSegments=4)) == validation(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: 4 is not less than TotalSegments: 4")
    assert error_of(lambda: table.scan(Segment=0)) == validation(
        "The TotalSegments parameter is required but was not present in the request when "
        "Segment parameter is present")


# --- batches -----------------------------------------------------------------------------


def test_batch_write_and_get(ddb, table):
    name = table.name
    key = lambda c: {"p": {"S": "b"}, "c": {"N": str(c)}}  # noqa: E731
    written = ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": {**key(c), "v": {"S": f"v{c}"}}}} for c in range(5)
    ]})
    assert written["UnprocessedItems"] == {}
    ddb.batch_write_item(RequestItems={name: [
        {"DeleteRequest": {"Key": key(0)}},
        {"PutRequest": {"Item": {**key(9), "v": {"S": "v9"}}}},
    ]})
    got = ddb.batch_get_item(RequestItems={name: {
        "Keys": [key(c) for c in (0, 1, 2, 9)], "ProjectionExpression": "c, v",
    }})
    assert got["UnprocessedKeys"] == {}
    assert sorted(got["Responses"][name], key=lambda i: int(i["c"]["N"])) == [
        {"c": {"N": str(c)}, "v": {"S": f"v{c}"}} for c in (1, 2, 9)]


def test_batch_errors(ddb, table):
    name = table.name
    key = {"p": {"S": "b"}, "c": {"N": "1"}}
    duplicates = validation("Provided list of item keys contains duplicates")
    assert error_of(lambda: ddb.batch_get_item(
        RequestItems={name: {"Keys": [key, key]}})) == duplicates
    assert error_of(lambda: ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": key}}, {"DeleteRequest": {"Key": key}},
    ]})) == duplicates
    missing = ("ResourceNotFoundException", "Requested resource not found", 400)
    assert error_of(lambda: ddb.batch_get_item(
        RequestItems={"no-such-table": {"Keys": [key]}})) == missing
    assert error_of(lambda: ddb.batch_write_item(
        RequestItems={"no-such-table": [{"PutRequest": {"Item": key}}]})) == missing
    keys = [{"p": {"S": "b"}, "c": {"N": str(c)}} for c in range(101)]
    assert error_of(lambda: ddb.batch_get_item(RequestItems={name: {"Keys": keys}})) == (
        validation("Too many items requested for the BatchGetItem call"))
    too_many = [{"PutRequest": {"Item": {"p": {"S": "b"}, "c": {"N": str(c)}}}} for c in range(26)]
    code, message, status = error_of(
        lambda: ddb.batch_write_item(RequestItems={name: too_many}))
    assert (code, status) == ("ValidationException", 400)
    # DynamoDB echoes the request items (as its Java objects print) before the constraint.
    assert message.startswith("1 validation error detected: Value ")
    assert message.endswith(
        "at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have length less than or equal to 25, Member must have length greater "
        "than or equal to 1]")


# --- transactions ------------------------------------------------------------------------


def test_batch_get_returns_at_most_16_mb(ddb, make_table):
    table = make_table(range_type="N")
    big = "x" * (400 * 1024 - 16)
    with table.batch_writer() as batch:
        for c in range(41):
            batch.put_item(Item={"p": "big", "c": c, "v": big})
    keys = [{"p": {"S": "big"}, "c": {"N": str(c)}} for c in range(41)]
    request = {table.name: {"Keys": keys, "ProjectionExpression": "p, c"}}
    got = ddb.batch_get_item(RequestItems=request)
    returned = len(got["Responses"][table.name])
    unprocessed = got["UnprocessedKeys"][table.name]
    assert returned * 400 * 1024 <= 16 * 1024 * 1024
    assert returned + len(unprocessed["Keys"]) == 41
    # The rest comes back with its request's options, ready to be sent again.
    assert unprocessed["ProjectionExpression"] == "p, c"
    again = ddb.batch_get_item(RequestItems=got["UnprocessedKeys"])
    assert returned + len(again["Responses"][table.name]) == 41
    assert again["UnprocessedKeys"] == {}


def test_transactions_write_and_read_together(ddb, table):
    name = table.name
    key = lambda c: {"p": {"S": "t"}, "c": {"N": str(c)}}  # noqa: E731
    ddb.put_item(TableName=name, Item={**key(1), "n": {"N": "10"}})
    ddb.put_item(TableName=name, Item={**key(2), "n": {"N": "0"}})
    ddb.put_item(TableName=name, Item={**key(0), "open": {"BOOL": True}})
    ddb.transact_write_items(TransactItems=[
        {"Update": {
            "TableName": name, "Key": key(1), "UpdateExpression": "SET n = n - :five",
            "ConditionExpression": "n >= :five", "ExpressionAttributeValues": {":five": {"N": "5"}},
        }},
        {"Update": {
            "TableName": name, "Key": key(2), "UpdateExpression": "SET n = n + :five",
            "ExpressionAttributeValues": {":five": {"N": "5"}},
        }},
        {"Put": {"TableName": name, "Item": {**key(3), "n": {"N": "1"}}}},
        {"ConditionCheck": {
            "TableName": name, "Key": key(0), "ConditionExpression": "#o = :yes",
            "ExpressionAttributeNames": {"#o": "open"},
            "ExpressionAttributeValues": {":yes": {"BOOL": True}},
        }},
    ])
    got = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": name, "Key": key(c), "ProjectionExpression": "n"}}
        for c in (1, 2, 3, 4)
    ])["Responses"]
    assert got == [{"Item": {"n": {"N": "5"}}}, {"Item": {"n": {"N": "5"}}},
                   {"Item": {"n": {"N": "1"}}}, {}]
    ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": name, "Key": key(3)}}])
    assert "Item" not in ddb.get_item(TableName=name, Key=key(3))


def test_transaction_cancelled_with_reasons(ddb, table):
    name = table.name
    key = lambda c: {"p": {"S": "x"}, "c": {"N": str(c)}}  # noqa: E731
    ddb.put_item(TableName=name, Item={**key(0), "v": {"S": "old"}})
    response = response_of(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": key(1)}},
        {"ConditionCheck": {
            "TableName": name, "Key": key(0), "ConditionExpression": "attribute_not_exists(p)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }},
        {"Update": {
            "TableName": name, "Key": key(2), "UpdateExpression": "SET v = :v",
            "ConditionExpression": "attribute_exists(p)",
            "ExpressionAttributeValues": {":v": {"S": "new"}},
        }},
    ]))
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed, ConditionalCheckFailed]")
    assert response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
         "Item": {**key(0), "v": {"S": "old"}}},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]
    # Nothing was written.
    assert "Item" not in ddb.get_item(TableName=name, Key=key(1))
    assert "Item" not in ddb.get_item(TableName=name, Key=key(2))
    assert error_of(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": key(5)}},
        {"Delete": {"TableName": name, "Key": key(5)}},
    ])) == validation("Transaction request cannot include multiple operations on one item")
    assert error_of(lambda: ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": "no-such-table", "Key": key(0)}}])) == (
        "ResourceNotFoundException", "Requested resource not found", 400)


def test_transaction_items_add_up_to_at_most_4_mb(ddb, table):
    big = "x" * 400_000
    # DynamoDB's wording for this error is not published; the code and status are.
    code, _message, status = error_of(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table.name,
                 "Item": {"p": {"S": "big"}, "c": {"N": str(c)}, "v": {"S": big}}}}
        for c in range(11)
    ]))
    assert (code, status) == ("ValidationException", 400)


def test_an_invalid_item_cancels_a_transaction_with_a_validation_error(ddb, table):
    with pytest.raises(ClientError) as caught:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table.name, "Item": {"p": {"N": "7"}, "c": {"N": "1"}}}},
            {"Put": {"TableName": table.name, "Item": {"p": {"S": "ok"}, "c": {"N": "1"}}}},
        ])
    response = caught.value.response
    assert response["Error"]["Code"] == "TransactionCanceledException"
    reasons = response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ValidationError", "None"]
    assert reasons[0]["Message"] == (
        "One or more parameter values were invalid: Type mismatch for key p expected: S actual: N"
    )
    assert "Message" not in reasons[1]


def test_client_request_token_makes_a_transaction_idempotent(ddb, table):
    name = table.name
    key = {"p": {"S": "t"}, "c": {"N": "7"}}
    token = uuid.uuid4().hex
    add = lambda amount: ddb.transact_write_items(  # noqa: E731
        ClientRequestToken=token,
        TransactItems=[{"Update": {
            "TableName": name, "Key": key, "UpdateExpression": "ADD n :d",
            "ExpressionAttributeValues": {":d": {"N": amount}},
        }}],
    )
    add("1")
    add("1")
    got = ddb.get_item(TableName=name, Key=key)["Item"]
    assert got["n"] == {"N": "1"}, "the token made the second call a no-op"
    code, _message, status = error_of(lambda: add("2"))
    # DynamoDB's wording for this error is not published; the code and status are.
    assert (code, status) == ("IdempotentParameterMismatchException", 400)


# --- expressions -------------------------------------------------------------------------


def test_update_expressions(table):
    key = {"p": "e", "c": 1}
    table.put_item(Item={
        **key, "n": 10, "l": ["a", "b", "c"], "m": {"k": {"deep": 1}, "gone": True},
        "ss": {"x", "y"}, "ns": {1, 2},
    })
    new = table.update_item(
        Key=key,
        UpdateExpression=(
            "SET n = n - :two, fresh = if_not_exists(fresh, :zero), kept = if_not_exists(n, :zero), "
            "l = list_append(:front, l), m.k.deep = m.k.deep + :two, m.added = :s, #r = :s "
            "REMOVE m.gone, absent "
            "ADD ss :more, hits :two "
            "DELETE ns :one"
        ),
        ExpressionAttributeNames={"#r": "size"},
        ExpressionAttributeValues={
            ":two": 2, ":zero": 0, ":front": ["z"], ":s": "str", ":more": {"w"}, ":one": {1},
        },
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert new == {
        **key, "n": 8, "fresh": 0, "kept": 10, "l": ["z", "a", "b", "c"],
        "m": {"k": {"deep": 3}, "added": "str"}, "size": "str",
        "ss": {"w", "x", "y"}, "ns": {2}, "hits": 2,
    }
    new = table.update_item(
        Key=key,
        UpdateExpression="SET l[1] = :v, l[10] = :end REMOVE l[0] DELETE ns :two",
        ExpressionAttributeValues={":v": "A", ":end": "end", ":two": {2}},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]
    # l[1] is set, l[10] appends, then l[0] goes. UPDATED_NEW projects the updated paths on
    # the new item: l[0] and l[1] exist there, l[10] does not (alternator's
    # test_returnvalues.py records this of DynamoDB).
    assert new == {"l": ["A", "b"]}
    after = table.get_item(Key=key)["Item"]
    assert after["l"] == ["A", "b", "c", "end"]
    # Deleting the last element of a set removes the attribute.
    assert "ns" not in after


def test_filter_and_projection_expressions(table):
    with table.batch_writer() as batch:
        for c in range(6):
            batch.put_item(Item={
                "p": "f", "c": c, "tags": ["even" if c % 2 == 0 else "odd"],
                "info": {"name": f"n{c}", "rank": c * 10}, "opt": "yes" if c < 2 else None,
            })
    found = table.query(
        KeyConditionExpression=Key("p").eq("f"),
        FilterExpression=(
            "contains(tags, :even) AND info.#rank BETWEEN :lo AND :hi AND attribute_type(opt, :null)"
        ),
        ProjectionExpression="c, info.#name, tags[0]",
        ExpressionAttributeNames={"#rank": "rank", "#name": "name"},
        ExpressionAttributeValues={":even": "even", ":lo": 10, ":hi": 50, ":null": "NULL"},
    )["Items"]
    assert found == [
        {"c": 2, "info": {"name": "n2"}, "tags": ["even"]},
        {"c": 4, "info": {"name": "n4"}, "tags": ["even"]},
    ]
    sized = table.scan(
        FilterExpression="size(info.#name) = :two AND begins_with(info.#name, :n) AND c IN (:a, :b)",
        ExpressionAttributeNames={"#name": "name"},
        ExpressionAttributeValues={":two": 2, ":n": "n", ":a": 1, ":b": 5},
    )["Items"]
    assert sorted(i["c"] for i in sized) == [1, 5]


def test_expression_attribute_errors(table):
    key = {"p": "x", "c": 1}
    update = lambda **params: table.update_item(Key=key, **params)  # noqa: E731
    assert error_of(lambda: update(
        UpdateExpression="SET a = :v",
        ExpressionAttributeValues={":v": 1, ":unused": 2})) == validation(
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")
    assert error_of(lambda: update(
        UpdateExpression="SET a = :v", ExpressionAttributeNames={"#unused": "x"},
        ExpressionAttributeValues={":v": 1})) == validation(
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}")
    assert error_of(lambda: update(UpdateExpression="SET a = :nope")) == validation(
        "Invalid UpdateExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :nope")
    assert error_of(lambda: update(
        UpdateExpression="SET a = :v", ConditionExpression="#nope = :v",
        ExpressionAttributeValues={":v": 1})) == validation(
        "Invalid ConditionExpression: An expression attribute name used in the document path "
        "is not defined; attribute name: #nope")
    assert error_of(lambda: table.get_item(Key=key, ProjectionExpression="#nope")) == validation(
        "Invalid ProjectionExpression: An expression attribute name used in the document path "
        "is not defined; attribute name: #nope")
    assert error_of(lambda: table.query(
        KeyConditionExpression="p = :p", FilterExpression="c > :nope",
        ExpressionAttributeValues={":p": "x"})) == validation(
        "Invalid FilterExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :nope")
    assert error_of(lambda: update(
        UpdateExpression="SET a = :v, a.b = :v", ExpressionAttributeValues={":v": 1},
    )) == validation(
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
        "rewrite one of these paths; path one: [a], path two: [a, b]")
    assert error_of(lambda: update(
        UpdateExpression="SET size = :v", ExpressionAttributeValues={":v": 1})) == validation(
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: size")
    assert error_of(lambda: update(
        UpdateExpression="SET a = ", ExpressionAttributeValues={":v": 1})) == validation(
        'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "')


# --- limits ------------------------------------------------------------------------------

MAX_ITEM = 400 * 1024


def test_item_and_key_size_limits(make_table):
    table = make_table(range_type="S")
    # An item's size is the UTF-8 length of its attribute names plus its values.
    fits = {"p": "k", "c": "r", "v": "x" * (MAX_ITEM - 5)}
    table.put_item(Item=fits)
    too_big = {**fits, "v": fits["v"] + "x"}
    assert error_of(lambda: table.put_item(Item=too_big)) == validation(
        "Item size has exceeded the maximum allowed size")
    assert error_of(lambda: table.update_item(
        Key={"p": "k", "c": "r"}, UpdateExpression="SET w = :v",
        ExpressionAttributeValues={":v": "y" * 1024})) == validation(
        "Item size to update has exceeded the maximum allowed size")
    # A map costs 3 bytes, and each of its elements 1 byte more.
    nested = {"p": "k", "c": "r", "m": {"s": "x" * (MAX_ITEM - 10)}}
    table.put_item(Item=nested)
    nested["m"]["s"] += "x"
    assert error_of(lambda: table.put_item(Item=nested)) == validation(
        "Item size has exceeded the maximum allowed size")
    table.put_item(Item={"p": "h" * 2048, "c": "r" * 1024})
    assert error_of(lambda: table.put_item(Item={"p": "h" * 2049, "c": "r"})) == validation(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
        "size limit of2048 bytes")
    assert error_of(lambda: table.put_item(Item={"p": "h", "c": "r" * 1025})) == validation(
        "One or more parameter values were invalid: Aggregated size of all range keys has "
        "exceeded the size limit of 1024 bytes")
    assert error_of(lambda: table.get_item(Key={"p": "h" * 2049, "c": "r"})) == validation(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
        "size limit of2048 bytes")


def test_empty_sets_and_empty_keys(ddb, table):
    key = {"p": {"S": "k"}, "c": {"N": "1"}}
    put = lambda **attribute: ddb.put_item(TableName=table.name, Item={**key, **attribute})  # noqa: E731
    invalid = "One or more parameter values were invalid: "
    assert error_of(lambda: put(v={"SS": []})) == validation(
        invalid + "An string set  may not be empty")
    assert error_of(lambda: put(v={"NS": []})) == validation(
        invalid + "An number set  may not be empty")
    assert error_of(lambda: put(v={"BS": []})) == validation(
        invalid + "Binary sets should not be empty")
    assert error_of(lambda: put(v={"SS": ["a", "a"]})) == validation(
        invalid + "Input collection [a, a] contains duplicates.")
    assert error_of(lambda: ddb.put_item(
        TableName=table.name, Item={"p": {"S": ""}, "c": {"N": "1"}})) == validation(
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: p")
    assert error_of(lambda: put(g={"S": ""})) == validation(
        "One or more parameter values are not valid. A value specified for a secondary index "
        "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
        "string value. IndexName: by-g, IndexKey: g")
    assert error_of(lambda: ddb.update_item(
        TableName=table.name, Key=key, UpdateExpression="DELETE s :empty",
        ExpressionAttributeValues={":empty": {"SS": []}})) == validation(
        invalid + "An string set  may not be empty")


# --- streams -----------------------------------------------------------------------------


def stream_of(ddb, streams, table_name):
    arn = ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return arn, shard


def records_from(streams, arn, shard, kind, **extra):
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra)["ShardIterator"]
    return streams.get_records(ShardIterator=iterator)["Records"]


def test_streams_list_and_describe(ddb, streams, table):
    arn = ddb.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    listed = streams.list_streams(TableName=table.name)["Streams"]
    assert listed == [{
        "StreamArn": arn, "TableName": table.name, "StreamLabel": arn.rsplit("/", 1)[1]}]
    assert arn in [s["StreamArn"] for s in streams.list_streams()["Streams"]]
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamArn"] == arn
    assert description["StreamStatus"] == "ENABLED"
    assert description["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert description["TableName"] == table.name
    assert description["KeySchema"] == [
        {"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]
    [shard] = description["Shards"]
    assert shard["ShardId"].startswith("shardId-")
    missing = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/no-such-table/stream/2024-01-01T00:00:00.000"
    assert error_of(lambda: streams.describe_stream(StreamArn=missing)) == (
        "ResourceNotFoundException", f"Requested resource not found: Stream: {missing} not found",
        400)
    assert error_of(lambda: streams.list_streams(TableName="no-such-table")) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: no-such-table not found", 400)


def test_streams_shard_iterator_types(ddb, streams, table):
    arn, shard = stream_of(ddb, streams, table.name)
    for c in range(3):
        table.put_item(Item={"p": "s", "c": c})
    everything = records_from(streams, arn, shard, "TRIM_HORIZON")
    assert [r["dynamodb"]["Keys"]["c"] for r in everything] == [{"N": "0"}, {"N": "1"}, {"N": "2"}]
    sequence = [r["dynamodb"]["SequenceNumber"] for r in everything]
    assert [int(s) for s in sequence] == sorted(int(s) for s in sequence)
    at = records_from(streams, arn, shard, "AT_SEQUENCE_NUMBER", SequenceNumber=sequence[1])
    assert [r["dynamodb"]["SequenceNumber"] for r in at] == sequence[1:]
    after = records_from(streams, arn, shard, "AFTER_SEQUENCE_NUMBER", SequenceNumber=sequence[1])
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == sequence[2:]
    latest = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    page = streams.get_records(ShardIterator=latest)
    assert page["Records"] == []
    table.put_item(Item={"p": "s", "c": 3})
    later = streams.get_records(ShardIterator=page["NextShardIterator"])["Records"]
    assert [r["dynamodb"]["Keys"]["c"] for r in later] == [{"N": "3"}]
    # GetRecords pages with Limit and NextShardIterator.
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = streams.get_records(ShardIterator=iterator, Limit=2)
    second = streams.get_records(ShardIterator=first["NextShardIterator"], Limit=2)
    assert [r["dynamodb"]["SequenceNumber"] for r in first["Records"] + second["Records"]] == (
        sequence + [later[0]["dynamodb"]["SequenceNumber"]])
    assert error_of(lambda: streams.get_shard_iterator(
        StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
        ShardIteratorType="LATEST")) == (
        "ResourceNotFoundException", "Requested resource not found: Shard does not exist", 400)
    code, _message, status = error_of(lambda: streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER"))
    assert (code, status) == ("ValidationException", 400)
    code, _message, status = error_of(lambda: streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST", SequenceNumber=sequence[0]))
    assert (code, status) == ("ValidationException", 400)


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_streams_carry_the_images_the_view_type_names(ddb, streams, make_table, view):
    table = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    arn, shard = stream_of(ddb, streams, table.name)
    table.put_item(Item={"p": "s", "c": 1, "v": "one"})
    table.update_item(Key={"p": "s", "c": 1}, UpdateExpression="SET v = :v",
                      ExpressionAttributeValues={":v": "two"})
    table.delete_item(Key={"p": "s", "c": 1})
    records = records_from(streams, arn, shard, "TRIM_HORIZON")
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    keys = {"p": {"S": "s"}, "c": {"N": "1"}}
    one = {**keys, "v": {"S": "one"}}
    two = {**keys, "v": {"S": "two"}}
    expected_new = [one, two, None] if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else [None] * 3
    expected_old = [None, one, two] if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else [None] * 3
    for record, new, old in zip(records, expected_new, expected_old):
        assert record["eventSource"] == "aws:dynamodb"
        assert record["awsRegion"] == REGION
        data = record["dynamodb"]
        assert data["Keys"] == keys
        assert data["StreamViewType"] == view
        assert data.get("NewImage") == new
        assert data.get("OldImage") == old


def test_disabling_a_stream_keeps_it_readable(ddb, streams, table):
    arn, shard = stream_of(ddb, streams, table.name)
    table.put_item(Item={"p": "d", "c": 1})
    ddb.update_table(TableName=table.name, StreamSpecification={"StreamEnabled": False})
    described = ddb.describe_table(TableName=table.name)["Table"]
    assert "StreamSpecification" not in described
    assert described["LatestStreamArn"] == arn
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLED"
    assert len(records_from(streams, arn, shard, "TRIM_HORIZON")) == 1
    # Enabling again makes a new stream.
    ddb.update_table(
        TableName=table.name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert ddb.describe_table(TableName=table.name)["Table"]["LatestStreamArn"] != arn
    assert len(streams.list_streams(TableName=table.name)["Streams"]) == 2


def test_stream_specification_errors(ddb, table):
    assert error_of(lambda: ddb.update_table(
        TableName=table.name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )) == validation(f"Table already has an enabled stream: TableName: {table.name}")
    assert error_of(lambda: ddb.create_table(
        TableName=unique(),
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True},
    )) == validation(
        "One or more parameter values were invalid: You must specify a StreamViewType when "
        "enabling a stream")
