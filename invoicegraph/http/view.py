"""The GraphQL view: strawberry's ASGI view with our context, strict JSON and JSON refusals,
and its WebSocket entry for subscriptions over graphql-transport-ws."""

import os
from collections.abc import Callable
from datetime import timedelta

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from invoicegraph.http.auth import connection_principal
from invoicegraph.http.errors import error_response
from invoicegraph.http.json_body import DEFAULT_MAX_RESPONSE_BYTES, StrictJsonBody
from invoicegraph.http.state import AppState, app_state, request_context, set_request_context
from invoicegraph.resolvers.context import NOBODY, Context

CONNECTION_INIT_TIMEOUT = timedelta(seconds=10)
"""A socket that has not sent connection_init by then is closed (4408): an open socket without
credentials holds a slot for nothing (strawberry's default waits a minute)."""


class GraphQLView(StrictJsonBody, GraphQL[Context, None]):
    """Runs operations with the Context that authentication (HTTP) or the socket (WebSocket)
    opened; no IDE of strawberry's (the playground is our own page)."""

    def __init__(
        self,
        schema: BaseSchema,
        *,
        running: Callable[[], AppState],
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
        )
        self.running = running
        """The running app's state: WebSocket credentials are checked against it."""
        self.max_response_bytes = max_response_bytes

    async def get_context(self, request: Request, response: Response | None = None) -> Context:  # type: ignore[override]
        return request_context(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry's, but a refused HTTP request gets a JSON error with a code, like
        every other error of this API, instead of a plain-text body."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as refused:
            response = error_response(
                refused.reason,
                code="BAD_USER_INPUT",
                status=refused.status_code,
                headers={"Allow": "POST"} if refused.status_code == 405 else None,
            )
        await response(scope, receive, send)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """As strawberry's, but a mutation sent with GET is 405 Method Not Allowed, as
        GraphQL over HTTP requires (strawberry answers 400)."""
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as refused:
            if request_adapter.method == "GET" and isinstance(
                refused.__cause__, InvalidOperationTypeError
            ):
                raise HTTPException(405, refused.reason) from refused.__cause__
            raise

    async def on_ws_connect(self, context: Context) -> dict[str, object]:
        """Authenticate a WebSocket by the Authorization in its connection_init payload."""
        principal = await connection_principal(self.running(), context.connection_params)
        context.authenticated_as(principal)
        return {"workspace": principal.workspace_public_id, "worker": os.getpid()}


class GraphQLSocket:
    """Subscriptions over graphql-transport-ws on the same path. The Context starts as NOBODY's
    and learns who is calling from the connection_init message (`GraphQLView.on_ws_connect`)."""

    def __init__(self, view: GraphQLView) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = app_state(scope["app"])
        context = Context.open(state.db, NOBODY, state.events, webhooks=state.webhooks)
        set_request_context(scope, context)
        try:
            await self.view(scope, receive, send)
        finally:
            await context.reader.close()
