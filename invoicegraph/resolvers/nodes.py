"""Global object identification: any prefixed ID of the caller's workspace, else nothing."""

import asyncio
from dataclasses import dataclass, field

from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import MAX_PAGE, BadUserInput
from invoicegraph.resolvers.views import (
    InvoiceView,
    LineItemView,
    PaymentView,
    TransactionView,
    UserView,
    WorkspaceView,
)
from invoicegraph.store.ids import prefix_of
from invoicegraph.store.workspaces import get_workspace


@dataclass
class FoundNodes:
    """What a list of IDs names, by kind and position; positions in none are unknown IDs
    (or IDs of other workspaces, which look the same)."""

    count: int
    invoices: dict[int, InvoiceView] = field(default_factory=dict)
    line_items: dict[int, LineItemView] = field(default_factory=dict)
    users: dict[int, UserView] = field(default_factory=dict)
    transactions: dict[int, TransactionView] = field(default_factory=dict)
    payments: dict[int, PaymentView] = field(default_factory=dict)
    workspaces: dict[int, WorkspaceView] = field(default_factory=dict)


async def _find(context: Context, found: FoundNodes, position: int, public_id: str) -> None:
    loaders = context.loaders
    match prefix_of(public_id):
        case "inv":
            if invoice := await loaders.invoices_by_public_id.load(public_id):
                found.invoices[position] = invoice
        case "li":
            if line_item := await loaders.line_items_by_public_id.load(public_id):
                found.line_items[position] = line_item
        case "usr":
            if user := await loaders.users_by_public_id.load(public_id):
                found.users[position] = user
        case "txn":
            if transaction := await loaders.transactions_by_public_id.load(public_id):
                found.transactions[position] = transaction
        case "pay":
            if payment := await loaders.payments_by_public_id.load(public_id):
                found.payments[position] = payment
        case "ws" if public_id == context.principal.workspace_public_id:
            found.workspaces[position] = await caller_workspace(context)


async def find_nodes(context: Context, public_ids: list[str]) -> FoundNodes:
    """The rows behind IDs, in one batch per kind."""
    if len(public_ids) > MAX_PAGE:
        raise BadUserInput(f"nodes takes at most {MAX_PAGE} ids")
    found = FoundNodes(count=len(public_ids))
    # gather, so that the loaders see every id in one tick and batch them by type
    await asyncio.gather(
        *(
            _find(context, found, position, public_id)
            for position, public_id in enumerate(public_ids)
        )
    )
    return found


async def caller_workspace(context: Context) -> WorkspaceView:
    async with context.reader.session() as session:
        row = await get_workspace(session, public_id=context.principal.workspace_public_id)
    assert row is not None, "a verified principal's workspace exists"
    return row
