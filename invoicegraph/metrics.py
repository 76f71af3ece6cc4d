"""Prometheus metrics: what an operator watches, one definition each, shared by every layer.

With `--workers N` every worker process keeps its samples in files under one folder
(prometheus-client's multiprocess mode, switched on by `PROMETHEUS_MULTIPROC_DIR`, which `serve`
sets before the workers start), and a scrape of any worker adds them up, so `/metrics` reports
one truthful total. Labels take only bounded values: operation names beyond the first
`MAX_OPERATION_NAMES` a process sees are counted as "other", since clients choose them.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATION_NAMES = 100
CONTENT_TYPE = CONTENT_TYPE_LATEST

GRAPHQL_REQUESTS = Counter(
    "invoicegraph_graphql_operations_total",
    "GraphQL operations run, by type, name and outcome (ok, or the first top-level error code)",
    ["type", "operation", "outcome"],
)
GRAPHQL_SECONDS = Histogram(
    "invoicegraph_graphql_operation_seconds",
    "Time from parsing to the result of a GraphQL operation",
    ["type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
GRAPHQL_ERRORS = Counter(
    "invoicegraph_graphql_errors_total",
    "Errors answered, by code: top-level errors and the Error members of mutation results",
    ["code"],
)
SQL_STATEMENTS = Histogram(
    "invoicegraph_sql_statements_per_operation",
    "SQL statements one GraphQL operation sent to the database",
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233),
)
QUERY_COST = Histogram(
    "invoicegraph_query_cost",
    "The cost the query limits computed for each operation (refused ones included)",
    buckets=(1, 5, 20, 100, 500, 2_000, 10_000, 25_000, 100_000),
)
HTTP_RESPONSES = Counter(
    "invoicegraph_http_responses_total",
    "HTTP responses by route and status (401, 413, 429 and 503 never reach GraphQL)",
    ["route", "status"],
)
WEBHOOK_ATTEMPTS = Counter(
    "invoicegraph_webhook_attempts_total",
    "Webhook delivery attempts, by result: delivered (2xx), failed (to be retried), given_up",
    ["result"],
)
WEBHOOK_SECONDS = Histogram(
    "invoicegraph_webhook_attempt_seconds",
    "How long an endpoint took to answer a delivery attempt",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DB_CONNECTIONS_IN_USE = Gauge(
    "invoicegraph_db_connections_in_use",
    "Database connections checked out of the pool now, over every process",
    multiprocess_mode="livesum",
)

_operation_names: set[str] = set()
_statements: ContextVar[list[int] | None] = ContextVar("invoicegraph_statements", default=None)


def operation_label(name: str | None) -> str:
    """A client-chosen operation name as a label of bounded cardinality."""
    if not name:
        return "anonymous"
    if name in _operation_names or len(_operation_names) < MAX_OPERATION_NAMES:
        _operation_names.add(name)
        return name
    return "other"


@contextmanager
def statements_counted() -> Iterator[list[int]]:
    """Count the SQL statements sent from this context (and tasks it starts) until exit."""
    counter = [0]
    token = _statements.set(counter)
    try:
        yield counter
    finally:
        _statements.reset(token)


def instrument(engine: AsyncEngine) -> None:
    """Count statements per operation and connections in use on this engine."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def on_statement(*_: Any) -> None:
        counter = _statements.get()
        if counter is not None:
            counter[0] += 1

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def on_checkout(*_: Any) -> None:
        DB_CONNECTIONS_IN_USE.inc()

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def on_checkin(*_: Any) -> None:
        DB_CONNECTIONS_IN_USE.dec()


def is_multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_VARIABLE))


def exposition(*scraped: Any) -> bytes:
    """The text a scrape answers: this process's metrics, or every worker's added up, then the
    `scraped` collectors (values read from the database for this scrape, such as the outbox)."""
    if is_multiprocess():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    now = CollectorRegistry()
    for collector in scraped:
        now.register(collector)
    return generate_latest(registry) + generate_latest(now)


def worker_exited(pid: int) -> None:
    """Drop a dead worker's live gauges (its counters stay in the totals)."""
    if is_multiprocess():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
