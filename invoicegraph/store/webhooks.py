"""Webhook endpoints, their deliveries and attempts; and the outbox as webhooks read it.

Every function that a caller reaches through the API takes the workspace; the delivery
worker's own functions (fan-out, due deliveries, results) work across workspaces, as the one
deliverer of the deployment does.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, exists, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.store.ids import new_public_id
from invoicegraph.store.tables import (
    InvoiceRow,
    InvoiceVersionRow,
    OutboxEventRow,
    TransactionRow,
    WebhookAttemptRow,
    WebhookDeliveryRow,
    WebhookEndpointRow,
    WorkspaceRow,
)

PENDING, SUCCEEDED, FAILED = "PENDING", "SUCCEEDED", "FAILED"
"""A delivery's statuses: still to be sent (or retried), received (2xx), given up."""


# ---- endpoints


async def insert_endpoint(
    session: AsyncSession,
    *,
    workspace_id: int,
    url: str,
    description: str,
    event_types: list[str],
    secret_ciphertext: str,
    now: datetime,
) -> WebhookEndpointRow:
    row = WebhookEndpointRow(
        public_id=new_public_id("whe"),
        workspace_id=workspace_id,
        url=url,
        description=description,
        event_types=event_types,
        secret_ciphertext=secret_ciphertext,
        enabled=True,
        created=now,
        modified=now,
    )
    session.add(row)
    await session.flush()
    return row


async def get_endpoint(
    session: AsyncSession, *, workspace_id: int, public_id: str, for_update: bool = False
) -> WebhookEndpointRow | None:
    query = select(WebhookEndpointRow).where(
        col(WebhookEndpointRow.workspace_id) == workspace_id,
        col(WebhookEndpointRow.public_id) == public_id,
    )
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def list_endpoints(
    session: AsyncSession, *, workspace_id: int, after: int | None, limit: int
) -> list[WebhookEndpointRow]:
    """The workspace's endpoints, oldest first, after the row id `after` (a keyset page)."""
    query = select(WebhookEndpointRow).where(col(WebhookEndpointRow.workspace_id) == workspace_id)
    if after is not None:
        query = query.where(col(WebhookEndpointRow.id) > after)
    query = query.order_by(col(WebhookEndpointRow.id)).limit(limit)
    return list(await session.exec(query))


async def endpoints_by_ids(
    session: AsyncSession, *, workspace_id: int, ids: Sequence[int]
) -> dict[int, WebhookEndpointRow]:
    query = select(WebhookEndpointRow).where(
        col(WebhookEndpointRow.workspace_id) == workspace_id, col(WebhookEndpointRow.id).in_(ids)
    )
    rows = await session.exec(query)
    return {row.id: row for row in rows if row.id is not None}


async def delete_endpoint(session: AsyncSession, *, endpoint_id: int) -> None:
    """The endpoint, its deliveries and their attempts."""
    deliveries = sa_select(col(WebhookDeliveryRow.id)).where(
        col(WebhookDeliveryRow.endpoint_id) == endpoint_id
    )
    await session.exec(
        delete(WebhookAttemptRow).where(col(WebhookAttemptRow.delivery_id).in_(deliveries))
    )
    await session.exec(
        delete(WebhookDeliveryRow).where(col(WebhookDeliveryRow.endpoint_id) == endpoint_id)
    )
    await session.exec(delete(WebhookEndpointRow).where(col(WebhookEndpointRow.id) == endpoint_id))


# ---- fan-out: outbox events into deliveries


class FanOutEvent(NamedTuple):
    """An outbox event with what its webhook needs: public ids and the statuses around it."""

    id: int
    workspace_id: int
    workspace_public_id: str
    invoice_id: int
    invoice_public_id: str
    type: str
    version: int
    status: str | None
    """The invoice's status in this version (None if the version is gone: never, in practice)."""
    previous_status: str | None
    transaction_public_id: str | None
    transaction_version: int | None
    created: datetime


