"""Invoice, LineItem and InvoiceUser.

An invoice's relations (line items with their users, payments, balances, users, tags) are
plain attributes, filled by `build_invoices` from a few batched loads for a whole page at once
and only for what the selection reads; see schema/selection.py.
"""

import json
from collections.abc import Sequence
from datetime import datetime

import strawberry

from invoicegraph.ledger.enums import FLOW_TYPES, INVOICE_STATUSES, FlowType, InvoiceStatus
from invoicegraph.resolvers import balances
from invoicegraph.resolvers.context import Context, Info
from invoicegraph.resolvers.history import history_page
from invoicegraph.schema.history import InvoiceVersionConnection
from invoicegraph.schema.inputs import given
from invoicegraph.schema.money import Balance, Price, Tag
from invoicegraph.schema.node import Node
from invoicegraph.schema.payment import Payment
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code
from invoicegraph.schema.selection import NOT_LOADED, InvoiceParts, selected_names
from invoicegraph.schema.user import User
from invoicegraph.store.records import (
    InvoiceRecord,
    InvoiceTagRecord,
    LineItemRecord,
    PaymentRecord,
)
from invoicegraph.store.tables import InvoiceRow


@strawberry.type
class InvoiceUser:
    user: User
    balances: list[Balance]


@strawberry.type
class LineItem(Node):
    description: str
    product_id: str
    type: FlowType
    currency: CurrencyCode
    price: Price
    tags: list[Tag]
    user: User
    invoice_db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: LineItemRecord, user: User, *, tags: bool = True) -> "LineItem":
        """`tags`: whether the selection reads them (building them costs an object each)."""
        return cls(
            id=strawberry.ID(row.public_id),
            description=row.description,
            product_id=row.product_id,
            type=FLOW_TYPES[row.type],
            currency=currency_code(row.currency),
            price=Price(
                amount=Int96(row.amount), quantity=row.quantity, unit_price=Int96(row.unit_price)
            ),
            tags=Tag.from_pairs(json.loads(row.tags_json)) if tags else NOT_LOADED,
            user=user,
            invoice_db_id=row.invoice_id,
        )

    @strawberry.field
    async def invoice(self, info: Info) -> "Invoice":
        return await invoice_by_db_id(info, self.invoice_db_id)


@strawberry.type
class Invoice(Node):
    invoice_id: str = strawberry.field(
        description=(
            "The caller's own unique key for the invoice; the idempotency key of createInvoice."
        )
    )
    status: InvoiceStatus
    version: int = strawberry.field(
        description="Starts at 1; grows by one with every change to the invoice."
    )
    created: datetime
    modified: datetime
    workspace_id: strawberry.ID  # every invoice a caller can see is in the caller's workspace
    tags: list[Tag]
    line_items: list[LineItem]
    balances: list[Balance] = strawberry.field(
        description="One per currency that appears in its line items or payments."
    )
    users: list[InvoiceUser] = strawberry.field(
        description="One per user that appears in its line items or payments."
    )
    payments: list[Payment]
    db_id: strawberry.Private[int]

    @strawberry.field(description="Every version, newest first.")
    async def history(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
    ) -> InvoiceVersionConnection:
        page = await history_page(
            info.context, invoice_id=self.db_id, first=given(first), after=given(after)
        )
        return InvoiceVersionConnection.from_page(page, total_count=self.version)


async def users_by_id(context: Context, user_ids: Sequence[int]) -> dict[int, User]:
    unique = list(dict.fromkeys(user_ids))
    rows = await context.loaders.users_by_id.load_many(unique)
    found: dict[int, User] = {}
    for row in rows:
        assert row is not None, "a line item's or payment's user is in its workspace"
        found[row.id] = User.from_row(row)
    return found


async def build_invoice(info: Info, row: InvoiceRow | InvoiceRecord) -> Invoice:
    """One invoice, with the parts the current field selects."""
    (invoice,) = await build_invoices(info.context, [row], InvoiceParts.selected(info))
    return invoice


async def invoice_by_db_id(info: Info, invoice_db_id: int) -> Invoice:
    """The invoice a line item or payment belongs to (always in the caller's workspace)."""
    row = await info.context.loaders.invoices_by_id.load(invoice_db_id)
    assert row is not None, "a line item's or payment's invoice is in its workspace"
    return await build_invoice(info, row)


async def build_invoices(
    context: Context, rows: Sequence[InvoiceRow | InvoiceRecord], parts: InvoiceParts
) -> list[Invoice]:
    """The invoices of `rows` with the parts asked for: one batched load per relation, so
    a page costs the same few statements whatever its size (concurrent callers in the same
    tick share the batches too)."""
    ids = [row.id or 0 for row in rows]
    loaders = context.loaders
    items = await loaders.line_items_by_invoice_id.load_many(ids) if parts.line_item_rows else None
    paid = await loaders.payments_by_invoice_id.load_many(ids) if parts.payment_rows else None
    tags = await loaders.tags_by_invoice_id.load_many(ids) if parts.tags else None
    users: dict[int, User] | None = None
    if parts.user_rows:
        user_ids = [r.user_id for group in (items or ()) for r in group]
        user_ids += [r.user_id for group in (paid or ()) for r in group]
        users = await users_by_id(context, user_ids)
    workspace_id = strawberry.ID(context.principal.workspace_public_id)
    return [
        _invoice(
            row,
            parts,
            workspace_id,
            None if items is None else items[index],
            None if paid is None else paid[index],
            None if tags is None else tags[index],
            users,
        )
        for index, row in enumerate(rows)
    ]


def _invoice(
    row: InvoiceRow | InvoiceRecord,
    parts: InvoiceParts,
    workspace_id: strawberry.ID,
    items: Sequence[LineItemRecord] | None,
    paid: Sequence[PaymentRecord] | None,
    tags: Sequence[InvoiceTagRecord] | None,
    users: dict[int, User] | None,
) -> Invoice:
    return Invoice(
        id=strawberry.ID(row.public_id),
        invoice_id=row.invoice_id,
        status=INVOICE_STATUSES[row.status],
        version=row.version,
        created=row.created,
        modified=row.modified,
        workspace_id=workspace_id,
        tags=NOT_LOADED if tags is None else [Tag(key=t.key, value=t.value) for t in tags],
        line_items=NOT_LOADED
        if items is None or not parts.line_items
        else [
            LineItem.from_row(
                item, NOT_LOADED if users is None else users[item.user_id], tags=parts.tags
            )
            for item in items
        ],
        balances=NOT_LOADED
        if items is None or paid is None or not parts.balances
        else Balance.from_balances(balances.invoice_balances(items, paid)),
        users=NOT_LOADED
        if items is None or paid is None or users is None or not parts.users
        else [
            InvoiceUser(user=users[entry.user_id], balances=Balance.from_balances(entry.balances))
            for entry in balances.invoice_users(items, paid)
        ],
        payments=NOT_LOADED
        if paid is None or not parts.payments
        else [Payment.from_row(payment) for payment in paid],
        db_id=row.id or 0,
    )


async def build_line_items(
    context: Context, rows: Sequence[LineItemRecord], info: Info
) -> list[LineItem]:
    """Line items found by id, with their users when the selection reads them."""
    names = selected_names(info)
    users = await users_by_id(context, [row.user_id for row in rows]) if "user" in names else None
    return [
        LineItem.from_row(
            row, NOT_LOADED if users is None else users[row.user_id], tags="tags" in names
        )
        for row in rows
    ]
