"""Who is calling: resolved once per request from the bearer token."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.auth.tokens import InvalidToken, TokenClaims, verify_token
from invoicegraph.store.workspaces import client_standing

SessionSource = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass(frozen=True, slots=True)
class Principal:
    client_id: str
    workspace_id: int
    """The workspace's row id: every read and write is scoped by it."""
    workspace_public_id: str


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("send Authorization: Bearer <access_token>")
    return token.strip()


async def authenticate(
    read: SessionSource, *, authorization: str | None, key: str, max_ttl_seconds: int
) -> Principal:
    """Verify the token, then check the client still exists and is not revoked."""
    claims = verify_token(bearer_token(authorization), key=key, max_ttl_seconds=max_ttl_seconds)
    return await principal_of(read, claims)


async def principal_of(read: SessionSource, claims: TokenClaims) -> Principal:
    """Check that the verified token's client still exists and is not revoked.

    The database check costs one indexed read per request and makes `client revoke` take
    effect on the very next request instead of when the token expires. `read` is the
    request's own read session, so the check shares its snapshot and its connection.
    """
    async with read() as session:
        standing = await client_standing(session, public_id=claims.client_id)
    if standing is None:
        raise InvalidToken("unknown client")
    if standing.revoked or standing.workspace_public_id != claims.workspace_id:
        raise InvalidToken("the client's credentials were revoked")
    return Principal(
        client_id=standing.client_id,
        workspace_id=standing.workspace_id,
        workspace_public_id=standing.workspace_public_id,
    )
