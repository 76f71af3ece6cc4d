"""The database handle: one async engine, read sessions, and write transactions.

On SQLite every write transaction starts with `BEGIN IMMEDIATE`, so concurrent writers queue on
the busy timeout instead of failing with "database is locked" when a read lock would have to be
upgraded; WAL lets readers go on while one writer writes.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_BUSY_TIMEOUT_MS = 30_000
_BEGIN_MODE = "invoicegraph_sqlite_begin"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver so that our own begin listener decides its mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA case_sensitive_like=ON")  # LIKE as on PostgreSQL
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def dialect_of(session: AsyncSession) -> str:
    """ "sqlite" or "postgresql": the few statements that differ ask this."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


class Database:
    """Owns the engine; hands out read sessions and all-or-nothing write transactions."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        # No pool_pre_ping: it costs a round trip per request. After a PostgreSQL restart the
        # first statement on a stale connection fails (that request gets a retryable internal
        # error) and SQLAlchemy then discards every connection made before it.
        options: dict[str, Any] = {"pool_size": pool_size, "max_overflow": 20}
        self.engine = create_async_engine(self.url, **options)
        self._writer = self.engine
        self._reader = self.engine
        if not self.is_sqlite:
            # One consistent snapshot per request, as SQLite's WAL read transactions give.
            self._reader = self.engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        if self.is_sqlite:
            _configure_sqlite(self.engine)
            self._writer = self.engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads: one consistent snapshot (SQLite WAL, PostgreSQL REPEATABLE READ)."""
        async with AsyncSession(self._reader, expire_on_commit=False) as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        async with (
            AsyncSession(self._writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
