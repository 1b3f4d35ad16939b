"""IAM users and keys with boto3, and a key created with the CLI used by boto3."""

import boto3
import pytest
from botocore.exceptions import ClientError


def test_keys_created_with_the_cli_authenticate(aws, client):
    code, out, err = aws("iam", "create-user", "--user-name", "dora")
    assert code == 0, err
    code, out, err = aws("iam", "create-access-key", "--user-name", "dora")
    assert code == 0, err
    import json

    key = json.loads(out)["AccessKey"]
    dora = client(
        "sts",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    assert dora.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/dora"


def test_list_access_keys_of_a_missing_user(client):
    with pytest.raises(ClientError) as caught:
        client("iam").list_access_keys(UserName="nobody")
    error = caught.value.response["Error"]
    assert error["Code"] == "NoSuchEntity"
    assert error["Message"] == "The user with name nobody cannot be found."
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
