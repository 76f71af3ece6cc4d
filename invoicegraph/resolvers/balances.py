"""Balances of an invoice, of each of its users, and of a user across invoices.

Expected comes from line items and actual from payments, both read through the request's
loaders, so a page of invoices costs the same few statements whatever its size.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from invoicegraph.ledger.balances import Balance, Flow, compute_balances
from invoicegraph.ledger.enums import FlowType
from invoicegraph.resolvers.context import Context
from invoicegraph.store.tables import LineItemRow, PaymentRow, UserRow


def flows(rows: Iterable[LineItemRow | PaymentRow]) -> list[Flow]:
    return [Flow(currency=row.currency, type=FlowType(row.type), amount=row.amount) for row in rows]


async def invoice_balances(context: Context, *, invoice_id: int) -> list[Balance]:
    line_items = await context.loaders.line_items_by_invoice_id.load(invoice_id)
    payments = await context.loaders.payments_by_invoice_id.load(invoice_id)
    return compute_balances(flows(line_items), flows(payments))


@dataclass(frozen=True, slots=True)
class UserBalances:
    user: UserRow
    balances: list[Balance]


async def invoice_users(context: Context, *, invoice_id: int) -> list[UserBalances]:
    """One entry per user with a line item or payment on the invoice, in order of appearance."""
    line_items = await context.loaders.line_items_by_invoice_id.load(invoice_id)
    payments = await context.loaders.payments_by_invoice_id.load(invoice_id)
    by_user: dict[int, tuple[list[LineItemRow], list[PaymentRow]]] = {}
    for item in line_items:
        by_user.setdefault(item.user_id, ([], []))[0].append(item)
    for payment in payments:
        by_user.setdefault(payment.user_id, ([], []))[1].append(payment)
    users = await context.loaders.users_by_id.load_many(list(by_user))
    return [
        UserBalances(
            user=user,
            balances=compute_balances(flows(by_user[user_id][0]), flows(by_user[user_id][1])),
        )
        for user_id, user in zip(by_user, users, strict=True)
        if user is not None
    ]


async def user_balances(context: Context, *, user_id: int) -> list[Balance]:
    """Over every invoice the user has a line item or payment on, VOID invoices left out."""
    line_items = await context.loaders.live_line_items_by_user_id.load(user_id)
    payments = await context.loaders.live_payments_by_user_id.load(user_id)
    return compute_balances(flows(line_items), flows(payments))
