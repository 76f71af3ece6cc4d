"""The transaction aggregate: the transaction row, its tags, and its allocations (payments).

Every writer to an invoice's money takes the invoice rows it touches first, in id order
(`lock_invoices`): `SELECT ... FOR UPDATE` on PostgreSQL, and on SQLite the single write lock
that BEGIN IMMEDIATE already holds. So two allocations racing for the last of an invoice, or an
allocation racing a line-item decrease, are checked one after the other, never both past the
invariant.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, inspect, tuple_, update
from sqlalchemy import select as sql_select
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.errors import VersionConflict
from invoicegraph.ledger.filters import TransactionFilter
from invoicegraph.ledger.payments import InvoiceRef
from invoicegraph.ledger.settlement import MoneyFlags
from invoicegraph.ledger.tags import Tag
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.filters import tags_condition
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.records import TransactionRecord, fetch_records, select_of
from invoicegraph.store.tables import (
    InvoiceRow,
    LineItemRow,
    PaymentRow,
    TransactionRow,
    TransactionTagRow,
)
from invoicegraph.store.upsert import insert_ignoring


@dataclass(frozen=True, slots=True)
class NewPayment:
    invoice_id: int
    user_id: int
    type: FlowType
    amount: int


async def get_transaction(
    session: AsyncSession,
    *,
    workspace_id: int,
    public_id: str | None = None,
    external_id: str | None = None,
    for_update: bool = False,
) -> TransactionRow | None:
    query = select(TransactionRow).where(TransactionRow.workspace_id == workspace_id)
    if public_id is not None:
        query = query.where(TransactionRow.public_id == public_id)
    if external_id is not None:
        query = query.where(TransactionRow.external_id == external_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def get_transactions_by_key(
    session: AsyncSession, *, workspace_id: int, keys: Sequence[str]
) -> dict[str, TransactionRow]:
    """The transactions of this workspace with these externalIds, by externalId."""
    if not keys:
        return {}
    rows = await session.exec(
        select(TransactionRow).where(
            TransactionRow.workspace_id == workspace_id,
            col(TransactionRow.external_id).in_(set(keys)),
        )
    )
    return {row.external_id: row for row in rows}


async def insert_transaction(
    session: AsyncSession,
    *,
    workspace_id: int,
    external_id: str,
    amount: int,
    currency: str,
    posted: datetime,
    tags: tuple[Tag, ...],
    fingerprint: str,
    now: datetime,
    unallocated: int | None = None,
    account_id: int | None = None,
) -> TransactionRow | None:
    """Write a new transaction with its tags; None, writing nothing, when the workspace
    already has one with this externalId (on PostgreSQL, after waiting for a concurrent writer
    of the same key). `unallocated`: what its allocations will leave (all of it by default).
    The row returned is not in the session."""
    values: dict[str, Any] = {
        "public_id": new_public_id("txn"),
        "workspace_id": workspace_id,
        "external_id": external_id,
        "amount": amount,
        "currency": currency,
        "posted": posted,
        "version": 1,
        "unallocated": abs(amount) if unallocated is None else unallocated,
        "created": now,
        "request_hash": fingerprint,
        "account_id": account_id,
    }
    connection = await session.connection()
    claimed = await connection.execute(
        insert_ignoring(connection.dialect.name, TransactionRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["workspace_id", "external_id"])
        .returning(col(TransactionRow.id))
    )
    row_id = claimed.scalar_one_or_none()
    if row_id is None:
        return None
    if tags:
        await connection.execute(
            insert(TransactionTagRow),
            [
                {
                    "transaction_id": row_id,
                    "workspace_id": workspace_id,
                    "key": tag.key,
                    "value": tag.value,
                    "position": position,
                }
                for position, tag in enumerate(tags)
            ],
        )
    return TransactionRow(id=row_id, **values)


async def lock_invoices(
    session: AsyncSession,
    *,
    workspace_id: int,
    refs: Iterable[InvoiceRef] = (),
    row_ids: Iterable[int] = (),
) -> dict[InvoiceRef | int, InvoiceRow]:
    """Lock, in one statement and in id order, the invoices named by reference or by row id.

    Answers by reference and by row id; unknown references are left out.
    """
    refs, row_ids = set(refs), set(row_ids)
    if not refs and not row_ids:
        return {}
    public_ids = {ref.id for ref in refs if ref.id is not None}
    invoice_ids = {ref.invoice_id for ref in refs if ref.invoice_id is not None}
    rows = await session.exec(
        select(InvoiceRow)
        .where(
            InvoiceRow.workspace_id == workspace_id,
            or_(
                col(InvoiceRow.public_id).in_(public_ids),
                col(InvoiceRow.invoice_id).in_(invoice_ids),
                col(InvoiceRow.id).in_(row_ids),
            ),
        )
        .order_by(col(InvoiceRow.id))
        .with_for_update()
    )
    found: dict[InvoiceRef | int, InvoiceRow] = {}
    for row in rows:
        assert row.id is not None
        found[row.id] = row
        found[InvoiceRef(id=row.public_id)] = row
        found[InvoiceRef(invoice_id=row.invoice_id)] = row
    return found


async def payments_of(session: AsyncSession, *, transaction_id: int) -> list[PaymentRow]:
    rows = await session.exec(
        select(PaymentRow)
        .where(PaymentRow.transaction_id == transaction_id)
        .order_by(col(PaymentRow.id))
    )
    return list(rows)


async def insert_payments(
    session: AsyncSession, *, transaction: TransactionRow, payments: Sequence[NewPayment]
) -> list[PaymentRow]:
    assert transaction.id is not None
    rows = [
        PaymentRow(
            public_id=new_public_id("pay"),
            workspace_id=transaction.workspace_id,
            transaction_id=transaction.id,
            invoice_id=payment.invoice_id,
            user_id=payment.user_id,
            type=payment.type.value,
            amount=payment.amount,
            currency=transaction.currency,
            posted=transaction.posted,
        )
        for payment in payments
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def set_payment_amount(session: AsyncSession, *, payment_id: int, amount: int) -> None:
    await session.exec(
        update(PaymentRow).where(col(PaymentRow.id) == payment_id).values(amount=amount)
    )


async def delete_payments(session: AsyncSession, *, payment_ids: Sequence[int]) -> None:
    if payment_ids:
        await session.exec(delete(PaymentRow).where(col(PaymentRow.id).in_(payment_ids)))


async def advance_transaction(
    session: AsyncSession, *, transaction: TransactionRow, expected_version: int, unallocated: int
) -> None:
    """Move the transaction to its next version, iff it is still at `expected_version`."""
    bumped = await session.exec(
        update(TransactionRow)
        .where(
            col(TransactionRow.id) == transaction.id,
            col(TransactionRow.version) == expected_version,
        )
        .values(version=expected_version + 1, unallocated=unallocated)
    )
    if bumped.rowcount != 1:
        raise VersionConflict(expected=expected_version, current=transaction.version)
    await session.refresh(transaction)


class MoneyRecord(NamedTuple):
    """A line item's or a payment's money: what ledger.settlement sums."""

    invoice_id: int
    user_id: int
    currency: str
    type: str
    amount: int


async def money_rows(
    session: AsyncSession, *, invoice_ids: Iterable[int]
) -> tuple[list[MoneyRecord], list[MoneyRecord]]:
    """The money of these invoices' line items (their `due`: amount - discount + tax) and of
    their payments (summed by the ledger: SQLite has no exact Int96 arithmetic)."""
    ids = set(invoice_ids)
    line_items = await _money_of(session, LineItemRow, "due", ids)
    return line_items, await payment_money(session, invoice_ids=ids)


async def payment_money(session: AsyncSession, *, invoice_ids: Iterable[int]) -> list[MoneyRecord]:
    """The money of these invoices' payments alone (for a writer that has the line items)."""
    return await _money_of(session, PaymentRow, "amount", set(invoice_ids))


