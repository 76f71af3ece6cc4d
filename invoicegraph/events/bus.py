"""The in-process event bus: committed invoice events fanned out to this process's subscribers.

With several server processes (PostgreSQL deployments), `events/postgres.py` serves the same
interface through LISTEN/NOTIFY, so a subscriber on any process sees writes committed by every
other.
"""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from invoicegraph.ledger.enums import EventType

if TYPE_CHECKING:
    from invoicegraph.store.tables import InvoiceRow

QUEUE_SIZE = 1_000
"""Events a slow subscriber may fall behind by; past that its oldest events are dropped."""


@dataclass(frozen=True, slots=True)
class InvoiceEvent:
    type: EventType
    workspace_id: int
    invoice_id: int
    """The invoice's row id."""
    version: int
    """The invoice's version right after the write."""


def invoice_event(event_type: EventType, invoice: "InvoiceRow") -> InvoiceEvent:
    """The event for an invoice row as it stands after a committed write."""
    assert invoice.id is not None
    return InvoiceEvent(
        type=event_type,
        workspace_id=invoice.workspace_id,
        invoice_id=invoice.id,
        version=invoice.version,
    )


class EventBus:
    """Fan-out of committed events to the subscribers of each workspace, in this process."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[int, set[asyncio.Queue[InvoiceEvent]]] = defaultdict(set)

    async def start(self) -> None:
        """Nothing to set up in one process; the PostgreSQL bus starts listening here."""

    async def publish(self, events: Iterable[InvoiceEvent]) -> None:
        for event in events:
            self.deliver(event)

    def deliver(self, event: InvoiceEvent) -> None:
        """Hand one event to this process's subscribers of its workspace."""
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
