"""Lambda's control plane with boto3: every operation unkai implements, with the errors AWS sends
(code, HTTP status, message), and the boto3 waiters.

The expected messages are Lambda's own words: the ones the Lambda API reference documents, and
the ones recorded from AWS in LocalStack's validated snapshots (tests/aws/services/lambda_).
Where unkai answers differently today, the test still asserts AWS's behaviour and is marked
`xfail(strict=True)` with the difference in its reason.

The functions are tests/functions/python (handler app.handler), uploaded as a zip; the run-time
behaviours (throttles, timeouts, logs, retries, isolation) are in tests/e2e/tests/lambda.rs.
"""

import base64
import hashlib
import io
import json
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import NO_RETRY

ACCOUNT = "000000000000"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
REPO = Path(__file__).resolve().parents[3]
PYTHON_FUNCTION = REPO / "tests" / "functions" / "python" / "app.py"

RESERVED_KEYS = (
    "Lambda was unable to configure your environment variables because the environment "
    "variables you have provided contains reserved keys that are currently not supported for "
    "modification. Reserved keys used in this request: "
)
WRONG_REVISION = (
    "The Revision Id provided does not match the latest Revision Id. Call the "
    "GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def unique(prefix="fn"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def function_arn(name, qualifier=None):
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def package(source=None, name="app.py"):
    """A zip holding the test function (or `source` as `name`)."""
    text = PYTHON_FUNCTION.read_text() if source is None else source
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # World-readable, as Lambda requires of a package's files (and as packaging tools
        # write them): a 0600 file cannot be read by the function.
        entry = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        entry.external_attr = 0o644 << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, text)
    return buffer.getvalue()


def sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


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
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def not_found(name, qualifier=None):
    return (
        "ResourceNotFoundException",
        f"Function not found: {function_arn(name, qualifier)}",
        404,
    )


def validation(message):
    return ("ValidationException", f"1 validation error detected: {message}", 400)


def invalid(message):
    return ("InvalidParameterValueException", message, 400)


@pytest.fixture
def lam(client):
    return client("lambda")


@pytest.fixture
def unchecked(client):
    """A Lambda client that sends what botocore's own validation would refuse to."""
    return client("lambda", config=NO_RETRY.merge(Config(parameter_validation=False)))


@pytest.fixture
def make_function(lam):
    """Creates functions from the test function's zip; deletes them after the test."""
    created = []

    def make(name=None, **overrides):
        name = name or unique()
        params = {
            "FunctionName": name,
            "Runtime": "python3.12",
            "Role": ROLE,
            "Handler": "app.handler",
            "Code": {"ZipFile": package()},
        }
        params.update(overrides)
        response = lam.create_function(**params)
        created.append(name)
        return response

    yield make
    for name in created:
        try:
            lam.delete_function(FunctionName=name)
        except ClientError:
            pass


@pytest.fixture
def function(make_function):
    """The name of a fresh function."""
    return make_function()["FunctionName"]


def invoke(lam, name, event, **params):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **params)
    return response, json.loads(response["Payload"].read() or b"null")


# CreateFunction


def test_create_function_answers_the_pending_configuration(make_function):
    zipped = package()
    name = unique()
    created = make_function(name, Code={"ZipFile": zipped}, Description="echo", Timeout=5)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionName"] == name
    assert created["FunctionArn"] == function_arn(name)
    assert created["Version"] == "$LATEST"
    assert created["Runtime"] == "python3.12"
    assert created["Handler"] == "app.handler"
    assert created["Role"] == ROLE
    assert created["Description"] == "echo"
    assert created["Timeout"] == 5
    assert created["MemorySize"] == 128
    assert created["CodeSize"] == len(zipped)
    assert created["CodeSha256"] == sha256_b64(zipped)
    assert created["PackageType"] == "Zip"
    assert created["Architectures"] == ["x86_64"]
    assert created["EphemeralStorage"] == {"Size": 512}
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    assert created["State"] == "Pending"
    assert created["StateReason"] == "The function is being created."
    assert created["StateReasonCode"] == "Creating"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", created["LastModified"])
    assert re.fullmatch(r"[0-9a-f-]{36}", created["RevisionId"])


def test_create_function_with_publish_answers_version_1(make_function, lam):
    name = unique()
    created = make_function(name, Publish=True)
    assert created["Version"] == "1"
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]


def test_create_function_with_publish_answers_the_unqualified_arn(make_function):
    name = unique()
    assert make_function(name, Publish=True)["FunctionArn"] == function_arn(name)


def base_create(name, **overrides):
    params = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": package()},
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (
            {"Role": None},
            validation(
                "Value null at 'role' failed to satisfy constraint: Member must not be null"
            ),
        ),
        (
            {"Timeout": 0},
            validation(
                "Value '0' at 'timeout' failed to satisfy constraint: "
                "Member must have value greater than or equal to 1"
            ),
        ),
        (
            {"Timeout": 901},
            validation(
                "Value '901' at 'timeout' failed to satisfy constraint: "
                "Member must have value less than or equal to 900"
            ),
        ),
        (
            {"MemorySize": 64},
            validation(
                "Value '64' at 'memorySize' failed to satisfy constraint: "
                "Member must have value greater than or equal to 128"
            ),
        ),
        (
            {"MemorySize": 10241},
            validation(
                "Value '10241' at 'memorySize' failed to satisfy constraint: "
                "Member must have value less than or equal to 10240"
            ),
        ),
        (
            {"Role": "r1"},
            validation(
                "Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy "
                "regular expression pattern: "
                "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
            ),
        ),
        (
            {"Environment": {"Variables": {"AWS_REGION": "eu-west-1", "MINE": "x"}}},
            invalid(RESERVED_KEYS + "AWS_REGION"),
        ),
        (
            {"Code": {"ZipFile": b"this is not a zip"}},
            invalid(
                "Could not unzip uploaded file. Please check your file, then try to upload again."
            ),
        ),
        (
            {"Architectures": ["x86_64", "arm64"]},
            validation(
                "Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: "
                "Member must have length less than or equal to 1"
            ),
        ),
    ],
    ids=[
        "missing-role",
        "timeout-0",
        "timeout-901",
        "memory-64",
        "memory-10241",
        "role-not-an-arn",
        "reserved-variable",
        "invalid-zip",
        "two-architectures",
    ],
)
def test_create_function_validation(unchecked, lam, overrides, expected):
    name = unique()
    assert error_of(lambda: unchecked.create_function(**base_create(name, **overrides))) == expected
    assert error_of(lambda: lam.get_function(FunctionName=name)) == not_found(name)


