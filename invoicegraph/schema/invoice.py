"""Invoice, LineItem and InvoiceUser.

An invoice's relations (line items with their users, payments, balances, users, tags) are
plain attributes, filled by `build_invoices` for a whole page at once and only for what the
selection reads: `INVOICE_RELATIONS` says, per relation, which rows it is built from and how.
The plain executor (schema/execution.py) then completes them without a resolver call each.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import strawberry

from invoicegraph.ledger.documents import InvoiceKind
from invoicegraph.ledger.enums import FLOW_TYPES, INVOICE_STATUSES, FlowType, InvoiceStatus
from invoicegraph.ledger.totals import format_percent
from invoicegraph.resolvers import balances, discounts, documents, stakes
from invoicegraph.resolvers.context import Context, Info
from invoicegraph.resolvers.history import history_page
from invoicegraph.resolvers.invoice_parts import InvoiceRows, Rows, load_invoice_rows
from invoicegraph.resolvers.invoices import invoice_by_db_id
from invoicegraph.resolvers.users import users_by_ids
from invoicegraph.resolvers.views import InvoiceView, LineItemView, UserView
from invoicegraph.schema.arguments import given
from invoicegraph.schema.discounts import InvoiceDiscount
from invoicegraph.schema.documents import CurrencyAmount, InvoiceTotals, Period
from invoicegraph.schema.history import InvoiceVersionConnection
from invoicegraph.schema.limits import building
from invoicegraph.schema.money import Balance, Price, Tag
from invoicegraph.schema.node import Node
from invoicegraph.schema.payment import Payment
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code
from invoicegraph.schema.selection import NOT_LOADED, selected_names
from invoicegraph.schema.user import User


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
    tax_percent: str = strawberry.field(
        description='The tax rate, a percentage with at most 4 decimals ("0": untaxed).'
    )
    tax: Int96 = strawberry.field(
        description="(price.amount - discount) * taxPercent / 100, rounded half-even."
    )
    discount: Int96
    total: Int96 = strawberry.field(
        description="price.amount - discount + tax: what the balances expect of this line."
    )
    period: Period | None
    invoice_db_id: strawberry.Private[int]

    @classmethod
    def from_view(cls, row: LineItemView, user: User, names: frozenset[str]) -> "LineItem":
        """Only what the selection (`names`) reads is built: the tags cost an object each, the
        document fields (tax, period) a computation each, for every line of a page."""
        return cls(
            id=strawberry.ID(row.public_id),
            description=row.description,
            product_id=row.product_id,
            type=FLOW_TYPES[row.type],
            currency=currency_code(row.currency),
            price=Price(
                amount=Int96(row.amount), quantity=row.quantity, unit_price=Int96(row.unit_price)
            ),
            tags=Tag.from_pairs(row.tag_pairs()) if "tags" in names else NOT_LOADED,
            user=user,
            tax_percent=format_percent(row.tax_rate) if "taxPercent" in names else NOT_LOADED,
            tax=Int96(documents.line_item_tax(row)) if "tax" in names else NOT_LOADED,
            discount=Int96(row.discount),
            total=Int96(row.due),
            period=(
                Period.of(row.period_start, row.period_end) if "period" in names else NOT_LOADED
            ),
            invoice_db_id=row.invoice_id,
        )

    @strawberry.field
    async def invoice(self, info: Info) -> "Invoice":
        return await build_invoice(info, await invoice_by_db_id(info.context, self.invoice_db_id))


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
    number: str | None = strawberry.field(
        description=(
            "The document number, unique in the workspace: its prefix and sequence, given "
            "without gaps when the invoice leaves DRAFT (null while DRAFT)."
        )
    )
    kind: InvoiceKind
    description: str | None
    footer: str | None
    due_date: datetime | None
    overdue: bool = strawberry.field(description="OPEN and past dueDate.")
    period: Period | None = strawberry.field(description="The billing period.")
    subscription_id: str | None
    totals: list[InvoiceTotals] = strawberry.field(
        description="Per currency and type, from the line items; total is what balances expect."
    )
    db_id: strawberry.Private[int]
    view: strawberry.Private[InvoiceView]

    @strawberry.field(
        description=(
            "For a PAID stake: per currency, what was paid in less its returns that are not "
            "VOID (what returnStake can still give back). Empty for anything else."
        )
    )
    async def returnable_stake(self, info: Info) -> list[CurrencyAmount]:
        return CurrencyAmount.of(await stakes.returnable_stake(info.context, self.view))

    @strawberry.field(description="For a STAKE_RETURN: the stake it gives back.")
    async def stake(self, info: Info) -> "Invoice | None":
        if self.view.stake_id is None:
            return None
        return await build_invoice(info, await invoice_by_db_id(info.context, self.view.stake_id))

    @strawberry.field(description="For a stake: its returns, oldest first.")
    async def stake_returns(self, info: Info) -> list["Invoice"]:
        rows = await stakes.stake_returns(info.context, self.view)
        return await build_invoices(info.context, rows, selected_names(info))

    @strawberry.field(description="The coupons applied, in order, with what each took off.")
    async def discounts(self, info: Info) -> list[InvoiceDiscount]:
        found = await discounts.invoice_discounts(info.context, self.db_id)
        return [InvoiceDiscount.of(discount) for discount in found]

    @strawberry.field(
        description="The earlier invoice this one was recovered from; follow it for the chain."
    )
    async def recovered_from(self, info: Info) -> "Invoice | None":
        earlier = await documents.recovered_from(info.context, self.view)
        return None if earlier is None else await build_invoice(info, earlier)

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


Users = dict[int, User]


@dataclass(frozen=True, slots=True)
class Relation:
    """An Invoice field built from a page's rows, for the invoices whose selection reads it."""

    field: str
    """Its name in the schema: selected or not."""
    rows: Callable[[frozenset[str]], frozenset[Rows]]
    """The rows it is built from, given every field name selected below the invoice."""
    build: Callable[[InvoiceRows, int, Users, frozenset[str]], Any]
    """(the page's rows, the invoice's index in the page, its users, names) -> the value."""


