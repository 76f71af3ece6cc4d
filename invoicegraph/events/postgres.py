"""Invoice events across server processes, through PostgreSQL's LISTEN/NOTIFY.

Every process listens on one channel with a connection of its own. Publishing sends the events
of one committed write as one NOTIFY; PostgreSQL hands it to every listener, the publishing
process included, so subscribers on any process see every write in commit order. No broker
to run besides the database the deployment already has.
"""

import json
import logging
from collections.abc import Iterable
from typing import Any

import asyncpg
from sqlalchemy import text

from invoicegraph.events.bus import EventBus, InvoiceEvent
from invoicegraph.ledger.enums import EventType
from invoicegraph.store.engine import Database

CHANNEL = "invoicegraph_events"
log = logging.getLogger("invoicegraph.events")


def encode(events: Iterable[InvoiceEvent]) -> str:
    return json.dumps(
        [[e.type.value, e.workspace_id, e.invoice_id, e.version] for e in events],
        separators=(",", ":"),
    )


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

    async def publish(self, events: Iterable[InvoiceEvent]) -> None:
        payload = encode(events)
        if payload == "[]":
            return
        async with self._db.engine.connect() as connection:
            await connection.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": payload},
            )
            await connection.commit()

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