def test_create_function_with_an_unknown_runtime(unchecked):
    response = response_of(
        lambda: unchecked.create_function(**base_create(unique(), Runtime="python2.8"))
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "InvalidParameterValueException"
    message = response["Error"]["Message"]
    assert message.startswith(
        "Value python2.8 at 'runtime' failed to satisfy constraint: "
        "Member must satisfy enum value set: ["
    ), message
    assert message.endswith("] or be a valid ARN"), message
    assert "python3.12" in message


def test_create_function_twice_conflicts(make_function, lam):
    name = make_function()["FunctionName"]
    response = response_of(lambda: lam.create_function(**base_create(name)))
    assert response["Error"] == {
        "Code": "ResourceConflictException",
        "Message": f"Function already exist: {name}",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert response["Type"] == "User"


# GetFunction, GetFunctionConfiguration


def test_get_function_and_its_configuration(make_function, lam):
    name = unique()
    make_function(name, Tags={"team": "unkai"}, Environment={"Variables": {"GREETING": "hi"}})
    got = lam.get_function(FunctionName=name)
    configuration = got["Configuration"]
    assert configuration["FunctionArn"] == function_arn(name)
    assert configuration["State"] == "Active"
    assert configuration["LastUpdateStatus"] == "Successful"
    assert configuration["Environment"] == {"Variables": {"GREETING": "hi"}}
    assert got["Code"]["RepositoryType"] == "S3"
    assert got["Tags"] == {"team": "unkai"}
    assert "Concurrency" not in got
    alone = lam.get_function_configuration(FunctionName=name)
    alone.pop("ResponseMetadata")
    assert alone == configuration
    # By ARN and partial ARN too.
    assert lam.get_function(FunctionName=function_arn(name))["Configuration"] == configuration
    partial = f"{ACCOUNT}:function:{name}"
    assert lam.get_function_configuration(FunctionName=partial)["FunctionName"] == name


def test_get_function_by_qualifier(function, lam):
    lam.publish_version(FunctionName=function)
    lam.create_alias(FunctionName=function, Name="live", FunctionVersion="1")
    version = lam.get_function_configuration(FunctionName=function, Qualifier="1")
    assert version["Version"] == "1"
    assert version["FunctionArn"] == function_arn(function, "1")
    by_alias = lam.get_function(FunctionName=function, Qualifier="live")["Configuration"]
    assert by_alias["Version"] == "1"
    assert lam.get_function(FunctionName=f"{function}:1")["Configuration"]["Version"] == "1"
    assert error_of(lambda: lam.get_function(FunctionName=function, Qualifier="99")) == not_found(
        function, "99"
    )
    assert error_of(
        lambda: lam.get_function_configuration(FunctionName=function, Qualifier="nope")
    ) == not_found(function, "nope")
    assert error_of(
        lambda: lam.get_function(FunctionName=f"{function}:1", Qualifier="2")
    ) == invalid(
        "The derived qualifier from the function name does not match the specified qualifier."
    )


def test_latest_qualified_arn(function, lam):
    latest = lam.get_function_configuration(FunctionName=function, Qualifier="$LATEST")
    assert latest["FunctionArn"] == function_arn(function, "$LATEST")
    versions = lam.list_versions_by_function(FunctionName=function)["Versions"]
    assert versions[0]["FunctionArn"] == function_arn(function, "$LATEST")


def test_get_missing_function(lam):
    name = unique()
    response = response_of(lambda: lam.get_function(FunctionName=name))
    assert response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": f"Function not found: {function_arn(name)}",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert response["Type"] == "User"
    assert error_of(lambda: lam.get_function_configuration(FunctionName=name)) == not_found(name)


# ListFunctions


def test_list_functions_pages_with_max_items_and_marker(make_function, lam):
    prefix = unique("list")
    names = [make_function(f"{prefix}-{i}")["FunctionName"] for i in range(3)]
    seen = []
    marker = None
    pages = 0
    while True:
        params = {"MaxItems": 1}
        if marker:
            params["Marker"] = marker
        page = lam.list_functions(**params)
        pages += 1
        assert len(page["Functions"]) <= 1
        seen.extend(f["FunctionName"] for f in page["Functions"])
        marker = page.get("NextMarker")
        if not marker:
            break
        assert pages < 1000
    ours = [name for name in seen if name.startswith(prefix)]
    assert sorted(ours) == names
    assert len(seen) == len(set(seen))
    everything = lam.get_paginator("list_functions").paginate().build_full_result()["Functions"]
    assert set(names) <= {f["FunctionName"] for f in everything}
    listed = next(f for f in everything if f["FunctionName"] == names[0])
    assert listed["FunctionArn"] == function_arn(names[0])
    assert listed["Version"] == "$LATEST"


def test_list_functions_with_all_versions(make_function, lam):
    name = make_function(Publish=True)["FunctionName"]
    every = lam.get_paginator("list_functions").paginate(FunctionVersion="ALL").build_full_result()
    ours = sorted(f["Version"] for f in every["Functions"] if f["FunctionName"] == name)
    assert ours == ["$LATEST", "1"]
    default = lam.get_paginator("list_functions").paginate().build_full_result()
    assert [f["Version"] for f in default["Functions"] if f["FunctionName"] == name] == ["$LATEST"]
    assert error_of(lambda: lam.list_functions(FunctionVersion="invalid")) == validation(
        "Value 'invalid' at 'functionVersion' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL]"
    )


# UpdateFunctionConfiguration, UpdateFunctionCode


def test_update_function_configuration(function, lam):
    before = lam.get_function_configuration(FunctionName=function)
    updated = lam.update_function_configuration(
        FunctionName=function,
        Description="updated",
        Timeout=10,
        MemorySize=256,
        Environment={"Variables": {"MODE": "test"}},
        RevisionId=before["RevisionId"],
    )
    assert updated["Description"] == "updated"
    assert updated["Timeout"] == 10
    assert updated["MemorySize"] == 256
    assert updated["Environment"] == {"Variables": {"MODE": "test"}}
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["RevisionId"] != before["RevisionId"]
    after = lam.get_function_configuration(FunctionName=function)
    assert after["LastUpdateStatus"] == "Successful"
    assert after["RevisionId"] == updated["RevisionId"]
    # The configuration reaches the function.
    _, env = invoke(
        lam, function, {"action": "env", "names": ["MODE", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]}
    )
    assert env == {"MODE": "test", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}
    # A stale revision is refused.
    response = response_of(
        lambda: lam.update_function_configuration(
            FunctionName=function, Description="stale", RevisionId=before["RevisionId"]
        )
    )
    assert response["Error"] == {"Code": "PreconditionFailedException", "Message": WRONG_REVISION}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert response["Type"] == "User"
    assert lam.get_function_configuration(FunctionName=function)["Description"] == "updated"
    assert error_of(
        lambda: lam.update_function_configuration(
            FunctionName=function, Environment={"Variables": {"AWS_LAMBDA_RUNTIME_API": "x"}}
        )
    ) == invalid(RESERVED_KEYS + "AWS_LAMBDA_RUNTIME_API")
    missing = unique()
    assert error_of(
        lambda: lam.update_function_configuration(FunctionName=missing, Timeout=5)
    ) == not_found(missing)


def test_update_function_code(function, lam):
    before = lam.get_function_configuration(FunctionName=function)
    source = 'def handler(event, context):\n    return {"version": 2}\n'
    zipped = package(source)
    updated = lam.update_function_code(
        FunctionName=function, ZipFile=zipped, RevisionId=before["RevisionId"]
    )
    assert updated["CodeSha256"] == sha256_b64(zipped)
    assert updated["CodeSize"] == len(zipped)
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["RevisionId"] != before["RevisionId"]
    _, answer = invoke(lam, function, {})
    assert answer == {"version": 2}
    assert error_of(
        lambda: lam.update_function_code(
            FunctionName=function, ZipFile=package(), RevisionId=before["RevisionId"]
        )
    ) == ("PreconditionFailedException", WRONG_REVISION, 412)
    assert error_of(
        lambda: lam.update_function_code(FunctionName=function, ZipFile=b"not a zip")
    ) == invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
    published = lam.update_function_code(FunctionName=function, ZipFile=package(), Publish=True)
    assert published["Version"] == "1"
    assert published["FunctionArn"] == function_arn(function, "1")
    missing = unique()
    assert error_of(
        lambda: lam.update_function_code(FunctionName=missing, ZipFile=package())
    ) == not_found(missing)


# PublishVersion, ListVersionsByFunction, DeleteFunction with a qualifier


def test_publish_version_and_list_versions(function, lam):
    sha = lam.get_function_configuration(FunctionName=function)["CodeSha256"]
    first = lam.publish_version(FunctionName=function, Description="first")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert first["Version"] == "1"
    assert first["FunctionArn"] == function_arn(function, "1")
    assert first["Description"] == "first"
    assert first["CodeSha256"] == sha
    # Nothing changed: publishing again answers the same version.
    assert lam.publish_version(FunctionName=function)["Version"] == "1"
    lam.update_function_configuration(FunctionName=function, Description="second")
    second = lam.publish_version(FunctionName=function, CodeSha256=sha)
    assert second["Version"] == "2"
    assert second["Description"] == "second"
    # Published versions do not change with $LATEST.
    assert (
        lam.get_function_configuration(FunctionName=function, Qualifier="1")["Description"]
        == "first"
    )

    versions = lam.list_versions_by_function(FunctionName=function)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert versions[2]["FunctionArn"] == function_arn(function, "2")
    paged = []
    marker = None
    while True:
        params = {"FunctionName": function, "MaxItems": 1}
        if marker:
            params["Marker"] = marker
        page = lam.list_versions_by_function(**params)
        assert len(page["Versions"]) == 1
        paged.append(page["Versions"][0]["Version"])
        marker = page.get("NextMarker")
        if not marker:
            break
    assert paged == ["$LATEST", "1", "2"]

    assert error_of(
        lambda: lam.publish_version(FunctionName=function, CodeSha256="somenonexistentsha256")
    ) == invalid(
        f"CodeSHA256 (somenonexistentsha256) is different from current CodeSHA256 in $LATEST "
        f"({sha}). Please try again with the CodeSHA256 in $LATEST."
    )
    assert error_of(lambda: lam.publish_version(FunctionName=function, RevisionId="wrong")) == (
        "PreconditionFailedException",
        WRONG_REVISION,
        412,
    )

    lam.delete_function(FunctionName=function, Qualifier="1")
    versions = lam.list_versions_by_function(FunctionName=function)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "2"]
    assert error_of(
        lambda: lam.delete_function(FunctionName=function, Qualifier="$LATEST")
    ) == invalid("$LATEST version cannot be deleted without deleting the function.")
    missing = unique()
    assert error_of(lambda: lam.list_versions_by_function(FunctionName=missing)) == not_found(
        missing
    )
    assert error_of(lambda: lam.publish_version(FunctionName=missing)) == not_found(missing)


def test_versions_list_in_numeric_order(function, lam):
    for number in range(1, 12):
        lam.update_function_configuration(FunctionName=function, Description=f"v{number}")
        assert lam.publish_version(FunctionName=function)["Version"] == str(number)
    versions = lam.get_paginator("list_versions_by_function").paginate(FunctionName=function)
    listed = [v["Version"] for v in versions.build_full_result()["Versions"]]
    assert listed == ["$LATEST"] + [str(n) for n in range(1, 12)]


# Aliases


def test_alias_lifecycle_and_invocation_by_alias(function, lam):
    lam.publish_version(FunctionName=function)
    lam.update_function_code(
        FunctionName=function,
        ZipFile=package('def handler(event, context):\n    return "two"\n'),
    )
    lam.publish_version(FunctionName=function)

    created = lam.create_alias(
        FunctionName=function, Name="live", FunctionVersion="1", Description="production"
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["AliasArn"] == function_arn(function, "live")
    assert created["Name"] == "live"
    assert created["FunctionVersion"] == "1"
    assert created["Description"] == "production"
    got = lam.get_alias(FunctionName=function, Name="live")
    assert got["RevisionId"] == created["RevisionId"]
    assert got["FunctionVersion"] == "1"
    assert [a["Name"] for a in lam.list_aliases(FunctionName=function)["Aliases"]] == ["live"]

    response, answer = invoke(lam, function, {"action": "echo"}, Qualifier="live")
    assert response["ExecutedVersion"] == "1"
    assert answer["function_name"] == function
    response, answer = invoke(lam, f"{function}:live", {})
    assert response["ExecutedVersion"] == "1"
    response, answer = invoke(lam, function, {})
    assert response["ExecutedVersion"] == "$LATEST"
    assert answer == "two"

    updated = lam.update_alias(
        FunctionName=function, Name="live", FunctionVersion="2", RevisionId=created["RevisionId"]
    )
    assert updated["FunctionVersion"] == "2"
    assert updated["Description"] == "production"
    assert updated["RevisionId"] != created["RevisionId"]
    response, answer = invoke(lam, function, {}, Qualifier="live")
    assert (response["ExecutedVersion"], answer) == ("2", "two")
    assert error_of(
        lambda: lam.update_alias(
            FunctionName=function, Name="live", Description="x", RevisionId=created["RevisionId"]
        )
    ) == ("PreconditionFailedException", WRONG_REVISION, 412)

    lam.create_alias(FunctionName=function, Name="old", FunctionVersion="1")
    assert [
        a["Name"] for a in lam.list_aliases(FunctionName=function, FunctionVersion="1")["Aliases"]
    ] == ["old"]
    assert error_of(
        lambda: lam.create_alias(FunctionName=function, Name="live", FunctionVersion="1")
    ) == (
        "ResourceConflictException",
        f"Alias already exists: {function_arn(function, 'live')}",
        409,
    )
    assert error_of(
        lambda: lam.create_alias(FunctionName=function, Name="later", FunctionVersion="10")
    ) == not_found(function, "10")

    deleted = lam.delete_alias(FunctionName=function, Name="live")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lambda: lam.get_alias(FunctionName=function, Name="live")) == (
        "ResourceNotFoundException",
        f"Cannot find alias arn: {function_arn(function, 'live')}",
        404,
    )
    assert error_of(lambda: invoke(lam, function, {}, Qualifier="live")) == not_found(
        function, "live"
    )
    # Deleting an alias that is not there succeeds.
    assert (
        lam.delete_alias(FunctionName=function, Name="live")["ResponseMetadata"]["HTTPStatusCode"]
        == 204
    )


def test_update_missing_alias(function, lam):
    assert error_of(
        lambda: lam.update_alias(FunctionName=function, Name="nope", Description="x")
    ) == ("ResourceNotFoundException", f"Alias not found: {function_arn(function, 'nope')}", 404)


def test_alias_with_two_routing_weights(function, lam):
    for description in ("a", "b", "c"):
        lam.update_function_configuration(FunctionName=function, Description=description)
        lam.publish_version(FunctionName=function)
    assert error_of(
        lambda: lam.create_alias(
            FunctionName=function,
            Name="split",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.1, "3": 0.1}},
        )
    ) == invalid("Number of items in AdditionalVersionWeights cannot be greater than 1")


