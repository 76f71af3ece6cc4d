"""Typed state: what the app's lifespan opens (`AppState`), and each request's `Context`.

The lifespan's state lives on `app.state`, as a typed, frozen `State` whose every attribute is
set at once. Not Starlette's yielded lifespan state: that reaches requests only through a server
that runs the lifespan protocol, while the tests and the benchmarks enter `lifespan_context`
themselves, send requests through httpx's ASGITransport and read `app.state.db`.
"""

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer
from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.requests import HTTPConnection
from starlette.types import Scope

from invoicegraph.auth.keys import signing_key
from invoicegraph.auth.standings import Standings, start_watch
from invoicegraph.auth.tokens import TokenVerifier
from invoicegraph.events import EventBus
from invoicegraph.events.outbox import OutboxPublisher
from invoicegraph.events.postgres import PostgresEventBus
from invoicegraph.http.admission import Admission
from invoicegraph.http.sockets import RevocationWatch
from invoicegraph.http.webhook_data import invoice_renderer
from invoicegraph.metrics import instrument, worker_exited
from invoicegraph.resolvers.context import Context
from invoicegraph.schema import InvoiceSchema
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.tracing import trace_statements
from invoicegraph.webhooks.config import WebhookConfig, load_config
from invoicegraph.webhooks.worker import WebhookWorker


class AppState(State):
    """`app.state` while the app runs: its database, settings, token key and verifier, event
    bus, the outbox publisher that feeds the bus, the admission of requests to the database,
    the open sockets with the watch over their clients' standing, the clients' standings kept
    while revocations are heard (and how to stop hearing them), and the webhook deliverer
    (None when turned off)."""

    db: Database
    settings: Settings
    signing_key: str
    tokens: TokenVerifier
    events: EventBus
    outbox: OutboxPublisher
    admission: Admission
    sockets: RevocationWatch
    standings: Standings
    stop_standings: Callable[[], Awaitable[None]]
    webhooks: WebhookConfig
    webhook_worker: WebhookWorker | None

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        signing_key: str,
        tokens: TokenVerifier,
        events: EventBus,
        outbox: OutboxPublisher,
        admission: Admission,
        sockets: RevocationWatch,
        standings: Standings,
        stop_standings: Callable[[], Awaitable[None]],
        webhooks: WebhookConfig,
        webhook_worker: WebhookWorker | None,
    ) -> None:
        super().__init__(
            {
                "db": db,
                "settings": settings,
                "signing_key": signing_key,
                "tokens": tokens,
                "events": events,
                "outbox": outbox,
                "admission": admission,
                "sockets": sockets,
                "standings": standings,
                "stop_standings": stop_standings,
                "webhooks": webhooks,
                "webhook_worker": webhook_worker,
            }
        )

    def __setattr__(self, key: Any, value: Any) -> None:
        raise AttributeError(f"the app's state is fixed while it runs (tried to set {key!r})")

    @classmethod
    async def open(
        cls, settings: Settings, schema: InvoiceSchema, tracer: Tracer | None = None
    ) -> "AppState":
        """Open the engine, read (or make) the signing key and the webhook secret key, start
        the event bus, the outbox publisher (which first publishes whatever a previous run left
        pending) and the webhook deliverer (which reads invoices through `schema`). `tracer`: a
        span per SQL statement."""
        db = Database(
            settings.database_url,
            pool_size=settings.database_connections,
            sqlite_synchronous=settings.synchronous_mode(),
        )
        for engine in db.engines:
            if settings.metrics != "off":
                instrument(engine)
            if tracer is not None:
                trace_statements(engine, tracer)
        try:
            key = await signing_key(db, configured=settings.signing_key)
            webhooks = await load_config(db, settings)
            events = EventBus() if db.is_sqlite else PostgresEventBus(db)
            await events.start()
            standings = Standings()
            stop_standings = await start_watch(db, standings)
        except BaseException:
            await db.dispose()
            raise
        outbox = OutboxPublisher(db, events)
        outbox.start()
        admission = Admission(
            capacity=settings.database_connections,
            per_client=settings.max_requests_per_client,
        )
        worker = None
        if settings.webhooks:
            worker = WebhookWorker(db, webhooks, invoice_renderer(schema, db))
            events.watch(worker.wake)
            worker.start()
        return cls(
            db=db,
            settings=settings,
            signing_key=key,
            tokens=TokenVerifier(key=key, max_ttl_seconds=settings.token_max_lifetime_seconds),
            events=events,
            outbox=outbox,
            admission=admission,
            sockets=RevocationWatch(db, per_client=settings.max_sockets_per_client),
            standings=standings,
            stop_standings=stop_standings,
            webhooks=webhooks,
            webhook_worker=worker,
        )

    async def close(self) -> None:
        await self.sockets.close()
        await self.stop_standings()
        if self.webhook_worker is not None:
            await self.webhook_worker.stop()
        await self.outbox.stop()
        await self.events.close()
        await self.db.dispose()
        worker_exited(os.getpid())


def app_state(app: Starlette) -> AppState:
    """The running app's state; an error when its lifespan has not started."""
    state = app.state
    if not isinstance(state, AppState):
        raise RuntimeError("the app's lifespan has not started: no database, no signing key")
    return state


def lifespan(
    settings: Settings,
    schema: InvoiceSchema,
    tracer: Tracer | None = None,
    provider: TracerProvider | None = None,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """The app's lifespan: `app.state` is an `AppState` from start to shutdown. `tracer`: a span
    per SQL statement; `provider`: one the app made, flushed and shut down at the end."""

    @asynccontextmanager
    async def running(app: Starlette) -> AsyncIterator[None]:
        state = await AppState.open(settings, schema, tracer)
        app.state = state
        try:
            yield
        finally:
            await state.close()
            if provider is not None:
                provider.shutdown()

    return running


def set_request_context(scope: Scope, context: Context) -> None:
    """Hand the request's (or WebSocket's) Context to the GraphQL view."""
    scope.setdefault("state", {})["context"] = context


def request_context(connection: HTTPConnection) -> Context:
    """The Context `set_request_context` handed over for this request."""
    context = connection.state.context
    if not isinstance(context, Context):
        raise TypeError(f"the request's context is a {type(context).__name__}, not a Context")
    return context
