"""Users' net remaining per invoice and currency, kept as rows so invoice lists can filter
on it with an index (userTagAndBalance) instead of summing line items and payments."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.settlement import NetKey
from invoicegraph.store.tables import InvoiceUserBalanceRow


async def replace_user_nets(
    session: AsyncSession, *, workspace_id: int, nets: Mapping[int, Mapping[NetKey, int]]
) -> None:
    """The rows of these invoices (by row id), as the ledger computed them: two statements
    whatever the number of invoices."""
    if not nets:
        return
    connection = await session.connection()
    await connection.execute(
        delete(InvoiceUserBalanceRow).where(col(InvoiceUserBalanceRow.invoice_id).in_(nets))
    )
    await insert_user_nets(session, workspace_id=workspace_id, nets=nets)


async def insert_user_nets(
    session: AsyncSession, *, workspace_id: int, nets: Mapping[int, Mapping[NetKey, int]]
) -> None:
    """Rows for invoices that have none yet (new invoices), in one statement."""
    values: list[dict[str, Any]] = [
        {
            "invoice_id": invoice_id,
            "user_id": user_id,
            "currency": currency,
            "workspace_id": workspace_id,
            "net_remaining": net,
        }
        for invoice_id, by_key in nets.items()
        for (user_id, currency), net in by_key.items()
    ]
    if values:
        connection = await session.connection()
        await connection.execute(insert(InvoiceUserBalanceRow), values)