# DeleteFunction


def test_delete_function(make_function, lam):
    name = make_function(Publish=True)["FunctionName"]
    deleted = lam.delete_function(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lambda: lam.get_function(FunctionName=name)) == not_found(name)
    assert error_of(lambda: lam.get_function(FunctionName=name, Qualifier="1")) == not_found(
        name, "1"
    )
    assert error_of(lambda: lam.delete_function(FunctionName=name)) == not_found(name)
    assert name not in [
        f["FunctionName"]
        for f in lam.get_paginator("list_functions").paginate().build_full_result()["Functions"]
    ]
    # The name can be used again.
    recreated = make_function(name)
    assert recreated["FunctionName"] == name


def test_delete_missing_function_with_qualifier(lam):
    name = unique()
    assert error_of(lambda: lam.delete_function(FunctionName=name, Qualifier="1")) == not_found(
        name
    )


# PutFunctionConcurrency, GetFunctionConcurrency, DeleteFunctionConcurrency, GetAccountSettings


def test_function_concurrency(function, lam):
    unreserved = lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    assert (
        lam.get_function_concurrency(FunctionName=function).get("ReservedConcurrentExecutions")
        is None
    )
    put = lam.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=5)
    assert put["ReservedConcurrentExecutions"] == 5
    assert lam.get_function_concurrency(FunctionName=function)["ReservedConcurrentExecutions"] == 5
    assert lam.get_function(FunctionName=function)["Concurrency"] == {
        "ReservedConcurrentExecutions": 5
    }
    limits = lam.get_account_settings()["AccountLimit"]
    assert limits["UnreservedConcurrentExecutions"] == unreserved - 5
    assert (
        lam.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=0)[
            "ReservedConcurrentExecutions"
        ]
        == 0
    )
    deleted = lam.delete_function_concurrency(FunctionName=function)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    after = lam.get_function_concurrency(FunctionName=function)
    assert "ReservedConcurrentExecutions" not in after
    assert "Concurrency" not in lam.get_function(FunctionName=function)
    assert (
        lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == unreserved
    )
    # The account keeps 100 unreserved.
    too_many = limits["ConcurrentExecutions"] - 100 + 1
    assert error_of(
        lambda: lam.put_function_concurrency(
            FunctionName=function, ReservedConcurrentExecutions=too_many
        )
    ) == invalid(
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100]."
    )
    missing = unique()
    assert error_of(lambda: lam.get_function_concurrency(FunctionName=missing)) == not_found(
        missing
    )
    assert error_of(lambda: lam.delete_function_concurrency(FunctionName=missing)) == not_found(
        missing
    )


