"""The `invoices` field of a User and of a Product: Query.invoices narrowed to its parent."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Protocol

import strawberry

from invoicegraph.resolvers.context import Info

if TYPE_CHECKING:
    from invoicegraph.schema.connections import InvoiceConnection
    from invoicegraph.schema.inputs.filters import InvoiceOrderInput, InvoicesFilterInput


@dataclass(frozen=True, slots=True)
class InvoiceScope:
    user_id: int | None = None
    """The invoices this user has a line item or payment on."""
    product_code: str | None = None
    """The invoices with a line item whose productId is this code."""


class ScopesInvoices(Protocol):
    def invoice_scope(self) -> InvoiceScope: ...


async def scoped_invoices(
    root: ScopesInvoices,
    info: Info,
    first: int | None = strawberry.UNSET,
    after: str | None = strawberry.UNSET,
    last: int | None = strawberry.UNSET,
    before: str | None = strawberry.UNSET,
    filter: Annotated["InvoicesFilterInput", strawberry.lazy("invoicegraph.schema.inputs.filters")]
    | None = strawberry.UNSET,
    order_by: Annotated["InvoiceOrderInput", strawberry.lazy("invoicegraph.schema.inputs.filters")]
    | None = strawberry.UNSET,
) -> Annotated["InvoiceConnection", strawberry.lazy("invoicegraph.schema.connections")]:
    """The parent's invoices, paged, ordered and filtered as Query.invoices."""
    from invoicegraph.schema.connections import invoice_connection

    scope = root.invoice_scope()
    return await invoice_connection(
        info,
        first,
        after,
        last,
        before,
        filter,
        order_by,
        user_id=scope.user_id,
        product_code=scope.product_code,
    )