def _line_items(rows: InvoiceRows, index: int, users: Users, names: frozenset[str]) -> Any:
    assert rows.line_items is not None
    return [
        LineItem.from_view(item, users.get(item.user_id, NOT_LOADED), names)
        for item in rows.line_items[index]
    ]


def _balances(rows: InvoiceRows, index: int, users: Users, names: frozenset[str]) -> Any:
    assert rows.line_items is not None
    assert rows.payments is not None
    computed = balances.invoice_balances(rows.line_items[index], rows.payments[index])
    return Balance.from_balances(computed)


def _users(rows: InvoiceRows, index: int, users: Users, names: frozenset[str]) -> Any:
    assert rows.line_items is not None
    assert rows.payments is not None
    return [
        InvoiceUser(user=users[entry.user_id], balances=Balance.from_balances(entry.balances))
        for entry in balances.invoice_users(rows.line_items[index], rows.payments[index])
    ]


def _payments(rows: InvoiceRows, index: int, users: Users, names: frozenset[str]) -> Any:
    assert rows.payments is not None
    return [Payment.from_view(payment) for payment in rows.payments[index]]


def _totals(rows: InvoiceRows, index: int, users: Users, names: frozenset[str]) -> Any:
    assert rows.line_items is not None
    return [InvoiceTotals.of(entry) for entry in documents.invoice_totals(rows.line_items[index])]


def _tags(rows: InvoiceRows, index: int, users: Users, names: frozenset[str]) -> Any:
    assert rows.tags is not None
    return [Tag(key=tag.key, value=tag.value) for tag in rows.tags[index]]


