"""Test helpers: a GraphQL client over the real ASGI app, and a SQL statement counter."""

import base64
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats
from starlette.applications import Starlette

from invoicegraph.admin.workspaces import create_client, create_workspace
from invoicegraph.store.engine import Database


@dataclass
class GraphQLResponse:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]] | None:
        return self.body.get("errors")

    @property
    def codes(self) -> list[str]:
        return [error.get("extensions", {}).get("code") for error in self.errors or []]


@dataclass
class Api:
    """Speaks GraphQL over HTTP to the app, as one workspace's client."""

    http: httpx.AsyncClient
    token: str
    workspace_id: str

    async def query(self, document: str, **variables: Any) -> GraphQLResponse:
        response = await self.http.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        return GraphQLResponse(status=response.status_code, body=response.json())

    async def ok(self, document: str, **variables: Any) -> Any:
        """Run a query that must succeed; return its data."""
        result = await self.query(document, **variables)
        assert result.errors is None, result.errors
        return result.data


async def fetch_token(http: httpx.AsyncClient, client_id: str, secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = await http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@asynccontextmanager
async def served_api(application: Starlette, *, workspace: str) -> AsyncIterator[Api]:
    """`application` running (its lifespan), and a client of a new workspace of it, with a
    token from its real token endpoint: for tests that build an app of their own settings."""
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            db = application.state.db
            made = await create_workspace(db, name=workspace)
            client = await create_client(db, workspace_public_id=made.public_id)
            assert client is not None
            token = await fetch_token(http, client.client_id, client.client_secret)
            yield Api(http=http, token=token, workspace_id=made.public_id)


@dataclass
class StatementLog:
    statements: list[str] = field(default_factory=list)
    compiled: list[str] = field(default_factory=list)
    """The statements SQLAlchemy compiled and put in its statement cache (cache misses)."""

    @property
    def count(self) -> int:
        return len(self.statements)


_counting: ContextVar[StatementLog | None] = ContextVar("counting", default=None)


@contextmanager
def count_statements(db: Database) -> Iterator[StatementLog]:
    """Record every SQL statement the database's engines send for the code run in the block
    (the requests it makes), not those of background tasks such as the outbox publisher, which
    runs in a context of its own."""
    log = StatementLog()
    token = _counting.set(log)

    def record(
        _conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, *_args: Any
    ) -> None:
        if _counting.get() is log:
            log.statements.append(statement)
            compiled = getattr(context, "compiled", None) is not None  # not driver SQL
            if compiled and context.cache_hit is CacheStats.CACHE_MISS:
                log.compiled.append(statement)

    for engine in db.engines:
        event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        for engine in db.engines:
            event.remove(engine.sync_engine, "before_cursor_execute", record)
        _counting.reset(token)


@dataclass
class ConnectionsHeld:
    """Connections checked out of an engine's pool: now, and the most at once."""

    now: int = 0
    peak: int = 0
    checkouts: int = 0


@contextmanager
def connections_held(db: Database) -> Iterator[ConnectionsHeld]:
    """Watch the pools' checkout and checkin events for the block (every task's, background
    ones too: the figure is what the process holds). A connection checked out before the
    block (a background task's, say the outbox publisher's) is not counted when it returns."""
    held = ConnectionsHeld()
    out: set[int] = set()

    def checked_out(dbapi_connection: Any, *_args: Any) -> None:
        out.add(id(dbapi_connection))
        held.now += 1
        held.checkouts += 1
        held.peak = max(held.peak, held.now)

    def checked_in(dbapi_connection: Any, *_args: Any) -> None:
        if id(dbapi_connection) in out:
            out.discard(id(dbapi_connection))
            held.now -= 1

    for engine in db.engines:
        event.listen(engine.sync_engine.pool, "checkout", checked_out)
        event.listen(engine.sync_engine.pool, "checkin", checked_in)
    try:
        yield held
    finally:
        for engine in db.engines:
            event.remove(engine.sync_engine.pool, "checkout", checked_out)
            event.remove(engine.sync_engine.pool, "checkin", checked_in)
