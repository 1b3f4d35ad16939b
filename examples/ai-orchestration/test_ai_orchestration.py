"""A streamed answer through a function URL: the function calls the model endpoint (the tiny
OpenAI-compatible server of this example, producing a token every 0.25 s) and the client reads
the first token before the model has produced the last one; the whole reply arrives intact."""

import json
import time
import urllib.request

import pytest
from conftest import http
from model_server import ModelServer

DELAY = 0.25


@pytest.fixture(scope="module")
def model():
    server = ModelServer(delay=DELAY).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack_parameters(model):
    return {"ModelEndpoint": model.url}


def test_tokens_stream_as_the_model_produces_them(stack, model):
    request = urllib.request.Request(
        stack["FunctionUrl"],
        data=json.dumps({"prompt": "Why serverless?"}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    first_arrival, received = None, b""
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
        assert answer.headers["content-type"].startswith("text/plain")
        while chunk := answer.read1(65536):
            if first_arrival is None:
                first_arrival = time.monotonic()
            received += chunk
    tokens = model.tokens()
    assert received.decode() == model.reply
    assert len(model.produced) == len(tokens)
    # Streamed, not buffered: the first token was here well before the model wrote the last.
    assert first_arrival < model.produced[-1] - DELAY, (first_arrival, model.produced)

    sent = model.requests[-1]
    assert sent["stream"] is True
    assert sent["messages"][-1] == {"role": "user", "content": "Why serverless?"}


def test_bad_request(stack, model):
    before = len(model.requests)
    answer = http("POST", stack["FunctionUrl"], "not json")
    assert answer.status == 400, answer
    assert b"prompt" in answer.body
    assert len(model.requests) == before


def test_model_errors_are_a_bad_gateway(stack, model):
    model.status = 503
    try:
        answer = http("POST", stack["FunctionUrl"], {"prompt": "anyone there?"})
    finally:
        model.status = 200
    assert answer.status == 502, answer
    assert b"model endpoint answered 503" in answer.body
