"""The key bearer tokens are signed with: the configured one, or one made once and kept."""

from invoicegraph.store.engine import Database
from invoicegraph.store.workspaces import get_or_create_server_secret

SIGNING_KEY_NAME = "token-signing-key"


async def signing_key(db: Database, *, configured: str | None) -> str:
    """`configured` (INVOICEGRAPH_SIGNING_KEY) when set; otherwise the database's own key, made
    on first use, so tokens outlive a restart and every worker process signs alike."""
    if configured:
        return configured
    async with db.write() as session:
        return await get_or_create_server_secret(session, name=SIGNING_KEY_NAME)
