"""A real HTTP server on 127.0.0.1 that receives webhooks, for tests.

It runs in a thread of its own (stdlib ThreadingHTTPServer), so async tests, whose event loop
also runs the deliverer, and the end-to-end tests, whose server is another process, use it
alike. Each request is kept with its headers, body and the status it was answered with;
`answer` decides that status, `hold` keeps requests waiting (a delivery in flight), and
`stop`/`start` take it down and bring it back on the same port.
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from invoicegraph.webhooks.signing import HEADER, verify


@dataclass(frozen=True)
class Receipt:
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        value: str = self.payload["id"]
        return value

    def verifies(self, secret: str, now: int) -> bool:
        return verify(self.headers[HEADER], secret=secret, body=self.body, now=now)


Answer = Callable[[int, bytes], int]
"""(number of the request, from 0; its body) -> the status to answer."""


def always(status: int) -> Answer:
    return lambda _number, _body: status


class Receiver:
    def __init__(self, answer: Answer = always(200)) -> None:
        self.answer = answer
        self.receipts: list[Receipt] = []
        self.hold = threading.Event()
        """Set: requests wait (unanswered) until it is cleared."""
        self.arrived = threading.Event()
        """Set when a request arrives (tests clear it before waiting for the next)."""
        self._lock = threading.Lock()
        self._count = 0
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.arrived.set()
                while receiver.hold.is_set():
                    if receiver.hold.wait(0.01) and receiver._server is None:
                        return
                with receiver._lock:
                    number = receiver._count
                    receiver._count += 1
                status = receiver.answer(number, body)
                with receiver._lock:
                    receiver.receipts.append(Receipt(dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: connections to its port are refused until `start`."""
        if self._server is not None:
            server, self._server = self._server, None
            server.shutdown()
            server.server_close()

    def succeeded(self) -> list[Receipt]:
        with self._lock:
            return [r for r in self.receipts if 200 <= r.status < 300]

    def all(self) -> list[Receipt]:
        with self._lock:
            return list(self.receipts)
