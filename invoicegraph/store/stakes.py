"""What a stake took in and what its returns give back, read in the caller's transaction."""

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.store.tables import InvoiceRow, LineItemRow, PaymentRow


async def stake_payers(session: AsyncSession, *, stake_id: int) -> dict[str, dict[int, int]]:
    """Per currency, per user row id, what was paid in (PAYIN payments) on the stake."""
    connection = await session.connection()
    rows = await connection.execute(
        select(col(PaymentRow.currency), col(PaymentRow.user_id), col(PaymentRow.amount)).where(
            col(PaymentRow.invoice_id) == stake_id, col(PaymentRow.type) == FlowType.PAYIN.value
        )
    )
    paid: defaultdict[str, dict[int, int]] = defaultdict(dict)
    for currency, user_id, amount in rows:
        paid[currency][user_id] = paid[currency].get(user_id, 0) + int(amount)
    return dict(paid)


async def returned_of_stakes(
    session: AsyncSession, *, stake_ids: list[int]
) -> dict[int, dict[str, int]]:
    """Per stake, per currency, what its returns that are not VOID give back."""
    connection = await session.connection()
    rows = await connection.execute(
        select(col(InvoiceRow.stake_id), col(LineItemRow.currency), col(LineItemRow.due))
        .join(InvoiceRow, col(InvoiceRow.id) == col(LineItemRow.invoice_id))
        .where(
            col(InvoiceRow.stake_id).in_(stake_ids),
            col(InvoiceRow.status) != InvoiceStatus.VOID.value,
            col(LineItemRow.type) == FlowType.PAYOUT.value,
        )
    )
    returned: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for stake_id, currency, due in rows:
        assert stake_id is not None, "filtered on stake_id"
        of_stake = returned[stake_id]
        of_stake[currency] = of_stake.get(currency, 0) + int(due)
    return dict(returned)
