"""create_app(settings) -> Starlette: the routes, in the order a request passes them.

ResponseHeaders (no-store, nosniff) -> BodyLimit (413 past max_body_bytes)
  /healthz                       no token
  /oauth2/token                  the client-credentials grant (auth/endpoint.py)
  GET /graphql from a browser    the playground page, no token (playground.py)
  /graphql                       AuthenticatedGraphQL (401) -> GraphQLResponseMediaType
                                 -> SqlReads (PostgreSQL: plain reads as one statement)
                                 -> GraphQLView (strict JSON, 400) -> the schema
  WebSocket /graphql             GraphQLSocket -> GraphQLView (token in connection_init)
"""

import os
from collections.abc import Awaitable, Callable

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import make_url
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp

from invoicegraph.auth.endpoint import token_endpoint, token_method_not_allowed
from invoicegraph.auth.rate_limit import TokenRateLimit
from invoicegraph.http.auth import AuthenticatedGraphQL
from invoicegraph.http.body import BodyLimit
from invoicegraph.http.headers import ResponseHeaders
from invoicegraph.http.media_types import GraphQLResponseMediaType
from invoicegraph.http.metrics import ResponseCounter, metrics_endpoint
from invoicegraph.http.playground import Playground
from invoicegraph.http.runtime import tune_gc
from invoicegraph.http.sql_reads import SqlReads
from invoicegraph.http.state import AppState, app_state, lifespan
from invoicegraph.http.view import GraphQLSocket, GraphQLView
from invoicegraph.schema import build_schema
from invoicegraph.schema.persisted import TrustedDocuments
from invoicegraph.settings import Settings
from invoicegraph.sqljson.plans import Plans
from invoicegraph.tracing import provider_from_environment, tracer_of

DEMO_TOKEN_VARIABLE = "INVOICEGRAPH_SEEDED_DEMO_TOKEN"
"""Set by `serve --workers N` only, to hand its freshly seeded demo token to the workers."""


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "worker": os.getpid()})


def token_route(rate_limit: TokenRateLimit) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def token(request: Request) -> JSONResponse:
        state = app_state(request.app)
        return await token_endpoint(
            request,
            db=state.db,
            signing_key=state.signing_key,
            ttl_seconds=state.settings.token_ttl_seconds,
            rate_limit=rate_limit,
        )

    return token


def create_app(settings: Settings, tracer_provider: TracerProvider | None = None) -> Starlette:
    """The ASGI app. The database must already be migrated (`invoicegraph serve` does that).

    Building it changes nothing in the process; serving tunes the collector (`runtime.py`).
    Traces go to `tracer_provider`, or where the OTEL_* variables say (tracing.py); by default
    nowhere, and nothing of them is installed.
    """
    owned = tracer_provider is None
    provider = tracer_provider or provider_from_environment()
    tracer = tracer_of(provider)

    def running() -> AppState:
        return app_state(application)

    schema = build_schema(
        introspection=settings.introspection,
        plain_execution=settings.plain_execution,
        tracer=tracer,
        metrics=settings.metrics != "off",
        trusted=TrustedDocuments.load(
            settings.trusted_document_paths(), only=settings.trusted_documents_only
        ),
    )
    view = GraphQLView(schema, running=running, max_response_bytes=settings.max_response_bytes)
    reads: ASGIApp = view
    on_postgres = make_url(settings.database_url).get_backend_name() == "postgresql"
    if (
        settings.sql_reads
        and on_postgres
        and tracer is None
        and not settings.trusted_documents_only
    ):
        plans = Plans(schema._schema)
        reads = SqlReads(view, plans, max_response_bytes=settings.max_response_bytes)
    graphql: ASGIApp = AuthenticatedGraphQL(GraphQLResponseMediaType(reads))
    # A browser's GET /graphql gets the GraphiQL page (no token needed); the rest is GraphQL.
    playground = Playground.load(settings) if settings.playground else None
    if playground is not None:
        graphql = playground.in_front_of(graphql)
    application = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            Route(
                "/oauth2/token",
                token_route(
                    TokenRateLimit(
                        per_client=settings.token_rate_per_client,
                        per_address=settings.token_rate_per_address,
                    )
                ),
                methods=["POST"],
            ),
            Route(
                "/oauth2/token",
                token_method_not_allowed,
                methods=["GET", "PUT", "PATCH", "DELETE", "OPTIONS"],
            ),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", GraphQLSocket(view)),
            *(playground.routes if playground is not None else []),
        ],
        middleware=[
            *([Middleware(OpenTelemetryMiddleware, tracer_provider=provider)] if provider else []),
            *([Middleware(ResponseCounter)] if settings.metrics != "off" else []),
            Middleware(ResponseHeaders),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan(settings, schema, tracer, provider if owned else None),
    )
    return application


def app_from_environment() -> Starlette:
    """The app of one worker process of `invoicegraph serve --workers N`, tuned for serving
    (each worker is a process of its own: the parent's tuning does not reach it)."""
    app = create_app(Settings().replace(demo_token=os.environ.get(DEMO_TOKEN_VARIABLE)))
    tune_gc()
    return app
