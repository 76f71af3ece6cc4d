"""The Query root: one- to three-line adapters over the resolvers."""

from collections.abc import Sequence

import strawberry

from invoicegraph.resolvers import nodes
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.transaction_pages import transaction_page
from invoicegraph.schema.connections import (
    InvoiceConnection,
    TransactionConnection,
    invoice_connection,
)
from invoicegraph.schema.inputs import (
    InvoiceMatchInput,
    InvoiceOrder,
    InvoicesFilter,
    TransactionMatchInput,
    TransactionsFilter,
    UserMatchInput,
    given,
)
from invoicegraph.schema.invoice import Invoice, build_invoice, build_invoices, build_line_items
from invoicegraph.schema.node import Node, Workspace
from invoicegraph.schema.payment import Payment, Transaction
from invoicegraph.schema.selection import InvoiceParts
from invoicegraph.schema.user import User
from invoicegraph.store.records import InvoiceRecord, LineItemRecord, PaymentRecord, UserRecord
from invoicegraph.store.tables import TransactionRow, WorkspaceRow
from invoicegraph.store.transactions import TransactionFilter


async def to_nodes(info: Info, rows: Sequence[nodes.NodeRow | None]) -> list[Node | None]:
    """Invoices and line items are built together, with the parts the selection reads."""
    invoice_rows = [row for row in rows if isinstance(row, InvoiceRecord)]
    item_rows = [row for row in rows if isinstance(row, LineItemRecord)]
    built: dict[int, Node] = {}
    if invoice_rows:
        invoices = await build_invoices(info.context, invoice_rows, InvoiceParts.selected(info))
        built.update(
            (id(row), invoice) for row, invoice in zip(invoice_rows, invoices, strict=True)
        )
    if item_rows:
        items = await build_line_items(info.context, item_rows, info)
        built.update((id(row), item) for row, item in zip(item_rows, items, strict=True))
    return [built.get(id(row)) or _plain_node(row) for row in rows]


def _plain_node(row: nodes.NodeRow | None) -> Node | None:
    match row:
        case UserRecord():
            return User.from_row(row)
        case WorkspaceRow():
            return Workspace.from_row(row)
        case TransactionRow():
            return Transaction.from_row(row)
        case PaymentRecord():
            return Payment.from_row(row)
    return None


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        (node,) = await to_nodes(info, [await nodes.find_node(info.context, str(id))])
        return node

    @strawberry.field(description="At most 200 ids; null where an id is unknown or not visible.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        rows = await nodes.find_nodes(info.context, [str(id) for id in ids])
        return await to_nodes(info, rows)

    @strawberry.field(description="The workspace of the caller's credentials.")
    async def workspace(self, info: Info) -> Workspace:
        return Workspace.from_row(await nodes.caller_workspace(info.context))

    @strawberry.field
    async def invoice(self, info: Info, invoice: InvoiceMatchInput) -> Invoice | None:
        loaders = info.context.loaders
        if isinstance(invoice.id, str):
            row = await loaders.invoices_by_public_id.load(invoice.id)
        else:
            row = await loaders.invoices_by_invoice_id.load(str(invoice.invoice_id))
        if row is None:
            return None
        return await build_invoice(info, row)

    @strawberry.field(
        description="first/last default 20, at most 200. Default order: CREATED DESC."
    )
    async def invoices(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        last: int | None = strawberry.UNSET,
        before: str | None = strawberry.UNSET,
        filter: InvoicesFilter | None = strawberry.UNSET,
        order_by: InvoiceOrder | None = strawberry.UNSET,
    ) -> InvoiceConnection:
        return await invoice_connection(info, first, after, last, before, filter, order_by)

    @strawberry.field
    async def transaction(
        self, info: Info, transaction: TransactionMatchInput
    ) -> Transaction | None:
        loaders = info.context.loaders
        ref = transaction.to_ref()
        if ref.id is not None:
            row = await loaders.transactions_by_public_id.load(ref.id)
        else:
            row = await loaders.transactions_by_external_id.load(str(ref.external_id))
        return None if row is None else Transaction.from_row(row)

    @strawberry.field
    async def transactions(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        last: int | None = strawberry.UNSET,
        before: str | None = strawberry.UNSET,
        filter: TransactionsFilter | None = strawberry.UNSET,
    ) -> TransactionConnection:
        chosen = given(filter)
        page = await transaction_page(
            info.context,
            first=given(first),
            after=given(after),
            last=given(last),
            before=given(before),
            filter=TransactionFilter() if chosen is None else chosen.to_filter(),
        )
        return TransactionConnection.from_page(page)

    @strawberry.field
    async def user(self, info: Info, user: UserMatchInput) -> User | None:
        loaders = info.context.loaders
        if isinstance(user.id, str):
            row = await loaders.users_by_public_id.load(user.id)
        else:
            row = await loaders.users_by_external_id.load(str(user.external_id))
        return None if row is None else User.from_row(row)
