"""The invoice aggregate: the invoice row, its tags, its line items and its versions."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.invoices import UserRef, ValidInvoice
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.tables import InvoiceRow, InvoiceTagRow, InvoiceVersionRow, LineItemRow


@dataclass(frozen=True, slots=True)
class InvoiceKey:
    """Where an invoice sits in the default order (created, then id): a keyset cursor's content."""

    created: datetime
    id: int


async def get_invoice(
    session: AsyncSession,
    *,
    workspace_id: int,
    public_id: str | None = None,
    invoice_id: str | None = None,
) -> InvoiceRow | None:
    """An invoice of this workspace by our id or the caller's invoiceId; None when not visible."""
    query = select(InvoiceRow).where(InvoiceRow.workspace_id == workspace_id)
    if public_id is not None:
        query = query.where(InvoiceRow.public_id == public_id)
    if invoice_id is not None:
        query = query.where(InvoiceRow.invoice_id == invoice_id)
    return (await session.exec(query)).first()


def line_item_snapshot(row: LineItemRow) -> dict[str, Any]:
    """A line item as it stands, in the JSON form that versions keep forever."""
    return {
        "lineItemId": row.public_id,
        "description": row.description,
        "productId": row.product_id,
        "type": row.type,
        "currency": row.currency,
        "amount": str(row.amount),
        "unitPrice": str(row.unit_price),
        "quantity": row.quantity,
        "userId": row.user_id,
        "tags": row.tags,
    }


async def insert_invoice(
    session: AsyncSession,
    *,
    workspace_id: int,
    invoice: ValidInvoice,
    user_ids: Mapping[UserRef, int],
    fingerprint: str,
    now: datetime,
) -> InvoiceRow:
    """Write a new invoice with its tags, line items and version 1, in the caller's transaction."""
    status = InvoiceStatus.DRAFT if invoice.draft else InvoiceStatus.OPEN
    row = InvoiceRow(
        public_id=new_public_id("inv"),
        workspace_id=workspace_id,
        invoice_id=invoice.invoice_id,
        status=status.value,
        version=1,
        created=now,
        modified=now,
        request_hash=fingerprint,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    session.add_all(
        InvoiceTagRow(
            invoice_id=row.id, workspace_id=workspace_id, key=tag.key, value=tag.value, position=i
        )
        for i, tag in enumerate(invoice.tags)
    )
    items = [
        LineItemRow(
            public_id=new_public_id("li"),
            workspace_id=workspace_id,
            invoice_id=row.id,
            user_id=user_ids[spec.user],
            description=spec.description,
            product_id=spec.product_id,
            type=spec.type.value,
            currency=spec.currency,
            amount=spec.price.amount,
            unit_price=spec.price.unit_price,
            quantity=spec.price.quantity,
            tags=[[tag.key, tag.value] for tag in spec.tags],
        )
        for spec in invoice.line_items
    ]
    session.add_all(items)
    session.add(
        InvoiceVersionRow(
            invoice_id=row.id,
            version=1,
            workspace_id=workspace_id,
            modified=now,
            status=status.value,
            tags=[[tag.key, tag.value] for tag in invoice.tags],
            line_items=[line_item_snapshot(item) for item in items],
            changes=[],
        )
    )
    await session.flush()
    return row


async def list_invoices(
    session: AsyncSession,
    *,
    workspace_id: int,
    limit: int,
    after: InvoiceKey | None = None,
    before: InvoiceKey | None = None,
    from_end: bool = False,
) -> list[InvoiceRow]:
    """Up to `limit` invoices newest first, strictly between the keys; a keyset seek, no OFFSET.

    With `from_end` the page is the one that ends at `before` (or at the oldest invoice), which
    is how `last` pages backwards; the rows still come back newest first.
    """
    order_key = tuple_(col(InvoiceRow.created), col(InvoiceRow.id))
    query = select(InvoiceRow).where(InvoiceRow.workspace_id == workspace_id)
    if after is not None:
        query = query.where(order_key < tuple_(after.created, after.id))
    if before is not None:
        query = query.where(order_key > tuple_(before.created, before.id))
    if from_end:
        query = query.order_by(col(InvoiceRow.created).asc(), col(InvoiceRow.id).asc())
    else:
        query = query.order_by(col(InvoiceRow.created).desc(), col(InvoiceRow.id).desc())
    rows = list((await session.exec(query.limit(limit))).all())
    return rows[::-1] if from_end else rows


async def count_invoices(session: AsyncSession, *, workspace_id: int) -> int:
    query = (
        select(func.count()).select_from(InvoiceRow).where(InvoiceRow.workspace_id == workspace_id)
    )
    return (await session.exec(query)).one()
