"""Clients' standings, kept in memory while a watch guarantees that a revocation reaches them.

Every request's token names a client whose standing (known, not revoked, in the token's
workspace) must be checked, because `client revoke` takes effect on the next request, not when
the token expires. Reading it costs a statement per request, a third of a one-invoice lookup.
So a process keeps the standings of good clients, and only while it is told of every
revocation: on PostgreSQL a LISTEN connection of its own hears the NOTIFY that `revoke_client`
sends in its transaction (delivered when it commits, to every process of the deployment).
Without a live watch (SQLite, whose CLI writes from another process with no way to tell the
server; a lost listener connection) nothing is kept and every request reads its standing.
"""

import asyncio
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg

from invoicegraph.store.engine import Database
from invoicegraph.store.workspaces import REVOCATIONS_CHANNEL, ClientStanding

log = logging.getLogger("invoicegraph.auth")

CAPACITY = 10_000
"""Clients remembered at most (least recently used leave first): a standing is four fields."""
RECONNECT_SECONDS = 1.0


class Standings:
    """Good standings by client id, trusted only while `watching`.

    `generation` grows with every revocation heard and every change of watching, so that a
    standing read from the database before a revocation arrived is never stored after it.
    """

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, ClientStanding] = OrderedDict()
        self._watching = False
        self.generation = 0

    @property
    def watching(self) -> bool:
        return self._watching

    def set_watching(self, watching: bool) -> None:
        self._watching = watching
        self._entries.clear()
        self.generation += 1

    def get(self, client_id: str) -> ClientStanding | None:
        standing = self._entries.get(client_id) if self._watching else None
        if standing is not None:
            self._entries.move_to_end(client_id)
        return standing

    def keep(self, standing: ClientStanding, *, read_at: int) -> None:
        """Remember a good standing read while `generation` was `read_at`."""
        if not self._watching or standing.revoked or read_at != self.generation:
            return
        self._entries[standing.client_id] = standing
        if len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def revoked(self, client_id: str) -> None:
        self.generation += 1
        self._entries.pop(client_id, None)


class RevocationListener:
    """LISTENs for revocations on a PostgreSQL connection of its own and tells `standings`;
    reconnects when the connection is lost, trusting nothing kept meanwhile."""

    def __init__(self, db: Database, standings: Standings) -> None:
        self._dsn = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._standings = standings
        self._connection: Any = None
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._listen()
        self._task = asyncio.create_task(self._keep_listening(), name="invoicegraph revocations")

    async def _listen(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        try:
            connection.add_termination_listener(self._on_lost)
            await connection.add_listener(REVOCATIONS_CHANNEL, self._on_revocation)
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self._lost.clear()
        self._standings.set_watching(True)

    def _on_revocation(self, _connection: Any, _pid: int, _channel: str, client_id: str) -> None:
        self._standings.revoked(client_id)

    def _on_lost(self, _connection: Any) -> None:
        self._standings.set_watching(False)
        self._lost.set()

    async def _keep_listening(self) -> None:
        while True:
            await self._lost.wait()
            self._connection = None
            log.warning("lost the revocation listener; every request reads its client again")
            while self._connection is None:
                await asyncio.sleep(RECONNECT_SECONDS)
                try:
                    await self._listen()
                except (OSError, asyncpg.PostgresError):
                    log.warning("revocation listener: reconnecting failed; trying again")

    async def close(self) -> None:
        self._standings.set_watching(False)
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.remove_termination_listener(self._on_lost)
            await connection.close()


HEARD_SECONDS = 5.0


@asynccontextmanager
async def revocation_heard(
    db: Database, client_id: str
) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Listen before revoking; the yielded call waits until the revocation's notification came
    back. PostgreSQL signals every listener at the commit alike, so by then the servers'
    listeners have been sent it too: a request sent after `client revoke` returns meets a
    server that knows. No-op on SQLite (its servers keep no standings)."""
    if db.is_sqlite:
        yield _nothing
        return
    dsn = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    heard = asyncio.Event()

    def on_revocation(_connection: Any, _pid: int, _channel: str, revoked_id: str) -> None:
        if revoked_id == client_id:
            heard.set()

    async def wait() -> None:
        try:
            await asyncio.wait_for(heard.wait(), HEARD_SECONDS)
        except TimeoutError:
            log.warning("revoked %s, but its notification did not come back", client_id)

    try:
        await connection.add_listener(REVOCATIONS_CHANNEL, on_revocation)
        yield wait
    finally:
        await connection.close()


async def start_watch(db: Database, standings: Standings) -> Callable[[], Awaitable[None]]:
    """Watch revocations where the store can tell (PostgreSQL); the returned call stops it."""
    if db.is_sqlite:
        return _nothing
    listener = RevocationListener(db, standings)
    await listener.start()
    return listener.close


async def _nothing() -> None:
    return None
