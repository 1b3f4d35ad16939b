"""CloudWatch Logs with boto3 and the AWS CLI: every implemented operation, with the errors AWS
sends (code, HTTP status, message), and pagination.

The messages are CloudWatch Logs' own words where they are known: the API reference, and error
texts users have reported from AWS (see docs/compat/logs.md and crates/services/logs)."""

import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
REGION = "us-east-1"
NOT_FOUND_GROUP = ("ResourceNotFoundException", "The specified log group does not exist.", 400)
NOT_FOUND_STREAM = ("ResourceNotFoundException", "The specified log stream does not exist.", 400)
HOUR = 3_600_000
DAY = 24 * HOUR


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


def invalid(message):
    return ("InvalidParameterException", message, 400)


def unique(prefix="/unkai/test"):
    return f"{prefix}/{uuid.uuid4().hex[:12]}"


def now_ms():
    return int(time.time() * 1000)


@pytest.fixture
def logs(client):
    return client("logs")


@pytest.fixture
def group(logs):
    """A fresh log group with a stream `s`, deleted afterwards."""
    name = unique()
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    yield name
    try:
        logs.delete_log_group(logGroupName=name)
    except ClientError:
        pass


def put(logs, group, stream, events):
    return logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": t, "message": m} for t, m in events],
    )


def messages(response):
    return [event["message"] for event in response["events"]]


# --- log groups ----------------------------------------------------------------------------


