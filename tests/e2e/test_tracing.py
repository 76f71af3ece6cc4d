"""A real server exporting its traces over OTLP/HTTP to a receiver on 127.0.0.1."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.e2e.server import (
    create_client,
    create_workspace,
    fresh_database,
    get_token,
    graphql_ok,
    http_client,
    running_server,
)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


class Receiver(ThreadingHTTPServer):
    """An OTLP/HTTP trace receiver: keeps the spans of every export it is sent."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str]] = []  # (trace id, name)
        self.received = threading.Event()
        super().__init__(("127.0.0.1", 0), _Export)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Export(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.server.spans.append((span.trace_id.hex(), span.name))
        self.server.received.set()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_a_served_request_reaches_the_collector_as_one_trace(
    receiver: Receiver, tmp_path: Path
) -> None:
    environment = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    with fresh_database(tmp_path) as url:
        workspace = create_workspace("Traced", cwd=tmp_path, database_url=url)
        client_id, secret = create_client(workspace, cwd=tmp_path, database_url=url)
        with (
            running_server(url, demo=False, workdir=tmp_path, environment=environment) as server,
            http_client(server.base_url) as http,
        ):
            token = get_token(http, client_id, secret)
            http.headers["traceparent"] = TRACEPARENT
            graphql_ok(http, "query Traced { invoices(first: 1) { totalCount } }", token)
    # the server flushed its spans when it stopped, if the batch had not gone yet
    names = [name for trace_id, name in receiver.spans if trace_id == TRACE_ID]
    assert "query Traced" in names, receiver.spans
    assert "POST /graphql" in names, names
    assert "SELECT" in names, names
