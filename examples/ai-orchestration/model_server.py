"""A tiny OpenAI-compatible chat completions server, for trying and testing the example without
a real model: `POST /v1/chat/completions` answers a fixed reply, word by word with a delay when
the request asks for `"stream": true` (server-sent events, as OpenAI sends them), at once
otherwise. Standard library only.

    python3 model_server.py --port 8011 --delay 0.2

In a test: `server = ModelServer(delay=0.2).start()`; `server.url` is the base URL
(`http://127.0.0.1:<port>/v1`), `server.requests` the request bodies received and
`server.produced` the time.monotonic() at which each token was sent; setting `server.status`
to 503 (or any error status) makes it refuse requests, as an overloaded model endpoint does.
"""

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = "Serverless functions scale to zero and stream answers as the model writes them."


class ModelServer:
    def __init__(self, reply=REPLY, delay=0.2, host="127.0.0.1", port=0):
        self.reply = reply
        self.delay = delay
        self.status = 200
        self.requests = []
        self.produced = []
        self._http = ThreadingHTTPServer((host, port), _handler_for(self))
        self._http.daemon_threads = True
        self.url = f"http://{host}:{self._http.server_address[1]}/v1"

    def tokens(self):
        """The reply split into tokens: each word with the space before it."""
        words = self.reply.split(" ")
        return [words[0]] + [" " + word for word in words[1:]]

    def start(self):
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def serve_forever(self):
        self._http.serve_forever()

    def stop(self):
        self._http.shutdown()
        self._http.server_close()


def _handler_for(server):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._json(404, {"error": {"message": f"no route {self.path}"}})
            try:
                request = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                if not isinstance(request.get("messages"), list):
                    raise ValueError("messages must be a list")
            except (ValueError, AttributeError) as error:
                return self._json(400, {"error": {"message": f"invalid request: {error}"}})
            server.requests.append(request)
            if server.status != 200:
                return self._json(server.status, {"error": {"message": "the model is unavailable"}})
            model = request.get("model") or "tiny-chat"
            if request.get("stream"):
                return self._stream(model)
            return self._json(
                200,
                {
                    "id": f"chatcmpl-{uuid.uuid4().hex}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": server.reply},
                            "finish_reason": "stop",
                        }
                    ],
                },
            )

        def _stream(self, model):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            completion = f"chatcmpl-{uuid.uuid4().hex}"

            def event(delta, finish_reason=None):
                chunk = {
                    "id": completion,
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            event({"role": "assistant", "content": ""})
            for token in server.tokens():
                time.sleep(server.delay)
                event({"content": token})
                server.produced.append(time.monotonic())
            event({}, "stop")
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _json(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds between tokens")
    parser.add_argument("--reply", default=REPLY)
    args = parser.parse_args()
    server = ModelServer(args.reply, args.delay, args.host, args.port)
    print(f"serving {server.url}/chat/completions", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
