"""Tests for unkai's Python and Node.js runtime bootstraps against an in-test Runtime API.

Run: /work/main/.venv/bin/python -m pytest -q crates/runtime/bootstraps/tests
The expected error bodies and log lines are those of the official runtimes
(awslambdaric and aws-lambda-nodejs-runtime-interface-client).
"""

import base64
import json
import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

from runtime_api import BOOTSTRAPS, Bootstrap

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


@pytest.fixture
def boot(tmp_path):
    """boot(lang, files, handler, env=None) -> a running Bootstrap; killed at teardown."""
    started = []

    def start(lang, files, handler, env=None):
        code = tmp_path / "task"
        for name, text in files.items():
            path = code / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        code.mkdir(exist_ok=True)
        b = Bootstrap(lang, code, handler, env)
        started.append(b)
        return b

    yield start
    for b in started:
        b.close()


# --- Python ---------------------------------------------------------------------------------
PY_APP = """\
    import logging
    import os

    calls = 0

    class BoomError(Exception):
        pass

    def handler(event, context):
        global calls
        calls += 1
        if event.get("boom"):
            raise BoomError("boom")
        if "print" in event:
            print(event["print"])
            logging.getLogger("app").warning("warned %d", 7)
            logging.info("not shown at the default WARNING level")
        return {
            "event": event, "calls": calls, "pid": os.getpid(),
            "function_name": context.function_name,
            "function_version": context.function_version,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
            "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
            "client_context": context.client_context and [context.client_context.custom, context.client_context.client.app_title],
            "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        }

    def none(event, context):
        return None

    def bad_int(event, context):
        return {"value": 1 + int(event.get("x", "nope"))}

    def unserializable(event, context):
        return {"s": {1, 2}}

    def decimals(event, context):
        from decimal import Decimal
        return {"d": Decimal("1.10"), "i": Decimal("12345678901234567890"), "s": "é"}
"""


def test_python_round_trip_context_and_warm_reuse(boot):
    b = boot("python", {"app.py": PY_APP}, "app.handler")
    r1 = b.api.invoke({"numbers": [1, 2]}, request_id="req-1", timeout_ms=5000)
    assert r1.kind == "response" and r1.headers["content-type"] == "application/json"
    body = r1.json()
    assert body["event"] == {"numbers": [1, 2]}
    assert body["function_name"] == "fn" and body["function_version"] == "$LATEST"
    assert body["memory_limit_in_mb"] == "256"  # a string, as in the official LambdaContext
    assert body["invoked_function_arn"] == "arn:aws:lambda:us-east-1:000000000000:function:fn"
    assert body["aws_request_id"] == "req-1"
    assert body["log_group_name"] == "/aws/lambda/fn"
    assert body["log_stream_name"] == "2024/01/01/[$LATEST]0123456789abcdef"
    assert 0 < body["remaining"] <= 5000
    assert body["identity"] == [None, None] and body["client_context"] is None
    assert body["trace"].startswith("Root=1-5759e988")
    r2 = b.api.invoke({"x": 1}, headers={
        "Lambda-Runtime-Cognito-Identity": '{"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}',
        "Lambda-Runtime-Client-Context": '{"custom": {"k": "v"}, "client": {"app_title": "t"}, "env": {}}',
    })
    body2 = r2.json()
    assert body2["calls"] == 2 and body2["pid"] == body["pid"]  # one warm process
    assert body2["identity"] == ["id-1", "pool-1"] and body2["client_context"] == [{"k": "v"}, "t"]
    b.api.wait_next(3)  # and it asks for the next one


def test_python_result_encoding(boot):
    b = boot("python", {"app.py": PY_APP}, "app.none")
    assert b.api.invoke({}).body == b"null"
    b = boot("python", {"app.py": PY_APP}, "app.decimals")
    # Decimals keep their digits; python < 3.12 escapes non-ASCII (ensure_ascii) as Lambda's 3.11.
    assert b.api.invoke({}).body == b'{"d": 1.10, "i": 12345678901234567890, "s": "\\u00e9"}'
    b = boot("python", {"app.py": PY_APP}, "app.unserializable")
    r = b.api.invoke({}, request_id="req-m")
    assert r.kind == "error" and r.headers["lambda-runtime-function-error-type"] == "Runtime.MarshalError"
    assert r.json() == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError", "requestId": "req-m", "stackTrace": []}


