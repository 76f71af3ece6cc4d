"""The key bearer tokens are signed with, where it is kept, and how old installs move.

In order of preference:
1. INVOICEGRAPH_SIGNING_KEY, when set (what a deployment with a secret store does).
2. On SQLite, a key file beside the database (`invoicegraph.db.key`, owner-only 0600), made on
   first use. An install whose key is still in the database (as every install before this
   was) has it moved to the file once, and deleted from the database, so the tokens it issued
   stay valid and a copy of the database no longer lets anyone mint tokens.
3. On PostgreSQL, a key kept in the database, shared by every worker and machine: set
   INVOICEGRAPH_SIGNING_KEY there to keep it out of the database.
"""

import os
import secrets
from pathlib import Path

from invoicegraph.store.engine import PRIVATE, Database, sqlite_file
from invoicegraph.store.workspaces import (
    delete_server_secret,
    get_or_create_server_secret,
    get_server_secret,
)

SIGNING_KEY_NAME = "token-signing-key"


def key_file(db: Database) -> Path | None:
    """Where a SQLite database's key is kept; None for PostgreSQL or an in-memory database."""
    path = sqlite_file(db.url)
    return None if path is None else Path(f"{path}.key")


async def signing_key(db: Database, *, configured: str | None) -> str:
    """`configured` when set; else the key file's key (SQLite) or the database's (PostgreSQL),
    made on first use, so tokens outlive a restart and every worker process signs alike."""
    if configured:
        return configured
    path = key_file(db)
    if path is None:
        async with db.write() as session:
            return await get_or_create_server_secret(session, name=SIGNING_KEY_NAME)
    if path.exists():
        return path.read_text().strip()
    async with db.write() as session:
        if path.exists():  # another process moved or made it while this one waited
            return path.read_text().strip()
        key = await get_server_secret(session, name=SIGNING_KEY_NAME) or secrets.token_urlsafe(48)
        _write_private(path, key)
        await delete_server_secret(session, name=SIGNING_KEY_NAME)
    return key


def _write_private(path: Path, key: str) -> None:
    """Write the key to a new owner-only file (the write transaction around it means one
    process at a time gets here)."""
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
