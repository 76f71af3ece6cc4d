"""The database handle: one async engine, read sessions, and write transactions.

On SQLite every write transaction starts with `BEGIN IMMEDIATE`, so a writer never fails with
"database is locked" when a read lock would have to be upgraded; WAL lets readers go on while
one writer writes. SQLite has one write lock: the writers of this process queue for it in
order (an asyncio lock) instead of polling in SQLite's busy handler, which sleeps and retries
and gets slower the more writers wait; the busy timeout remains for other processes (a CLI
import beside a server).

SQLite writes have an engine of their own whose statements run on the event loop's thread
(store/sqlite_inline.py): a trip to aiosqlite's thread per cursor call was a third of a write's
CPU. Reads stay on aiosqlite.

Durable by default: SQLite runs `synchronous=FULL`, so a write that was acknowledged survives
a power loss or an OS crash; NORMAL, which WAL allows, may roll back the last transactions
after such a crash, and is used only when asked for (`sqlite_synchronous`).
"""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.store import sqlite_inline
from invoicegraph.store.read_pool import ReadPool

SQLITE_BUSY_TIMEOUT_MS = 30_000
POOL_OVERFLOW = 10
"""Connections past `pool_size`, for what no admission counts: the outbox publisher, sockets."""
POOL_TIMEOUT_SECONDS = 10.0
"""The longest a checkout waits for a free connection before it fails (SQLAlchemy's default,
30 s, froze every tenant behind a full pool); the server admits only as many requests as it
has connections (`http/admission.py`), so this is the backstop, not the rule."""
QUERY_CACHE_SIZE = 300
"""Compiled statements SQLAlchemy keeps (least recently used go first). A statement's shape
does not depend on how many values its lists hold (IN lists expand at execution, tag patterns
are one JSON parameter), so the app has a fixed set of shapes, well under this."""
_BEGIN_MODE = "invoicegraph_sqlite_begin"

SqliteSynchronous = Literal["FULL", "NORMAL"]

_writing: ContextVar[bool] = ContextVar("invoicegraph_writing", default=False)
"""Set while a task holds a write transaction: a nested one would wait for itself forever."""


def _configure_sqlite(
    engine: AsyncEngine, synchronous: SqliteSynchronous, busy_timeout_ms: int
) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver so that our own begin listener decides its mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA case_sensitive_like=ON")  # LIKE as on PostgreSQL
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        if connection.dialect.driver == sqlite_inline.DRIVER:
            sqlite_inline.begin(connection.connection.driver_connection, mode)
        else:
            connection.exec_driver_sql(f"BEGIN {mode}")


PRIVATE = 0o600
"""Owner only: the database holds every tenant's data (and, in old installs, the signing key)."""


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names; None for another database or an in-memory one."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database or "")


def make_private(url: str | URL) -> None:
    """Create a SQLite database file owner-only (0600) before SQLite does (0644 under the
    usual umask), and narrow an existing one, its -wal and -shm (SQLite gives those the main
    file's mode when it makes them)."""
    path = sqlite_file(make_url(url))
    if path is None:
        return
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE))
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(PRIVATE)


