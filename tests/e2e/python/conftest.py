"""Fixtures for the boto3 / AWS CLI suite. The Rust test `python_suite` starts unkai and runs
pytest with AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION set."""

import json
import os
import subprocess
import sys

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

# No retries: errors must surface as unkai sent them.
NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture
def endpoint():
    return os.environ["AWS_ENDPOINT_URL"]


@pytest.fixture
def client():
    def make(service, **overrides):
        params = {"config": NO_RETRY}
        params.update(overrides)
        return boto3.client(service, **params)

    return make


@pytest.fixture
def unsigned():
    def make(service):
        return boto3.client(service, config=NO_RETRY.merge(Config(signature_version=UNSIGNED)))

    return make


@pytest.fixture
def aws():
    """Runs the AWS CLI of this virtual environment; returns (exit code, stdout, stderr)."""
    cli = os.path.join(os.path.dirname(sys.executable), "aws")

    def run(*args, env=None):
        full_env = dict(os.environ, **(env or {}))
        done = subprocess.run([cli, *args], capture_output=True, text=True, env=full_env)
        return done.returncode, done.stdout, done.stderr

    return run


def parse(stdout):
    return json.loads(stdout)


def call(url, method="GET", body=None, headers=None, timeout=30):
    """Sends one HTTP request to an unkai URL such as an API's invoke URL
    (`http://<id>.execute-api.localhost:4566/...`): names under `.localhost` are loopback, as
    browsers and curl treat them, whatever the resolver says. Returns (status, headers, body)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname
    address = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    connection = http.client.HTTPConnection(address, parts.port or 80, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    all_headers = {"Host": parts.netloc}
    all_headers.update(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        all_headers.setdefault("content-type", "application/json")
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data