def test_put_function_concurrency_of_a_missing_function(lam):
    name = unique()
    assert error_of(
        lambda: lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    ) == not_found(name, "$LATEST")


def test_put_function_concurrency_on_a_version(make_function, lam):
    name = make_function(Publish=True)["FunctionName"]
    assert error_of(
        lambda: lam.put_function_concurrency(
            FunctionName=function_arn(name, "1"), ReservedConcurrentExecutions=1
        )
    ) == invalid(
        "This operation is permitted on Lambda functions only. Aliases and versions do not support "
        "this operation. Please specify either a function name or an unqualified function ARN."
    )


def test_get_account_settings(make_function, lam):
    before = lam.get_account_settings()
    zipped = package()
    make_function(Code={"ZipFile": zipped})
    settings = lam.get_account_settings()
    limit = settings["AccountLimit"]
    assert limit["TotalCodeSize"] == 80530636800
    assert limit["CodeSizeUnzipped"] == 262144000
    assert limit["CodeSizeZipped"] == 52428800
    assert limit["ConcurrentExecutions"] == 1000
    assert 100 <= limit["UnreservedConcurrentExecutions"] <= 1000
    usage = settings["AccountUsage"]
    assert usage["FunctionCount"] == before["AccountUsage"]["FunctionCount"] + 1
    assert usage["TotalCodeSize"] >= before["AccountUsage"]["TotalCodeSize"] + len(zipped)


