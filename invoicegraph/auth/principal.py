"""Who is calling: resolved once per request from the bearer token."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.auth.standings import Standings
from invoicegraph.auth.tokens import InvalidToken, TokenClaims
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


async def principal_of(
    read: SessionSource, claims: TokenClaims, standings: Standings | None = None
) -> Principal:
    """Check that the verified token's client still exists and is not revoked.

    `client revoke` takes effect on the very next request, not when the token expires: the
    standing comes from `standings` while a watch tells them of every revocation
    (auth/standings.py), else from one indexed read in the request's own read session (its
    snapshot and its connection).
    """
    standing = None if standings is None else standings.get(claims.client_id)
    if standing is None:
        read_at = 0 if standings is None else standings.generation
        async with read() as session:
            standing = await client_standing(session, public_id=claims.client_id)
        if standing is not None and standings is not None:
            standings.keep(standing, read_at=read_at)
    if standing is None:
        raise InvalidToken("unknown client")
    if standing.revoked or standing.workspace_public_id != claims.workspace_id:
        raise InvalidToken("the client's credentials were revoked")
    return Principal(
        client_id=standing.client_id,
        workspace_id=standing.workspace_id,
        workspace_public_id=standing.workspace_public_id,
    )
