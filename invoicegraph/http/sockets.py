"""What an open WebSocket may go on doing: its client's standing, watched while it is open.

A socket proves its token once, in connection_init; HTTP requests prove theirs every time.
So that a socket does not outlive its rights, each one has a `SocketStanding`:

- it is closed with 4401 when its token expires (a close scheduled at `exp`);
- every operation it subscribes re-reads the client's standing (one indexed read, as an HTTP
  request does), and a revoked client's socket is closed with 4403 before the operation runs;
- every event delivered asks `in_standing()`, which reads memory only: the process watches the
  count of revoked clients (`RevocationWatch`, one statement a second while sockets are open,
  whoever revoked: the CLI is another process) and closes the sockets of a newly revoked
  client with 4403, stopping their streams;
- a client may hold `per_client` sockets in a process; one more is closed with 4429.
"""

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field

from invoicegraph.auth.principal import Principal
from invoicegraph.store.engine import Database
from invoicegraph.store.workspaces import client_standing, revoked_client_count

WATCH_INTERVAL_SECONDS = 1.0
"""How soon an open socket of a revoked client is closed when nothing else asks first."""

EXPIRED = 4401
REVOKED = 4403
TOO_MANY = 4429
EXPIRED_REASON = "the bearer token has expired: reconnect with a new one"
REVOKED_REASON = "the client's credentials were revoked"

log = logging.getLogger("invoicegraph.sockets")

Close = Callable[[int, str], Awaitable[None]]
"""Closes the socket with a code and a reason, and stops its operations."""


class SocketRefused(Exception):
    """Closes a socket at connection_init with its own code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(eq=False)
class SocketStanding:
    """One open socket's client, when its token expires, and how to close it."""

    principal: Principal
    expires_at: int
    close: Close
    revoked: bool = False
    _expiry: asyncio.TimerHandle | None = field(default=None, repr=False)

    def in_standing(self) -> bool:
        """May this socket still read and write? Memory only: asked per delivered event."""
        return not self.revoked and time.time() < self.expires_at

    def refusal(self) -> tuple[int, str] | None:
        """The close code and reason when it may not; None when it may."""
        if self.revoked:
            return REVOKED, REVOKED_REASON
        if time.time() >= self.expires_at:
            return EXPIRED, EXPIRED_REASON
        return None


class RevocationWatch:
    """The sockets open in this process, by client, and the watch over their standing."""

    def __init__(self, db: Database, *, per_client: int) -> None:
        self.db = db
        self.per_client = per_client
        self._open: defaultdict[str, set[SocketStanding]] = defaultdict(set)
        self._revoked_count: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()

    def open_sockets(self, client_id: str) -> int:
        return len(self._open.get(client_id, ()))

    def admit(self, principal: Principal, *, expires_at: int, close: Close) -> SocketStanding:
        """Count a socket that proved its token; SocketRefused past the client's share."""
        if self.open_sockets(principal.client_id) >= self.per_client:
            raise SocketRefused(
                TOO_MANY,
                f"too many open sockets for this client (at most {self.per_client})",
            )
        standing = SocketStanding(principal, expires_at, close)
        self._open[principal.client_id].add(standing)
        loop = asyncio.get_running_loop()
        standing._expiry = loop.call_at(
            loop.time() + max(0.0, expires_at - time.time()),
            lambda: self._closing_task(standing.close(EXPIRED, EXPIRED_REASON)),
        )
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch())
        return standing

    def forget(self, standing: SocketStanding) -> None:
        """The socket has ended."""
        if standing._expiry is not None:
            standing._expiry.cancel()
        sockets = self._open.get(standing.principal.client_id)
        if sockets is not None:
            sockets.discard(standing)
            if not sockets:
                del self._open[standing.principal.client_id]

    async def recheck(self, standing: SocketStanding) -> tuple[int, str] | None:
        """Before an operation: the client's standing read again from the database."""
        if standing.in_standing():
            async with self.db.read() as session:
                current = await client_standing(session, public_id=standing.principal.client_id)
            if current is None or current.revoked:
                self._revoke(standing.principal.client_id)
        return standing.refusal()

    def _closing_task(self, closing: Awaitable[None]) -> None:
        async def run() -> None:
            await closing

        task = asyncio.get_running_loop().create_task(run())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _revoke(self, client_id: str) -> None:
        for standing in list(self._open.get(client_id, ())):
            if not standing.revoked:
                standing.revoked = True
                self._closing_task(standing.close(REVOKED, REVOKED_REASON))

    async def _watch(self) -> None:
        """While sockets are open: one statement a second; a change re-reads the standing of
        each client with an open socket (one statement each)."""
        while self._open:
            try:
                async with self.db.read() as session:
                    count = await revoked_client_count(session)
                    if count != self._revoked_count:  # None at first: each socket's client
                        for client_id in list(self._open):
                            current = await client_standing(session, public_id=client_id)
                            if current is None or current.revoked:
                                self._revoke(client_id)
                    self._revoked_count = count
            except Exception:
                log.exception("could not read the standing of clients with open sockets")
            await asyncio.sleep(WATCH_INTERVAL_SECONDS)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
