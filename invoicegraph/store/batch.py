"""Batch reads for the per-request loaders: one statement per batch, results in key order.

Every read is scoped to the caller's workspace, so a key from another workspace finds nothing.
"""

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

Row = TypeVar("Row", bound=SQLModel)
Key = TypeVar("Key", bound=Hashable)


async def _select_in(
    session: AsyncSession, model: type[Row], column: str, *, workspace_id: int, keys: Sequence[Any]
) -> Sequence[Row]:
    columns = inspect(model).local_table.c
    order = columns["id"] if "id" in columns else columns["position"]
    query = (
        select(model)
        .where(columns["workspace_id"] == workspace_id, columns[column].in_(keys))
        .order_by(order)
    )
    return (await session.exec(query)).all()


async def one_each(
    session: AsyncSession, model: type[Row], column: str, *, workspace_id: int, keys: Sequence[Key]
) -> list[Row | None]:
    """The row whose unique `column` equals each key, or None."""
    rows = await _select_in(session, model, column, workspace_id=workspace_id, keys=keys)
    by_key = {getattr(row, column): row for row in rows}
    return [by_key.get(key) for key in keys]


async def all_each(
    session: AsyncSession, model: type[Row], column: str, *, workspace_id: int, keys: Sequence[Key]
) -> list[list[Row]]:
    """The rows whose `column` equals each key, in insertion order."""
    rows = await _select_in(session, model, column, workspace_id=workspace_id, keys=keys)
    grouped: defaultdict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, column)].append(row)
    return [grouped.get(key, []) for key in keys]
