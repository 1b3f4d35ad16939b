"""unkai's Python runtime bootstrap: runs a Lambda handler against the Lambda Runtime API.

Started by unkai as `python3 -u bootstrap.py` with the standard Lambda environment
(_HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_*, ...). It behaves
like the official Python runtime (awslambdaric): same handler resolution, same init and
invocation error bodies, same LambdaContext, same log format on stdout. Standard library only,
and it imports as little as it can: start-up time is a cold start.
"""

import _socket  # socket.py itself costs ~4 ms of imports (selectors, array, ...)
import json
import os
import sys
import time

API = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
_request_id = ""  # the invocation in progress, for the log formatter


class FaultException(Exception):
    """A failure the runtime reports with a `Runtime.*` error type (as awslambdaric)."""

    def __init__(self, error_type, msg, trace=None):
        super().__init__(msg)
        self.error_type, self.msg, self.trace = error_type, msg, trace


# --- Runtime API client: HTTP/1.1 over one keep-alive socket ------------------------------
# http.client pulls in email.parser and ssl (~25 ms of imports); the Runtime API needs far less.
class RuntimeClient:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        # A bytes host spares the idna codec import.
        self.address = ((host.strip("[]") or "127.0.0.1").encode(), int(port))
        self.family = _socket.AF_INET6 if ":" in host else _socket.AF_INET
        self.host = address
        self.sock = self.rfile = None

    def _close(self):
        if self.sock is not None:
            self.rfile.close()
            self.sock.close()
        self.sock = self.rfile = None

    def request(self, method, path, body=b"", headers=None):
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (
            method, path, self.host, len(body))
        for name, value in (headers or {}).items():
            head += "%s: %s\r\n" % (name, value)
        data = (head + "\r\n").encode("latin-1", "replace") + body
        for attempt in (1, 2):
            try:
                if self.sock is None:
                    self.sock = _socket.socket(self.family, _socket.SOCK_STREAM)
                    self.sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
                    self.sock.connect(self.address)
                    # Buffered reads straight on the descriptor (read(2) works on sockets).
                    self.rfile = open(self.sock.fileno(), "rb", closefd=False)
                self.sock.sendall(data)
                return self._read_response()
            except (ConnectionError, EOFError):
                # The server may close an idle keep-alive connection: reconnect once.
                self._close()
                if attempt == 2:
                    raise

    def _read_response(self):
        line = self.rfile.readline(65537)
        if not line:
            raise EOFError("Runtime API closed the connection")
        status = int(line.split(None, 2)[1])
        headers = {}
        while True:
            line = self.rfile.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self.rfile.read(int(headers.get("content-length", 0)))
        while headers.get("transfer-encoding", "").lower() == "chunked":
            size = int(self.rfile.readline().split(b";")[0], 16)
            if size == 0:  # the last chunk, then trailers up to an empty line
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                break
            body += self.rfile.read(size)
            self.rfile.readline()
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def post(self, path, body, headers=None):
        status, _, text = self.request("POST", path, body, headers)
        if status >= 300 and status != 413:  # 413 (payload too large) is reported by the API
            sys.stderr.write("unkai bootstrap: POST %s -> %d %r\n" % (path, status, text[:200]))


# --- JSON as awslambdaric's marshaller writes it (simplejson with Decimal support) -----------
# Lambda's python3.12+ runtimes stopped escaping non-ASCII characters; older ones escape them.
_env = os.environ.get("AWS_EXECUTION_ENV", "")
_ENSURE_ASCII = not (_env.startswith("AWS_Lambda_python3.") and _env[19:].isdigit()
                     and int(_env[19:]) >= 12) if _env else sys.version_info < (3, 12)


def to_json(obj):
    decimals = []

    def default(o):
        # A Decimal is written as its exact digits (simplejson's RawJSON); the stdlib encoder
        # cannot emit raw text, so it gets a placeholder string replaced afterwards.
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(o, decimal.Decimal):
            if o.is_nan():
                return float("nan")
            decimals.append(str(o))
            return "\x00unkai-decimal-%d\x00" % (len(decimals) - 1)
        raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)

    text = json.dumps(obj, default=default, ensure_ascii=_ENSURE_ASCII)
    for i, digits in enumerate(decimals):
        text = text.replace('"\\u0000unkai-decimal-%d\\u0000"' % i, digits, 1)
    return text


# --- Handler loading ------------------------------------------------------------------------
def load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    import importlib

    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException("Runtime.BuiltInModuleConflict",
                                 "Cannot use built-in module %s as a handler module" % modname)
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError",
                             "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException("Runtime.UserCodeSyntaxError",
                             "Syntax error in module '%s': %s" % (modname, e), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound",
                             "Handler '%s' missing on module '%s'" % (fname, modname))


def error_from_exception(exc, request_id=""):
    """The error body awslambdaric builds for an exception raised by user code."""
    import traceback

    # Plain tuples: awslambdaric formats frames without 3.11's column carets (^^^^).
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(exc.__traceback__)]
    for i, frame in enumerate(frames):  # drop the runtime's own leading frames
        if "/bootstrap.py" not in frame[0]:
            frames = frames[i:]
            break
    return make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def make_error(message, error_type, trace, request_id=""):
    return {"errorMessage": message or "", "errorType": error_type or "",
            "requestId": request_id or "", "stackTrace": trace or []}


def log_error(error):
    """`[ERROR] Type: message` and the traceback as one stdout line, parts joined by \\r."""
    text = "[ERROR]"
    if error["errorType"]:
        text += " " + error["errorType"] + (":" if error["errorMessage"] else "")
    if error["errorMessage"]:
        text += " " + error["errorMessage"]
    lines = [text, "Traceback (most recent call last):"]
    for element in error["stackTrace"]:
        for line in element.splitlines() or [""]:
            stripped = line.lstrip(" ")  # leading spaces become no-break spaces
            lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\r".join(lines) + "\n")


def flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # user code may have replaced or closed them
            pass


# --- Context -------------------------------------------------------------------------------
class _Slots:
    __slots__ = ()

    def __init__(self, values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))

    def __repr__(self):
        fields = ",".join("%s=%s" % (n, getattr(self, n)) for n in self.__slots__)
        return "%s([%s])" % (type(self).__name__, fields)


class CognitoIdentity(_Slots):
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class Client(_Slots):
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code",
                 "app_package_name")


class ClientContext(_Slots):
    __slots__ = ("custom", "env", "client")


class LambdaContext:
    def __init__(self, request_id, client_context, identity, deadline_ms, function_arn,
                 tenant_id=None):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")  # a str, as on AWS
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = function_arn
        self.tenant_id = tenant_id
        self.client_context = None
        if client_context is not None:
            self.client_context = ClientContext(client_context)
            if self.client_context.client is not None:
                self.client_context.client = Client(self.client_context.client)
        identity = identity or {}
        self.identity = CognitoIdentity({
            "cognito_identity_id": identity.get("cognitoIdentityId"),
            "cognito_identity_pool_id": identity.get("cognitoIdentityPoolId")})
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        names = ("aws_request_id", "log_group_name", "log_stream_name", "function_name",
                 "memory_limit_in_mb", "function_version", "invoked_function_arn",
                 "client_context", "identity", "tenant_id")
        fields = ",".join("%s=%s" % (n, getattr(self, n)) for n in names)
        return "LambdaContext([%s])" % fields


def parse_json_header(value, name):
    try:
        return json.loads(value) if value else None
    except Exception as e:
        raise FaultException("Runtime.LambdaContextUnmarshalError",
                             "Unable to parse %s JSON: %s" % (name, e))


# --- Logging: the root logger writes `[LEVEL]\ttime\trequest id\tmessage` to stdout ----------
def setup_logging(logging):
    class LambdaLoggerHandler(logging.Handler):
        def emit(self, record):
            record.aws_request_id = _request_id
            try:
                sys.stdout.write(self.format(record))
            except Exception:
                self.handleError(record)

    logging.Formatter.converter = time.gmtime  # as awslambdaric: every formatter logs in UTC
    handler = LambdaLoggerHandler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    level = "DEBUG" if level == "TRACE" else level
    if level in ("CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET"):
        root.setLevel(level)


class ConfigureLoggingOnImport:
    """A meta path finder that sets up the root logger as soon as anything imports `logging`:
    functions that never log don't pay the ~7 ms its import costs."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(cls)
        for finder in sys.meta_path:
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        exec_module = spec.loader.exec_module

        def exec_and_setup(module):
            exec_module(module)
            setup_logging(module)

        spec.loader.exec_module = exec_and_setup
        return spec

    @classmethod
    def install(cls):
        if "logging" in sys.modules:
            setup_logging(sys.modules["logging"])
        else:
            sys.meta_path.insert(0, cls)


# --- The invocation loop -------------------------------------------------------------------
def invoke(client, handler, headers, body):
    global _request_id
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    _request_id = request_id
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    content_type = "application/json"
    try:
        context = LambdaContext(
            request_id,
            parse_json_header(headers.get("lambda-runtime-client-context"), "Client Context"),
            parse_json_header(headers.get("lambda-runtime-cognito-identity"), "Cognito Identity"),
            int(headers.get("lambda-runtime-deadline-ms") or 0),
            headers.get("lambda-runtime-invoked-function-arn"),
            headers.get("lambda-runtime-aws-tenant-id"))
        event = body  # events of another content type reach the handler as bytes
        if headers.get("content-type", "application/json") == "application/json":
            try:
                event = json.loads(body)
            except Exception as e:
                raise FaultException("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        result = handler(event, context)
        if isinstance(result, bytes):
            payload, content_type = result, "application/unknown"
        else:
            try:
                payload = to_json(result).encode("utf-8")
            except Exception as e:
                raise FaultException("Runtime.MarshalError", "Unable to marshal response: %s" % e)
        error = None
    except FaultException as e:
        error = make_error(e.msg, e.error_type, e.trace, request_id)
    except Exception as e:
        error = error_from_exception(e, request_id)
    if error is not None:
        log_error(error)
        flush_output()
        client.post("%s/invocation/%s/error" % (API, request_id), to_json(error).encode("utf-8"),
                    {ERROR_TYPE_HEADER: error["errorType"], "Content-Type": "application/json"})
    else:
        flush_output()
        client.post("%s/invocation/%s/response" % (API, request_id), payload,
                    {"Content-Type": content_type})


def main():
    # The user's code comes first on sys.path, in place of this script's directory.
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path[0] = task_root
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    ConfigureLoggingOnImport.install()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
        error = None
    except FaultException as e:
        error = make_error(e.msg, e.error_type, e.trace)
    except Exception as e:  # anything else raised while importing the module
        error = error_from_exception(e)
    if error is not None:
        import logging

        logging.warning("LAMBDA_WARNING: Unhandled exception. "
                        "The most likely cause is an issue in the function code.\r")
        log_error(error)
        flush_output()
        client.post(API + "/init/error", to_json(error).encode("utf-8"),
                    {ERROR_TYPE_HEADER: error["errorType"], "Content-Type": "application/json"})
        sys.exit(1)
    while True:
        status, headers, body = client.request("GET", API + "/invocation/next")
        if status != 200:
            sys.stderr.write("unkai bootstrap: /invocation/next -> %d %r\n" % (status, body[:200]))
            sys.exit(1)
        invoke(client, handler, headers, body)


if __name__ == "__main__":
    main()
