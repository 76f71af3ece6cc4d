"""Traces of a request, collected by OpenTelemetry's in-memory exporter (no collector)."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from invoicegraph.http.app import create_app
from invoicegraph.settings import Settings
from invoicegraph.tracing import tracing_requested
from tests.support import served_api

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
LIST = "query ListForTracing { invoices(first: 5) { nodes { invoiceId lineItems { id } } } }"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def traced(
    settings: Settings, exporter: InMemorySpanExporter
) -> AsyncIterator[httpx.AsyncClient]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    application = create_app(settings, tracer_provider=provider)
    async with served_api(application, workspace="Traced") as api:
        api.http.headers["Authorization"] = f"Bearer {api.token}"
        yield api.http


def of_trace(spans: tuple[ReadableSpan, ...], trace_id: str) -> list[ReadableSpan]:
    return [
        span
        for span in spans
        if span.context is not None and f"{span.context.trace_id:032x}" == trace_id
    ]


def attributes(span: ReadableSpan) -> dict[str, object]:
    return dict(span.attributes or {})


def ancestors(span: ReadableSpan, spans: list[ReadableSpan]) -> list[str]:
    """The names of the span's parents, nearest first, within the collected spans."""
    by_id = {item.context.span_id: item for item in spans if item.context is not None}
    names, parent = [], span.parent
    while parent is not None and parent.span_id in by_id:
        found = by_id[parent.span_id]
        names.append(found.name)
        parent = found.parent
    return names


async def test_a_request_continues_the_caller_s_trace_down_to_each_statement(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    exporter.clear()
    # when a query arrives with a W3C traceparent
    response = await traced.post(
        "/graphql", json={"query": LIST}, headers={"traceparent": TRACEPARENT}
    )
    assert response.status_code == 200, response.text
    spans = of_trace(exporter.get_finished_spans(), TRACE_ID)
    # then the server span is the caller's child
    (server,) = [span for span in spans if span.kind == SpanKind.SERVER]
    assert server.parent is not None
    assert f"{server.parent.span_id:016x}" == PARENT_ID
    # and the operation has a span of its own, named by it, with the request id
    (operation,) = [span for span in spans if span.name == "query ListForTracing"]
    assert re.fullmatch(r"[0-9a-f]{32}", str(attributes(operation)["invoicegraph.request_id"]))
    assert attributes(operation)["graphql.operation.name"] == "ListForTracing"
    assert server.name in ancestors(operation, spans)
    # and each SQL statement is a client span in the request: the credential check before the
    # operation, the page's reads below it
    statements = [span for span in spans if span.kind == SpanKind.CLIENT]
    assert all(server.name in ancestors(span, spans) for span in statements)
    assert all(attributes(span)["db.query.text"] for span in statements)
    below = [span for span in statements if operation.name in ancestors(span, spans)]
    assert below, [(span.name, ancestors(span, spans)) for span in statements]


async def test_an_error_marks_the_operation_span(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    exporter.clear()
    await traced.post(
        "/graphql", json={"query": "query Big { invoices(first: 999) { totalCount } }"}
    )
    (operation,) = [span for span in exporter.get_finished_spans() if span.name == "query Big"]
    assert attributes(operation)["graphql.error.codes"] == ("BAD_USER_INPUT",)
    assert not operation.status.is_ok


@pytest.mark.parametrize(
    ("environ", "requested"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, False),
    ],
)
def test_traces_are_on_only_when_the_standard_variables_ask(
    environ: dict[str, str], requested: bool
) -> None:
    assert tracing_requested(environ) is requested