MONEY = frozenset({Rows.LINE_ITEMS, Rows.PAYMENTS})

INVOICE_RELATIONS: dict[str, Relation] = {
    "tags": Relation("tags", lambda names: frozenset({Rows.TAGS}), _tags),
    "line_items": Relation(
        "lineItems",
        lambda names: frozenset(
            {Rows.LINE_ITEMS, Rows.USERS} if "user" in names else {Rows.LINE_ITEMS}
        ),
        _line_items,
    ),
    "balances": Relation("balances", lambda names: MONEY, _balances),
    "users": Relation("users", lambda names: MONEY | {Rows.USERS}, _users),
    "payments": Relation("payments", lambda names: frozenset({Rows.PAYMENTS}), _payments),
    "totals": Relation("totals", lambda names: frozenset({Rows.LINE_ITEMS}), _totals),
}
"""Invoice's relations by attribute: adding one is an entry here (and its field above)."""


async def build_invoice(info: Info, row: InvoiceView) -> Invoice:
    """One invoice, with the parts the current field selects."""
    (invoice,) = await build_invoices(info.context, [row], selected_names(info))
    return invoice


async def build_invoices(
    context: Context, rows: Sequence[InvoiceView], names: frozenset[str]
) -> list[Invoice]:
    """The invoices of `rows` with the relations `names` select: one batched load per kind of
    row, so a page costs the same few statements whatever its size (concurrent callers in the
    same tick share the batches too)."""
    chosen = {
        attribute: relation
        for attribute, relation in INVOICE_RELATIONS.items()
        if relation.field in names
    }
    needed = frozenset().union(*(relation.rows(names) for relation in chosen.values()))
    loaded = await load_invoice_rows(context, [row.id for row in rows], needed)
    building(len(rows) + _listed(loaded, chosen))
    users = {} if loaded.users is None else _users_of(loaded.users)
    workspace_id = strawberry.ID(context.principal.workspace_public_id)
    unselected = dict.fromkeys(INVOICE_RELATIONS, NOT_LOADED)
    return [
        Invoice(
            id=strawberry.ID(row.public_id),
            invoice_id=row.invoice_id,
            status=INVOICE_STATUSES[row.status],
            version=row.version,
            created=row.created,
            modified=row.modified,
            workspace_id=workspace_id,
            db_id=row.id,
            view=row,
            number=row.number,
            kind=InvoiceKind(row.kind),
            description=row.description,
            footer=row.footer,
            due_date=row.due_date,
            overdue=documents.overdue_now(row) if "overdue" in names else NOT_LOADED,
            period=(
                Period.of(row.period_start, row.period_end) if "period" in names else NOT_LOADED
            ),
            subscription_id=row.subscription_id,
            **(
                unselected
                | {
                    attribute: relation.build(loaded, index, users, names)
                    for attribute, relation in chosen.items()
                }
            ),
        )
        for index, row in enumerate(rows)
    ]


def _listed(loaded: InvoiceRows, chosen: dict[str, Relation]) -> int:
    """The objects of the lists `chosen` builds: their rows (balances and users are fewer
    than the line items and payments they sum)."""
    kinds = {"line_items": loaded.line_items, "payments": loaded.payments, "tags": loaded.tags}
    return sum(
        len(rows) for kind, lists in kinds.items() if kind in chosen and lists for rows in lists
    )


def _users_of(views: dict[int, UserView]) -> Users:
    return {user_id: User.from_view(view) for user_id, view in views.items()}


async def build_line_items(
    context: Context, rows: Sequence[LineItemView], info: Info
) -> list[LineItem]:
    """Line items found by id, with their users when the selection reads them."""
    names = selected_names(info)
    building(len(rows))
    users = (
        _users_of(await users_by_ids(context, [row.user_id for row in rows]))
        if "user" in names
        else {}
    )
    return [LineItem.from_view(row, users.get(row.user_id, NOT_LOADED), names) for row in rows]
