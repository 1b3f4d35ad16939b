"""A tiny Lambda Runtime API for testing unkai's bootstraps, and a bootstrap process runner.

`RuntimeAPI` serves /2018-06-01/runtime/... on 127.0.0.1: invocations are queued with
`invoke()`, which waits for the bootstrap's /response or /error; init errors are recorded.
`Bootstrap` starts a bootstrap as a subprocess against a temporary code directory and
collects its stdout/stderr.
"""

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOOTSTRAPS = {
    "python": [sys.executable, "-u", str(HERE.parent / "python" / "bootstrap.py")],
    "node": ["node", str(HERE.parent / "node" / "bootstrap.mjs")],
}
PREFIX = "/2018-06-01/runtime"


class Result:
    """What the bootstrap posted for one invocation (or for init)."""

    def __init__(self, kind, headers, body, trailers=None, stdout=""):
        self.kind = kind  # "response" | "error" | "init_error"
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.trailers = trailers or {}
        self.stdout = stdout  # the bootstrap's stdout when the POST arrived

    def json(self):
        return json.loads(self.body)


class RuntimeAPI:
    def __init__(self):
        self.events = queue.Queue()
        self.results = {}
        self.init_errors = []
        self.next_times = []
        self.cond = threading.Condition()
        self.stdout = lambda: ""  # set by Bootstrap
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b""):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _read_body(self):
                trailers = {}
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while True:
                                line = self.rfile.readline().decode()
                                if line in ("\r\n", "\n", ""):
                                    break
                                name, _, value = line.partition(":")
                                trailers[name.strip().lower()] = value.strip()
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                    return body, trailers
                return self.rfile.read(int(self.headers.get("Content-Length", 0))), trailers

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    return self._reply(404, b'{"errorType":"NotFound"}')
                with api.cond:
                    api.next_times.append(time.monotonic())
                    api.cond.notify_all()
                request_id, body, headers = api.events.get()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body, trailers = self._read_body()
                parts = self.path[len(PREFIX):].strip("/").split("/")
                if parts == ["init", "error"]:
                    result = Result("init_error", dict(self.headers), body, stdout=api.stdout())
                    with api.cond:
                        api.init_errors.append(result)
                        api.cond.notify_all()
                elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                    result = Result(parts[2], dict(self.headers), body, trailers, api.stdout())
                    with api.cond:
                        api.results.setdefault(parts[1], result)
                        api.cond.notify_all()
                else:
                    return self._reply(404, b'{"errorType":"NotFound"}')
                self._reply(202, b'{"status":"OK"}')

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a bootstrap that exits mid-request is part of the tests

        self.server = Server(("127.0.0.1", 0), Handler)
        self.address = "127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def submit(self, event, request_id=None, timeout_ms=30000, raw=None, headers=None):
        request_id = request_id or str(uuid.uuid4())
        all_headers = {
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + timeout_ms),
            "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:000000000000:function:fn",
            "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            "Content-Type": "application/json",
        }
        all_headers.update(headers or {})
        body = raw if raw is not None else json.dumps(event).encode()
        self.events.put((request_id, body, all_headers))
        return request_id

    def wait_result(self, request_id, timeout=10):
        with self.cond:
            if not self.cond.wait_for(lambda: request_id in self.results, timeout):
                raise TimeoutError("no result for %s" % request_id)
            return self.results[request_id]

    def invoke(self, event, **kwargs):
        return self.wait_result(self.submit(event, **kwargs))

    def wait_init_error(self, timeout=10):
        with self.cond:
            if not self.cond.wait_for(lambda: self.init_errors, timeout):
                raise TimeoutError("no init error")
            return self.init_errors[0]

    def wait_next(self, count=1, timeout=10):
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.next_times) >= count, timeout):
                raise TimeoutError("bootstrap did not call /next")
            return self.next_times[count - 1]


class Bootstrap:
    """A bootstrap process for `lang` running `handler` from `code_dir`.

    Its stdout and stderr go to files, so that what it printed before posting a result can be
    checked at the moment the result arrives."""

    def __init__(self, lang, code_dir, handler, env=None, api=None):
        self.api = api or RuntimeAPI()
        self.code_dir = str(code_dir)
        base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
        base.update({
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": self.code_dir,
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "AWS_LAMBDA_FUNCTION_NAME": "fn",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]0123456789abcdef",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        })
        base.update(env or {})
        self._out = tempfile.TemporaryFile()
        self._err = tempfile.TemporaryFile()
        self.api.stdout = self.stdout
        self.started = time.monotonic()
        self.proc = subprocess.Popen(BOOTSTRAPS[lang], cwd=self.code_dir, env=base,
                                     stdin=subprocess.DEVNULL, stdout=self._out, stderr=self._err)

    @staticmethod
    def _read(f):
        return os.pread(f.fileno(), 1 << 24, 0).decode("utf-8", "replace")

    def stdout(self):
        return self._read(self._out)

    def stderr(self):
        return self._read(self._err)

    def wait_exit(self, timeout=10):
        return self.proc.wait(timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.api.close()
        self._out.close()
        self._err.close()
