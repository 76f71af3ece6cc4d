"""After money moves: check the invariant, then apply the PAID rule, in the same transaction."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.errors import BadRequest, FieldProblem, Path
from invoicegraph.ledger.history import StatusChanged
from invoicegraph.ledger.payments import MoneyKey, overdrawn
from invoicegraph.ledger.updates import PaidKey, settle
from invoicegraph.store.invoices import get_state, write_version
from invoicegraph.store.tables import InvoiceRow
from invoicegraph.store.transactions import Money, money_of, refresh_money_flags


def paid_on(money: Money, invoice_id: int) -> dict[PaidKey, int]:
    return {
        (user_id, currency, flow): amount
        for (invoice, user_id, currency, flow), amount in money.actual.items()
        if invoice == invoice_id
    }


async def check_and_settle(
    session: AsyncSession,
    *,
    invoices: Sequence[InvoiceRow],
    touched: Mapping[MoneyKey, Path],
    now: datetime,
) -> list[InvoiceRow]:
    """Refuse allocations beyond what remains; then move settled invoices to PAID (or back).

    Returns the invoices whose status changed.

    `touched` names, for every key an allocation changed, the input path to blame. A status
    change is a new version of the invoice with a StatusChanged; otherwise its version stays.
    """
    money = await money_of(session, invoice_ids=[row.id for row in invoices if row.id is not None])
    if bad := overdrawn(money.expected, money.actual, touched):
        raise BadRequest(
            [
                FieldProblem(
                    touched[key],
                    f"allocates {money.actual[key]} {key[2]} {key[3].value} in all, more than the "
                    f"{money.expected.get(key, 0)} this invoice expects for this user",
                )
                for key in bad
            ]
        )
    await refresh_money_flags(
        session, invoice_ids=[row.id for row in invoices if row.id is not None], money=money
    )
    changed = []
    for invoice in invoices:
        assert invoice.id is not None
        state = await get_state(session, invoice=invoice)
        settled = settle(state, paid_on(money, invoice.id))
        if settled.status is not state.status:
            changed.append(invoice)
            await write_version(
                session,
                invoice=invoice,
                expected_version=invoice.version,
                old=state,
                new=settled,
                changes=[StatusChanged(old=state.status, new=settled.status)],
                now=now,
            )
    return changed