# AddPermission, GetPolicy, RemovePermission


def test_permissions(function, lam):
    assert error_of(lambda: lam.get_policy(FunctionName=function)) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )
    added = lam.add_permission(
        FunctionName=function,
        StatementId="s1",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::my-bucket",
        SourceAccount=ACCOUNT,
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "s1",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": function_arn(function),
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"},
        },
    }
    lam.add_permission(
        FunctionName=function, StatementId="s2", Action="lambda:GetFunction", Principal=ACCOUNT
    )
    got = lam.get_policy(FunctionName=function)
    policy = json.loads(got["Policy"])
    assert policy["Version"] == "2012-10-17"
    assert policy["Id"] == "default"
    assert [s["Sid"] for s in policy["Statement"]] == ["s1", "s2"]
    assert policy["Statement"][0] == statement
    assert policy["Statement"][1]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert got["RevisionId"]

    assert error_of(
        lambda: lam.add_permission(
            FunctionName=function,
            StatementId="s3",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
            RevisionId="wrong",
        )
    )[::2] == ("PreconditionFailedException", 412)
    assert error_of(
        lambda: lam.add_permission(
            FunctionName=function,
            StatementId="example.com",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
        )
    ) == validation(
        "Value 'example.com' at 'statementId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"
    )

    removed = lam.remove_permission(FunctionName=function, StatementId="s1")
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [
        s["Sid"] for s in json.loads(lam.get_policy(FunctionName=function)["Policy"])["Statement"]
    ] == ["s2"]
    assert error_of(
        lambda: lam.remove_permission(FunctionName=function, StatementId="doesnotexist")
    ) == (
        "ResourceNotFoundException",
        "Statement doesnotexist is not found in resource policy.",
        404,
    )
    missing = unique()
    assert error_of(
        lambda: lam.add_permission(
            FunctionName=missing,
            StatementId="s1",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
        )
    ) == not_found(missing)


def test_permissions_on_a_version(make_function, lam):
    name = make_function(Publish=True)["FunctionName"]
    added = lam.add_permission(
        FunctionName=name,
        Qualifier="1",
        StatementId="v1",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )
    assert json.loads(added["Statement"])["Resource"] == function_arn(name, "1")
    assert error_of(
        lambda: lam.add_permission(
            FunctionName=name,
            Qualifier="42",
            StatementId="v42",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
        )
    ) == not_found(name, "42")


def test_add_permission_with_a_duplicate_statement_id(function, lam):
    params = {
        "FunctionName": function,
        "StatementId": "s1",
        "Action": "lambda:InvokeFunction",
        "Principal": "s3.amazonaws.com",
    }
    lam.add_permission(**params)
    response = response_of(lambda: lam.add_permission(**params))
    assert response["Error"] == {
        "Code": "ResourceConflictException",
        "Message": "The statement id (s1) provided already exists. Please provide a new statement "
        "id, or remove the existing statement.",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_remove_permission_without_a_policy(function, lam):
    assert error_of(lambda: lam.remove_permission(FunctionName=function, StatementId="s1")) == (
        "ResourceNotFoundException",
        "No policy is associated with the given resource.",
        404,
    )


def test_policy_of_a_missing_function(lam):
    name = unique()
    assert error_of(lambda: lam.get_policy(FunctionName=name)) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )
    assert error_of(lambda: lam.remove_permission(FunctionName=name, StatementId="s1")) == (
        "ResourceNotFoundException",
        f"No policy found for: {function_arn(name)}",
        404,
    )


def test_add_permission_on_latest(function, lam):
    assert error_of(
        lambda: lam.add_permission(
            FunctionName=function,
            Qualifier="$LATEST",
            StatementId="s1",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
        )
    ) == invalid("We currently do not support adding policies for $LATEST.")


# PutFunctionEventInvokeConfig, GetFunctionEventInvokeConfig, UpdateFunctionEventInvokeConfig,
# DeleteFunctionEventInvokeConfig, ListFunctionEventInvokeConfigs


def no_config(name, qualifier="$LATEST"):
    return (
        "ResourceNotFoundException",
        f"The function {function_arn(name, qualifier)} doesn't have an EventInvokeConfig",
        404,
    )


