"""SQLite write transactions without a trip to a driver thread per statement.

aiosqlite runs every cursor call (open, execute, fetch, close) on a thread of its own and
wakes the event loop with the answer: about four trips per statement, some sixty per
createInvoice, and they were most of a write's CPU. A write transaction's statements take
microseconds each and hold SQLite's one write lock anyway (this process's writers queue for
it: store/engine.py), so this dialect runs them with the standard `sqlite3` module right on
the event loop's thread. The two steps that can wait are sent to a worker thread instead, so
the loop never blocks on them: `BEGIN IMMEDIATE` (another process may hold the write lock:
SQLite's busy handler waits for it) and `COMMIT` (the fsync of synchronous=FULL).

Only the write engine uses it; reads stay on aiosqlite, where a long list query does not
hold up the loop. Registered as `sqlite+invoicegraph_inline`.
"""

import asyncio
import sqlite3
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.pool import AsyncAdaptedQueuePool, Pool
from sqlalchemy.util.concurrency import await_

DRIVER = "invoicegraph_inline"


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite, declared async so that an AsyncEngine takes it; its statements never
    await, its begin and commit await a worker thread."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[Pool]:
        # checkouts wait on the event loop, not on a thread lock that would block it
        return AsyncAdaptedQueuePool

    def create_connect_args(self, url: URL) -> Any:
        args, kwargs = super().create_connect_args(url)
        # used by the loop's thread and, for BEGIN and COMMIT, a worker: one at a time
        kwargs["check_same_thread"] = False
        kwargs["factory"] = _Connection
        return args, kwargs

    def do_commit(self, dbapi_connection: Any) -> None:
        await_(asyncio.to_thread(dbapi_connection.commit))

    # AsyncConnection.execute checks that the driver awaited something (a sync driver given
    # to an AsyncEngine by mistake would block the loop); these statements run inline on
    # purpose, so each passes it with an awaitable that is ready at once: a greenlet switch,
    # no trip through the event loop.
    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        await_(_ready())
        super().do_execute(cursor, statement, parameters, context)  # type: ignore[no-untyped-call]

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        await_(_ready())
        super().do_execute_no_params(cursor, statement, context)  # type: ignore[no-untyped-call]

    def do_executemany(
        self, cursor: Any, statement: str, parameters: Any, context: Any = None
    ) -> None:
        await_(_ready())
        super().do_executemany(cursor, statement, parameters, context)  # type: ignore[no-untyped-call]


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """What an async result calls once executed, for drivers that must fetch before the
        cursor leaves the greenlet; rows are read from this one inline, so it stays open."""


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


async def _ready() -> None:
    """An awaitable that completes without suspending."""


def begin(dbapi_connection: Any, mode: str) -> None:
    """`BEGIN <mode>` on a worker thread: IMMEDIATE may wait for another process's lock."""
    await_(asyncio.to_thread(dbapi_connection.execute, f"BEGIN {mode}"))


registry.register(f"sqlite.{DRIVER}", __name__, "InlineSQLiteDialect")
