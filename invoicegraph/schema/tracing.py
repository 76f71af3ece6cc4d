"""A span per GraphQL operation, named by it, with the request id a log line or an error
message repeats."""

from collections.abc import Iterator

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode, Tracer
from strawberry.extensions import SchemaExtension

from invoicegraph.schema.extensions import operation_type


class OperationSpan(SchemaExtension):
    def __init__(self, *, tracer: Tracer) -> None:
        self.tracer = tracer

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        request_id = str(getattr(context.context, "request_id", ""))
        trace.get_current_span().set_attribute("invoicegraph.request_id", request_id)
        with self.tracer.start_as_current_span("graphql.operation") as span:
            span.set_attribute("invoicegraph.request_id", request_id)
            yield
            kind = operation_type(self)
            name = context.operation_name or ""
            span.update_name(f"{kind} {name}".strip())
            span.set_attribute("graphql.operation.type", kind)
            if name:
                span.set_attribute("graphql.operation.name", name)
            errors = getattr(context.result, "errors", None) or []
            if errors:
                codes = [str((error.extensions or {}).get("code", "")) for error in errors]
                span.set_attribute("graphql.error.codes", codes)
                span.set_status(Status(StatusCode.ERROR, codes[0]))
