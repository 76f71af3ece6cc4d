"""The GraphQL view: strawberry's ASGI view with our context, strict JSON and JSON refusals,
and its WebSocket entry for subscriptions over graphql-transport-ws."""

import os
from collections.abc import Callable
from datetime import timedelta

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from invoicegraph.http.auth import connection_credentials
from invoicegraph.http.errors import error_response
from invoicegraph.http.json_body import DEFAULT_MAX_RESPONSE_BYTES, StrictJsonBody
from invoicegraph.http.socket_handler import MESSAGE_TOO_BIG, GuardedTransportWS, socket_link
from invoicegraph.http.state import AppState, app_state, request_context, set_request_context
from invoicegraph.resolvers.context import NOBODY, Context

CONNECTION_INIT_TIMEOUT = timedelta(seconds=10)
"""A socket that has not sent connection_init by then is closed (4408): an open socket without
credentials holds a slot for nothing (strawberry's default waits a minute)."""


class GraphQLView(StrictJsonBody, GraphQL[Context, None]):
    """Runs operations with the Context that authentication (HTTP) or the socket (WebSocket)
    opened; no IDE of strawberry's (the playground is our own page)."""

    graphql_transport_ws_handler_class = GuardedTransportWS

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

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """As strawberry's, but the body is encoded once, to bytes (strawberry's str would be
        encoded again by the response: two more copies of a page of 1,000 invoices)."""
        response = Response(
            self.encode_json_bytes(response_data),
            status_code=sub_response.status_code or 200,
            media_type="application/json",
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

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
        """Authenticate a WebSocket by the Authorization in its connection_init payload, and
        count it among its client's open sockets (http/sockets.py: refused past the share)."""
        state = self.running()
        principal, claims = await connection_credentials(state, context.connection_params)
        link = socket_link.get()
        assert link is not None, "connection_init is handled by GuardedTransportWS"
        link.standing = state.sockets.admit(
            principal, expires_at=claims.expires_at, close=link.close
        )
        link.watch = state.sockets
        context.authenticated_as(principal)
        context.in_standing = link.standing.in_standing
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
        limit = state.settings.max_body_bytes

        async def limited_receive() -> Message:
            """A message over the body limit closes the socket (1009) as if the client left."""
            message = await receive()
            if message["type"] == "websocket.receive":
                size = len(message.get("text") or "") + len(message.get("bytes") or b"")
                if size > limit:
                    await send(
                        {
                            "type": "websocket.close",
                            "code": MESSAGE_TOO_BIG,
                            "reason": f"messages are limited to {limit} bytes",
                        }
                    )
                    return {"type": "websocket.disconnect", "code": MESSAGE_TOO_BIG}
            return message

        try:
            await self.view(scope, limited_receive, send)
        finally:
            await context.reader.close()
