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