def test_event_invoke_config_lifecycle(make_function, lam):
    name = make_function(Publish=True)["FunctionName"]
    target = make_function()["FunctionName"]
    destination = function_arn(target)
    assert error_of(lambda: lam.get_function_event_invoke_config(FunctionName=name)) == no_config(
        name
    )
    assert error_of(
        lambda: lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    ) == no_config(name)

    put = lam.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=1,
        MaximumEventAgeInSeconds=120,
        DestinationConfig={"OnFailure": {"Destination": destination}},
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["FunctionArn"] == function_arn(name, "$LATEST")
    assert put["MaximumRetryAttempts"] == 1
    assert put["MaximumEventAgeInSeconds"] == 120
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": destination}
    assert put["LastModified"].year >= 2024
    got = lam.get_function_event_invoke_config(FunctionName=name)
    for key in (
        "FunctionArn",
        "MaximumRetryAttempts",
        "MaximumEventAgeInSeconds",
        "DestinationConfig",
    ):
        assert got[key] == put[key]

    # Update changes what it is given and keeps the rest.
    updated = lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert updated["MaximumRetryAttempts"] == 0
    assert updated["MaximumEventAgeInSeconds"] == 120
    assert updated["DestinationConfig"]["OnFailure"] == {"Destination": destination}
    # Put replaces the whole configuration.
    replaced = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=2)
    assert replaced["MaximumRetryAttempts"] == 2
    assert "MaximumEventAgeInSeconds" not in replaced
    assert replaced["DestinationConfig"].get("OnFailure", {}) == {}

    version = lam.put_function_event_invoke_config(
        FunctionName=name, Qualifier="1", MaximumRetryAttempts=1
    )
    assert version["FunctionArn"] == function_arn(name, "1")
    listed = lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert sorted(c["FunctionArn"] for c in listed) == [
        function_arn(name, "$LATEST"),
        function_arn(name, "1"),
    ]
    first = lam.list_function_event_invoke_configs(FunctionName=name, MaxItems=1)
    assert len(first["FunctionEventInvokeConfigs"]) == 1
    rest = lam.list_function_event_invoke_configs(FunctionName=name, Marker=first["NextMarker"])
    assert len(rest["FunctionEventInvokeConfigs"]) == 1
    assert "NextMarker" not in rest

    deleted = lam.delete_function_event_invoke_config(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lambda: lam.get_function_event_invoke_config(FunctionName=name)) == no_config(
        name
    )
    assert error_of(
        lambda: lam.delete_function_event_invoke_config(FunctionName=name)
    ) == no_config(name)
    assert error_of(
        lambda: lam.get_function_event_invoke_config(FunctionName=name, Qualifier="2")
    ) == no_config(name, "2")
    lam.delete_function_event_invoke_config(FunctionName=name, Qualifier="1")
    assert (
        lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
        == []
    )


def test_event_invoke_config_validation(function, unchecked):
    assert error_of(
        lambda: unchecked.put_function_event_invoke_config(
            FunctionName=function, MaximumRetryAttempts=3
        )
    ) == validation(
        "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: "
        "Member must have value less than or equal to 2"
    )
    assert error_of(
        lambda: unchecked.put_function_event_invoke_config(
            FunctionName=function, MaximumEventAgeInSeconds=59
        )
    ) == validation(
        "Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 60"
    )
    assert error_of(
        lambda: unchecked.put_function_event_invoke_config(
            FunctionName=function, MaximumEventAgeInSeconds=21601
        )
    ) == validation(
        "Value '21601' at 'maximumEventAgeInSeconds' failed to satisfy constraint: "
        "Member must have value less than or equal to 21600"
    )


def test_event_invoke_config_answers_both_destinations(function, lam):
    put = lam.put_function_event_invoke_config(FunctionName=function, MaximumRetryAttempts=1)
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}


def test_event_invoke_config_refusals(function, lam):
    assert error_of(lambda: lam.put_function_event_invoke_config(FunctionName=function)) == invalid(
        "You must specify at least one of error handling or destination setting."
    )
    assert error_of(
        lambda: lam.put_function_event_invoke_config(
            FunctionName=function,
            DestinationConfig={"OnSuccess": {"Destination": function_arn(function)}},
        )
    ) == invalid("You can't specify the function as a destination for itself.")
    missing = function_arn("doesnotexist")
    assert error_of(
        lambda: lam.put_function_event_invoke_config(
            FunctionName=function, DestinationConfig={"OnFailure": {"Destination": missing}}
        )
    ) == invalid(f"The destination ARN {missing} is invalid.")


def test_event_invoke_config_of_a_missing_function(lam):
    name = unique()
    gone = ("ResourceNotFoundException", "The function doesn't exist.", 404)
    assert (
        error_of(
            lambda: lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
        )
        == gone
    )
    assert (
        error_of(
            lambda: lam.update_function_event_invoke_config(
                FunctionName=name, MaximumRetryAttempts=1
            )
        )
        == gone
    )
    assert error_of(lambda: lam.list_function_event_invoke_configs(FunctionName=name)) == gone
    assert error_of(lambda: lam.get_function_event_invoke_config(FunctionName=name)) == no_config(
        name
    )
    assert error_of(
        lambda: lam.delete_function_event_invoke_config(FunctionName=name)
    ) == no_config(name)


# TagResource, ListTags, UntagResource


