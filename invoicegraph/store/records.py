"""Read-only records for the rows a page reads by the hundred: invoices, line items, payments,
users and invoice tags.

An ORM object costs some ten microseconds to build (identity map, instance state, SQLModel's
pydantic setup); a page of 100 invoices reads about 800 rows, so the loaders read these tables
as plain named tuples instead, selecting exactly the columns a record names. Writes still go
through the SQLModel tables.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Select, Text, cast, inspect, select
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.schema import Column
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.store.tables import (
    InvoiceRow,
    InvoiceTagRow,
    LineItemRow,
    PaymentRow,
    TransactionRow,
    TransactionTagRow,
    UserRow,
)


class InvoiceRecord(NamedTuple):
    id: int
    public_id: str
    workspace_id: int
    invoice_id: str
    status: str
    version: int
    created: Any
    """datetime (UTC), as are the other instants."""
    modified: Any
    number: str | None
    kind: str
    description: str | None
    footer: str | None
    due_date: Any
    period_start: Any
    period_end: Any
    subscription_id: str | None
    recovered_from_id: int | None
    stake_id: int | None


class LineItemRecord(NamedTuple):
    id: int
    public_id: str
    workspace_id: int
    invoice_id: int
    user_id: int
    description: str
    product_id: str
    type: str
    currency: str
    amount: int
    unit_price: int
    quantity: int
    tags_json: str
    """The tags column's JSON text, [[key, value], ...]: decoded only when a query reads the
    tags (a page of line items that does not would spend a twentieth of its time decoding)."""
    tax_rate: int
    discount: int
    due: int
    period_start: Any
    period_end: Any

    def tag_pairs(self) -> list[list[str]]:
        """The tags as [key, value] pairs, decoded now."""
        pairs: list[list[str]] = json.loads(self.tags_json)
        return pairs


class PaymentRecord(NamedTuple):
    id: int
    public_id: str
    workspace_id: int
    transaction_id: int
    invoice_id: int
    user_id: int
    type: str
    amount: int
    currency: str
    posted: Any


class TransactionRecord(NamedTuple):
    id: int
    public_id: str
    workspace_id: int
    external_id: str
    amount: int
    currency: str
    posted: Any
    version: int
    unallocated: int
    account_id: int | None


class TransactionTagRecord(NamedTuple):
    transaction_id: int
    key: str
    value: str
    position: int
    workspace_id: int


class UserRecord(NamedTuple):
    id: int
    public_id: str
    workspace_id: int
    external_id: str


class InvoiceTagRecord(NamedTuple):
    invoice_id: int
    key: str
    value: str
    position: int
    workspace_id: int


AnyRecord = (
    InvoiceRecord
    | LineItemRecord
    | PaymentRecord
    | UserRecord
    | InvoiceTagRecord
    | TransactionRecord
    | TransactionTagRecord
)
R = TypeVar(
    "R",
    InvoiceRecord,
    LineItemRecord,
    PaymentRecord,
    UserRecord,
    InvoiceTagRecord,
    TransactionRecord,
    TransactionTagRecord,
)

MODELS: dict[type[AnyRecord], type[SQLModel]] = {
    InvoiceRecord: InvoiceRow,
    LineItemRecord: LineItemRow,
    PaymentRecord: PaymentRow,
    UserRecord: UserRow,
    InvoiceTagRecord: InvoiceTagRow,
    TransactionRecord: TransactionRow,
    TransactionTagRecord: TransactionTagRow,
}


def record_of(record: type[R], row: SQLModel) -> R:
    """A row just written through the ORM, as the record its readers get."""
    return record._make(getattr(row, name) for name in record._fields)


def columns_of(record: type[AnyRecord]) -> ReadOnlyColumnCollection[str, Column[Any]]:
    """The columns of the table a record reads."""
    columns: ReadOnlyColumnCollection[str, Column[Any]] = inspect(MODELS[record]).local_table.c
    return columns


JSON_TEXT = "_json"
"""A record field named `<column>_json` holds that JSON column's text, undecoded."""


def select_of(record: type[AnyRecord]) -> Select[Any]:
    """SELECT exactly the record's columns, in its order; add WHERE, ORDER BY, LIMIT."""
    columns = columns_of(record)
    return select(*(_column(columns, name) for name in record._fields))


def _column(columns: ReadOnlyColumnCollection[str, Column[Any]], name: str) -> Any:
    if name.endswith(JSON_TEXT):
        # a CAST in SQL: asyncpg decodes json values itself, whatever type SQLAlchemy expects
        return cast(columns[name.removesuffix(JSON_TEXT)], Text).label(name)
    return columns[name]


async def fetch_records(
    session: AsyncSession,
    record: type[R],
    query: Select[Any],
    parameters: Mapping[str, Any] | None = None,
) -> list[R]:
    """Run a `select_of(record)` query on the session's connection (its transaction and
    snapshot), past the ORM layer."""
    connection = await session.connection()
    return [record._make(row) for row in await connection.execute(query, parameters)]


async def select_records(
    session: AsyncSession,
    record: type[R],
    *conditions: ColumnElement[bool],
    order_by: Sequence[ColumnElement[Any]],
) -> list[R]:
    """The rows matching `conditions`, as `record`s."""
    return await fetch_records(
        session, record, select_of(record).where(*conditions).order_by(*order_by)
    )
