"""Batch reads for the per-request loaders: one statement per batch, results in key order.

Every read is scoped to the caller's workspace, so a key from another workspace finds nothing.
"""

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ARRAY, ColumnElement, Select, any_, bindparam, func, inspect
from sqlalchemy.orm import aliased
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.schema import Column
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.records import (
    MODELS,
    AnyRecord,
    LineItemRecord,
    PaymentRecord,
    columns_of,
    fetch_records,
    select_of,
    select_records,
)
from invoicegraph.store.tables import InvoiceRow, InvoiceVersionRow, TransactionVersionRow

Key = TypeVar("Key", bound=Hashable)
Found = TypeVar("Found", bound=SQLModel | AnyRecord)


def _one_of(column: ColumnElement[Any], *, postgresql: bool) -> ColumnElement[bool]:
    """`column IN (:keys)`; on PostgreSQL `column = ANY(:keys)` with the keys as one array, so
    that the statement's text (and its prepared statement) is the same for any number of keys.
    """
    if postgresql:
        return column == any_(bindparam("keys", type_=ARRAY(column.type)))
    return column.in_(bindparam("keys", expanding=True))


def _batch_conditions(
    columns: ReadOnlyColumnCollection[str, Column[Any]], column: str, *, postgresql: bool
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (
        columns["workspace_id"] == bindparam("workspace_id"),
        _one_of(columns[column], postgresql=postgresql),
    )


def _batch_order(columns: ReadOnlyColumnCollection[str, Column[Any]]) -> Column[Any]:
    return columns["id"] if "id" in columns else columns["position"]


# A batch's statement is built once per kind, key column and dialect, with `:workspace_id` and
# `:keys` as parameters: building a statement and its cache key anew costs SQLAlchemy more than
# running it through its warm compiled cache.
_RECORD_STATEMENTS: dict[tuple[type[AnyRecord], str, bool], Select[Any]] = {}
_ROW_STATEMENTS: dict[tuple[type[SQLModel], str, bool], SelectOfScalar[SQLModel]] = {}


def _records_statement(record: type[AnyRecord], column: str, *, postgresql: bool) -> Select[Any]:
    key = (record, column, postgresql)
    if (statement := _RECORD_STATEMENTS.get(key)) is None:
        columns = columns_of(record)
        conditions = _batch_conditions(columns, column, postgresql=postgresql)
        statement = select_of(record).where(*conditions).order_by(_batch_order(columns))
        _RECORD_STATEMENTS[key] = statement
    return statement


def _rows_statement(
    model: type[SQLModel], column: str, *, postgresql: bool
) -> SelectOfScalar[SQLModel]:
    key = (model, column, postgresql)
    if (statement := _ROW_STATEMENTS.get(key)) is None:
        columns: ReadOnlyColumnCollection[str, Column[Any]] = inspect(model).local_table.c
        conditions = _batch_conditions(columns, column, postgresql=postgresql)
        statement = select(model).where(*conditions).order_by(_batch_order(columns))
        _ROW_STATEMENTS[key] = statement
    return statement


async def _select_in(
    session: AsyncSession,
    kind: type[Any],
    column: str,
    *,
    workspace_id: int,
    keys: Sequence[Any],
) -> Sequence[Any]:
    postgresql = dialect_of(session) == "postgresql"
    parameters = {"workspace_id": workspace_id, "keys": list(keys)}
    if kind in MODELS:  # a record: plain tuples of exactly its columns
        query = _records_statement(kind, column, postgresql=postgresql)
        return await fetch_records(session, kind, query, parameters)
    statement = _rows_statement(kind, column, postgresql=postgresql)
    return (await session.exec(statement, params=parameters)).all()


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


VersionRow = TypeVar("VersionRow", InvoiceVersionRow, TransactionVersionRow)


async def newest_versions(
    session: AsyncSession,
    *,
    workspace_id: int,
    invoice_ids: Sequence[int],
    limit: int,
    before_version: int | None,
    model: type[VersionRow] = InvoiceVersionRow,  # type: ignore[assignment]
    owner: str = "invoice_id",
) -> list[list[VersionRow]]:
    """For each invoice (or transaction: `model` and its `owner` column), its `limit` newest
    versions below `before_version`, newest first.

    One statement for any number of owners: a window function numbers each owner's versions.
    """
    version_column, owner_column = model.version, getattr(model, owner)
    newest_first = col(version_column).desc()
    conditions = [
        col(model.workspace_id) == workspace_id,
        col(owner_column).in_(invoice_ids),
    ]
    if before_version is not None:
        conditions.append(col(version_column) < before_version)
    numbered = (
        select(
            model,
            func.row_number()
            .over(partition_by=col(owner_column), order_by=newest_first)
            .label("rank"),
        )
        .where(*conditions)
        .subquery()
    )
    version = aliased(model, numbered)
    rows = await session.exec(
        select(version)
        .where(numbered.c.rank <= limit)
        .order_by(numbered.c[owner], numbered.c.version.desc())
    )
    grouped: defaultdict[int, list[VersionRow]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, owner)].append(row)
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


async def first_transaction_versions(
    session: AsyncSession, workspace_id: int, keys: Sequence[int]
) -> list[int]:
    """Each transaction's oldest recorded version: 1, or the version it had when versions
    began to be recorded (migration 0007). One statement for any number of transactions."""
    owner = col(TransactionVersionRow.transaction_id)
    rows = await session.exec(
        select(owner, func.min(col(TransactionVersionRow.version)))
        .where(col(TransactionVersionRow.workspace_id) == workspace_id, owner.in_(keys))
        .group_by(owner)
    )
    oldest = dict(rows.all())
    return [oldest.get(key, 1) for key in keys]