async def _money_of(
    session: AsyncSession, table: type[LineItemRow] | type[PaymentRow], amount: str, ids: set[int]
) -> list[MoneyRecord]:
    columns = inspect(table).local_table.c
    query = sql_select(
        *(columns[name] for name in MoneyRecord._fields[:-1]), columns[amount]
    ).where(columns["invoice_id"].in_(ids))
    connection = await session.connection()
    return [MoneyRecord._make(row) for row in await connection.execute(query)]


@dataclass(frozen=True, slots=True)
class TransactionKey:
    """Where a transaction sits in the default order (posted, then id), named by its public id
    (cursors show no row id; the row id is looked up inside the seek)."""

    posted: datetime
    public_id: str

    def bound(self, workspace_id: int) -> ColumnElement[Any]:
        row_id = (
            select(TransactionRow.id)
            .where(
                TransactionRow.workspace_id == workspace_id,
                TransactionRow.public_id == self.public_id,
            )
            .scalar_subquery()
        )
        return tuple_(self.posted, row_id)


def transaction_conditions(
    filter: TransactionFilter, *, workspace_id: int, dialect: str
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(TransactionRow.workspace_id) == workspace_id]
    if filter.external_ids is not None:
        conditions.append(col(TransactionRow.external_id).in_(filter.external_ids))
    if filter.currency is not None:
        conditions.append(col(TransactionRow.currency) == filter.currency)
    if filter.posted_after is not None:
        conditions.append(col(TransactionRow.posted) > filter.posted_after)
    if filter.posted_before is not None:
        conditions.append(col(TransactionRow.posted) < filter.posted_before)
    if filter.posted_on_or_after is not None:
        conditions.append(col(TransactionRow.posted) >= filter.posted_on_or_after)
    if filter.posted_on_or_before is not None:
        conditions.append(col(TransactionRow.posted) <= filter.posted_on_or_before)
    if filter.has_unallocated is not None:
        unallocated = col(TransactionRow.unallocated)
        conditions.append(unallocated != 0 if filter.has_unallocated else unallocated == 0)
    tags = tags_condition(
        TransactionTagRow,
        "transaction_id",
        inspect(TransactionRow).local_table.c["id"],
        all_of=filter.tags_all,
        any_of=filter.tags_any,
        dialect=dialect,
    )
    if tags is not None:
        conditions.append(tags)
    if filter.account_ids is not None:
        conditions.append(col(TransactionRow.account_id).in_(filter.account_ids))
    return conditions


