"""The in-process event bus: committed invoice events fanned out to this process's subscribers.

Events reach the bus from the outbox (`events/outbox.py`), never straight from a write: the
publisher `send`s a batch inside the transaction that marks it published, and calls `sent`
once that has committed. Here `sent` hands the events to this process's subscribers. With
several server processes (PostgreSQL deployments), `events/postgres.py` sends them through
NOTIFY instead, so a subscriber on any process sees writes committed by every other.
"""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.events import InvoiceEvent

QUEUE_SIZE = 1_000
"""Events a slow subscriber may fall behind by; past that its oldest events are dropped."""


class EventBus:
    """Fan-out of committed events to the subscribers of each workspace, in this process."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[int, set[asyncio.Queue[InvoiceEvent]]] = defaultdict(set)
        self._committed = asyncio.Event()
        self._watchers: list[Callable[[], None]] = []

    async def start(self) -> None:
        """Nothing to set up in one process; the PostgreSQL bus starts listening here."""

    def committed(self) -> None:
        """A write with events has committed: wake this process's outbox publisher."""
        self._committed.set()

    async def next_commit(self, *, at_most: float) -> bool:
        """Wait until `committed` (True), or `at_most` seconds (False: other processes write
        too), then re-arm: a commit after this returns wakes the next wait."""
        woken = False
        with suppress(TimeoutError):
            async with asyncio.timeout(at_most):
                woken = await self._committed.wait()
        self._committed.clear()
        return woken

    async def send(self, session: AsyncSession, events: Sequence[InvoiceEvent]) -> None:
        """Called inside the transaction that marks `events` published: nothing to do here,
        in one process; the PostgreSQL bus notifies every process in it."""

    def sent(self, events: Iterable[InvoiceEvent]) -> None:
        """The transaction that marked `events` published committed: deliver them here."""
        for event in events:
            self.deliver(event)

    def watch(self, published: Callable[[], None]) -> None:
        """Call `published` whenever events reach this process (the webhook deliverer's wake)."""
        self._watchers.append(published)

    def deliver(self, event: InvoiceEvent) -> None:
        """Hand one event to this process's subscribers of its workspace."""
        for published in self._watchers:
            published()
        for queue in self._subscribers.get(event.workspace_id, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, workspace_id: int) -> AsyncIterator["asyncio.Queue[InvoiceEvent]"]:
        queue: asyncio.Queue[InvoiceEvent] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._subscribers[workspace_id].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[workspace_id].discard(queue)
            if not self._subscribers[workspace_id]:
                del self._subscribers[workspace_id]

    async def close(self) -> None:
        """Nothing to release in one process; the PostgreSQL bus closes its listener here."""