def test_log_group_lifecycle(logs):
    prefix = unique()
    names = [f"{prefix}/{n}" for n in ("a", "b", "c")]
    for name in names:
        response = logs.create_log_group(logGroupName=name, tags={"team": "x"})
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert error_of(lambda: logs.create_log_group(logGroupName=names[0])) == (
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
        400,
    )
    described = logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]
    assert [g["logGroupName"] for g in described] == names
    first = described[0]
    assert first["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{names[0]}:*"
    assert first["logGroupArn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{names[0]}"
    assert first["logGroupClass"] == "STANDARD"
    assert first["storedBytes"] == 0
    assert first["metricFilterCount"] == 0
    assert abs(first["creationTime"] - now_ms()) < 60_000
    assert "retentionInDays" not in first

    # Pagination: by hand, and with botocore's paginator.
    page = logs.describe_log_groups(logGroupNamePrefix=prefix, limit=2)
    assert [g["logGroupName"] for g in page["logGroups"]] == names[:2]
    rest = logs.describe_log_groups(logGroupNamePrefix=prefix, limit=2, nextToken=page["nextToken"])
    assert [g["logGroupName"] for g in rest["logGroups"]] == names[2:]
    assert "nextToken" not in rest
    paginator = logs.get_paginator("describe_log_groups")
    pages = list(paginator.paginate(logGroupNamePrefix=prefix, PaginationConfig={"PageSize": 1}))
    assert [p["logGroups"][0]["logGroupName"] for p in pages] == names
    pattern = names[1].rsplit("/", 1)[0][-6:] + "/b"
    matched = logs.describe_log_groups(logGroupNamePattern=pattern)["logGroups"]
    assert [g["logGroupName"] for g in matched] == [names[1]]

    for name in names:
        logs.delete_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"] == []
    assert error_of(lambda: logs.delete_log_group(logGroupName=names[0])) == NOT_FOUND_GROUP


def test_log_group_validation(logs):
    assert error_of(lambda: logs.create_log_group(logGroupName="bad:name")) == invalid(
        "1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
    )
    assert error_of(lambda: logs.create_log_group(logGroupName="x" * 513)) == invalid(
        "1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: "
        "Member must have length less than or equal to 512"
    )
    assert error_of(lambda: logs.create_log_group(logGroupName="aws/mine")) == invalid(
        "Log groups starting with AWS/ are reserved for AWS."
    )
    assert error_of(lambda: logs.describe_log_groups(limit=51)) == invalid(
        "1 validation error detected: Value at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 50"
    )
    assert error_of(lambda: logs.describe_log_groups(nextToken="not-a-token")) == invalid(
        "The specified nextToken is invalid."
    )


def test_retention_policy(logs, group):
    logs.put_retention_policy(logGroupName=group, retentionInDays=30)
    described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert described["retentionInDays"] == 30
    code, message, status = error_of(
        lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=2)
    )
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith(
        "1 validation error detected: Value at 'retentionInDays' failed to satisfy constraint: "
        "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30,"
    )
    logs.delete_retention_policy(logGroupName=group)
    described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert "retentionInDays" not in described
    assert error_of(
        lambda: logs.put_retention_policy(logGroupName=group + "-nope", retentionInDays=1)
    ) == NOT_FOUND_GROUP
    assert error_of(lambda: logs.delete_retention_policy(logGroupName=group + "-nope")) == (
        NOT_FOUND_GROUP
    )


def test_retention_hides_expired_events(logs, group):
    now = now_ms()
    put(logs, group, "s", [(now - 2 * DAY, "two days old")])
    put(logs, group, "s", [(now - HOUR, "recent")])
    assert messages(logs.get_log_events(logGroupName=group, logStreamName="s")) == [
        "two days old",
        "recent",
    ]
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    assert messages(logs.get_log_events(logGroupName=group, logStreamName="s")) == ["recent"]
    assert messages(logs.filter_log_events(logGroupName=group)) == ["recent"]
    response = put(logs, group, "s", [(now - DAY - HOUR, "expired"), (now - 2 * HOUR, "kept")])
    assert response["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 1}


# --- log streams ---------------------------------------------------------------------------


def test_log_streams(logs, group):
    now = now_ms()
    for name, offset in (("b", 3), ("a", 1), ("c", 2)):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        put(logs, group, name, [(now - 10 * HOUR + offset * HOUR, f"in {name}")])
    assert error_of(lambda: logs.create_log_stream(logGroupName=group, logStreamName="a")) == (
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
        400,
    )
    assert error_of(
        lambda: logs.create_log_stream(logGroupName=group + "-nope", logStreamName="a")
    ) == NOT_FOUND_GROUP
    assert error_of(lambda: logs.create_log_stream(logGroupName=group, logStreamName="a:b")) == (
        invalid(
            "1 validation error detected: Value at 'logStreamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [^:*]*"
        )
    )

    def names(**kwargs):
        streams = logs.describe_log_streams(logGroupName=group, **kwargs)["logStreams"]
        return [s["logStreamName"] for s in streams]

    assert names() == ["a", "b", "c", "s"]
    assert names(descending=True) == ["s", "c", "b", "a"]
    assert names(logStreamNamePrefix="b") == ["b"]
    assert names(orderBy="LastEventTime") == ["s", "a", "c", "b"]
    assert names(orderBy="LastEventTime", descending=True) == ["b", "c", "a", "s"]
    assert error_of(
        lambda: logs.describe_log_streams(
            logGroupName=group, orderBy="LastEventTime", logStreamNamePrefix="a"
        )
    ) == invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
    assert error_of(lambda: logs.describe_log_streams(logGroupName=group + "-nope")) == (
        NOT_FOUND_GROUP
    )

    paginator = logs.get_paginator("describe_log_streams")
    for order in ("LogStreamName", "LastEventTime"):
        pages = paginator.paginate(
            logGroupName=group, orderBy=order, PaginationConfig={"PageSize": 1}
        )
        assert [s["logStreamName"] for p in pages for s in p["logStreams"]] == names(orderBy=order)

    stream = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="b")["logStreams"][0]
    assert stream["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:log-stream:b"
    assert stream["firstEventTimestamp"] == stream["lastEventTimestamp"] == now - 7 * HOUR
    assert abs(stream["lastIngestionTime"] - now_ms()) < 60_000
    assert stream["storedBytes"] == 0
    assert len(stream["uploadSequenceToken"]) == 56
    empty = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="s")["logStreams"][0]
    assert set(empty) == {"logStreamName", "creationTime", "arn", "storedBytes"}
    by_arn = logs.describe_log_streams(
        logGroupIdentifier=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"
    )["logStreams"]
    assert [s["logStreamName"] for s in by_arn] == ["a", "b", "c", "s"]
    # storedBytes of the group adds up its streams' messages.
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["storedBytes"] == 12

    logs.delete_log_stream(logGroupName=group, logStreamName="a")
    assert error_of(lambda: logs.delete_log_stream(logGroupName=group, logStreamName="a")) == (
        NOT_FOUND_STREAM
    )
    assert error_of(
        lambda: logs.get_log_events(logGroupName=group, logStreamName="a")
    ) == NOT_FOUND_STREAM
    logs.create_log_stream(logGroupName=group, logStreamName="a")
    assert logs.get_log_events(logGroupName=group, logStreamName="a")["events"] == []


# --- events --------------------------------------------------------------------------------


def test_put_log_events_batch_rules(logs, group):
    now = now_ms()
    assert error_of(lambda: put(logs, group, "s", [(now, "b"), (now - 1, "a")])) == invalid(
        "Log events in a single PutLogEvents request must be in chronological order."
    )
    assert error_of(lambda: put(logs, group, "s", [(now - DAY - 1, "a"), (now, "b")])) == invalid(
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
    )
    big = "x" * 600_000
    assert error_of(lambda: put(logs, group, "s", [(now, big), (now, big)])) == invalid(
        "Upload too large: 1200052 bytes exceeds limit of 1048576"
    )
    assert error_of(lambda: put(logs, group, "nope", [(now, "m")])) == NOT_FOUND_STREAM
    assert error_of(lambda: put(logs, group + "-nope", "s", [(now, "m")])) == NOT_FOUND_GROUP
    # At the limits: 10,000 events, and exactly 1,048,576 bytes.
    put(logs, group, "s", [(now, str(n)) for n in range(10_000)])
    exact = "y" * (1_048_576 - 26)
    put(logs, group, "s", [(now, exact)])

    # Too old (over 14 days) and too new (over 2 hours ahead) are rejected, the rest stored.
    response = put(
        logs, group, "s", [(now - 14 * DAY - HOUR, "old"), (now - 14 * DAY + HOUR, "kept")]
    )
    assert response["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    response = put(logs, group, "s", [(now, "kept too"), (now + 3 * HOUR, "new")])
    assert response["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    # Sequence tokens are accepted and ignored.
    first = logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        sequenceToken="49039859533790039851380816675861673084717305346360483984",
        logEvents=[{"timestamp": now, "message": "with a token"}],
    )
    second = put(logs, group, "s", [(now, "without")])
    assert len(first["nextSequenceToken"]) == 56
    assert first["nextSequenceToken"] != second["nextSequenceToken"]
    assert "rejectedLogEventsInfo" not in second
    events = logs.get_log_events(
        logGroupName=group, logStreamName="s", startTime=now - 14 * DAY, endTime=now - 1
    )
    assert messages(events) == ["kept"]


def test_get_log_events_pages_forward_and_backward(logs, group):
    now = now_ms()
    put(logs, group, "s", [(now - 10, "e10"), (now - 10, "e10b")])
    put(logs, group, "s", [(now - 30, "e30"), (now - 20, "e20")])
    put(logs, group, "s", [(now - 5, "e5")])
    everything = ["e30", "e20", "e10", "e10b", "e5"]
    response = logs.get_log_events(logGroupName=group, logStreamName="s")
    assert messages(response) == everything
    event = response["events"][0]
    assert event["timestamp"] == now - 30
    assert abs(event["ingestionTime"] - now_ms()) < 60_000
    assert response["nextForwardToken"].startswith("f/")
    assert response["nextBackwardToken"].startswith("b/")

    def page(**kwargs):
        return logs.get_log_events(logGroupName=group, logStreamName="s", limit=2, **kwargs)

    seen = []
    response = page(startFromHead=True)
    while True:
        seen += messages(response)
        token = response["nextForwardToken"]
        response = page(nextToken=token)
        if response["nextForwardToken"] == token:
            assert response["events"] == []
            break
    assert seen == everything

    seen = []
    response = page()
    assert messages(response) == ["e10b", "e5"]
    while True:
        seen = messages(response) + seen
        token = response["nextBackwardToken"]
        response = page(nextToken=token)
        if response["nextBackwardToken"] == token:
            break
    assert seen == everything

    ranged = logs.get_log_events(
        logGroupName=group,
        logStreamName="s",
        startTime=now - 20,
        endTime=now - 5,
        startFromHead=True,
    )
    assert messages(ranged) == ["e20", "e10", "e10b"]
    by_arn = logs.get_log_events(
        logGroupIdentifier=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}", logStreamName="s"
    )
    assert messages(by_arn) == everything
    by_name = logs.get_log_events(logGroupIdentifier=group, logStreamName="s")
    assert messages(by_name) == everything

    assert error_of(
        lambda: logs.get_log_events(logGroupName=group, logStreamName="s", nextToken="x/1")
    ) == invalid("The specified nextToken is invalid.")
    assert error_of(
        lambda: logs.get_log_events(
            logGroupIdentifier=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*",
            logStreamName="s",
        )
    ) == invalid(
        "1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*"
    )
    assert error_of(
        lambda: logs.get_log_events(logGroupName=group, logStreamName="s", limit=10_001)
    ) == invalid(
        "1 validation error detected: Value at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 10000"
    )
    assert error_of(
        lambda: logs.get_log_events(logGroupName=group + "-nope", logStreamName="s")
    ) == NOT_FOUND_GROUP
    assert error_of(lambda: logs.get_log_events(logGroupName=group, logStreamName="nope")) == (
        NOT_FOUND_STREAM
    )


def test_get_log_events_pages_stop_at_one_megabyte(logs, group):
    now = now_ms()
    line = "z" * 100_000
    put(logs, group, "s", [(now, line)] * 10)
    put(logs, group, "s", [(now, line)] * 10)
    response = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)
    assert len(response["events"]) == 10
    rest = logs.get_log_events(
        logGroupName=group, logStreamName="s", nextToken=response["nextForwardToken"]
    )
    assert len(rest["events"]) == 10


