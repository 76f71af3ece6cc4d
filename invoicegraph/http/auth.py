"""Authentication of requests: the bearer token of an HTTP request, or of a WebSocket's
connection_init, is checked before any GraphQL runs."""

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from invoicegraph.auth.principal import Principal, bearer_token, principal_of
from invoicegraph.auth.tokens import InvalidToken, TokenClaims
from invoicegraph.http.admission import RETRY_AFTER_SECONDS, ServiceBusy, TooManyRequests
from invoicegraph.http.body import replaying
from invoicegraph.http.errors import error_response
from invoicegraph.http.sockets import SocketRefused
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


def busy() -> JSONResponse:
    """HTTP 503 SERVICE_BUSY: no database connection came free in time; retry shortly."""
    return error_response(
        "The server is busy: every database connection is in use. Retry shortly.",
        code="SERVICE_BUSY",
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def too_many(limit: int) -> JSONResponse:
    """HTTP 429 TOO_MANY_REQUESTS: this client already has its share in flight."""
    return error_response(
        f"Too many requests in flight for this client (at most {limit} at once). "
        "Wait for an answer before sending more.",
        code="TOO_MANY_REQUESTS",
        status=429,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def whole_body(receive: Receive) -> Receive | None:
    """Read the request's whole body (BodyLimit bounds it), and a `receive` that replays it;
    None when the client hung up first. Nothing of the database is held meanwhile, so a
    client that trickles its body in holds no connection."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return replaying(
        {"type": "http.request", "body": b"".join(chunks), "more_body": False}, receive
    )


class AuthenticatedGraphQL:
    """Admits only requests with a valid bearer token, then runs them with a fresh Context.

    In this order, so that nothing holds a database connection it does not use: the whole
    body is read, the token's signature and expiry are checked, the request is admitted
    (`admission.py`: 429 or 503 when it may not use the database now), and only then is the
    client's standing checked (auth/standings.py: kept in memory where revocations are heard,
    else read in the read session the request goes on with). That session is
    closed when the response has been sent.
    """

    def __init__(self, view: ASGIApp) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = app_state(scope["app"])
        replay = await whole_body(receive)
        if replay is None:
            return
        try:
            claims = state.tokens.verify(bearer_token(Headers(scope=scope).get("authorization")))
        except InvalidToken as error:
            await unauthenticated(str(error))(scope, replay, send)
            return
        try:
            async with state.admission.admit(claims.client_id):
                await self._serve(state, claims, scope, replay, send)
        except TooManyRequests:
            await too_many(state.admission.per_client)(scope, replay, send)
        except ServiceBusy:
            await busy()(scope, replay, send)

    async def _serve(
        self, state: AppState, claims: TokenClaims, scope: Scope, receive: Receive, send: Send
    ) -> None:
        reader = Reader(state.db)
        try:
            try:
                principal = await principal_of(reader.session, claims, state.standings)
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


FORBIDDEN = 4403
REASON_BYTES = 123


async def connection_credentials(
    state: AppState, connection_params: Mapping[str, object] | None
) -> tuple[Principal, TokenClaims]:
    """Who a WebSocket is, by the Authorization in its connection_init payload (browsers cannot
    set headers on a WebSocket), and its token's claims (the socket closes when it expires);
    a refusal closes the connection with 4403 and the reason in plain words."""
    params = connection_params or {}
    authorization = params.get("Authorization", params.get("authorization"))
    try:
        claims = state.tokens.verify(
            bearer_token(authorization if isinstance(authorization, str) else None)
        )
        return await principal_of(state.db.read, claims, state.standings), claims
    except InvalidToken as error:
        # graphql-transport-ws closes a refused connection_init with 4403; the reason says why
        # (a close reason holds at most 123 bytes).
        reason = f"Forbidden: {error}".encode()[:REASON_BYTES].decode(errors="ignore")
        raise SocketRefused(FORBIDDEN, reason) from error
