"""Relay-style connections with keyset cursors."""

import strawberry

from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.invoices import InvoicePage, count_invoices, invoice_cursor
from invoicegraph.resolvers.transaction_pages import (
    TransactionPage,
    total_transactions,
    transaction_cursor,
)
from invoicegraph.schema.invoice import Invoice
from invoicegraph.schema.pages import PageInfo
from invoicegraph.schema.payment import Transaction
from invoicegraph.store.transactions import TransactionFilter


@strawberry.type
class InvoiceEdge:
    cursor: str
    node: Invoice


@strawberry.type
class InvoiceConnection:
    edges: list[InvoiceEdge]
    nodes: list[Invoice]
    page_info: PageInfo
    user_id: strawberry.Private[int | None]

    @classmethod
    def from_page(cls, page: InvoicePage) -> "InvoiceConnection":
        nodes = [Invoice.from_row(row) for row in page.rows]
        return cls(
            edges=[
                InvoiceEdge(cursor=invoice_cursor(row), node=node)
                for row, node in zip(page.rows, nodes, strict=True)
            ],
            nodes=nodes,
            page_info=PageInfo.from_data(page.page_info),
            user_id=page.user_id,
        )

    @strawberry.field(description="Computed only when selected.")
    async def total_count(self, info: Info) -> int:
        return await count_invoices(info.context, user_id=self.user_id)


@strawberry.type
class TransactionEdge:
    cursor: str
    node: Transaction


@strawberry.type
class TransactionConnection:
    edges: list[TransactionEdge]
    nodes: list[Transaction]
    page_info: PageInfo
    filter: strawberry.Private[TransactionFilter]

    @classmethod
    def from_page(cls, page: TransactionPage) -> "TransactionConnection":
        nodes = [Transaction.from_row(row) for row in page.rows]
        return cls(
            edges=[
                TransactionEdge(cursor=transaction_cursor(row), node=node)
                for row, node in zip(page.rows, nodes, strict=True)
            ],
            nodes=nodes,
            page_info=PageInfo.from_data(page.page_info),
            filter=page.filter,
        )

    @strawberry.field(description="Computed only when selected.")
    async def total_count(self, info: Info) -> int:
        return await total_transactions(info.context, filter=self.filter)
