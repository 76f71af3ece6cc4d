"""The outbox publisher: hands committed events on, after commit, and never loses one.

Each write leaves its events in the outbox table in its own transaction (store/outbox.py) and
wakes this publisher when it commits. The publisher takes the oldest pending events, sends
them through the bus inside the transaction that marks them published (one UPDATE ...
RETURNING claims them), and once that commits
tells the bus they are out. A failure anywhere here is logged and retried with a growing
pause; the write it came from has long been answered as a success. After a restart, whatever
was still pending goes out first. Writes of other processes (a CLI import beside the server)
are found by polling.
"""

import asyncio
import logging
from contextlib import suppress

from invoicegraph.events.bus import EventBus
from invoicegraph.store.engine import Database
from invoicegraph.store.outbox import claim_pending, has_pending, take_publisher_turn

log = logging.getLogger("invoicegraph.outbox")

BATCH = 500
"""Events per publishing transaction."""
POLL_SECONDS = 1.0
"""How long the publisher sleeps without a wake-up before it looks anyway."""
GATHER_SECONDS = 0.02
"""How long a woken publisher waits for more commits before it publishes: what subscribers wait
at most beyond the commit, against one publishing transaction per write under load."""
MAX_PAUSE_SECONDS = 30.0
STOP_SECONDS = 10.0


class OutboxPublisher:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self._db = db
        self._bus = bus
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def publish_pending(self, *, look_first: bool = True) -> int:
        """One batch: the number of events published (0 when none was pending, or another
        process's publisher has the turn). `look_first`: read whether anything is pending
        before taking the write lock (an idle poll); not after a wake-up, when something is."""
        if look_first:
            async with self._db.read() as session:
                if not await has_pending(session):
                    return 0
        # repeatable: a mark lost to a power loss only sends its events again after the restart
        async with self._db.write(repeatable=True) as session:
            if not await take_publisher_turn(session):
                return 0
            events = await claim_pending(session, limit=BATCH)
            await self._bus.send(session, events)
        self._bus.sent(events)
        return len(events)

    async def publish_all(self, *, look_first: bool = True) -> int:
        """Every pending event, batch after batch, until a batch is not full."""
        total = 0
        while True:
            published = await self.publish_pending(look_first=look_first and total == 0)
            total += published
            if published < BATCH:
                return total

    async def _run(self) -> None:
        pause = 0.0
        woken = False  # the first round looks for what a previous run left
        while True:
            try:
                await self.publish_all(look_first=not woken)
                pause = 0.0
                if self._stopping:
                    return
                woken = await self._bus.next_commit(at_most=POLL_SECONDS)
                if woken and not self._stopping:
                    # let the writes committing right now join this round: one transaction
                    # (one fsync on SQLite) marks them all published
                    await asyncio.sleep(GATHER_SECONDS)
            except Exception:
                if self._stopping:
                    return  # what is left goes out after the next start
                pause = min(MAX_PAUSE_SECONDS, max(0.1, pause * 2))
                log.exception("publishing the outbox failed; retrying in %.1f s", pause)
                await asyncio.sleep(pause)

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="invoicegraph outbox publisher")

    async def stop(self) -> None:
        """Finish the round in progress (never cut a statement short) and what is pending,
        then stop; cancelled only if that takes longer than STOP_SECONDS."""
        if self._task is None:
            return
        self._stopping = True
        self._bus.committed()  # wake it from its wait
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_SECONDS)
        except TimeoutError:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        self._task = None