def dialect_of(session: AsyncSession) -> str:
    """ "sqlite" or "postgresql": the few statements that differ ask this."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


class Database:
    """Owns the engine; hands out read sessions and all-or-nothing write transactions."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        sqlite_synchronous: SqliteSynchronous = "FULL",
        sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    ) -> None:
        """`sqlite_busy_timeout_ms`: how long a writer waits for another process's write lock."""
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        make_private(self.url)
        # No pool_pre_ping: it costs a round trip per request. After a PostgreSQL restart the
        # first statement on a stale connection fails (that request gets a retryable internal
        # error) and SQLAlchemy then discards every connection made before it.
        options: dict[str, Any] = {
            "pool_size": pool_size,
            "max_overflow": POOL_OVERFLOW,
            "pool_timeout": POOL_TIMEOUT_SECONDS,
            "query_cache_size": QUERY_CACHE_SIZE,
        }
        if not self.is_sqlite:
            # Custom plans only: after five runs of a prepared statement PostgreSQL may switch
            # to one generic plan, chosen without the parameters' values; for a workspace's
            # skewed data that plan can be 2,000 times slower (a tag filter's page: 1.0 s
            # against 0.5 ms at 1,000,000 invoices). Planning each run costs far less.
            options["connect_args"] = {"server_settings": {"plan_cache_mode": "force_custom_plan"}}
        self.pool_size = pool_size
        self.engine = create_async_engine(self.url, **options)
        self._writer = self.engine
        self._reader = self.engine
        if not self.is_sqlite:
            # One consistent snapshot per request, as SQLite's WAL read transactions give.
            self._reader = self.engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        self._write_queue: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._relaxed_engine: AsyncEngine | None = None
        self._write_engine: AsyncEngine | None = None
        self._relaxed_writer: AsyncEngine | None = None
        self._read_pool = None if self.is_sqlite else ReadPool(self.url, pool_size)
        if self.is_sqlite:
            if sqlite_synchronous not in ("FULL", "NORMAL"):
                raise ValueError(
                    f"sqlite_synchronous must be FULL or NORMAL, not {sqlite_synchronous!r}"
                )
            _configure_sqlite(self.engine, sqlite_synchronous, sqlite_busy_timeout_ms)
            # Writes run their statements on the loop's thread (store/sqlite_inline.py).
            inline = self.url.set(drivername=f"sqlite+{sqlite_inline.DRIVER}")
            self._write_engine = create_async_engine(inline, **options)
            _configure_sqlite(self._write_engine, sqlite_synchronous, sqlite_busy_timeout_ms)
            self._writer = self._write_engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})
            # One connection of its own for bookkeeping writes that may be repeated after a
            # crash (the outbox publisher's "published" marks): NORMAL skips their fsync. WAL
            # keeps commit order, and the next FULL commit syncs them with it, so no durable
            # write is weakened.
            self._relaxed_engine = create_async_engine(
                inline, pool_size=1, max_overflow=0, pool_timeout=POOL_TIMEOUT_SECONDS
            )
            _configure_sqlite(self._relaxed_engine, "NORMAL", sqlite_busy_timeout_ms)
            self._relaxed_writer = self._relaxed_engine.execution_options(
                **{_BEGIN_MODE: "IMMEDIATE"}
            )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads: one consistent snapshot (SQLite WAL, PostgreSQL REPEATABLE READ)."""
        async with AsyncSession(self._reader, expire_on_commit=False) as session:
            yield session

    async def read_value(self, sql: str, params: tuple[Any, ...]) -> Any:
        """The one value of one read statement in the driver's SQL (PostgreSQL: $1, $2, ...),
        sent on a connection of the read pool (store/read_pool.py), outside any transaction (a
        single statement reads one snapshot by itself). It is still announced to the engine's
        `before_cursor_execute` listeners (statement counters, metrics), with no connection,
        cursor or execution context, and to the `after_cursor_execute` ones once answered
        (statement timings)."""
        if self._read_pool is None:
            raise RuntimeError("SQL reads are for PostgreSQL")
        dispatch = self.engine.sync_engine.dispatch
        dispatch.before_cursor_execute(None, None, sql, params, None, False)
        value = await self._read_pool.fetch_value(sql, params)
        dispatch.after_cursor_execute(None, None, sql, params, None, False)
        return value

    @asynccontextmanager
    async def write(self, *, repeatable: bool = False) -> AsyncIterator[AsyncSession]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        `repeatable`: a write that is harmless to lose and do again after a power loss (the
        outbox publisher's marks: its events would be sent again). On SQLite it commits
        without waiting for the disk (synchronous=NORMAL on a connection of its own), and
        holds the write lock that much shorter; elsewhere it is an ordinary write.
        """
        if _writing.get():
            raise RuntimeError("a write transaction inside another would wait for itself")
        token = _writing.set(True)
        try:
            if self.is_sqlite:
                writer = self._relaxed_writer if repeatable else self._writer
                assert writer is not None
                async with self._sqlite_write_turn(), self._transaction(writer) as session:
                    yield session
            else:
                async with self._transaction(self._writer) as session:
                    yield session
        finally:
            _writing.reset(token)

    @asynccontextmanager
    async def _transaction(self, writer: AsyncEngine) -> AsyncIterator[AsyncSession]:
        async with (
            AsyncSession(writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    def _sqlite_write_turn(self) -> asyncio.Lock:
        """This process's queue for SQLite's write lock (first come, first served), one per
        event loop (a CLI may run several loops in turn over one Database)."""
        loop = asyncio.get_running_loop()
        if self._write_queue is None or self._write_queue[0] is not loop:
            self._write_queue = (loop, asyncio.Lock())
        return self._write_queue[1]

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """Every engine of this handle (on SQLite: reads, writes, the publisher's marks): what
        counts statements or connections listens to all of them."""
        extra = (self._write_engine, self._relaxed_engine)
        return (self.engine, *(engine for engine in extra if engine is not None))

    async def dispose(self) -> None:
        for engine in self.engines:
            await engine.dispose()
        if self._read_pool is not None:
            await self._read_pool.close()