def test_tags(make_function, lam):
    name = make_function(Tags={"team": "unkai", "stage": "dev"})["FunctionName"]
    arn = function_arn(name)
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "unkai", "stage": "dev"}
    tagged = lam.tag_resource(Resource=arn, Tags={"stage": "prod", "owner": "me"})
    assert tagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "unkai", "stage": "prod", "owner": "me"}
    untagged = lam.untag_resource(Resource=arn, TagKeys=["team", "nonexistent"])
    assert untagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_tags(Resource=arn)["Tags"] == {"stage": "prod", "owner": "me"}
    assert lam.get_function(FunctionName=name)["Tags"] == {"stage": "prod", "owner": "me"}
    lam.untag_resource(Resource=arn, TagKeys=["stage", "owner"])
    assert lam.list_tags(Resource=arn)["Tags"] == {}
    assert error_of(
        lambda: lam.tag_resource(Resource=arn, Tags={f"k{i}": "v" for i in range(51)})
    ) == invalid("Number of tags exceeds resource tag limit.")

    missing = function_arn(unique())
    assert error_of(lambda: lam.list_tags(Resource=missing)) == (
        "ResourceNotFoundException",
        f"Function not found: {missing}",
        404,
    )
    assert (
        error_of(lambda: lam.tag_resource(Resource=missing, Tags={"a": "b"}))[0]
        == "ResourceNotFoundException"
    )
    assert (
        error_of(lambda: lam.untag_resource(Resource=missing, TagKeys=["a"]))[0]
        == "ResourceNotFoundException"
    )


def test_tags_on_a_version(make_function, lam):
    name = make_function(Publish=True)["FunctionName"]
    assert error_of(lambda: lam.list_tags(Resource=function_arn(name, "1"))) == invalid(
        "Tags on function aliases and versions are not supported. Please specify a function ARN."
    )


# Waiters


def test_waiters(function, lam):
    lam.get_waiter("function_exists").wait(FunctionName=function, WaiterConfig={"Delay": 1})
    lam.get_waiter("function_active_v2").wait(FunctionName=function, WaiterConfig={"Delay": 1})
    assert lam.get_function(FunctionName=function)["Configuration"]["State"] == "Active"
    updated = lam.update_function_configuration(FunctionName=function, Timeout=7)
    assert updated["LastUpdateStatus"] == "InProgress"
    lam.get_waiter("function_updated_v2").wait(FunctionName=function, WaiterConfig={"Delay": 1})
    configuration = lam.get_function(FunctionName=function)["Configuration"]
    assert configuration["LastUpdateStatus"] == "Successful"
    assert configuration["Timeout"] == 7
    lam.update_function_code(FunctionName=function, ZipFile=package())
    lam.get_waiter("function_updated").wait(FunctionName=function, WaiterConfig={"Delay": 1})
    lam.publish_version(FunctionName=function)
    lam.get_waiter("published_version_active").wait(
        FunctionName=function, Qualifier="1", WaiterConfig={"Delay": 1}
    )


# Invoke: what the control plane decides before any code runs


def test_invoke_dry_run_and_missing_functions(function, lam):
    dry = lam.invoke(FunctionName=function, InvocationType="DryRun")
    assert dry["StatusCode"] == 204
    assert dry["ResponseMetadata"]["HTTPStatusCode"] == 204
    missing = unique()
    assert error_of(lambda: lam.invoke(FunctionName=missing)) == not_found(missing)
    assert error_of(lambda: lam.invoke(FunctionName=missing, InvocationType="DryRun")) == not_found(
        missing
    )
    assert error_of(lambda: lam.invoke(FunctionName=missing, InvocationType="Event")) == not_found(
        missing
    )
    assert error_of(lambda: lam.invoke(FunctionName=function, Qualifier="7")) == not_found(
        function, "7"
    )
    queued = lam.invoke(
        FunctionName=function, InvocationType="Event", Payload=b'{"action": "echo"}'
    )
    assert queued["StatusCode"] == 202
    legacy = lam.invoke_async(FunctionName=function, InvokeArgs=b'{"action": "echo"}')
    assert legacy["Status"] == 202
    assert error_of(lambda: lam.invoke_async(FunctionName=missing, InvokeArgs=b"{}")) == not_found(
        missing
    )
    response, answer = invoke(lam, function, {"action": "echo", "numbers": [1, 2]})
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert answer["sum"] == 3
    assert answer["echo"] == {"action": "echo", "numbers": [1, 2]}


# InvokeWithResponseStream

STREAMING_HANDLER = """
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType("text/plain");
  for (let i = 0; i < 3; i++) {
    responseStream.write(`chunk ${i}\\n`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (event.fail) throw new Error("broke midway");
  responseStream.end();
});
"""


def stream_events(response):
    chunks, complete = [], None
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            chunks.append(event["PayloadChunk"]["Payload"])
        if "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    return chunks, complete


def test_invoke_with_response_stream(make_function, lam):
    streaming = make_function(
        Runtime="nodejs20.x",
        Handler="index.handler",
        Code={"ZipFile": package(STREAMING_HANDLER, "index.mjs")},
    )["FunctionName"]
    response = lam.invoke_with_response_stream(
        FunctionName=streaming, Payload=b"{}", LogType="Tail"
    )
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert response["ResponseStreamContentType"] == "text/plain"
    chunks, complete = stream_events(response)
    assert chunks == [b"chunk 0\n", b"chunk 1\n", b"chunk 2\n"]
    assert "ErrorCode" not in complete
    assert base64.b64decode(complete["LogResult"]).decode().startswith("START RequestId: ")

    # A failure midway ends the stream with the error.
    response = lam.invoke_with_response_stream(FunctionName=streaming, Payload=b'{"fail": true}')
    chunks, complete = stream_events(response)
    assert chunks == [b"chunk 0\n", b"chunk 1\n", b"chunk 2\n"]
    assert (complete["ErrorCode"], complete["ErrorDetails"]) == ("Error", "broke midway")

    # Invoke gathers a streamed response.
    gathered = lam.invoke(FunctionName=streaming, Payload=b"{}")
    assert gathered["Payload"].read() == b"chunk 0\nchunk 1\nchunk 2\n"
    assert "FunctionError" not in gathered


def test_invoke_with_response_stream_of_a_buffered_function(function, lam):
    response = lam.invoke_with_response_stream(
        FunctionName=function, Payload=json.dumps({"numbers": [1, 2]}).encode()
    )
    chunks, complete = stream_events(response)
    assert len(chunks) == 1 and json.loads(chunks[0])["sum"] == 3
    assert "ErrorCode" not in complete
    response = lam.invoke_with_response_stream(
        FunctionName=function, Payload=json.dumps({"action": "error"}).encode()
    )
    chunks, complete = stream_events(response)
    assert chunks == []
    assert (complete["ErrorCode"], complete["ErrorDetails"]) == ("BoomError", "boom")
    assert error_of(
        lambda: lam.invoke_with_response_stream(FunctionName=function, InvocationType="Event")
    )[0] in ("ValidationException", "ParamValidationError")


