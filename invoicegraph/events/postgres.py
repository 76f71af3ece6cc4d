"""Invoice events across server processes, through PostgreSQL's LISTEN/NOTIFY.

Every process listens on one channel with a connection of its own. The outbox publisher sends
each batch as NOTIFYs inside the transaction that marks it published, so the notifications go
out exactly when that commits; PostgreSQL hands them to every listener, the publishing process
included. A notification's payload must stay under 8000 bytes: a batch is cut into as many as
it takes (about 200 events each). No broker to run besides the database the deployment already
has.
"""

import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.events.bus import EventBus
from invoicegraph.ledger.enums import EventType
from invoicegraph.ledger.events import InvoiceEvent
from invoicegraph.store.engine import Database

CHANNEL = "invoicegraph_events"
log = logging.getLogger("invoicegraph.events")


PAYLOAD_LIMIT = 7_000
"""Bytes a payload may take: PostgreSQL refuses 8000 and more."""


def encode(events: Iterable[InvoiceEvent]) -> list[str]:
    """The events as JSON payloads, in order, each under PAYLOAD_LIMIT bytes."""
    payloads: list[str] = []
    current: list[str] = []
    size = 2
    for event in events:
        item = json.dumps(
            [event.type.value, event.workspace_id, event.invoice_id, event.version],
            separators=(",", ":"),
        )
        if current and size + len(item) + 1 > PAYLOAD_LIMIT:
            payloads.append("[" + ",".join(current) + "]")
            current, size = [], 2
        current.append(item)
        size += len(item) + 1
    if current:
        payloads.append("[" + ",".join(current) + "]")
    return payloads


def decode(payload: str) -> list[InvoiceEvent]:
    return [
        InvoiceEvent(type=EventType(kind), workspace_id=ws, invoice_id=invoice, version=version)
        for kind, ws, invoice, version in json.loads(payload)
    ]


class PostgresEventBus(EventBus):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db
        self._listener: Any = None

    async def start(self) -> None:
        dsn = self._db.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._listener = await asyncpg.connect(dsn)
        await self._listener.add_listener(CHANNEL, self._on_notification)

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            events = decode(payload)
        except (ValueError, TypeError, KeyError):
            log.exception("ignored a malformed notification on %s", CHANNEL)
            return
        for event in events:
            self.deliver(event)

    async def send(self, session: AsyncSession, events: Sequence[InvoiceEvent]) -> None:
        """NOTIFY every process, in the publisher's transaction (delivered when it commits)."""
        connection = await session.connection()
        for payload in encode(events):
            await connection.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": payload},
            )

    def sent(self, events: Iterable[InvoiceEvent]) -> None:
        """Nothing here: the listener delivers the notifications, this process's included."""

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
