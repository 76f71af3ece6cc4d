"""Relay-style connections with keyset cursors."""

import strawberry

from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.invoices import InvoicePage, count_invoices, invoice_cursor
from invoicegraph.schema.invoice import Invoice
from invoicegraph.schema.pages import PageInfo


@strawberry.type
class InvoiceEdge:
    cursor: str
    node: Invoice


@strawberry.type
class InvoiceConnection:
    edges: list[InvoiceEdge]
    nodes: list[Invoice]
    page_info: PageInfo

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
        )

    @strawberry.field(description="Computed only when selected.")
    async def total_count(self, info: Info) -> int:
        return await count_invoices(info.context)
