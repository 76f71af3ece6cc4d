"""After money moves, inside the unit of work: the invariant, the list flags, the PAID rule.

The rules are ledger.settlement's; this module reads the rows they need and writes back what
they decide, in the same transaction as the write that moved the money.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.history import StatusChanged
from invoicegraph.ledger.settlement import (
    InvoiceMoney,
    MoneyFlags,
    MoneyKey,
    Touched,
    ensure_allocatable_amounts,
    may_settle,
    money_by_invoice,
    settle,
)
from invoicegraph.resolvers.unit_of_work import UnitOfWork
from invoicegraph.store.invoices import get_state, write_version
from invoicegraph.store.tables import InvoiceRow
from invoicegraph.store.transactions import money_rows, payment_money, set_money_flags
from invoicegraph.store.user_balances import replace_user_nets


async def invoice_money(work: UnitOfWork, invoice_ids: Iterable[int]) -> dict[int, InvoiceMoney]:
    """Each invoice's expected and actual amounts, read in this transaction."""
    ids = set(invoice_ids)
    line_items, payments = await money_rows(work.session, invoice_ids=ids)
    return money_by_invoice(ids, line_items, payments)


async def paid_amounts(work: UnitOfWork, invoice_id: int) -> dict[MoneyKey, int]:
    """What payments cover of one invoice, by key (one statement: for a writer that has read
    the invoice's line items already)."""
    payments = await payment_money(work.session, invoice_ids=[invoice_id])
    return money_by_invoice([invoice_id], [], payments)[invoice_id].actual


async def keep_money_flags(
    work: UnitOfWork, money: dict[int, InvoiceMoney], invoices: Iterable[InvoiceRow] = ()
) -> None:
    """Write the flags `money` gives and its users' nets; `invoices`: the rows as read in this
    transaction, whose flags are left alone where they are right already."""
    current = {
        _row_id(row): MoneyFlags(has_charge=row.has_charge, has_remaining=row.has_remaining)
        for row in invoices
    }
    flags = {invoice_id: entry.flags() for invoice_id, entry in money.items()}
    await set_money_flags(work.session, flags=flags, current=current)
    await replace_user_nets(
        work.session,
        workspace_id=work.workspace_id,
        nets={invoice_id: flag.user_nets for invoice_id, flag in flags.items()},
    )


async def settle_allocations(
    work: UnitOfWork, *, invoices: Sequence[InvoiceRow], touched: Touched, now: datetime
) -> list[InvoiceRow]:
    """Refuse allocations beyond what remains; then move settled invoices to PAID (or back).

    Returns the invoices whose status changed: each such change is a new version of the
    invoice with a StatusChanged; the others keep their version.
    """
    money = await invoice_money(work, [_row_id(invoice) for invoice in invoices])
    ensure_allocatable_amounts(money, touched)
    await keep_money_flags(work, money, invoices)
    changed = []
    for invoice in invoices:
        if not may_settle(InvoiceStatus(invoice.status), money[_row_id(invoice)]):
            continue  # nothing to read: the PAID rule cannot move it
        state = await get_state(work.session, invoice=invoice)
        settled = settle(state, money[_row_id(invoice)].actual)
        if settled.status is not state.status:
            changed.append(invoice)
            await write_version(
                work.session,
                invoice=invoice,
                expected_version=invoice.version,
                old=state,
                new=settled,
                changes=[StatusChanged(old=state.status, new=settled.status)],
                now=now,
            )
    return changed


def _row_id(invoice: InvoiceRow) -> int:
    assert invoice.id is not None
    return invoice.id
