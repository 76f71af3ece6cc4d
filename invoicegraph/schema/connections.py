"""Relay-style connections with keyset cursors."""

import strawberry

from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.invoices import InvoicePage, count_invoices, invoice_cursor
from invoicegraph.resolvers.pagination import PageInfoData
from invoicegraph.schema.invoice import Invoice


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def from_data(cls, data: PageInfoData) -> "PageInfo":
        return cls(
            has_next_page=data.has_next_page,
            has_previous_page=data.has_previous_page,
            start_cursor=data.start_cursor,
            end_cursor=data.end_cursor,
        )


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
