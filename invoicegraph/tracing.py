"""OpenTelemetry traces: off unless the standard OTEL_* variables ask for them.

Set `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`, or `OTEL_TRACES_EXPORTER=otlp`) and
every request becomes a trace exported over OTLP/HTTP: the server span (which continues a W3C
`traceparent` the caller sent), a span for the GraphQL operation with its request id, and a
span per SQL statement. Off, none of it is installed, so it costs nothing. The exporter reads
its own variables (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`, ...).
"""

import os
from collections.abc import Mapping
from typing import Any

from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

TRACER_NAME = "invoicegraph"
_SPAN = "_invoicegraph_span"


def tracing_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the OTEL_* variables ask for traces (and the SDK is not disabled)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return exporter == "otlp" or any(environ.get(name) for name in endpoints)


def provider_from_environment() -> TracerProvider | None:
    """An OTLP/HTTP exporting provider when the environment asks for traces; None otherwise."""
    if not tracing_requested():
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=resource())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def resource() -> Resource:
    """service.name is invoicegraph unless OTEL_SERVICE_NAME says otherwise."""
    return Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", TRACER_NAME)})


def trace_statements(engine: AsyncEngine, tracer: Tracer) -> None:
    """A client span per SQL statement, a child of whatever span is current when it runs."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def started(_conn: Any, _cursor: Any, statement: str, _p: Any, context: Any, _m: Any) -> None:
        span = tracer.start_span(
            statement.split(None, 1)[0].upper() if statement else "SQL",
            kind=SpanKind.CLIENT,
            attributes={
                "db.system.name": engine.dialect.name,
                "db.query.text": statement,
            },
        )
        setattr(context, _SPAN, span)

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def finished(_conn: Any, _cursor: Any, _s: str, _p: Any, context: Any, _m: Any) -> None:
        span = getattr(context, _SPAN, None)
        if span is not None:
            span.end()

    @event.listens_for(engine.sync_engine, "handle_error")
    def failed(exception_context: Any) -> None:
        span = getattr(exception_context.execution_context, _SPAN, None)
        if span is not None:
            failure = type(exception_context.original_exception).__name__
            span.set_status(Status(StatusCode.ERROR, failure))
            span.end()


def tracer_of(provider: TracerProvider | None) -> Tracer | None:
    return provider.get_tracer(TRACER_NAME) if provider is not None else None
