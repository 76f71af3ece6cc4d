"""The request's read session: one snapshot shared by every loader."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.store.engine import Database


class Reader:
    """One read session per request, opened on first use, shared by every loader in turn.

    One session means one transaction, which on SQLite (WAL) and PostgreSQL (REPEATABLE READ)
    is one consistent snapshot: an invoice and its line items never come from two versions.
    The lock makes loaders that fire in the same tick take turns on the connection.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self._exit_stack: AsyncExitStack | None = None
        self._session: AsyncSession | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._lock:
            if self._session is None:
                self._exit_stack = AsyncExitStack()
                self._session = await self._exit_stack.enter_async_context(self._db.read())
            yield self._session

    async def close(self) -> None:
        """End the snapshot; the next read starts a new one."""
        async with self._lock:
            if self._exit_stack is not None:
                await self._exit_stack.aclose()
            self._exit_stack = None
            self._session = None
