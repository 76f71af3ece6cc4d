"""Each GraphQL operation counted: type, name, outcome, time and SQL statements."""

from collections.abc import Iterator
from time import perf_counter

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from invoicegraph.metrics import (
    GRAPHQL_ERRORS,
    GRAPHQL_REQUESTS,
    GRAPHQL_SECONDS,
    SQL_STATEMENTS,
    operation_label,
    statements_counted,
)
from invoicegraph.schema.extensions import operation_type


class OperationMetrics(SchemaExtension):
    """Outermost extension, so that its time and its outcome include every other one's."""

    def on_operation(self) -> Iterator[None]:
        started = perf_counter()
        with statements_counted() as statements:
            yield
        context = self.execution_context
        kind = operation_type(self)
        errors: list[GraphQLError] = list(getattr(context.result, "errors", None) or [])
        codes = [str((error.extensions or {}).get("code", "UNKNOWN")) for error in errors]
        outcome = codes[0] if codes else "ok"
        GRAPHQL_REQUESTS.labels(kind, operation_label(context.operation_name), outcome).inc()
        GRAPHQL_SECONDS.labels(kind).observe(perf_counter() - started)
        SQL_STATEMENTS.observe(statements[0])
        for code in codes:
            GRAPHQL_ERRORS.labels(code).inc()
