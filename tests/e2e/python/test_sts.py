"""STS and the authentication errors, with boto3 and the AWS CLI."""

import json
import os

import pytest
from botocore.exceptions import ClientError


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["Error"].get("Message"), response["ResponseMetadata"]["HTTPStatusCode"]


def test_boto3_get_caller_identity(client):
    identity = client("sts").get_caller_identity()
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:user/admin"
    assert identity["UserId"].startswith("AIDA")
    assert len(identity["ResponseMetadata"]["RequestId"]) == 36


def test_boto3_wrong_secret(client):
    sts = client("sts", aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="wrong")
    code, message, status = error_of(sts.get_caller_identity)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match")


def test_boto3_unknown_key(client):
    sts = client("sts", aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x")
    assert error_of(sts.get_caller_identity) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        403,
    )


def test_boto3_unsigned(unsigned):
    assert error_of(unsigned("sts").get_caller_identity) == (
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
        403,
    )


def test_cli_get_caller_identity(aws):
    code, out, err = aws("sts", "get-caller-identity")
    assert code == 0, err
    assert json.loads(out)["Arn"] == "arn:aws:iam::000000000000:user/admin"


@pytest.mark.parametrize(
    "env, flags, expected",
    [
        ({"AWS_SECRET_ACCESS_KEY": "wrong"}, [], "SignatureDoesNotMatch"),
        ({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"}, [], "InvalidClientTokenId"),
        ({}, ["--no-sign-request"], "MissingAuthenticationToken"),
    ],
)
def test_cli_errors(aws, env, flags, expected):
    code, _, err = aws("sts", "get-caller-identity", *flags, env=env)
    assert code != 0
    assert f"An error occurred ({expected}) when calling the GetCallerIdentity operation" in err


def test_other_protocol_families_parse_in_botocore(client, unsigned):
    """Each protocol family's authentication errors, as botocore sees them."""
    assert error_of(lambda: unsigned("dynamodb").list_tables()) == (
        "MissingAuthenticationTokenException",
        "Request is missing Authentication Token",
        400,
    )
    bad_key = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "x"}
    assert error_of(lambda: client("logs", **bad_key).describe_log_groups()) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        400,
    )
    code, message, status = error_of(
        lambda: client(
            "lambda", aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="wrong"
        ).list_functions()
    )
    assert (code, status) == ("InvalidSignatureException", 403)
    assert "The Canonical String for this request should have been" in message
    assert error_of(lambda: client("s3", **bad_key).list_buckets()) == (
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        403,
    )
    assert error_of(lambda: unsigned("sns").list_topics()) == (
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
        403,
    )


def test_services_not_yet_served_say_so(client):
    code, message, status = error_of(lambda: client("kinesis").list_streams())
    assert (code, status) == ("NotImplementedException", 501)
    assert "unkai does not implement the kinesis service yet" in message


def test_presigned_get_caller_identity(client):
    """The presigned form, as EKS and Vault use it: a GET URL carrying the signature."""
    import urllib.error
    import urllib.request

    sts = client("sts")
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url) as response:
        body = response.read().decode()
    assert "<Arn>arn:aws:iam::000000000000:user/admin</Arn>" in body
    tampered = url.replace("Action=GetCallerIdentity", "Action=GetCallerIdentity&Extra=1")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(tampered)
    assert caught.value.code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in caught.value.read().decode()
