"""A user's overdue invoices: their line items and payments for that user, for the totals."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.store.invoice_lists import overdue_condition
from invoicegraph.store.records import (
    LineItemRecord,
    PaymentRecord,
    columns_of,
    select_records,
)
from invoicegraph.store.tables import InvoiceRow


async def overdue_rows_of_user(
    session: AsyncSession, *, workspace_id: int, user_id: int
) -> tuple[list[LineItemRecord], list[PaymentRecord]]:
    """The user's line items and payments on the workspace's overdue invoices (two statements)."""
    overdue = select(col(InvoiceRow.id)).where(
        col(InvoiceRow.workspace_id) == workspace_id, overdue_condition()
    )
    items = await select_records(
        session,
        LineItemRecord,
        columns_of(LineItemRecord)["user_id"] == user_id,
        columns_of(LineItemRecord)["invoice_id"].in_(overdue),
        order_by=[columns_of(LineItemRecord)["id"]],
    )
    payments = await select_records(
        session,
        PaymentRecord,
        columns_of(PaymentRecord)["user_id"] == user_id,
        columns_of(PaymentRecord)["invoice_id"].in_(overdue),
        order_by=[columns_of(PaymentRecord)["id"]],
    )
    return items, payments
