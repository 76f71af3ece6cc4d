"""The rows an invoice page's relations are built from, loaded in a few batches.

A page of invoices is built with what its selection reads (schema/invoice.py names which rows
each relation needs); loading them here, one batch per kind for the whole page, keeps the
number of statements the same whatever the page's size.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.users import users_by_ids
from invoicegraph.resolvers.views import LineItemView, PaymentView, TagView, UserView


class Rows(Enum):
    LINE_ITEMS = "line items"
    PAYMENTS = "payments"
    TAGS = "tags"
    USERS = "users"
    """The users of the loaded line items and payments."""


@dataclass(frozen=True, slots=True)
class InvoiceRows:
    """Each list is in the order of the page's invoices; None where it was not asked for."""

    line_items: Sequence[Sequence[LineItemView]] | None
    payments: Sequence[Sequence[PaymentView]] | None
    tags: Sequence[Sequence[TagView]] | None
    users: dict[int, UserView] | None


async def load_invoice_rows(
    context: Context, invoice_ids: Sequence[int], needed: Iterable[Rows]
) -> InvoiceRows:
    needed = frozenset(needed)
    loaders = context.loaders
    items: Sequence[Sequence[LineItemView]] | None = None
    paid: Sequence[Sequence[PaymentView]] | None = None
    tags: Sequence[Sequence[TagView]] | None = None
    if Rows.LINE_ITEMS in needed:
        items = await loaders.line_items_by_invoice_id.load_many(invoice_ids)
    if Rows.PAYMENTS in needed:
        paid = await loaders.payments_by_invoice_id.load_many(invoice_ids)
    if Rows.TAGS in needed:
        tags = await loaders.tags_by_invoice_id.load_many(invoice_ids)
    users: dict[int, UserView] | None = None
    if Rows.USERS in needed:
        user_ids = [row.user_id for group in items or () for row in group]
        user_ids += [row.user_id for group in paid or () for row in group]
        users = await users_by_ids(context, user_ids)
    return InvoiceRows(line_items=items, payments=paid, tags=tags, users=users)
