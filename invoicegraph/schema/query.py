"""The Query root: one- to three-line adapters over the resolvers."""

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
from invoicegraph.schema.invoice import Invoice, LineItem
from invoicegraph.schema.node import Node, Workspace
from invoicegraph.schema.payment import Payment, Transaction
from invoicegraph.schema.user import User
from invoicegraph.store.tables import (
    InvoiceRow,
    LineItemRow,
    PaymentRow,
    TransactionRow,
    UserRow,
    WorkspaceRow,
)
from invoicegraph.store.transactions import TransactionFilter


def to_node(row: nodes.NodeRow | None) -> Node | None:
    match row:
        case InvoiceRow():
            return Invoice.from_row(row)
        case LineItemRow():
            return LineItem.from_row(row)
        case UserRow():
            return User.from_row(row)
        case WorkspaceRow():
            return Workspace.from_row(row)
        case TransactionRow():
            return Transaction.from_row(row)
        case PaymentRow():
            return Payment.from_row(row)
    return None


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return to_node(await nodes.find_node(info.context, str(id)))

    @strawberry.field(description="At most 200 ids; null where an id is unknown or not visible.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        rows = await nodes.find_nodes(info.context, [str(id) for id in ids])
        return [to_node(row) for row in rows]

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
        return None if row is None else Invoice.from_row(row)

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
