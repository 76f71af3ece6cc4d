"""Payments (allocations) across invoices: the filter as SQL, keyset pages and counts.

Invoices and the user are named as the caller names them and looked up inside the statement,
within the caller's workspace: another workspace's ids match nothing, as unknown ones.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, inspect, or_, tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.filters import PaymentFilter
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.filters import tags_condition
from invoicegraph.store.records import PaymentRecord, fetch_records, select_of
from invoicegraph.store.tables import InvoiceRow, PaymentRow, TransactionTagRow, UserRow


@dataclass(frozen=True, slots=True)
class PaymentKey:
    """Where a payment sits in the order (posted, then id), named by its public id."""

    posted: datetime
    public_id: str

    def bound(self, workspace_id: int) -> ColumnElement[Any]:
        row_id = (
            select(PaymentRow.id)
            .where(PaymentRow.workspace_id == workspace_id, PaymentRow.public_id == self.public_id)
            .scalar_subquery()
        )
        return tuple_(self.posted, row_id)


def payment_conditions(
    filter: PaymentFilter, *, workspace_id: int, dialect: str
) -> list[ColumnElement[bool]]:
    posted = col(PaymentRow.posted)
    conditions: list[ColumnElement[bool]] = [col(PaymentRow.workspace_id) == workspace_id]
    if filter.invoices_given:
        conditions.append(
            col(PaymentRow.invoice_id).in_(
                select(InvoiceRow.id).where(
                    InvoiceRow.workspace_id == workspace_id,
                    or_(
                        col(InvoiceRow.public_id).in_(filter.invoice_public_ids),
                        col(InvoiceRow.invoice_id).in_(filter.invoice_keys),
                    ),
                )
            )
        )
    if filter.user_public_id is not None or filter.user_external_id is not None:
        user = select(UserRow.id).where(UserRow.workspace_id == workspace_id)
        if filter.user_public_id is not None:
            user = user.where(UserRow.public_id == filter.user_public_id)
        if filter.user_external_id is not None:
            user = user.where(UserRow.external_id == filter.user_external_id)
        conditions.append(col(PaymentRow.user_id).in_(user))
    for value, compare in (
        (filter.posted_after, posted.__gt__),
        (filter.posted_before, posted.__lt__),
        (filter.posted_on_or_after, posted.__ge__),
        (filter.posted_on_or_before, posted.__le__),
    ):
        if value is not None:
            conditions.append(compare(value))
    tags = tags_condition(
        TransactionTagRow,
        "transaction_id",
        inspect(PaymentRow).local_table.c["transaction_id"],
        all_of=filter.transaction_tags_all,
        any_of=filter.transaction_tags_any,
        dialect=dialect,
    )
    if tags is not None:
        conditions.append(tags)
    return conditions


async def list_payments(
    session: AsyncSession,
    *,
    workspace_id: int,
    filter: PaymentFilter,
    limit: int,
    after: PaymentKey | None = None,
    before: PaymentKey | None = None,
    from_end: bool = False,
) -> list[PaymentRecord]:
    """Up to `limit` payments, latest posted first, strictly between the keys (keyset)."""
    order_key = tuple_(col(PaymentRow.posted), col(PaymentRow.id))
    conditions = payment_conditions(filter, workspace_id=workspace_id, dialect=dialect_of(session))
    query = select_of(PaymentRecord).where(*conditions)
    if after is not None:
        query = query.where(order_key < after.bound(workspace_id))
    if before is not None:
        query = query.where(order_key > before.bound(workspace_id))
    if from_end:
        query = query.order_by(col(PaymentRow.posted).asc(), col(PaymentRow.id).asc())
    else:
        query = query.order_by(col(PaymentRow.posted).desc(), col(PaymentRow.id).desc())
    rows = await fetch_records(session, PaymentRecord, query.limit(limit))
    return rows[::-1] if from_end else rows


async def count_payments(session: AsyncSession, *, workspace_id: int, filter: PaymentFilter) -> int:
    conditions = payment_conditions(filter, workspace_id=workspace_id, dialect=dialect_of(session))
    query = select(func.count()).select_from(PaymentRow).where(*conditions)
    return (await session.exec(query)).one()
