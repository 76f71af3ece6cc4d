"""INSERT ... ON CONFLICT DO NOTHING on either backend: the race-free way to create once."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


def insert_ignoring(dialect: str, model: type[SQLModel]) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which can say ON CONFLICT DO NOTHING."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model)


async def insert_ignoring_conflicts(
    session: AsyncSession, model: type[SQLModel], rows: list[dict[str, Any]]
) -> None:
    """Insert rows; a row that would break a unique constraint is silently skipped."""
    if not rows:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    await session.exec(insert_ignoring(dialect, model).values(rows).on_conflict_do_nothing())
