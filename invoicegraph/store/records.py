"""Read-only records for the rows a page reads by the hundred: line items, payments, users and
invoice tags.

An ORM object costs some ten microseconds to build (identity map, instance state, SQLModel's
pydantic setup); a page of 100 invoices reads about 800 rows, so the loaders read these tables
as plain named tuples instead, selecting exactly the columns a record names. Writes still go
through the SQLModel tables.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, inspect, select
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.schema import Column
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.store.tables import InvoiceTagRow, LineItemRow, PaymentRow, UserRow


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
    tags: list[list[str]]


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
    """datetime (UTC)."""


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


AnyRecord = LineItemRecord | PaymentRecord | UserRecord | InvoiceTagRecord
R = TypeVar("R", LineItemRecord, PaymentRecord, UserRecord, InvoiceTagRecord)

MODELS: dict[type[AnyRecord], type[SQLModel]] = {
    LineItemRecord: LineItemRow,
    PaymentRecord: PaymentRow,
    UserRecord: UserRow,
    InvoiceTagRecord: InvoiceTagRow,
}


def columns_of(record: type[AnyRecord]) -> ReadOnlyColumnCollection[str, Column[Any]]:
    """The columns of the table a record reads."""
    columns: ReadOnlyColumnCollection[str, Column[Any]] = inspect(MODELS[record]).local_table.c
    return columns


async def select_records(
    session: AsyncSession,
    record: type[R],
    *conditions: ColumnElement[bool],
    order_by: Sequence[ColumnElement[Any]],
) -> list[R]:
    """The rows matching `conditions`, as `record`s: exactly the record's columns, in order."""
    columns = columns_of(record)
    query = select(*(columns[name] for name in record._fields)).where(*conditions)
    # On the session's connection (its transaction and snapshot), past the ORM layer.
    connection = await session.connection()
    result = await connection.execute(query.order_by(*order_by))
    return [record._make(row) for row in result]
