"""Relay-style connections with keyset cursors."""

from dataclasses import replace

import strawberry

from invoicegraph.ledger.filters import InvoiceFilter, PaymentFilter, TransactionFilter
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.invoices import (
    InvoicePage,
    count_invoices,
    invoice_cursor,
    invoice_page,
)
from invoicegraph.resolvers.objects import filter_ids
from invoicegraph.resolvers.payment_pages import PaymentPage, payment_cursor, total_payments
from invoicegraph.resolvers.transaction_pages import (
    TransactionPage,
    total_transactions,
    transaction_cursor,
)
from invoicegraph.resolvers.users import user_filter_id
from invoicegraph.schema.arguments import given
from invoicegraph.schema.inputs.filters import InvoiceOrderInput, InvoicesFilterInput
from invoicegraph.schema.invoice import Invoice, build_invoices
from invoicegraph.schema.pages import Edge, PageInfo, edges_of
from invoicegraph.schema.payment import Payment, Transaction
from invoicegraph.schema.selection import NOT_LOADED, selected_names


@strawberry.type
class InvoiceConnection:
    edges: list[Edge[Invoice]]
    nodes: list[Invoice]
    page_info: PageInfo
    page: strawberry.Private[InvoicePage]

    @classmethod
    async def build(cls, info: Info, page: InvoicePage) -> "InvoiceConnection":
        """Edges (a cursor each) only when the selection reads them."""
        nodes = await build_invoices(info.context, page.rows, selected_names(info))
        cursor = invoice_cursor(page.order)
        return cls(
            edges=edges_of((cursor(row) for row in page.rows), nodes)
            if "edges" in selected_names(info)
            else NOT_LOADED,
            nodes=nodes,
            page_info=PageInfo.from_data(page.page_info),
            page=page,
        )

    @strawberry.field(description="Computed only when selected.")
    async def total_count(self, info: Info) -> int:
        return await count_invoices(info.context, filter=self.page.filter)


@strawberry.type
class TransactionConnection:
    edges: list[Edge[Transaction]]
    nodes: list[Transaction]
    page_info: PageInfo
    filter: strawberry.Private[TransactionFilter]

    @classmethod
    def from_page(cls, page: TransactionPage) -> "TransactionConnection":
        nodes = [Transaction.from_view(row) for row in page.rows]
        return cls(
            edges=edges_of((transaction_cursor(row) for row in page.rows), nodes),
            nodes=nodes,
            page_info=PageInfo.from_data(page.page_info),
            filter=page.filter,
        )

    @strawberry.field(description="Computed only when selected.")
    async def total_count(self, info: Info) -> int:
        return await total_transactions(info.context, filter=self.filter)


@strawberry.type
class PaymentConnection:
    edges: list[Edge[Payment]]
    nodes: list[Payment]
    page_info: PageInfo
    filter: strawberry.Private[PaymentFilter]

    @classmethod
    def from_page(cls, page: PaymentPage) -> "PaymentConnection":
        nodes = [Payment.from_view(row) for row in page.rows]
        return cls(
            edges=edges_of((payment_cursor(row) for row in page.rows), nodes),
            nodes=nodes,
            page_info=PageInfo.from_data(page.page_info),
            filter=page.filter,
        )

    @strawberry.field(description="Computed only when selected.")
    async def total_count(self, info: Info) -> int:
        return await total_payments(info.context, filter=self.filter)


async def invoice_connection(
    info: Info,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter: InvoicesFilterInput | None,
    order_by: InvoiceOrderInput | None,
    *,
    user_id: int | None = None,
    product_code: str | None = None,
) -> InvoiceConnection:
    """Query.invoices, User.invoices and Product.invoices: the same list, the latter two
    narrowed to one user or one product's code.

    A `user` in the filter narrows further: User.invoices of alice filtered by bob lists the
    invoices both are on.
    """
    chosen, order = given(filter), given(order_by)
    user_ids: tuple[int, ...] = () if user_id is None else (user_id,)
    if chosen is not None and (user := given(chosen.user)) is not None:
        user_ids += (await user_filter_id(info.context, user.to_ref()),)
    list_filter = InvoiceFilter(user_ids=user_ids)
    if chosen is not None:
        every, some, account = chosen.refs()
        resolved = await filter_ids(info.context, users_all=every, users_any=some, account=account)
        list_filter = chosen.to_filter(user_ids=user_ids, resolved=resolved)
    if product_code is not None:
        codes = list_filter.product_ids
        kept = [product_code] if codes is None or product_code in codes else []
        list_filter = replace(list_filter, product_ids=kept)
    page = await invoice_page(
        info.context,
        first=given(first),
        after=given(after),
        last=given(last),
        before=given(before),
        filter=list_filter,
        order=order.to_order() if order else None,
    )
    return await InvoiceConnection.build(info, page)
