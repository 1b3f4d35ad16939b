"""Fixtures for the examples' end-to-end tests.

Each example's test deploys the example's template on a running unkai and drives the
application as its users would. The environment says where unkai is (AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, as `unkai env` prints them) and which
binary deploys (UNKAI_BIN, `unkai` on the PATH by default):

    eval "$(unkai env)"
    UNKAI_BIN=target/debug/unkai pytest examples

Rust functions are built by `unkai deploy` with cargo; here in the dev profile (quicker to
build, shares the test build's artifacts) unless UNKAI_CARGO_PROFILE says otherwise.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

EXAMPLES = Path(__file__).resolve().parent
DEPLOY_TIMEOUT = 600

# Names under `.localhost` are the loopback interface (RFC 6761); curl and browsers resolve them
# so, Python's resolver (the C library's) does not. API endpoints look like
# http://<api-id>.execute-api.localhost:4566, so the tests resolve them as curl would.
_getaddrinfo = socket.getaddrinfo


def _loopback_for_localhost(host, *args, **kwargs):
    if isinstance(host, str) and host.rstrip(".").endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_for_localhost


def aws_client(service):
    return boto3.client(service, config=Config(retries={"max_attempts": 2, "mode": "standard"}))


def outputs_of(stack_name):
    """The stack's Outputs as {OutputKey: OutputValue}."""
    described = aws_client("cloudformation").describe_stacks(StackName=stack_name)
    return {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}


def _run(command, cwd):
    env = dict(os.environ)
    env.setdefault("UNKAI_CARGO_PROFILE", "dev")
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=DEPLOY_TIMEOUT, env=env
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} exited with {done.returncode}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}",
            pytrace=False,
        )


def _delete(stack_name):
    try:
        aws_client("cloudformation").delete_stack(StackName=stack_name)
    except Exception as error:  # the application was tested; a failed cleanup is only reported
        warnings.warn(f"deleting stack {stack_name} failed: {error}", stacklevel=1)


def _example_of(request):
    return Path(request.module.__file__).resolve().parent


@pytest.fixture(scope="module")
def stack_parameters():
    """Template parameter values for `stack` ({Name: value}); a test module overrides this
    fixture to give some."""
    return {}


@pytest.fixture(scope="module")
def stack(request, stack_parameters):
    """Deploys the test's example (`<example>/template.yaml`) with `unkai deploy` as a stack
    named after the example, with `stack_parameters` as `--parameter-overrides Name=value`;
    returns the stack's Outputs."""
    example = _example_of(request)
    unkai = os.environ.get("UNKAI_BIN", "unkai")
    command = [unkai, "deploy", "template.yaml", "--stack-name", example.name]
    if stack_parameters:
        command += ["--parameter-overrides"]
        command += [f"{name}={value}" for name, value in stack_parameters.items()]
    _run(command, cwd=example)
    yield outputs_of(example.name)
    _delete(example.name)


@pytest.fixture(scope="module")
def cloudformation_stack(request):
    """Deploys the test's example with the AWS CLI (`aws cloudformation deploy`), for templates
    meant for it (code inline, nothing to package); returns the stack's Outputs."""
    example = _example_of(request)
    cli = Path(sys.executable).with_name("aws")
    aws = str(cli) if cli.exists() else shutil.which("aws") or "aws"
    _run(
        [
            aws,
            "cloudformation",
            "deploy",
            "--template-file",
            "template.yaml",
            "--stack-name",
            example.name,
            "--capabilities",
            "CAPABILITY_IAM",
            "CAPABILITY_AUTO_EXPAND",
        ],
        cwd=example,
    )
    yield outputs_of(example.name)
    _delete(example.name)


@pytest.fixture(scope="session")
def dynamodb():
    """boto3's DynamoDB resource layer (plain Python values, numbers as Decimal)."""
    return boto3.resource("dynamodb")


class Response:
    """An HTTP answer: status, headers and the body (bytes; `.json()` parses it)."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:200]!r}>"


def http(method, url, body=None, headers=None, timeout=30):
    """One HTTP request with urllib; a JSON-able body is sent as JSON, bytes/str as they are.
    4xx and 5xx answers are returned, not raised."""
    headers = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        headers.setdefault("content-type", "application/json")
    if isinstance(body, str):
        body = body.encode()
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as answer:
        return Response(answer.code, answer.headers, answer.read())
