"""Users' expected totals over their invoices that are not VOID, kept as rows in step with
every write of line items, so that checking them costs the same for any history.

A write that may raise a user's total first locks the user rows (`lock_users`): on PostgreSQL
`SELECT ... FOR NO KEY UPDATE` in id order, after the invoice locks every money writer takes; on
SQLite the single write lock that BEGIN IMMEDIATE holds. So two writers adding to one user are
checked one after the other, the second seeing what the first committed (writers run at READ
COMMITTED: each statement sees what committed before it). Rows that only refer to the user
(payments, line items of other writers) are not held up: their foreign-key checks take KEY
SHARE, which this lock leaves free.
"""

from collections.abc import Iterable, Mapping

from sqlalchemy import Numeric, type_coerce
from sqlalchemy import select as sql_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Executable
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.settlement import MoneyKey
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.tables import UserExpectedTotalRow, UserRow


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
    """Each (user, currency, type) expected total over the invoices that are not VOID, in one
    statement that reads one row per key (`move_expected_totals` keeps them)."""
    ids = set(user_ids)
    if not ids:
        return {}
    connection = await session.connection()
    rows = await connection.execute(
        sql_select(
            col(UserExpectedTotalRow.user_id),
            col(UserExpectedTotalRow.currency),
            col(UserExpectedTotalRow.type),
            col(UserExpectedTotalRow.expected),
        ).where(
            col(UserExpectedTotalRow.workspace_id) == workspace_id,
            col(UserExpectedTotalRow.user_id).in_(ids),
        )
    )
    return {(user_id, currency, FlowType(flow)): total for user_id, currency, flow, total in rows}


async def move_expected_totals(
    session: AsyncSession, *, workspace_id: int, changes: Mapping[MoneyKey, int]
) -> None:
    """Add `changes` (signed) to the users' expected totals, in the write that changes their
    line items or an invoice's status. PostgreSQL adds in the statement (exact NUMERIC, and the
    row lock orders concurrent writers); SQLite, whose Int96 are strings and whose one writer
    holds the write lock, reads the rows and writes the sums."""
    changes = {key: amount for key, amount in changes.items() if amount}
    if not changes:
        return
    connection = await session.connection()
    table = UserExpectedTotalRow.__table__  # type: ignore[attr-defined]
    added: Executable
    if dialect_of(session) == "postgresql":
        amounts = changes
        on_pg = postgresql.insert(table)
        added = on_pg.on_conflict_do_update(
            index_elements=["user_id", "currency", "type"],
            # Int96Type is a string type to SQLAlchemy, whose + would be ||: add as NUMERIC
            set_={
                "expected": type_coerce(table.c.expected, Numeric())
                + type_coerce(on_pg.excluded.expected, Numeric())
            },
        )
    else:
        current = await expected_totals(
            session, workspace_id=workspace_id, user_ids={user for user, _, _ in changes}
        )
        amounts = {key: current.get(key, 0) + amount for key, amount in changes.items()}
        on_sqlite = sqlite.insert(table)
        added = on_sqlite.on_conflict_do_update(
            index_elements=["user_id", "currency", "type"],
            set_={"expected": on_sqlite.excluded.expected},
        )
    await connection.execute(
        added,
        [
            {
                "user_id": user_id,
                "currency": currency,
                "type": flow.value,
                "workspace_id": workspace_id,
                "expected": amount,
            }
            # in key order: concurrent writers take the rows' locks in one order (PostgreSQL)
            for (user_id, currency, flow), amount in sorted(
                amounts.items(), key=lambda item: (item[0][0], item[0][1], item[0][2].value)
            )
        ],
    )
