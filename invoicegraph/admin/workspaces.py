"""Workspaces and their API clients, as an operator creates and revokes them from the CLI."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, update

from invoicegraph.auth.secrets import hash_client_secret, new_client_secret
from invoicegraph.auth.standings import revocation_heard
from invoicegraph.clock import now
from invoicegraph.store.engine import Database
from invoicegraph.store.numbering import PREFIX_MAX, set_prefix
from invoicegraph.store.tables import ApiClientRow, WorkspaceRow
from invoicegraph.store.workspaces import (
    announce_revocation,
    get_workspace,
    insert_api_client,
    insert_workspace,
    list_api_clients,
    list_workspaces,
)


@dataclass(frozen=True, slots=True)
class NewClient:
    workspace_id: str
    client_id: str
    client_secret: str
    """Shown once: only its hash is stored."""


async def create_workspace(db: Database, *, name: str) -> WorkspaceRow:
    async with db.write() as session:
        return await insert_workspace(session, name=name)


async def create_client(db: Database, *, workspace_public_id: str) -> NewClient | None:
    """A new API client of the workspace, or None when the workspace does not exist."""
    secret = new_client_secret()
    async with db.write() as session:
        workspace = await get_workspace(session, public_id=workspace_public_id)
        if workspace is None or workspace.id is None:
            return None
        client = await insert_api_client(
            session, workspace_id=workspace.id, secret_hash=hash_client_secret(secret)
        )
    return NewClient(
        workspace_id=workspace_public_id, client_id=client.public_id, client_secret=secret
    )


async def revoke_client(db: Database, *, client_id: str) -> bool:
    """Revoke a client's credentials; its tokens stop working on their next request (on
    PostgreSQL this returns once every server has been sent the revocation)."""
    async with revocation_heard(db, client_id) as heard:
        async with db.write() as session:
            result = await session.exec(
                update(ApiClientRow)
                .where(
                    col(ApiClientRow.public_id) == client_id, col(ApiClientRow.revoked).is_(None)
                )
                .values(revoked=now())
            )
            if not result.rowcount:
                return False
            await announce_revocation(session, client_id=client_id)
        await heard()
    return True


@dataclass(frozen=True, slots=True)
class ClientEntry:
    client_id: str
    created: datetime
    revoked: datetime | None


async def workspaces(db: Database) -> list[WorkspaceRow]:
    async with db.read() as session:
        return await list_workspaces(session)


async def clients_of(db: Database, *, workspace_public_id: str) -> list[ClientEntry] | None:
    """The workspace's clients (never their secrets: only hashes are kept); None when the
    workspace does not exist."""
    async with db.read() as session:
        workspace = await get_workspace(session, public_id=workspace_public_id)
        if workspace is None or workspace.id is None:
            return None
        rows = await list_api_clients(session, workspace_id=workspace.id)
    return [ClientEntry(row.public_id, row.created, row.revoked) for row in rows]


def invoice_prefix_problem(prefix: str) -> str | None:
    """Why `prefix` cannot start invoice numbers, or None: 1-32 printable characters, no spaces."""
    if not 1 <= len(prefix) <= PREFIX_MAX or not prefix.isprintable() or " " in prefix:
        return f"an invoice prefix is 1-{PREFIX_MAX} printable characters without spaces"
    return None


async def set_invoice_prefix(db: Database, *, workspace_public_id: str, prefix: str) -> bool:
    """Invoices the workspace numbers from now on start with `prefix` (the sequence goes on);
    False when the workspace does not exist."""
    async with db.write() as session:
        workspace = await get_workspace(session, public_id=workspace_public_id)
        if workspace is None or workspace.id is None:
            return False
        await set_prefix(session, workspace_id=workspace.id, prefix=prefix)
    return True
