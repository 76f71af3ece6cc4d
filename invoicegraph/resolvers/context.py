"""The typed per-request context: who is calling, the database, and this request's loaders."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.auth.principal import Principal
from invoicegraph.events import EventBus
from invoicegraph.resolvers.loaders import Loaders
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


NOBODY = Principal(client_id="", workspace_id=-1, workspace_public_id="")
"""The principal of a WebSocket before it authenticates: a workspace with no rows."""


@dataclass
class Context:
    db: Database
    principal: Principal
    reader: Reader
    loaders: Loaders
    events: EventBus
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    connection_params: dict[str, object] | None = None
    """The payload of a WebSocket's connection_init, where its credentials travel."""
    selections: dict[str, tuple[object, frozenset[str]]] = field(default_factory=dict)
    """Field names selected below each path (schema/selection.py), with their operation."""

    @classmethod
    def open(
        cls, db: Database, principal: Principal, events: EventBus, reader: Reader | None = None
    ) -> "Context":
        """`reader`: the one the credentials were checked in, if any, to share its snapshot."""
        reader = reader or Reader(db)
        return cls(
            db=db,
            principal=principal,
            reader=reader,
            loaders=Loaders(reader, principal),
            events=events,
        )

    def authenticated_as(self, principal: Principal) -> None:
        """Bind a WebSocket's context to the principal its connection_init proved."""
        self.principal = principal
        self.loaders = Loaders(self.reader, principal)

    @property
    def workspace_id(self) -> int:
        return self.principal.workspace_id

    async def after_write(self) -> None:
        """Forget what this request read before a write, so its result shows the write."""
        await self.reader.close()
        self.loaders = Loaders(self.reader, self.principal)


Info = strawberry.Info[Context, None]
"""What every resolver receives: `info.context` is a `Context`, never a dict."""
