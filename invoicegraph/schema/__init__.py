"""The strawberry schema: types only; every field adapts a resolver call."""

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from opentelemetry.trace import Tracer
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from invoicegraph.schema.execution import (
    CountingExecutionContext,
    PlainExecutionContext,
    QuietCountingExecutionContext,
    QuietPlainExecutionContext,
)
from invoicegraph.schema.extensions import ErrorCodes
from invoicegraph.schema.invoice import Invoice, LineItem
from invoicegraph.schema.limits import QueryLimits
from invoicegraph.schema.metrics import OperationMetrics
from invoicegraph.schema.mutation import Mutation
from invoicegraph.schema.node import Workspace
from invoicegraph.schema.parse_cache import ParseCache, ValidationCache
from invoicegraph.schema.payment import Payment, Transaction
from invoicegraph.schema.persisted import PersistedDocuments, TrustedDocuments
from invoicegraph.schema.query import Query
from invoicegraph.schema.scalars import SCALAR_MAP
from invoicegraph.schema.subscription import Subscription
from invoicegraph.schema.tracing import OperationSpan
from invoicegraph.schema.user import User


class InvoiceSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing here: ErrorCodes logs each unexpected error once, with its request id;
        the caller's own mistakes (syntax, validation, bad input) are answered, not logged."""


def build_schema(
    *,
    introspection: bool = True,
    plain_execution: bool = True,
    tracer: Tracer | None = None,
    trusted: TrustedDocuments | None = None,
    metrics: bool = True,
) -> InvoiceSchema:
    """The schema with its extensions; production deployments may turn introspection off,
    and with it the suggestions of error messages ("Did you mean ...?"), which tell names too.

    `plain_execution=False` runs strawberry's standard execution context instead of the
    generated plans of schema/execution.py: a way out should a plan ever answer wrongly, and
    the reference the equivalence tests compare the plans with. `tracer`: a span per
    operation (tracing.py), when traces are on. `trusted`: the manifests of trusted documents
    (schema/persisted.py); automatic persisted queries work with or without them. `metrics`:
    count each operation (schema/metrics.py)."""
    documents = trusted or TrustedDocuments()
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        *([OperationMetrics] if metrics else []),
        # QueryLimits before ErrorCodes: a response stopped at its object limit must become one
        # RESPONSE_TOO_LARGE before ErrorCodes would mask each of its errors (and log it).
        QueryLimits,
        ErrorCodes,
        # Front ends send the same few documents over and over: parse and validate each once
        # (the caches live at module level; each request gets fresh extensions around them).
        ParseCache,
        lambda: ValidationCache(hide_suggestions=not introspection),
        # After ValidationCache: a refusal replaces the validation errors that one sets.
        lambda: PersistedDocuments(trusted=documents),
    ]
    if tracer is not None:
        extensions.insert(1 if metrics else 0, lambda: OperationSpan(tracer=tracer))
    executor: type[CountingExecutionContext] = (
        PlainExecutionContext if plain_execution else CountingExecutionContext
    )
    if not introspection:
        extensions.append(DisableIntrospection)
        # no "Did you mean ...?" in the errors of variables either
        executor = QuietPlainExecutionContext if plain_execution else QuietCountingExecutionContext
    return InvoiceSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Invoice, LineItem, User, Workspace, Transaction, Payment],
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=executor,
    )


schema = build_schema()

__all__ = ["build_schema", "schema"]
