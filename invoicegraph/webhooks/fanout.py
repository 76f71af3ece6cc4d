"""Outbox events into deliveries: one per event and endpoint that subscribed to its type.

Runs in the deliverer (worker.py), after the writes committed: it reads the oldest events
not yet fanned out, renders each invoice's `data` through the API's own read path (the
renderer the app hands in), and in one transaction inserts the deliveries and marks the
events fanned out, so a crash anywhere repeats the batch instead of losing or doubling it.
The body is made once per event and kept byte for byte: every attempt and every endpoint
sends the same `id`, which receivers deduplicate on.

An endpoint gets the events written after it was made. While no endpoint exists at all, the
events are left as they are (a server without webhooks writes nothing for them); once one
does, those older than every endpoint are marked in one statement.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson

from invoicegraph.clock import now
from invoicegraph.ledger.enums import EventType, InvoiceStatus
from invoicegraph.ledger.webhooks import webhook_event_type
from invoicegraph.store.engine import Database
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.webhooks import (
    PENDING,
    FanOutEvent,
    earliest_endpoint_created,
    enabled_endpoints,
    events_to_fan_out,
    insert_deliveries,
    mark_fanned_out,
    mark_fanned_out_before,
)

BATCH = 200
"""Outbox events per fan-out transaction."""

Renderer = Callable[[int, str, Sequence[str]], Awaitable[dict[str, Any]]]
"""(workspace row id, workspace public id, invoice public ids) -> {invoice public id: the
invoice as the API shows it}; a few statements for the whole list."""


def _type_of(event: FanOutEvent) -> str:
    return webhook_event_type(
        EventType(event.type),
        old_status=None if event.previous_status is None else InvoiceStatus(event.previous_status),
        new_status=InvoiceStatus(event.status or "OPEN"),
        transaction_version=event.transaction_version,
    ).value


def payload(event: FanOutEvent, *, event_id: str, kind: str, data: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": kind,
        "created": event.created.isoformat().replace("+00:00", "Z"),
        "workspaceId": event.workspace_public_id,
        "invoice": {"id": event.invoice_public_id, "version": event.version},
        "transaction": None
        if event.transaction_public_id is None
        else {"id": event.transaction_public_id, "version": event.transaction_version},
        "data": {"invoice": data},
    }


async def fan_out(db: Database, render: Renderer) -> int:
    """One batch: the number of outbox events it handled (0: none was waiting)."""
    async with db.read() as session:
        events = await events_to_fan_out(session, limit=BATCH)
        if not events:
            return 0
        earliest = await earliest_endpoint_created(session)
        if earliest is None:
            return 0  # nobody listens
        endpoints = []
        if events[-1].created >= earliest:
            endpoints = await enabled_endpoints(
                session, workspace_ids=sorted({event.workspace_id for event in events})
            )
    if events[-1].created < earliest:  # the whole batch, and maybe more, predates them all
        async with db.write() as session:
            await mark_fanned_out_before(session, created=earliest)
        return len(events)
    by_workspace = defaultdict(list)
    for endpoint in endpoints:
        by_workspace[endpoint.workspace_id].append(endpoint)
    wanted = []
    for event in events:
        kind = _type_of(event)
        targets = [
            endpoint
            for endpoint in by_workspace[event.workspace_id]
            if kind in endpoint.event_types and event.created >= endpoint.created
        ]
        if targets:
            wanted.append((event, kind, targets))
    data = await _render_all(render, [event for event, _, _ in wanted])
    created = now()
    rows = []
    for event, kind, targets in wanted:
        event_id = new_public_id("evt")
        body = orjson.dumps(
            payload(event, event_id=event_id, kind=kind, data=data.get(event.invoice_public_id))
        ).decode()
        for endpoint in targets:
            rows.append(
                {
                    "public_id": new_public_id("whd"),
                    "workspace_id": event.workspace_id,
                    "endpoint_id": endpoint.id,
                    "event_id": event_id,
                    "event_type": kind,
                    "invoice_id": event.invoice_id,
                    "invoice_version": event.version,
                    "body": body,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt": created,
                    "created": created,
                    "retry_from": created,
                }
            )
    async with db.write() as session:
        await insert_deliveries(session, rows)
        await mark_fanned_out(session, ids=[event.id for event in events])
    return len(events)


async def _render_all(render: Renderer, events: Sequence[FanOutEvent]) -> dict[str, Any]:
    """The data of every invoice named, one render per workspace."""
    grouped: dict[tuple[int, str], set[str]] = defaultdict(set)
    for event in events:
        grouped[(event.workspace_id, event.workspace_public_id)].add(event.invoice_public_id)
    data: dict[str, Any] = {}
    for (workspace_id, workspace_public_id), invoice_ids in grouped.items():
        data.update(await render(workspace_id, workspace_public_id, sorted(invoice_ids)))
    return data