async def events_to_fan_out(session: AsyncSession, *, limit: int) -> list[FanOutEvent]:
    """The oldest outbox events not yet turned into deliveries, in commit order."""
    this = aliased(InvoiceVersionRow)
    before = aliased(InvoiceVersionRow)
    query = (
        sa_select(
            col(OutboxEventRow.id),
            col(OutboxEventRow.workspace_id),
            col(WorkspaceRow.public_id),
            col(OutboxEventRow.invoice_id),
            col(InvoiceRow.public_id),
            col(OutboxEventRow.type),
            col(OutboxEventRow.version),
            col(this.status),
            col(before.status),
            col(TransactionRow.public_id),
            col(OutboxEventRow.transaction_version),
            col(OutboxEventRow.created),
        )
        .join(WorkspaceRow, col(WorkspaceRow.id) == col(OutboxEventRow.workspace_id))
        .join(InvoiceRow, col(InvoiceRow.id) == col(OutboxEventRow.invoice_id))
        .outerjoin(
            this,
            and_(
                col(this.invoice_id) == col(OutboxEventRow.invoice_id),
                col(this.version) == col(OutboxEventRow.version),
            ),
        )
        .outerjoin(
            before,
            and_(
                col(before.invoice_id) == col(OutboxEventRow.invoice_id),
                col(before.version) == col(OutboxEventRow.version) - 1,
            ),
        )
        .outerjoin(TransactionRow, col(TransactionRow.id) == col(OutboxEventRow.transaction_id))
        .where(col(OutboxEventRow.fanned_out).is_(False))
        .order_by(col(OutboxEventRow.id))
        .limit(limit)
    )
    connection = await session.connection()
    return [FanOutEvent._make(row) for row in await connection.execute(query)]


async def enabled_endpoints(
    session: AsyncSession, *, workspace_ids: Sequence[int]
) -> list[WebhookEndpointRow]:
    query = (
        select(WebhookEndpointRow)
        .where(
            col(WebhookEndpointRow.workspace_id).in_(workspace_ids),
            col(WebhookEndpointRow.enabled).is_(True),
        )
        .order_by(col(WebhookEndpointRow.id))
    )
    return list(await session.exec(query))


async def earliest_endpoint_created(session: AsyncSession) -> datetime | None:
    """When the oldest endpoint of any workspace was made (None: there is none)."""
    connection = await session.connection()
    found = await connection.execute(
        sa_select(col(WebhookEndpointRow.created))
        .order_by(col(WebhookEndpointRow.created))
        .limit(1)
    )
    return found.scalar_one_or_none()


async def mark_fanned_out_before(session: AsyncSession, *, created: datetime) -> None:
    """Every event older than `created` (no endpoint existed yet), at once."""
    connection = await session.connection()
    await connection.execute(
        update(OutboxEventRow)
        .where(col(OutboxEventRow.fanned_out).is_(False), col(OutboxEventRow.created) < created)
        .values(fanned_out=True)
    )


async def insert_deliveries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        connection = await session.connection()
        await connection.execute(insert(WebhookDeliveryRow), list(rows))


async def mark_fanned_out(session: AsyncSession, *, ids: Sequence[int]) -> None:
    if ids:
        connection = await session.connection()
        await connection.execute(
            update(OutboxEventRow).where(col(OutboxEventRow.id).in_(ids)).values(fanned_out=True)
        )


# ---- the deliverer


class DueDelivery(NamedTuple):
    id: int
    workspace_id: int
    event_id: str
    endpoint_id: int
    url: str
    secret_ciphertext: str
    body: str
    attempts: int


async def due_deliveries(session: AsyncSession, *, now: datetime, limit: int) -> list[DueDelivery]:
    """Deliveries to attempt now, to enabled endpoints, each the oldest pending one of its
    endpoint and invoice: event n+1 of an invoice waits while event n is pending."""
    earlier = aliased(WebhookDeliveryRow)
    query = (
        sa_select(
            col(WebhookDeliveryRow.id),
            col(WebhookDeliveryRow.workspace_id),
            col(WebhookDeliveryRow.event_id),
            col(WebhookDeliveryRow.endpoint_id),
            col(WebhookEndpointRow.url),
            col(WebhookEndpointRow.secret_ciphertext),
            col(WebhookDeliveryRow.body),
            col(WebhookDeliveryRow.attempts),
        )
        .join(WebhookEndpointRow, col(WebhookEndpointRow.id) == col(WebhookDeliveryRow.endpoint_id))
        .where(
            col(WebhookDeliveryRow.status) == PENDING,
            col(WebhookDeliveryRow.next_attempt) <= now,
            col(WebhookEndpointRow.enabled).is_(True),
            ~exists().where(
                col(earlier.endpoint_id) == col(WebhookDeliveryRow.endpoint_id),
                col(earlier.invoice_id) == col(WebhookDeliveryRow.invoice_id),
                col(earlier.status) == PENDING,
                col(earlier.id) < col(WebhookDeliveryRow.id),
            ),
        )
        .order_by(col(WebhookDeliveryRow.next_attempt), col(WebhookDeliveryRow.id))
        .limit(limit)
    )
    connection = await session.connection()
    return [DueDelivery._make(row) for row in await connection.execute(query)]


