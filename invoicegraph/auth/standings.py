"""Clients' standings, kept in memory while a watch guarantees that a revocation reaches them.

Every request's token names a client whose standing (known, not revoked, in the token's
workspace) must be checked, because `client revoke` takes effect on the next request, not when
the token expires. Reading it costs a statement per request, a third of a one-invoice lookup.
So a process keeps the standings of good clients, and only while it is told of every
revocation: on PostgreSQL a LISTEN connection of its own hears the NOTIFY that `revoke_client`
sends in its transaction (delivered when it commits, to every process of the deployment), and
answers it once the standing is forgotten, so that the revoker returns only when every server
has forgotten it. Without a live watch (SQLite, whose CLI writes from another process with no
way to tell the server; a lost listener connection) nothing is kept and every request reads its
standing.
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

FORGOTTEN_CHANNEL = "invoicegraph_revocations_forgotten"
"""Where each server's listener answers a revocation (payload: the client id) once forgotten."""
LISTENER_NAME = "invoicegraph revocations"
"""The listeners' application_name: the revoker finds in pg_stat_activity whom to wait for."""

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
        self._answers: set[asyncio.Task[None]] = set()
        self._answering = asyncio.Lock()

    async def start(self) -> None:
        await self._listen()
        self._task = asyncio.create_task(self._keep_listening(), name="invoicegraph revocations")

    async def _listen(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        try:
            connection.add_termination_listener(self._on_lost)
            await connection.add_listener(REVOCATIONS_CHANNEL, self._on_revocation)
            # named once listening: a revoker waits only for listeners that will hear it
            await connection.execute(
                "SELECT set_config('application_name', $1, false)", LISTENER_NAME
            )
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self._lost.clear()
        self._standings.set_watching(True)

    def _on_revocation(self, connection: Any, _pid: int, _channel: str, client_id: str) -> None:
        self._standings.revoked(client_id)
        answer = asyncio.create_task(self._answer(connection, client_id))
        self._answers.add(answer)
        answer.add_done_callback(self._answers.discard)

    async def _answer(self, connection: Any, client_id: str) -> None:
        """Tell the revoker this process has forgotten the client (after `revoked`, above);
        one at a time, as a connection runs one statement at a time."""
        try:
            async with self._answering:
                await connection.execute("SELECT pg_notify($1, $2)", FORGOTTEN_CHANNEL, client_id)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.warning("revocation listener: could not answer the revocation of %s", client_id)

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
        for answer in list(self._answers):
            answer.cancel()
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
POLL_SECONDS = 0.1


@asynccontextmanager
async def revocation_heard(
    db: Database, client_id: str
) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Wait, after the revocation commits, until every server that keeps standings forgot it.

    Enter before revoking: the listeners alive then (found by their application_name) must each
    answer on `FORGOTTEN_CHANNEL`, which they do after dropping the standing, so a request sent
    after `client revoke` returns meets no server that still trusts the client. A listener that
    goes away meanwhile is not waited for (its server keeps nothing without it). No-op on
    SQLite (its servers keep no standings)."""
    if db.is_sqlite:
        yield _nothing
        return
    dsn = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    answered: set[int] = set()
    news = asyncio.Event()

    def on_answer(_connection: Any, pid: int, _channel: str, forgotten_id: str) -> None:
        if forgotten_id == client_id:
            answered.add(pid)
            news.set()

    async def listeners() -> set[int]:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = $1",
            LISTENER_NAME,
        )
        return {row["pid"] for row in rows}

    async def wait() -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HEARD_SECONDS
        while waiting := expected - answered:
            if loop.time() >= deadline:
                log.warning("revoked %s; %d servers did not answer", client_id, len(waiting))
                return
            news.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(news.wait(), POLL_SECONDS)
            expected.intersection_update(await listeners())

    try:
        await connection.add_listener(FORGOTTEN_CHANNEL, on_answer)
        expected = await listeners()
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
