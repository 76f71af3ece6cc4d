"""Balances of an invoice, of each of its users, and of a user across invoices.

Expected comes from line items and actual from payments. An invoice's balances are computed
from the rows its page loaded in batches (resolvers/invoice_parts.py), a user's through the
request's loaders, so a page costs the same few statements whatever its size.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from invoicegraph.ledger.balances import Balance, Flow, compute_balances
from invoicegraph.ledger.enums import FLOW_TYPES
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.views import LineItemView, PaymentView


def expected_flows(rows: Iterable[LineItemView]) -> list[Flow]:
    """What line items expect: their `due` (amount - discount + tax)."""
    return [Flow(row.currency, FLOW_TYPES[row.type], row.due) for row in rows]


def flows(rows: Iterable[PaymentView]) -> list[Flow]:
    return [Flow(row.currency, FLOW_TYPES[row.type], row.amount) for row in rows]


def invoice_balances(
    line_items: Sequence[LineItemView], payments: Sequence[PaymentView]
) -> list[Balance]:
    return compute_balances(expected_flows(line_items), flows(payments))


@dataclass(frozen=True, slots=True)
class UserBalances:
    user_id: int
    balances: list[Balance]


def invoice_users(
    line_items: Sequence[LineItemView], payments: Sequence[PaymentView]
) -> list[UserBalances]:
    """One entry per user with a line item or payment on the invoice, in order of appearance."""
    by_user: dict[int, tuple[list[LineItemView], list[PaymentView]]] = {}
    for item in line_items:
        by_user.setdefault(item.user_id, ([], []))[0].append(item)
    for payment in payments:
        by_user.setdefault(payment.user_id, ([], []))[1].append(payment)
    return [
        UserBalances(user_id=user_id, balances=invoice_balances(items, paid))
        for user_id, (items, paid) in by_user.items()
    ]


async def user_balances(context: Context, *, user_id: int) -> list[Balance]:
    """Over every invoice the user has a line item or payment on, VOID invoices left out."""
    line_items = await context.loaders.live_line_items_by_user_id.load(user_id)
    payments = await context.loaders.live_payments_by_user_id.load(user_id)
    return compute_balances(expected_flows(line_items), flows(payments))