async def next_due(session: AsyncSession) -> datetime | None:
    """When the earliest pending delivery to an enabled endpoint is due (None: none is)."""
    query = (
        sa_select(col(WebhookDeliveryRow.next_attempt))
        .join(WebhookEndpointRow, col(WebhookEndpointRow.id) == col(WebhookDeliveryRow.endpoint_id))
        .where(col(WebhookDeliveryRow.status) == PENDING, col(WebhookEndpointRow.enabled).is_(True))
        .order_by(col(WebhookDeliveryRow.next_attempt))
        .limit(1)
    )
    connection = await session.connection()
    return (await connection.execute(query)).scalar_one_or_none()


async def insert_attempt(
    session: AsyncSession,
    *,
    delivery_id: int,
    workspace_id: int,
    attempted: datetime,
    status_code: int | None,
    latency_ms: int,
    error: str | None,
) -> None:
    session.add(
        WebhookAttemptRow(
            delivery_id=delivery_id,
            workspace_id=workspace_id,
            attempted=attempted,
            status_code=status_code,
            latency_ms=latency_ms,
            error=error,
        )
    )
    await session.flush()


async def get_delivery_by_id(
    session: AsyncSession, *, delivery_id: int
) -> WebhookDeliveryRow | None:
    query = select(WebhookDeliveryRow).where(col(WebhookDeliveryRow.id) == delivery_id)
    return (await session.exec(query.with_for_update())).first()


async def get_endpoint_by_id(session: AsyncSession, *, endpoint_id: int) -> WebhookEndpointRow:
    query = select(WebhookEndpointRow).where(col(WebhookEndpointRow.id) == endpoint_id)
    return (await session.exec(query.with_for_update())).one()


# ---- deliveries through the API


async def get_delivery(
    session: AsyncSession, *, workspace_id: int, public_id: str
) -> WebhookDeliveryRow | None:
    query = select(WebhookDeliveryRow).where(
        col(WebhookDeliveryRow.workspace_id) == workspace_id,
        col(WebhookDeliveryRow.public_id) == public_id,
    )
    return (await session.exec(query)).first()


async def list_deliveries(
    session: AsyncSession,
    *,
    workspace_id: int,
    endpoint_id: int | None,
    status: str | None,
    before: int | None,
    limit: int,
) -> list[WebhookDeliveryRow]:
    """The workspace's deliveries, newest first, before the row id `before` (a keyset page)."""
    query = select(WebhookDeliveryRow).where(col(WebhookDeliveryRow.workspace_id) == workspace_id)
    if endpoint_id is not None:
        query = query.where(col(WebhookDeliveryRow.endpoint_id) == endpoint_id)
    if status is not None:
        query = query.where(col(WebhookDeliveryRow.status) == status)
    if before is not None:
        query = query.where(col(WebhookDeliveryRow.id) < before)
    query = query.order_by(col(WebhookDeliveryRow.id).desc()).limit(limit)
    return list(await session.exec(query))


async def attempts_of(
    session: AsyncSession, *, delivery_ids: Sequence[int]
) -> dict[int, list[WebhookAttemptRow]]:
    """The attempts of each delivery, oldest first: one statement for a page."""
    query = (
        select(WebhookAttemptRow)
        .where(col(WebhookAttemptRow.delivery_id).in_(delivery_ids))
        .order_by(col(WebhookAttemptRow.id))
    )
    grouped: dict[int, list[WebhookAttemptRow]] = {}
    for row in await session.exec(query):
        grouped.setdefault(row.delivery_id, []).append(row)
    return grouped