async def list_transactions(
    session: AsyncSession,
    *,
    workspace_id: int,
    filter: TransactionFilter,
    limit: int,
    after: TransactionKey | None = None,
    before: TransactionKey | None = None,
    from_end: bool = False,
) -> list[TransactionRecord]:
    """Up to `limit` transactions, latest posted first, strictly between the keys (keyset)."""
    order_key = tuple_(col(TransactionRow.posted), col(TransactionRow.id))
    conditions = transaction_conditions(
        filter, workspace_id=workspace_id, dialect=dialect_of(session)
    )
    query = select_of(TransactionRecord).where(*conditions)
    if after is not None:
        query = query.where(order_key < after.bound(workspace_id))
    if before is not None:
        query = query.where(order_key > before.bound(workspace_id))
    if from_end:
        query = query.order_by(col(TransactionRow.posted).asc(), col(TransactionRow.id).asc())
    else:
        query = query.order_by(col(TransactionRow.posted).desc(), col(TransactionRow.id).desc())
    rows = await fetch_records(session, TransactionRecord, query.limit(limit))
    return rows[::-1] if from_end else rows


async def count_transactions(
    session: AsyncSession, *, workspace_id: int, filter: TransactionFilter
) -> int:
    query = (
        select(func.count())
        .select_from(TransactionRow)
        .where(
            *transaction_conditions(filter, workspace_id=workspace_id, dialect=dialect_of(session))
        )
    )
    return (await session.exec(query)).one()


async def set_money_flags(
    session: AsyncSession,
    *,
    flags: Mapping[int, MoneyFlags],
    current: Mapping[int, MoneyFlags] | None = None,
) -> None:
    """Keep the invoices' list-filter flags as the ledger computed them (by invoice row id):
    one statement for all of them, none when `current` (the flags the rows have, as the caller
    read them in this transaction) shows nothing changed."""
    current = current or {}
    changed = [
        {"row_id": invoice_id, "charge": flag.has_charge, "remaining": flag.has_remaining}
        for invoice_id, flag in sorted(flags.items())
        if (known := current.get(invoice_id)) is None
        or (known.has_charge, known.has_remaining) != (flag.has_charge, flag.has_remaining)
    ]
    if not changed:
        return
    connection = await session.connection()
    await connection.execute(
        update(InvoiceRow)
        .where(col(InvoiceRow.id) == bindparam("row_id"))
        .values(has_charge=bindparam("charge"), has_remaining=bindparam("remaining")),
        changed,
    )