def test_python_handler_exception(boot):
    b = boot("python", {"app.py": PY_APP}, "app.handler")
    r = b.api.invoke({"boom": True}, request_id="req-e")
    assert r.kind == "error" and r.headers["lambda-runtime-function-error-type"] == "BoomError"
    path = b.code_dir + "/app.py"
    assert r.json() == {
        "errorMessage": "boom", "errorType": "BoomError", "requestId": "req-e",
        "stackTrace": ['  File "%s", line 13, in handler\n    raise BoomError("boom")\n' % path]}
    # Logged as one line, \r between the parts and no-break spaces for the indentation.
    assert r.stdout == ('[ERROR] BoomError: boom\rTraceback (most recent call last):\r'
                        '\u00a0\u00a0File "%s", line 13, in handler\r'
                        '\u00a0\u00a0\u00a0\u00a0raise BoomError("boom")\n' % path)
    assert b.api.invoke({}).kind == "response"  # the process carries on
    b = boot("python", {"app.py": PY_APP}, "app.bad_int")
    r = b.api.invoke({}, request_id="req-v")
    # No column carets (^^^^) in the frames, as awslambdaric formats them.
    assert r.json()["stackTrace"] == [
        '  File "%s", line 37, in bad_int\n    return {"value": 1 + int(event.get("x", "nope"))}\n' % path]
    assert r.json()["errorMessage"] == "invalid literal for int() with base 10: 'nope'"


def test_python_logging_and_print(boot):
    b = boot("python", {"app.py": PY_APP}, "app.handler")
    r = b.api.invoke({"print": "hello\nworld"}, request_id="req-l")
    # Flushed before the response was posted, print output as is.
    assert re.fullmatch(r"hello\nworld\n\[WARNING\]\t%s\treq-l\twarned 7\n" % TIME, r.stdout), r.stdout
    b = boot("python", {"app.py": PY_APP}, "app.handler", env={"AWS_LAMBDA_LOG_LEVEL": "INFO"})
    r = b.api.invoke({"print": "x"}, request_id="req-i")
    assert re.search(r"\[INFO\]\t%s\treq-i\tnot shown at the default WARNING level\n" % TIME, r.stdout)


@pytest.mark.parametrize("files,handler,error_type,message,trace", [
    ({}, "app.handler", "Runtime.ImportModuleError", "Unable to import module 'app': No module named 'app'", []),
    ({"app.py": "import nothere\n"}, "app.handler", "Runtime.ImportModuleError",
     "Unable to import module 'app': No module named 'nothere'", []),
    ({"app.py": PY_APP}, "app.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'", []),
    ({"app.py": PY_APP}, "app", "Runtime.MalformedHandlerName",
     "Bad handler 'app': not enough values to unpack (expected 2, got 1)", []),
    ({"app.py": "def handler(:\n    pass\n"}, "app.handler", "Runtime.UserCodeSyntaxError",
     "Syntax error in module 'app': invalid syntax (app.py, line 1)",
     ['  File "{dir}/app.py" Line 1\n    def handler(:\n']),
])
def test_python_init_errors(boot, files, handler, error_type, message, trace):
    b = boot("python", files, handler)
    r = b.api.wait_init_error()
    assert r.headers["lambda-runtime-function-error-type"] == error_type
    expected = [t.format(dir=b.code_dir) for t in trace]
    assert r.json() == {"errorMessage": message, "errorType": error_type, "requestId": "",
                        "stackTrace": expected}
    assert b.wait_exit() == 1
    assert "[WARNING]\t" in r.stdout and ("[ERROR] %s: %s\r" % (error_type, message)) in r.stdout
    assert not b.api.next_times


def test_python_exception_during_import_and_nested_module(boot):
    b = boot("python", {"pkg/mod.py": "x = 1\nraise ValueError('at import')\n"}, "pkg/mod.handler")
    r = b.api.wait_init_error()
    body = r.json()
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "at import"
    assert body["stackTrace"][-1] == '  File "%s/pkg/mod.py", line 2, in <module>\n    raise ValueError(\'at import\')\n' % b.code_dir
    assert b.wait_exit() == 1
    b = boot("python", {"pkg/sub/mod.py": "def handler(e, c):\n    return __name__\n"}, "pkg/sub/mod.handler")
    assert b.api.invoke({}).json() == "pkg.sub.mod"


