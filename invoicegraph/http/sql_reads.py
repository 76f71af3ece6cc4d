"""The HTTP side of SQL reads (invoicegraph/sqljson): a POST whose document has a plan is
answered here, in front of the GraphQL view; every other request passes on to it untouched.

The answer is what the standard path writes for the same request: `data`, then the cost the
limits report under `extensions`, as application/json (GraphQLResponseMediaType, outside,
changes the media type for clients that prefer graphql-response+json, as for any answer).
"""

import logging
from time import perf_counter
from typing import Any

import asyncpg
import orjson
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from invoicegraph.http.body import replaying
from invoicegraph.http.json_body import storable
from invoicegraph.metrics import (
    GRAPHQL_REQUESTS,
    GRAPHQL_SECONDS,
    QUERY_COST,
    SQL_STATEMENTS,
    operation_label,
    statements_counted,
)
from invoicegraph.resolvers.context import Context
from invoicegraph.schema.limits import MAX_COST
from invoicegraph.sqljson.plans import Plans

log = logging.getLogger("invoicegraph.sqljson")

KEYS = frozenset({"query", "variables", "operationName"})


class SqlReads:
    def __init__(self, view: ASGIApp, plans: Plans, *, max_response_bytes: int) -> None:
        self.view = view
        self.plans = plans
        self.max_response_bytes = max_response_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.view(scope, receive, send)
            return
        message = await receive()
        try:
            body = await self._answer(scope, message)
        except Exception:  # a bug of a plan: the standard way still answers the request
            log.exception("a SQL read failed unexpectedly; answering it the standard way")
            body = None
        if body is None:
            await self.view(scope, replaying(message, receive), send)
            return
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, scope: Scope, message: Message) -> bytes | None:
        """The response body, or None: the standard way answers this request."""
        if message.get("more_body", False):
            return None
        content_type = Headers(scope=scope).get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            return None
        request = _request(message.get("body", b""))
        if request is None:
            return None
        query, variables, operation_name = request
        plan = self.plans.plan(query, operation_name)
        if plan is None:
            return None
        context = scope.get("state", {}).get("context")
        if not isinstance(context, Context):
            return None
        started = perf_counter()
        bound = plan.bind(self.plans.schema, variables, context.workspace_id)
        if bound is None:
            return None
        params, cost = bound
        with statements_counted() as statements:
            try:
                data = await context.db.read_value(plan.sql, params)
            except (DBAPIError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                log.warning("a SQL read failed; answering it the standard way", exc_info=True)
                return None
        body = b'{"data":%s,"extensions":{"cost":{"requested":%d,"limit":%d}}}' % (
            data.encode(),
            cost,
            MAX_COST,
        )
        if len(body) > self.max_response_bytes:
            return None  # the standard way answers RESPONSE_TOO_LARGE
        QUERY_COST.observe(cost)
        named = plan.operation.name.value if plan.operation.name else None
        GRAPHQL_REQUESTS.labels("query", operation_label(named), "ok").inc()
        GRAPHQL_SECONDS.labels("query").observe(perf_counter() - started)
        SQL_STATEMENTS.observe(statements[0])
        return body


def _request(body: bytes) -> tuple[str, dict[str, Any] | None, str | None] | None:
    """(query, variables, operationName) of a plain GraphQL request body; None for anything
    else (persisted queries' extensions, bad JSON: the standard way says what is wrong)."""
    try:
        request = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(request, dict) or not set(request) <= KEYS:
        return None
    query, variables = request.get("query"), request.get("variables")
    operation_name = request.get("operationName")
    if not isinstance(query, str) or not storable(request):
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    if operation_name is not None and not isinstance(operation_name, str):
        return None
    return query, variables, operation_name
