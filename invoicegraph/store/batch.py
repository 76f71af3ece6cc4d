"""Batch reads for the per-request loaders: one statement per batch, results in key order.

Every read is scoped to the caller's workspace, so a key from another workspace finds nothing.
"""

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam, func, inspect
from sqlalchemy.orm import aliased
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.store.records import (
    MODELS,
    AnyRecord,
    LineItemRecord,
    PaymentRecord,
    columns_of,
    select_records,
)
from invoicegraph.store.tables import InvoiceRow, InvoiceVersionRow

Row = TypeVar("Row", bound=SQLModel)
Key = TypeVar("Key", bound=Hashable)
Found = TypeVar("Found", bound=SQLModel | AnyRecord)


def _one_of(session: AsyncSession, column: ColumnElement[Any], keys: Sequence[Any]) -> Any:
    """`column IN (keys)`; on PostgreSQL `column = ANY($1)` with the keys as one array, so
    that the statement's text (and its prepared statement) is the same for any number of keys.
    """
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return column == any_(bindparam("keys", list(keys), type_=ARRAY(column.type)))
    return column.in_(keys)


async def _select_in(
    session: AsyncSession,
    kind: type[Any],
    column: str,
    *,
    workspace_id: int,
    keys: Sequence[Any],
) -> Sequence[Any]:
    if kind in MODELS:  # a record: plain tuples of exactly its columns
        columns = columns_of(kind)
        order = columns["id"] if "id" in columns else columns["position"]
        return await select_records(
            session,
            kind,
            columns["workspace_id"] == workspace_id,
            _one_of(session, columns[column], keys),
            order_by=[order],
        )
    model_columns = inspect(kind).local_table.c
    order = model_columns["id"] if "id" in model_columns else model_columns["position"]
    query = (
        select(kind)
        .where(
            model_columns["workspace_id"] == workspace_id,
            _one_of(session, model_columns[column], keys),
        )
        .order_by(order)
    )
    return (await session.exec(query)).all()


async def one_each(
    session: AsyncSession,
    kind: type[Found],
    column: str,
    *,
    workspace_id: int,
    keys: Sequence[Key],
) -> list[Found | None]:
    """The row (or record) whose unique `column` equals each key, or None."""
    rows = await _select_in(session, kind, column, workspace_id=workspace_id, keys=keys)
    by_key = {getattr(row, column): row for row in rows}
    return [by_key.get(key) for key in keys]


async def all_each(
    session: AsyncSession,
    kind: type[Found],
    column: str,
    *,
    workspace_id: int,
    keys: Sequence[Key],
) -> list[list[Found]]:
    """The rows (or records) whose `column` equals each key, in insertion order."""
    rows = await _select_in(session, kind, column, workspace_id=workspace_id, keys=keys)
    grouped: defaultdict[Any, list[Found]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, column)].append(row)
    return [grouped.get(key, []) for key in keys]


async def newest_versions(
    session: AsyncSession,
    *,
    workspace_id: int,
    invoice_ids: Sequence[int],
    limit: int,
    before_version: int | None,
) -> list[list[InvoiceVersionRow]]:
    """For each invoice, its `limit` newest versions below `before_version`, newest first.

    One statement for any number of invoices: a window function numbers each invoice's versions.
    """
    newest_first = col(InvoiceVersionRow.version).desc()
    conditions = [
        col(InvoiceVersionRow.workspace_id) == workspace_id,
        col(InvoiceVersionRow.invoice_id).in_(invoice_ids),
    ]
    if before_version is not None:
        conditions.append(col(InvoiceVersionRow.version) < before_version)
    numbered = (
        select(
            InvoiceVersionRow,
            func.row_number()
            .over(partition_by=col(InvoiceVersionRow.invoice_id), order_by=newest_first)
            .label("rank"),
        )
        .where(*conditions)
        .subquery()
    )
    version = aliased(InvoiceVersionRow, numbered)
    rows = await session.exec(
        select(version)
        .where(numbered.c.rank <= limit)
        .order_by(numbered.c.invoice_id, numbered.c.version.desc())
    )
    grouped: defaultdict[int, list[InvoiceVersionRow]] = defaultdict(list)
    for row in rows:
        grouped[row.invoice_id].append(row)
    return [grouped.get(key, []) for key in invoice_ids]


Flowing = TypeVar("Flowing", LineItemRecord, PaymentRecord)


async def live_rows_of_users(
    session: AsyncSession, record: type[Flowing], *, workspace_id: int, keys: Sequence[int]
) -> list[list[Flowing]]:
    """Each user's line items (or payments) on invoices that are not VOID, for User.balances."""
    columns = columns_of(record)
    live = select(col(InvoiceRow.id)).where(
        col(InvoiceRow.workspace_id) == workspace_id,
        col(InvoiceRow.status) != InvoiceStatus.VOID.value,
    )
    rows = await select_records(
        session,
        record,
        columns["workspace_id"] == workspace_id,
        columns["user_id"].in_(keys),
        columns["invoice_id"].in_(live),
        order_by=[columns["id"]],
    )
    grouped: defaultdict[int, list[Flowing]] = defaultdict(list)
    for row in rows:
        grouped[row.user_id].append(row)
    return [grouped.get(key, []) for key in keys]