# --- Node.js --------------------------------------------------------------------------------
NODE_APP = """\
    let calls = 0;
    class BoomError extends Error {
      constructor(message) { super(message); this.name = 'BoomError'; }
    }
    export const handler = async (event, context) => {
      calls += 1;
      if (event.boom) throw new BoomError('boom');
      if (event.print) {
        console.log(event.print);
        console.warn('warned', 7);
        console.debug('debug line');
      }
      return {
        event, calls, pid: process.pid,
        functionName: context.functionName, functionVersion: context.functionVersion,
        memoryLimitInMB: context.memoryLimitInMB, invokedFunctionArn: context.invokedFunctionArn,
        awsRequestId: context.awsRequestId, logGroupName: context.logGroupName,
        logStreamName: context.logStreamName, remaining: context.getRemainingTimeInMillis(),
        identity: context.identity ?? null, clientContext: context.clientContext ?? null,
        trace: process.env._X_AMZN_TRACE_ID, waits: context.callbackWaitsForEmptyEventLoop,
      };
    };
    export const nested = { deeper: { fn: async () => 'nested' } };
    export const notFunction = 42;
    export const nothing = async () => undefined;
    export const circular = async () => { const a = {}; a.a = a; return a; };
    export const throwsString = async () => { throw 'plain string'; };
    export const neverSettles = () => new Promise(() => {});
    export const rejectsLater = async () => { Promise.reject(new Error('later')); await new Promise((r) => setTimeout(r, 50)); return 1; };
"""


