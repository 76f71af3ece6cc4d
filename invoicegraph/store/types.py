"""Column types that keep money exact and instants in UTC on every backend."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine


class Int96Type(TypeDecorator[int]):
    """An exact integer below 2^96 in magnitude.

    PostgreSQL stores NUMERIC(29, 0). SQLite has no exact type wider than 64 bits (its NUMERIC
    turns large values into floats), so there the canonical decimal string is stored and sums
    are done in Python by the ledger, never in SQL.
    """

    impl = String(30)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(29, 0, asdecimal=True))
        return dialect.type_descriptor(String(30))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return Decimal(value)
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


class SortableInt96Type(TypeDecorator[int]):
    """An exact integer below 2^97 in magnitude that compares in SQL as a number.

    PostgreSQL stores NUMERIC(30, 0). SQLite stores the value plus 10^30 as 31 zero-padded
    digits: fixed-length text of digits sorts as the numbers do, so comparisons and the index
    work on the text (bound values go through the same encoding).
    """

    impl = String(31)
    cache_ok = True
    OFFSET = 10**30

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(30, 0, asdecimal=True))
        return dialect.type_descriptor(String(31))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return Decimal(value)
        if not -self.OFFSET < value < self.OFFSET:
            raise ValueError("a sortable Int96 must stay below 10^30 in magnitude")
        return str(value + self.OFFSET).zfill(31)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return int(value)
        return int(value) - self.OFFSET


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC instants in and out; SQLite keeps them as sortable naive text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give an aware UTC instant")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is UTC:  # asyncpg's timestamptz: already what we give out
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
