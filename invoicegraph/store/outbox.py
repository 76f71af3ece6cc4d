"""The outbox: events written with the data they describe, read back by the publisher.

A write inserts its events in its own transaction, so they exist exactly when the write does;
the publisher hands them on after the commit and marks them published. On PostgreSQL one
publisher at a time (a transaction-scoped advisory lock) keeps them in commit order across
server processes.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, text, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.enums import EventType
from invoicegraph.ledger.events import InvoiceEvent
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.tables import OutboxEventRow

PUBLISHER_LOCK = 0x1D0_0B0C5
"""The advisory lock key PostgreSQL publishers take turns on."""


async def add_events(session: AsyncSession, events: Sequence[InvoiceEvent], now: datetime) -> None:
    """Keep the events of the write in progress, in its transaction."""
    if not events:
        return
    connection = await session.connection()
    await connection.execute(
        insert(OutboxEventRow),
        [
            {
                "workspace_id": event.workspace_id,
                "invoice_id": event.invoice_id,
                "type": event.type.value,
                "version": event.version,
                "transaction_id": event.transaction_id,
                "transaction_version": event.transaction_version,
                "created": now,
                "published": False,
                "fanned_out": False,
            }
            for event in events
        ],
    )


async def take_publisher_turn(session: AsyncSession) -> bool:
    """Whether this transaction may publish now: always on SQLite (one server process); on
    PostgreSQL only while no other process's publisher is at it."""
    if dialect_of(session) != "postgresql":
        return True
    connection = await session.connection()
    taken = await connection.execute(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PUBLISHER_LOCK}
    )
    return bool(taken.scalar_one())


async def has_pending(session: AsyncSession) -> bool:
    """Whether any event waits: a read, so an idle publisher never takes the write lock."""
    connection = await session.connection()
    found = await connection.execute(
        select(col(OutboxEventRow.id)).where(col(OutboxEventRow.published).is_(False)).limit(1)
    )
    return found.first() is not None


async def pending_count(session: AsyncSession) -> int:
    """How many committed events wait to be published (the metrics' backlog)."""
    connection = await session.connection()
    found = await connection.execute(
        select(func.count()).where(col(OutboxEventRow.published).is_(False))
    )
    return int(found.scalar_one())


async def claim_pending(session: AsyncSession, *, limit: int) -> list[InvoiceEvent]:
    """Mark the oldest events not yet published as published, in this transaction, and answer
    them in commit order: one statement (UPDATE ... RETURNING) where a read and a write were."""
    connection = await session.connection()
    oldest = (
        select(col(OutboxEventRow.id))
        .where(col(OutboxEventRow.published).is_(False))
        .order_by(col(OutboxEventRow.id))
        .limit(limit)
    )
    rows = await connection.execute(
        update(OutboxEventRow)
        .where(col(OutboxEventRow.id).in_(oldest.scalar_subquery()))
        .values(published=True)
        .returning(
            col(OutboxEventRow.id),
            col(OutboxEventRow.type),
            col(OutboxEventRow.workspace_id),
            col(OutboxEventRow.invoice_id),
            col(OutboxEventRow.version),
        )
    )
    return [
        InvoiceEvent(
            type=EventType(kind), workspace_id=workspace, invoice_id=invoice, version=version
        )
        for _, kind, workspace, invoice, version in sorted(rows, key=lambda row: row[0] or 0)
    ]