def test_node_round_trip_context_and_warm_reuse(boot):
    b = boot("node", {"index.mjs": NODE_APP}, "index.handler")
    r1 = b.api.invoke({"numbers": [1, 2]}, request_id="req-1", timeout_ms=5000)
    assert r1.kind == "response"
    body = r1.json()
    assert body["event"] == {"numbers": [1, 2]}
    assert body["functionName"] == "fn" and body["functionVersion"] == "$LATEST"
    assert body["memoryLimitInMB"] == "256"
    assert body["invokedFunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:fn"
    assert body["awsRequestId"] == "req-1" and body["logGroupName"] == "/aws/lambda/fn"
    assert body["logStreamName"] == "2024/01/01/[$LATEST]0123456789abcdef"
    assert 0 < body["remaining"] <= 5000 and body["waits"] is True
    assert body["identity"] is None and body["clientContext"] is None
    assert body["trace"].startswith("Root=1-5759e988")
    r2 = b.api.invoke({}, headers={"Lambda-Runtime-Cognito-Identity": '{"cognitoIdentityId": "id-1"}'})
    body2 = r2.json()
    assert body2["calls"] == 2 and body2["pid"] == body["pid"]
    assert body2["identity"] == {"cognitoIdentityId": "id-1"}
    b.api.wait_next(3)


def test_node_results(boot):
    files = {"index.mjs": NODE_APP}
    assert boot("node", files, "index.nested.deeper.fn").api.invoke({}).json() == "nested"
    assert boot("node", files, "index.nothing").api.invoke({}).body == b"null"
    r = boot("node", files, "index.circular").api.invoke({})
    assert r.kind == "error" and r.json()["errorType"] == "Error"
    assert r.json()["errorMessage"] == "Unable to stringify response body"
    r = boot("node", files, "index.throwsString").api.invoke({})
    assert r.json() == {"errorType": "string", "errorMessage": "plain string", "trace": []}


def test_node_handler_exception(boot):
    b = boot("node", {"index.mjs": NODE_APP}, "index.handler")
    r = b.api.invoke({"boom": True}, request_id="req-e")
    assert r.kind == "error" and r.headers["lambda-runtime-function-error-type"] == "BoomError"
    body = r.json()
    assert set(body) == {"errorType", "errorMessage", "trace"}
    assert body["errorType"] == "BoomError" and body["errorMessage"] == "boom"
    assert body["trace"][0] == "BoomError: boom"
    assert body["trace"][1].startswith("    at handler (file://%s/index.mjs:7:" % b.code_dir)
    line = r.stdout.splitlines()[-1]
    prefix = "\treq-e\tERROR\tInvoke Error \t"
    assert re.match(TIME + re.escape(prefix), line), line
    logged = json.loads(line.split(prefix, 1)[1])
    assert logged["errorType"] == "BoomError" and logged["stack"] == body["trace"]
    assert b.api.invoke({}).kind == "response"


def test_node_console_format(boot):
    b = boot("node", {"index.mjs": NODE_APP}, "index.handler")
    r = b.api.invoke({"print": "hello\nworld"}, request_id="req-l")
    lines = r.stdout.split("\n")
    assert re.fullmatch(TIME + r"\treq-l\tINFO\thello\rworld", lines[0]), lines
    assert re.fullmatch(TIME + r"\treq-l\tWARN\twarned 7", lines[1])
    assert re.fullmatch(TIME + r"\treq-l\tDEBUG\tdebug line", lines[2])
    b = boot("node", {"index.mjs": NODE_APP}, "index.handler", env={"AWS_LAMBDA_LOG_LEVEL": "warn"})
    r = b.api.invoke({"print": "x"}, request_id="req-w")
    assert [l.split("\t")[2] for l in r.stdout.splitlines()] == ["WARN"]


CJS_CALLBACK = """\
    exports.handler = function (event, context, callback) {
      if (event.wait) {
        setTimeout(() => console.log('timer done'), 300);
        context.callbackWaitsForEmptyEventLoop = event.wait === 'yes';
      }
      if (event.err) return callback(new TypeError('bad type'));
      if (event.succeed) return context.succeed({ via: 'succeed' });
      if (event.forget) return;
      callback(null, { via: 'callback', id: context.awsRequestId });
    };
    exports.promise = (event) => Promise.resolve({ via: 'promise' });
"""


def test_node_callback_handlers(boot):
    b = boot("node", {"index.js": CJS_CALLBACK}, "index.handler")
    assert b.api.invoke({}, request_id="r1").json() == {"via": "callback", "id": "r1"}
    assert b.api.invoke({"succeed": 1}).json() == {"via": "succeed"}
    r = b.api.invoke({"err": 1})
    assert r.json()["errorType"] == "TypeError" and r.json()["errorMessage"] == "bad type"
    # A sync handler that never calls back answers null once the event loop drains.
    assert b.api.invoke({"forget": 1}).body == b"null"
    # callbackWaitsForEmptyEventLoop: the pending timer runs before the response is sent...
    r = b.api.invoke({"wait": "yes"})
    assert r.json()["via"] == "callback" and "timer done" in r.stdout
    # ... or not.
    r = b.api.invoke({"wait": "no"}, request_id="r-nowait")
    assert r.json()["via"] == "callback" and r.stdout.count("timer done") == 1
    b2 = boot("node", {"index.js": CJS_CALLBACK}, "index.promise")
    assert b2.api.invoke({}).json() == {"via": "promise"}


def test_node_module_kinds(boot):
    # .js with "type": "module", a nested directory, and .cjs.
    files = {"package.json": '{"type": "module"}',
             "src/app.js": "export const handler = async () => import.meta.url.endsWith('/src/app.js');",
             "lib/old.cjs": "exports.handler = async () => typeof require;"}
    assert boot("node", files, "src/app.handler").api.invoke({}).json() is True
    assert boot("node", files, "lib/old.handler").api.invoke({}).json() == "function"


def test_node_never_settling_and_unhandled_rejection(boot):
    b = boot("node", {"index.mjs": NODE_APP}, "index.neverSettles")
    # Not an AsyncFunction: a drained event loop with no answer gives null, as on Lambda.
    assert b.api.invoke({}).body == b"null"
    b = boot("node", {"index.mjs": NODE_APP.replace(
        "export const neverSettles = () =>", "export const neverSettles = async () => await")},
        "index.neverSettles")
    r = b.api.invoke({})
    assert r.json()["errorType"] == "Runtime.NodeJsExit"
    b = boot("node", {"index.mjs": NODE_APP}, "index.rejectsLater")
    r = b.api.invoke({})
    assert r.kind == "error" and r.json()["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert r.json()["errorMessage"] == "Error: later"
    assert b.wait_exit() == 128


@pytest.mark.parametrize("files,handler,error_type,message", [
    ({}, "index.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'index'\nRequire stack:\n- {bootstrap}"),
    ({"index.mjs": NODE_APP}, "index.nope", "Runtime.HandlerNotFound", "index.nope is undefined or not exported"),
    ({"index.mjs": NODE_APP}, "index.notFunction", "Runtime.HandlerNotFound", "index.notFunction is not a function"),
    ({"index.mjs": NODE_APP}, "index", "Runtime.MalformedHandlerName", "Bad handler"),
    ({"index.mjs": "export const handler = async () => {;\n"}, "index.handler", "Runtime.UserCodeSyntaxError",
     "SyntaxError: Unexpected end of input"),
    ({"index.js": "exports.handler = ) => 1;\n"}, "index.handler", "Runtime.UserCodeSyntaxError",
     "SyntaxError: Unexpected token ')'"),
])
def test_node_init_errors(boot, files, handler, error_type, message):
    b = boot("node", files, handler)
    r = b.api.wait_init_error()
    assert r.headers["lambda-runtime-function-error-type"] == error_type
    body = r.json()
    assert body["errorType"] == error_type
    assert body["errorMessage"] == message.format(bootstrap=BOOTSTRAPS["node"][1])
    assert body["trace"][0] == "%s: %s" % (error_type, body["errorMessage"].split("\n")[0])
    assert re.match(TIME + r"\tundefined\tERROR\tUncaught Exception \t\{\"errorType\":\"%s\"" % re.escape(error_type),
                    r.stdout), r.stdout
    assert b.wait_exit() == 129
    assert not b.api.next_times


STREAMING = """\
    const { pipeline } = await import('node:stream/promises');
    const { Readable } = await import('node:stream');
    export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
      if (event.http) {
        responseStream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { a: 'b' } });
      }
      responseStream.write('hello ');
      if (event.fail) throw new Error('mid-stream');
      await pipeline(Readable.from(['from ', context.awsRequestId]), responseStream);
    });
"""


def test_node_streaming(boot):
    b = boot("node", {"index.mjs": STREAMING}, "index.handler")
    r = b.api.invoke({}, request_id="s1")
    assert r.kind == "response" and r.body == b"hello from s1"
    assert r.headers["lambda-runtime-function-response-mode"] == "streaming"
    assert r.headers["transfer-encoding"] == "chunked"
    assert r.headers["content-type"] == "application/octet-stream" and r.trailers == {}
    r = b.api.invoke({"http": 1}, request_id="s2")
    assert r.headers["content-type"] == "application/vnd.awslambda.http-integration-response"
    assert r.body == b'{"statusCode":201,"headers":{"a":"b"}}' + b"\0" * 8 + b"hello from s2"
    r = b.api.invoke({"fail": 1}, request_id="s3")
    assert r.body == b"hello "
    assert r.trailers["lambda-runtime-function-error-type"] == "Error"
    error = json.loads(base64.b64decode(r.trailers["lambda-runtime-function-error-body"]))
    assert error["errorType"] == "Error" and error["errorMessage"] == "mid-stream"
    assert b.api.invoke({}, request_id="s4").body == b"hello from s4"


def test_node_path_for_commonjs_and_es_modules(boot, tmp_path):
    shared = tmp_path / "shared" / "node_modules" / "fakesdk"
    shared.mkdir(parents=True)
    (shared / "package.json").write_text('{"name": "fakesdk", "exports": {"import": "./index.mjs", "require": "./index.cjs"}}')
    (shared / "index.mjs").write_text("export const kind = 'esm';")
    (shared / "index.cjs").write_text("exports.kind = 'cjs';")
    env = {"NODE_PATH": str(shared.parent)}
    files = {"esm.mjs": "import { kind } from 'fakesdk';\nexport const handler = async () => kind;",
             "cjs.js": "const { kind } = require('fakesdk');\nexports.handler = async () => kind;"}
    assert boot("node", files, "cjs.handler", env).api.invoke({}).json() == "cjs"
    assert boot("node", files, "esm.handler", env).api.invoke({}).json() == "esm"
    r = boot("node", files, "esm.handler").api.wait_init_error()  # no NODE_PATH
    assert r.json()["errorMessage"].startswith("Cannot find package 'fakesdk' imported from ")


# --- Parity with the official Python runtime (optional) ---------------------------------------
# With UNKAI_AWSLAMBDARIC_DIR=<dir> (`pip install --target <dir> awslambdaric`), the same cases
# run under awslambdaric too and must give the same bodies and stdout, minus two deliberate
# differences: we send Lambda-Runtime-Function-Error-Type on invocation errors, and our
# LAMBDA_WARNING drops the advice about managed runtime updates.
RIC_DIR = os.environ.get("UNKAI_AWSLAMBDARIC_DIR")


@pytest.mark.skipif(not RIC_DIR, reason="set UNKAI_AWSLAMBDARIC_DIR to compare with awslambdaric")
@pytest.mark.parametrize("files,handler,events", [
    ({"app.py": PY_APP}, "app.handler", [{"boom": True}, {"print": "a\nb"}]),
    ({"app.py": PY_APP}, "app.bad_int", [{}]),
    ({"app.py": PY_APP}, "app.decimals", [{}]),
    ({"app.py": PY_APP}, "app.unserializable", [{}]),
    ({"app.py": PY_APP}, "app.nope", None),
    ({"app.py": "def handler(:\n    pass\n"}, "app.handler", None),
    ({"pkg/mod.py": "raise ValueError('at import')\n"}, "pkg/mod.handler", None),
])
def test_python_parity_with_awslambdaric(tmp_path, monkeypatch, files, handler, events):
    import runtime_api

    monkeypatch.setitem(runtime_api.BOOTSTRAPS, "ric", [sys.executable, "-u", "-m", "awslambdaric", handler])
    outputs = []
    for lang, env in (("python", {}), ("ric", {"PYTHONPATH": RIC_DIR})):
        code = tmp_path / lang
        for name, text in files.items():
            (code / name).parent.mkdir(parents=True, exist_ok=True)
            (code / name).write_text(textwrap.dedent(text))
        b = Bootstrap(lang, code, handler, env)
        try:
            results = [b.api.wait_init_error()] if events is None else [b.api.invoke(e, request_id="r") for e in events]
            text = json.dumps([[r.kind, r.body.decode(), r.stdout] for r in results]).replace(str(code), "DIR")
            text = re.sub(TIME, "TIME", text)
            text = re.sub(r"function code\..*?\\r", "function code.\\\\r", text)
            outputs.append(re.sub(r'\\"(pid|remaining)\\": \d+', "X", text))
        finally:
            b.close()
    assert outputs[0] == outputs[1]


# --- tests/functions: the four deployments of the test function echo alike -------------------
REPO = Path(__file__).resolve().parents[4]
FUNCTIONS = REPO / "tests" / "functions"
RUST_FUNCTION = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug" / "bootstrap"
ECHO_EVENT = {"numbers": [1, 2, 3], "nested": {"a": [True, None, "é"]}, "f": 1.5}


def _deployment(name):
    """(argv, code dir, handler, env) of a test-function deployment, or a reason to skip it."""
    if name == "python":
        return BOOTSTRAPS["python"], FUNCTIONS / "python", "app.handler", {}
    if name == "node":
        return BOOTSTRAPS["node"], FUNCTIONS / "node", "index.handler", {}
    if name == "python-ric":
        if not RIC_DIR:
            return "set UNKAI_AWSLAMBDARIC_DIR to run python-ric"
        return [str(FUNCTIONS / "python-ric" / "bootstrap")], FUNCTIONS / "python-ric", "app.handler", {"PYTHONPATH": RIC_DIR}
    if not RUST_FUNCTION.exists():
        return "cargo build -p unkai-test-function to run rust"
    return [str(RUST_FUNCTION)], FUNCTIONS / "rust", "bootstrap", {}


@pytest.mark.parametrize("name", ["python", "node", "python-ric", "rust"])
def test_functions_echo_and_error_alike(monkeypatch, name):
    import runtime_api

    deployment = _deployment(name)
    if isinstance(deployment, str):
        pytest.skip(deployment)
    argv, code, handler, env = deployment
    monkeypatch.setitem(runtime_api.BOOTSTRAPS, name, argv)
    b = Bootstrap(name, code, handler, env)
    try:
        echo = b.api.invoke(ECHO_EVENT).json()
        error = b.api.invoke({"action": "error"}).json()
        slept = b.api.invoke({"action": "sleep", "seconds": 0.01}).json()
    finally:
        b.close()
    assert echo == {"echo": ECHO_EVENT, "sum": 6, "function_name": "fn", "memory_limit_in_mb": 256,
                    "has_request_id": True, "remaining_positive": True}
    assert error["errorType"] == "BoomError" and error["errorMessage"] == "boom"
    assert slept == {"slept": 0.01}
