"""The derived parts of the invoice document: overdue as of now, totals from line items,
and the invoice an invoice was recovered from."""

from collections.abc import Sequence
from dataclasses import dataclass

from invoicegraph.clock import now
from invoicegraph.ledger.balances import Balance
from invoicegraph.ledger.documents import is_overdue
from invoicegraph.ledger.enums import FLOW_TYPES, FlowType
from invoicegraph.ledger.totals import Totals, tax_of, totals_of
from invoicegraph.resolvers.balances import invoice_balances
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.views import InvoiceView, LineItemView
from invoicegraph.store.overdue import overdue_rows_of_user


def overdue_now(invoice: InvoiceView) -> bool:
    return is_overdue(invoice.status, invoice.due_date, now())


def line_item_tax(item: LineItemView) -> int:
    return tax_of(item.amount - item.discount, item.tax_rate)


@dataclass(frozen=True, slots=True)
class TotalledRow:
    """A stored line item as ledger/totals.py sums it."""

    currency: str
    type: FlowType
    amount: int
    discount: int
    tax: int


def invoice_totals(line_items: Sequence[LineItemView]) -> list[Totals]:
    return totals_of(
        TotalledRow(
            currency=item.currency,
            type=FLOW_TYPES[item.type],
            amount=item.amount,
            discount=item.discount,
            tax=line_item_tax(item),
        )
        for item in line_items
    )


async def recovered_from(context: Context, invoice: InvoiceView) -> InvoiceView | None:
    if invoice.recovered_from_id is None:
        return None
    return await context.loaders.invoices_by_id.load(invoice.recovered_from_id)


@dataclass(frozen=True, slots=True)
class OverdueSummary:
    invoice_count: int
    balances: list[Balance]
    """This user's part of them, per currency."""


async def user_overdue(context: Context, *, user_id: int) -> OverdueSummary:
    """The user's overdue invoices as of now: how many, and what they owe and are owed there."""
    async with context.reader.session() as session:
        items, payments = await overdue_rows_of_user(
            session, workspace_id=context.workspace_id, user_id=user_id
        )
    invoices = {row.invoice_id for row in items} | {row.invoice_id for row in payments}
    return OverdueSummary(invoice_count=len(invoices), balances=invoice_balances(items, payments))