# Function URLs

WEB_HANDLER = """
def handler(event, context):
    if event["rawPath"] == "/echo":
        return event
    if event["rawPath"] == "/plain":
        return {"greeting": "hello"}
    if event["rawPath"] == "/fail":
        raise RuntimeError("no")
    return {
        "statusCode": 201,
        "headers": {"x-hello": "world", "content-type": "text/plain"},
        "cookies": ["a=1", "b=2"],
        "body": "created " + event["requestContext"]["http"]["method"],
    }
"""

STREAMING_WEB_HANDLER = """
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 202,
    headers: { "x-stream": "yes", "content-type": "text/plain" },
  });
  for (let i = 0; i < 3; i++) {
    responseStream.write(`part ${i}\\n`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  responseStream.end();
});
"""


def url_request(url, method="GET", path="/", body=None, headers=None, sign=False):
    """Sends a request to a function URL (to unkai's port, with the URL's Host)."""
    import http.client
    from urllib.parse import urlparse

    parsed = urlparse(url)
    headers = dict(headers or {})
    headers["Host"] = parsed.netloc
    if sign:
        import boto3
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        credentials = boto3.Session().get_credentials()
        request = AWSRequest(method=method, url=url.rstrip("/") + path, data=body, headers=headers)
        SigV4Auth(credentials, "lambda", REGION).add_auth(request)
        headers = dict(request.headers.items())
    connection = http.client.HTTPConnection("127.0.0.1", parsed.port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.getheaders(), response.read()


def header(headers, name):
    return [value for key, value in headers if key.lower() == name]


def test_function_url_configs(make_function, lam):
    name = make_function(Code={"ZipFile": package(WEB_HANDLER)})["FunctionName"]
    created = lam.create_function_url_config(
        FunctionName=name, AuthType="NONE", Cors={"AllowOrigins": ["https://example.com"]}
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(
        r"http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+/", created["FunctionUrl"]
    )
    assert created["FunctionArn"] == function_arn(name)
    assert created["InvokeMode"] == "BUFFERED"
    got = lam.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == created["FunctionUrl"]
    assert got["Cors"] == {"AllowOrigins": ["https://example.com"]}
    updated = lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert updated["AuthType"] == "AWS_IAM"
    listed = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert [config["FunctionUrl"] for config in listed] == [created["FunctionUrl"]]
    code, message, status = error_of(
        lambda: lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    )
    assert (code, status) == ("ResourceConflictException", 409)
    lam.delete_function_url_config(FunctionName=name)
    assert error_of(lambda: lam.get_function_url_config(FunctionName=name)) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )
    assert url_request(created["FunctionUrl"])[0] == 403


def test_function_url_requests_and_responses(make_function, lam):
    name = make_function(Code={"ZipFile": package(WEB_HANDLER)})["FunctionName"]
    url = lam.create_function_url_config(
        FunctionName=name,
        AuthType="NONE",
        Cors={"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"]},
    )["FunctionUrl"]
    status, headers, body = url_request(
        url, "POST", "/hello", body=b"x", headers={"Origin": "https://example.com"}
    )
    assert (status, body) == (201, b"created POST")
    assert header(headers, "x-hello") == ["world"]
    assert header(headers, "set-cookie") == ["a=1", "b=2"]
    assert header(headers, "access-control-allow-origin") == ["https://example.com"]

    status, headers, body = url_request(
        url,
        "POST",
        "/echo?q=a%20b&q=c",
        body=b'{"k": 1}',
        headers={"Cookie": "c1=v1; c2=v2", "Content-Type": "application/json"},
    )
    assert status == 200
    event = json.loads(body)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/echo"
    assert event["rawQueryString"] == "q=a%20b&q=c"
    assert event["queryStringParameters"] == {"q": "a b,c"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["body"] == '{"k": 1}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["accountId"] == "anonymous"
    assert context["http"]["method"] == "POST" and context["http"]["path"] == "/echo"
    assert context["domainPrefix"] == context["apiId"]
    assert context["domainName"] == url.split("//")[1].split(":")[0]

    status, headers, body = url_request(url, "GET", "/plain")
    assert (status, json.loads(body)) == (200, {"greeting": "hello"})
    assert header(headers, "content-type") == ["application/json"]
    status, _, body = url_request(url, "GET", "/fail")
    assert (status, json.loads(body)) == (502, {"Message": "Internal Server Error"})
    status, headers, _ = url_request(
        url,
        "OPTIONS",
        "/hello",
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "POST"},
    )
    assert status == 200
    assert header(headers, "access-control-allow-methods") == ["GET,POST"]


def test_function_url_with_iam_auth(make_function, lam):
    name = make_function(Code={"ZipFile": package(WEB_HANDLER)})["FunctionName"]
    url = lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    status, _, body = url_request(url, "GET", "/echo")
    assert (status, json.loads(body)) == (403, {"Message": "Forbidden"})
    status, _, body = url_request(url, "GET", "/echo", sign=True)
    assert status == 200, body
    iam = json.loads(body)["requestContext"]["authorizer"]["iam"]
    assert iam["accountId"] == ACCOUNT and iam["userArn"].startswith("arn:aws:iam::")


def test_function_url_streams_its_response(make_function, lam):
    name = make_function(
        Runtime="nodejs20.x",
        Handler="index.handler",
        Code={"ZipFile": package(STREAMING_WEB_HANDLER, "index.mjs")},
    )["FunctionName"]
    url = lam.create_function_url_config(
        FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM"
    )["FunctionUrl"]
    status, headers, body = url_request(url)
    assert status == 202
    assert header(headers, "x-stream") == ["yes"]
    assert header(headers, "transfer-encoding") == ["chunked"]
    assert body == b"part 0\npart 1\npart 2\n"