def test_filter_log_events(logs, group):
    now = now_ms()
    for stream in ("app-1", "app-2", "web"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    failed = json.dumps({"status": 500, "path": "/x"})
    served = json.dumps({"status": 200})
    put(
        logs,
        group,
        "app-1",
        [(now - 50, "ERROR disk full"), (now - 30, "INFO started"), (now - 10, "ERROR late")],
    )
    put(logs, group, "app-2", [(now - 40, "ERROR out of memory"), (now - 30, "WARN slow")])
    put(logs, group, "web", [(now - 45, failed), (now - 20, served)])
    everything = [
        "ERROR disk full",
        failed,
        "ERROR out of memory",
        "INFO started",
        "WARN slow",
        served,
        "ERROR late",
    ]
    response = logs.filter_log_events(logGroupName=group)
    assert messages(response) == everything
    assert response["searchedLogStreams"] == []
    assert "nextToken" not in response
    event = response["events"][0]
    assert event["logStreamName"] == "app-1"
    assert event["timestamp"] == now - 50
    assert len(event["eventId"]) == 56

    def matching(**kwargs):
        return messages(logs.filter_log_events(logGroupName=group, **kwargs))

    errors = ["ERROR disk full", "ERROR out of memory", "ERROR late"]
    assert matching(filterPattern="ERROR") == errors
    assert matching(filterPattern="ERROR memory") == ["ERROR out of memory"]
    assert matching(filterPattern='"out of memory"') == ["ERROR out of memory"]
    assert matching(filterPattern="?WARN ?INFO") == ["INFO started", "WARN slow"]
    assert matching(filterPattern="ERROR -late -disk") == ["ERROR out of memory"]
    assert matching(filterPattern="{ $.status >= 500 }") == [failed]
    assert matching(filterPattern='{ $.path = "/x" && $.status = 500 }') == [failed]
    assert matching(logStreamNamePrefix="app", filterPattern="ERROR") == errors
    assert matching(logStreamNames=["app-2", "web"], startTime=now - 40, endTime=now - 20) == [
        "ERROR out of memory",
        "WARN slow",
        served,
    ]
    assert matching(startFromHead=False, startTime=now - DAY) == list(reversed(everything))

    paginator = logs.get_paginator("filter_log_events")
    pages = list(paginator.paginate(logGroupName=group, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 4
    assert [m for p in pages for m in messages(p)] == everything

    assert error_of(
        lambda: logs.filter_log_events(
            logGroupName=group, logStreamNames=["a"], logStreamNamePrefix="a"
        )
    )[0] == "InvalidParameterException"
    assert error_of(lambda: logs.filter_log_events(logGroupName=group, nextToken="zz")) == invalid(
        "The specified nextToken is invalid."
    )
    assert error_of(lambda: logs.filter_log_events(logGroupName=group + "-nope")) == NOT_FOUND_GROUP


# --- tags ----------------------------------------------------------------------------------


def test_tags(logs, group):
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"
    logs.tag_resource(resourceArn=arn, tags={"env": "dev", "team": "a"})
    logs.tag_log_group(logGroupName=group, tags={"old-api": "yes"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {
        "env": "dev",
        "team": "a",
        "old-api": "yes",
    }
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    logs.untag_log_group(logGroupName=group, tags=["old-api"])
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"env": "dev"}
    # The ARN with a trailing :* (DescribeLogGroups' `arn`) is not a resource ARN.
    assert error_of(lambda: logs.list_tags_for_resource(resourceArn=arn + ":*")) == invalid(
        "1 validation error detected: Value at 'resourceArn' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=/:,.@-]*"
    )

    missing = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}-nope"
    assert error_of(lambda: logs.list_tags_for_resource(resourceArn=missing)) == NOT_FOUND_GROUP
    assert error_of(lambda: logs.tag_resource(resourceArn=missing, tags={"a": "b"})) == (
        NOT_FOUND_GROUP
    )
    assert error_of(lambda: logs.list_tags_log_group(logGroupName=group + "-nope")) == (
        NOT_FOUND_GROUP
    )
    assert error_of(
        lambda: logs.tag_resource(resourceArn=arn, tags={f"k{n}": "v" for n in range(50)})
    )[0] == "TooManyTagsException"
    created = unique()
    logs.create_log_group(logGroupName=created, tags={"born": "tagged"})
    assert logs.list_tags_log_group(logGroupName=created)["tags"] == {"born": "tagged"}
    logs.delete_log_group(logGroupName=created)


# --- everything else -----------------------------------------------------------------------


def test_unimplemented_operations_say_so(logs):
    code, message, status = error_of(
        lambda: logs.start_query(
            logGroupName="g", startTime=0, endTime=1, queryString="fields @message"
        )
    )
    assert (code, status) == ("NotImplementedException", 501)
    assert "unkai does not implement logs StartQuery yet" in message


def test_cli_reads_events(logs, group, aws):
    now = now_ms()
    put(logs, group, "s", [(now - 2, "first line"), (now - 1, "second line")])
    code, out, err = aws(
        "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "s"
    )
    assert code == 0, err
    assert [e["message"] for e in json.loads(out)["events"]] == ["first line", "second line"]
    code, out, err = aws(
        "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "second"
    )
    assert code == 0, err
    assert [e["message"] for e in json.loads(out)["events"]] == ["second line"]
    code, _, err = aws("logs", "describe-log-streams", "--log-group-name", group + "-nope")
    assert code != 0
    assert (
        "An error occurred (ResourceNotFoundException) when calling the DescribeLogStreams "
        "operation: The specified log group does not exist." in err
    )
