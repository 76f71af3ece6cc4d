"""asyncpg's own connection pool for SQL reads (invoicegraph/sqljson) on PostgreSQL.

A SQL read is one SELECT outside any transaction, so it needs none of what SQLAlchemy's pool
and session do around a statement; through them a one-invoice lookup spent as long in the
pool as in PostgreSQL. Two things differ from the engine's connections:

- Releasing a connection sends nothing. asyncpg's default reset (`RESET ALL`, `UNLISTEN *`, ...)
  is a round trip per request, and a SQL read changes no session state to reset.
- Plans are PostgreSQL's choice (`plan_cache_mode=auto`): each connection prepares a statement
  once, and after five runs keeps one generic plan when it costs no more than planning anew.
  The engine forces a custom plan per run for its skewed tag filters; SQL reads have no
  filters (a key lookup, a page sought by key), and planning was two thirds of a lookup's time
  in PostgreSQL.
"""

import asyncio
from typing import Any

import asyncpg
from sqlalchemy.engine import URL

SERVER_SETTINGS = {"plan_cache_mode": "auto", "application_name": "invoicegraph reads"}


async def _nothing_to_reset(_connection: asyncpg.Connection) -> None:
    """A SQL read leaves no session state behind (asyncpg still rolls back any transaction)."""


class ReadPool:
    """Connections for SQL reads, opened as needed up to `size`, on the event loop that reads
    first; like the engine's pool, it is closed on that loop (Database.dispose)."""

    def __init__(self, url: URL, size: int) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._size = size
        self._pool: tuple[asyncio.AbstractEventLoop, asyncpg.Pool] | None = None
        self._opening = asyncio.Lock()

    async def fetch_value(self, sql: str, params: tuple[Any, ...]) -> Any:
        pool = await self._pool_of_this_loop()
        async with pool.acquire() as connection:
            return await connection.fetchval(sql, *params)

    async def _pool_of_this_loop(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=0,
                        max_size=self._size,
                        reset=_nothing_to_reset,
                        server_settings=SERVER_SETTINGS,
                    )
                    self._pool = (asyncio.get_running_loop(), pool)
        loop, pool = self._pool
        if loop is not asyncio.get_running_loop():
            raise RuntimeError("SQL reads' pool belongs to another event loop: dispose it there")
        return pool

    async def close(self) -> None:
        if self._pool is not None:
            pool = self._pool[1]
            self._pool = None
            await pool.close()
