"""Users' expected totals over their invoices that are not VOID, summed exactly in SQL.

A write that may raise a user's total first locks the user rows (`lock_users`): on PostgreSQL
`SELECT ... FOR NO KEY UPDATE` in id order, after the invoice locks every money writer takes; on
SQLite the single write lock that BEGIN IMMEDIATE holds. So two writers adding to one user are
checked one after the other, the second seeing what the first committed (writers run at READ
COMMITTED: each statement sees what committed before it). Rows that only refer to the user
(payments, line items of other writers) are not held up: their foreign-key checks take KEY
SHARE, which this lock leaves free.
"""

from collections.abc import Iterable

from sqlalchemy import Integer, cast, func
from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.settlement import MoneyKey
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.tables import InvoiceRow, LineItemRow, UserRow

_PART = 10**10
"""SQLite keeps Int96 amounts as decimal strings (at most 29 digits): summed in three integer
parts of 10 digits each, every part sum stays exact in 64 bits for up to 9 * 10^8 rows."""


async def lock_users(session: AsyncSession, *, user_ids: Iterable[int]) -> None:
    """Hold these users until the transaction ends (PostgreSQL; SQLite's writer holds all)."""
    ids = sorted(set(user_ids))
    if ids and dialect_of(session) == "postgresql":
        await session.exec(
            select(UserRow.id)
            .where(col(UserRow.id).in_(ids))
            .order_by(col(UserRow.id))
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE: foreign keys still pass
        )


async def expected_totals(
    session: AsyncSession, *, workspace_id: int, user_ids: Iterable[int]
) -> dict[MoneyKey, int]:
    """Each (user, currency, type) total of line items on invoices that are not VOID, in one
    statement."""
    ids = set(user_ids)
    if not ids:
        return {}
    amount = col(LineItemRow.due)  # what the balances expect: amount, less discount, plus tax
    if dialect_of(session) == "postgresql":
        sums = [func.sum(amount)]
    else:
        sums = [
            func.sum(cast(func.substr(amount, -10 * (part + 1), 10), Integer)) for part in range(3)
        ]
    query = (
        sql_select(
            col(LineItemRow.user_id), col(LineItemRow.currency), col(LineItemRow.type), *sums
        )
        .join(InvoiceRow, col(InvoiceRow.id) == col(LineItemRow.invoice_id))
        .where(
            col(LineItemRow.workspace_id) == workspace_id,
            col(LineItemRow.user_id).in_(ids),
            col(InvoiceRow.status) != InvoiceStatus.VOID.value,
        )
        .group_by(col(LineItemRow.user_id), col(LineItemRow.currency), col(LineItemRow.type))
    )
    totals: dict[MoneyKey, int] = {}
    connection = await session.connection()
    for user_id, currency, flow, *parts in await connection.execute(query):
        total = sum(int(part or 0) * _PART**index for index, part in enumerate(parts))
        totals[(user_id, currency, FlowType(flow))] = total
    return totals
