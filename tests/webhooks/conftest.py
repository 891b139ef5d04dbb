"""A real HTTP receiver on 127.0.0.1, started by the test: it records every request (headers
and body) and answers with the status codes it is told, in order (200 once they run out)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int | tuple[int, dict]] = []
        self.always: int | None = None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                              "body": body})
                    answer = (receiver.answers.pop(0) if receiver.answers
                              else receiver.always or 200)
                status, headers = answer if isinstance(answer, tuple) else (answer, {})
                text = f"status {status} from the test receiver".encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks/forum"

    def payloads(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]

    def types(self) -> list[str]:
        return [p["type"] for p in self.payloads()]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def endpoint(event, organiser, receiver):
    """An endpoint of ``event`` subscribed to every event type; (endpoint, secret)."""
    from fusionforum.webhooks import registry, services

    return services.create_endpoint(event, url=receiver.url, description="Test CRM",
                                    event_types=list(registry.EVENT_TYPES), by=organiser)

