"""Workspaces, API clients and the server's own secrets."""

import secrets
from typing import NamedTuple

from sqlalchemy import bindparam, delete, func
from sqlalchemy import select as sa_select
from sqlalchemy import text as sa_text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.tables import ApiClientRow, ServerSecretRow, WorkspaceRow
from invoicegraph.store.upsert import insert_ignoring_conflicts


async def insert_workspace(session: AsyncSession, *, name: str) -> WorkspaceRow:
    row = WorkspaceRow(public_id=new_public_id("ws"), name=name, created=now())
    session.add(row)
    await session.flush()
    return row


async def get_workspace(session: AsyncSession, *, public_id: str) -> WorkspaceRow | None:
    result = await session.exec(select(WorkspaceRow).where(WorkspaceRow.public_id == public_id))
    return result.first()


async def insert_api_client(
    session: AsyncSession, *, workspace_id: int, secret_hash: str
) -> ApiClientRow:
    row = ApiClientRow(
        public_id=new_public_id("cli"),
        workspace_id=workspace_id,
        secret_hash=secret_hash,
        created=now(),
    )
    session.add(row)
    await session.flush()
    return row


class ClientCredentials(NamedTuple):
    """What the token endpoint checks a client's secret against."""

    client_id: str
    secret_hash: str
    revoked: bool
    workspace_public_id: str


_CLIENT_CREDENTIALS = (
    sa_select(
        col(ApiClientRow.public_id),
        col(ApiClientRow.secret_hash),
        col(ApiClientRow.revoked).is_not(None),
        col(WorkspaceRow.public_id),
    )
    .join(WorkspaceRow, col(WorkspaceRow.id) == col(ApiClientRow.workspace_id))
    .where(col(ApiClientRow.public_id) == bindparam("public_id"))
)


async def client_credentials(session: AsyncSession, *, public_id: str) -> ClientCredentials | None:
    """The client's secret hash and standing, or None when unknown. A plain statement, built
    once, and no ORM objects: a known id then costs what an unknown one does (the ORM's two
    objects took some 50 microseconds, enough to tell from outside which ids exist)."""
    connection = await session.connection()
    row = (await connection.execute(_CLIENT_CREDENTIALS, {"public_id": public_id})).first()
    return None if row is None else ClientCredentials._make(row)


class ClientStanding(NamedTuple):
    """What a request's credential check needs to know of its client."""

    client_id: str
    revoked: bool
    workspace_id: int
    workspace_public_id: str


_CLIENT_STANDING = (
    sa_select(
        col(ApiClientRow.public_id),
        col(ApiClientRow.revoked).is_not(None),
        col(WorkspaceRow.id),
        col(WorkspaceRow.public_id),
    )
    .join(WorkspaceRow, col(WorkspaceRow.id) == col(ApiClientRow.workspace_id))
    .where(col(ApiClientRow.public_id) == bindparam("public_id"))
)
"""Built once: every request runs it, and building a statement costs more than running it."""


REVOCATIONS_CHANNEL = "invoicegraph_revocations"
"""PostgreSQL's channel for revoked client ids: servers that keep standings listen on it."""


async def announce_revocation(session: AsyncSession, *, client_id: str) -> None:
    """Tell every server process, when this transaction commits, that the client is revoked
    (auth/standings.py). SQLite has no such channel: its servers keep no standings."""
    if dialect_of(session) == "postgresql":
        connection = await session.connection()
        await connection.execute(
            sa_text("SELECT pg_notify(:channel, :client_id)"),
            {"channel": REVOCATIONS_CHANNEL, "client_id": client_id},
        )


async def client_standing(session: AsyncSession, *, public_id: str) -> ClientStanding | None:
    """The client's standing, or None when unknown: one indexed read per request, so a
    plain statement on the session's connection rather than two ORM objects."""
    connection = await session.connection()
    row = (await connection.execute(_CLIENT_STANDING, {"public_id": public_id})).first()
    return None if row is None else ClientStanding._make(row)


async def get_or_create_server_secret(session: AsyncSession, *, name: str) -> str:
    """A random secret made once and shared by every server process on this database."""
    await insert_ignoring_conflicts(
        session,
        ServerSecretRow,
        [{"name": name, "value": secrets.token_urlsafe(48)}],
    )
    result = await session.exec(select(ServerSecretRow.value).where(ServerSecretRow.name == name))
    return result.one()


async def list_workspaces(session: AsyncSession) -> list[WorkspaceRow]:
    """Every workspace, oldest first."""
    return list(await session.exec(select(WorkspaceRow).order_by(col(WorkspaceRow.id))))


async def list_api_clients(session: AsyncSession, *, workspace_id: int) -> list[ApiClientRow]:
    """The workspace's API clients, revoked ones too, oldest first."""
    rows = await session.exec(
        select(ApiClientRow)
        .where(ApiClientRow.workspace_id == workspace_id)
        .order_by(col(ApiClientRow.id))
    )
    return list(rows)


_REVOKED_COUNT = sa_select(func.count()).where(col(ApiClientRow.revoked).is_not(None))


async def revoked_client_count(session: AsyncSession) -> int:
    """How many clients were ever revoked: it grows with every revocation, so a server that
    watches it learns of one with a single cheap statement, however many sockets it holds."""
    connection = await session.connection()
    return int((await connection.execute(_REVOKED_COUNT)).scalar_one())


async def get_server_secret(session: AsyncSession, *, name: str) -> str | None:
    result = await session.exec(select(ServerSecretRow.value).where(ServerSecretRow.name == name))
    return result.first()


async def delete_server_secret(session: AsyncSession, *, name: str) -> None:
    await session.exec(delete(ServerSecretRow).where(col(ServerSecretRow.name) == name))
