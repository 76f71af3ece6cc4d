"""Authentication of requests: the bearer token of an HTTP request, or of a WebSocket's
connection_init, is checked before any GraphQL runs."""

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.exceptions import ConnectionRejectionError

from invoicegraph.auth.principal import Principal, authenticate
from invoicegraph.auth.tokens import InvalidToken
from invoicegraph.http.errors import error_response
from invoicegraph.http.state import AppState, app_state, set_request_context
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.reader import Reader


def unauthenticated(reason: str) -> JSONResponse:
    """HTTP 401 with `extensions.code = UNAUTHENTICATED` and the Bearer challenge."""
    return error_response(
        f"Unauthenticated: {reason}.",
        code="UNAUTHENTICATED",
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="invoicegraph"'},
    )


class AuthenticatedGraphQL:
    """Admits only requests with a valid bearer token, then runs them with a fresh Context.

    The Context's read snapshot is closed when the response has been sent.
    """

    def __init__(self, view: ASGIApp) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = app_state(scope["app"])
        reader = Reader(state.db)
        try:
            try:
                principal = await authenticate(
                    reader.session,
                    authorization=Headers(scope=scope).get("authorization"),
                    key=state.signing_key,
                )
            except InvalidToken as error:
                await unauthenticated(str(error))(scope, receive, send)
                return
            set_request_context(
                scope,
                Context.open(state.db, principal, state.events, reader, webhooks=state.webhooks),
            )
            await self.view(scope, receive, send)
        finally:
            await reader.close()


async def connection_principal(
    state: AppState, connection_params: Mapping[str, object] | None
) -> Principal:
    """Who a WebSocket is, by the Authorization in its connection_init payload (browsers cannot
    set headers on a WebSocket); a refusal closes the connection with UNAUTHENTICATED."""
    params = connection_params or {}
    authorization = params.get("Authorization", params.get("authorization"))
    try:
        return await authenticate(
            state.db.read,
            authorization=authorization if isinstance(authorization, str) else None,
            key=state.signing_key,
        )
    except InvalidToken as error:
        raise ConnectionRejectionError(
            {"code": "UNAUTHENTICATED", "message": str(error)}
        ) from error
