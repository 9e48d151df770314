"""A small provider acting as Twilio's REST API and as a generic JSON endpoint, over real
HTTP on a loopback port, recording what it receives."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeProvider:
    def __init__(self, json_secret: str = ""):
        self.requests: list[dict] = []
        self.fail_with: int | None = None
        self.json_secret = json_secret
        self.counter = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                provider.counter += 1
                record = {"path": self.path, "headers": dict(self.headers), "body": body}
                provider.requests.append(record)
                if provider.fail_with:
                    self.send_response(provider.fail_with)
                    self.end_headers()
                    self.wfile.write(b'{"message": "refused"}')
                    return
                if self.path.endswith("/Messages.json"):
                    record["form"] = dict(urllib.parse.parse_qsl(body.decode()))
                    answer = {"sid": f"SM{provider.counter:032d}", "status": "queued"}
                else:
                    record["json"] = json.loads(body)
                    answer = {"id": f"ext-{provider.counter}"}
                raw = json.dumps(answer).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def basic_auth(record: dict) -> tuple[str, str]:
        raw = record["headers"]["Authorization"].removeprefix("Basic ")
        user, _, password = base64.b64decode(raw).decode().partition(":")
        return user, password
