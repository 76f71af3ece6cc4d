"""A real HTTP server on 127.0.0.1 that receives webhooks, for tests.

It runs in a thread of its own (stdlib ThreadingHTTPServer), so async tests, whose event loop
also runs the deliverer, and the end-to-end tests, whose server is another process, use it
alike. Each request is kept with its headers, body and the status it was answered with;
`answer` decides that status, `hold` keeps requests waiting (a delivery in flight) until
`release`, and
`stop`/`start` take it down and bring it back on the same port.
"""

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


ANSWER_OK = always(200)


class Receiver:
    def __init__(self, answer: Answer = ANSWER_OK) -> None:
        self.answer = answer
        self.receipts: list[Receipt] = []
        self._gate = threading.Event()
        self._gate.set()
        self.arrived = threading.Event()
        """Set when a request arrives (tests clear it before waiting for the next)."""
        self._lock = threading.Lock()
        self._count = 0
        self.arrivals = 0
        """Requests that arrived, answered or not (held)."""
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    def hold(self) -> None:
        """Requests from now on wait, unanswered, until `release`."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.arrivals += 1
                receiver.arrived.set()
                receiver._gate.wait()
                with receiver._lock:
                    number = receiver._count
                    receiver._count += 1
                status = receiver.answer(number, body)
                with receiver._lock:
                    receiver.receipts.append(Receipt(dict(self.headers.items()), body, status))
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone (killed while this request was held)

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


@contextmanager
def receiving() -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 for the block; anything it holds back is let go."""
    running = Receiver().start()
    try:
        yield running
    finally:
        running.release()
        running.stop()
