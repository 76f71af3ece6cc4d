"""create_app(settings) -> Starlette: routes, the lifespan owning the engine, the GraphQL view."""

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from invoicegraph.auth.endpoint import token_endpoint
from invoicegraph.auth.principal import authenticate
from invoicegraph.auth.tokens import InvalidToken
from invoicegraph.events import EventBus
from invoicegraph.events.postgres import PostgresEventBus
from invoicegraph.http_limits import BodyLimit
from invoicegraph.media_type import GraphQLResponseMediaType
from invoicegraph.playground import Playground
from invoicegraph.request_body import StrictJsonBody
from invoicegraph.resolvers.context import NOBODY, Context, Reader
from invoicegraph.schema import build_schema
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.store.workspaces import get_or_create_server_secret

SIGNING_KEY_NAME = "token-signing-key"


class GraphQLView(StrictJsonBody, GraphQL[Context, None]):
    app_state: State | None = None
    """The app's state once its lifespan started: the database and the signing key."""

    async def get_context(self, request: Request, response: Response | None = None) -> Context:  # type: ignore[override]
        context: Context = request.state.context
        return context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry's, but a refused HTTP request gets a JSON error with a code, like
        every other error of this API, instead of a plain-text body."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as refused:
            response = request_error(refused.reason, refused.status_code)
        await response(scope, receive, send)

    async def on_ws_connect(self, context: Context) -> dict[str, object]:
        """Authenticate a WebSocket by the Authorization in its connection_init payload."""
        assert self.app_state is not None
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        try:
            principal = await authenticate(
                self.app_state.db.read,
                authorization=authorization if isinstance(authorization, str) else None,
                key=self.app_state.signing_key,
            )
        except InvalidToken as error:
            raise ConnectionRejectionError(
                {"code": "UNAUTHENTICATED", "message": str(error)}
            ) from error
        context.authenticated_as(principal)
        return {"workspace": principal.workspace_public_id, "worker": os.getpid()}


def request_error(reason: str, status: int) -> JSONResponse:
    error = {"message": reason, "extensions": {"code": "BAD_USER_INPUT"}}
    return JSONResponse({"errors": [error]}, status_code=status)


def unauthenticated(reason: str) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"Unauthenticated: {reason}.",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            ]
        },
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="invoicegraph"'},
    )


class AuthenticatedGraphQL:
    """Admits only requests with a valid bearer token, then runs them with a fresh Context.

    The Context's read snapshot is closed when the response has been sent.
    """

    def __init__(self, view: ASGIApp) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        state = request.app.state
        reader = Reader(state.db)
        try:
            try:
                principal = await authenticate(
                    reader.session,
                    authorization=request.headers.get("authorization"),
                    key=state.signing_key,
                )
            except InvalidToken as error:
                await unauthenticated(str(error))(scope, receive, send)
                return
            scope.setdefault("state", {})["context"] = Context.open(
                state.db, principal, state.events, reader
            )
            await self.view(scope, receive, send)
        finally:
            await reader.close()


class GraphQLSocket:
    """Subscriptions over graphql-transport-ws on the same path; credentials come with the
    connection_init message (browsers cannot set headers on a WebSocket)."""

    def __init__(self, view: GraphQLView) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        context = Context.open(state.db, NOBODY, state.events)
        scope.setdefault("state", {})["context"] = context
        try:
            await self.view(scope, receive, send)
        finally:
            await context.reader.close()


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "worker": os.getpid()})


async def signing_key(db: Database, settings: Settings) -> str:
    if settings.signing_key:
        return settings.signing_key
    async with db.write() as session:
        return await get_or_create_server_secret(session, name=SIGNING_KEY_NAME)


DEMO_TOKEN_VARIABLE = "INVOICEGRAPH_SEEDED_DEMO_TOKEN"
"""Set by `serve --workers N` only, to hand its freshly seeded demo token to the workers."""


def app_from_environment() -> Starlette:
    """The app of one worker process of `invoicegraph serve --workers N`."""
    return create_app(Settings().replace(demo_token=os.environ.get(DEMO_TOKEN_VARIABLE)))


def create_app(settings: Settings) -> Starlette:
    """The ASGI app. The database must already be migrated (`invoicegraph serve` does that)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        app.state.db = db
        app.state.settings = settings
        app.state.signing_key = await signing_key(db, settings)
        app.state.events = EventBus() if db.is_sqlite else PostgresEventBus(db)
        await app.state.events.start()
        view.app_state = app.state
        # Everything alive now (schema, modules, the engine) lives as long as the process:
        # moving it out of the collector's generations keeps full collections short, which
        # measured p95 of a 50-invoice page from about 150 ms down to about 50 ms.
        gc.freeze()
        # A page of 100 invoices allocates some 20,000 objects that live until its response
        # is sent; at the default threshold (700) the collector runs dozens of times per page
        # and promotes them into older generations it then scans again. Measured in-process
        # (bench/peers/profile.py, q100): mean CPU per request 21-24 ms at the default,
        # 16-17.5 ms at (10000, 10, 10), 15-16 ms with the collector off.
        gc.set_threshold(10_000, 10, 10)
        try:
            yield
        finally:
            await app.state.events.close()
            await db.dispose()

    view = GraphQLView(
        build_schema(introspection=settings.introspection),
        graphql_ide=None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )
    graphql: ASGIApp = AuthenticatedGraphQL(GraphQLResponseMediaType(view))
    # A browser's GET /graphql gets the GraphiQL page (no token needed); the rest is GraphQL.
    playground = Playground.load(settings) if settings.playground else None
    if playground is not None:
        graphql = playground.in_front_of(graphql)
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/oauth2/token", token_endpoint, methods=["POST"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", GraphQLSocket(view)),
            *(playground.routes if playground is not None else []),
        ],
        middleware=[Middleware(BodyLimit, max_bytes=settings.max_body_bytes)],
        lifespan=lifespan,
    )
