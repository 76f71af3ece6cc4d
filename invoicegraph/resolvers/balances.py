"""Balances of an invoice and of each of its users, from rows the loaders already batch."""

from dataclasses import dataclass

from invoicegraph.ledger.balances import Balance, Flow, compute_balances
from invoicegraph.ledger.enums import FlowType
from invoicegraph.resolvers.context import Context
from invoicegraph.store.tables import LineItemRow, UserRow


def _expected(rows: list[LineItemRow]) -> list[Flow]:
    return [Flow(currency=row.currency, type=FlowType(row.type), amount=row.amount) for row in rows]


async def invoice_balances(context: Context, *, invoice_id: int) -> list[Balance]:
    """Expected from line items; actual stays 0 until payments exist."""
    rows = await context.loaders.line_items_by_invoice_id.load(invoice_id)
    return compute_balances(_expected(rows), [])


@dataclass(frozen=True, slots=True)
class UserBalances:
    user: UserRow
    balances: list[Balance]


async def invoice_users(context: Context, *, invoice_id: int) -> list[UserBalances]:
    """One entry per user with a line item on the invoice, in order of first appearance."""
    rows = await context.loaders.line_items_by_invoice_id.load(invoice_id)
    by_user: dict[int, list[LineItemRow]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    users = await context.loaders.users_by_id.load_many(list(by_user))
    return [
        UserBalances(user=user, balances=compute_balances(_expected(by_user[user_id]), []))
        for user_id, user in zip(by_user, users, strict=True)
        if user is not None
    ]
