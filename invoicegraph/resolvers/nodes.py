"""Global object identification: any prefixed ID of the caller's workspace, else nothing."""

import asyncio

from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import MAX_PAGE, BadUserInput
from invoicegraph.store.ids import prefix_of
from invoicegraph.store.records import InvoiceRecord, LineItemRecord, PaymentRecord, UserRecord
from invoicegraph.store.tables import TransactionRow, WorkspaceRow
from invoicegraph.store.workspaces import get_workspace

NodeRow = (
    InvoiceRecord | LineItemRecord | UserRecord | WorkspaceRow | TransactionRow | PaymentRecord
)


async def find_node(context: Context, public_id: str) -> NodeRow | None:
    """The row behind an ID; None for unknown IDs and for IDs of other workspaces alike."""
    loaders = context.loaders
    match prefix_of(public_id):
        case "inv":
            return await loaders.invoices_by_public_id.load(public_id)
        case "li":
            return await loaders.line_items_by_public_id.load(public_id)
        case "usr":
            return await loaders.users_by_public_id.load(public_id)
        case "txn":
            return await loaders.transactions_by_public_id.load(public_id)
        case "pay":
            return await loaders.payments_by_public_id.load(public_id)
        case "ws" if public_id == context.principal.workspace_public_id:
            return await caller_workspace(context)
        case _:
            return None


async def find_nodes(context: Context, public_ids: list[str]) -> list[NodeRow | None]:
    if len(public_ids) > MAX_PAGE:
        raise BadUserInput(f"nodes takes at most {MAX_PAGE} ids")
    # gather, so that the loaders see every id in one tick and batch them by type
    return list(await asyncio.gather(*(find_node(context, public_id) for public_id in public_ids)))


async def caller_workspace(context: Context) -> WorkspaceRow:
    async with context.reader.session() as session:
        row = await get_workspace(session, public_id=context.principal.workspace_public_id)
    assert row is not None, "a verified principal's workspace exists"
    return row
