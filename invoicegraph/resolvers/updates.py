"""updateInvoice: operations under an expected version, in one unit of work, as one version."""

from invoicegraph.clock import now
from invoicegraph.ledger.enums import EventType, InvoiceStatus
from invoicegraph.ledger.errors import NotFound, VersionConflict
from invoicegraph.ledger.history import StatusChanged
from invoicegraph.ledger.settlement import state_money
from invoicegraph.ledger.updates import (
    UpdateInvoice,
    apply_update,
    ensure_allowed,
    raising_paths,
    validate_update,
)
from invoicegraph.ledger.user_totals import changed_line_items
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.settlement import keep_money_flags, paid_amounts
from invoicegraph.resolvers.unit_of_work import unit_of_work
from invoicegraph.resolvers.user_totals import refuse_past_user_totals
from invoicegraph.resolvers.users import user_ids_for
from invoicegraph.resolvers.views import InvoiceView
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.invoices import get_invoice, get_state, write_version
from invoicegraph.store.records import InvoiceRecord, record_of


async def update_invoice(context: Context, command: UpdateInvoice) -> InvoiceView:
    """Apply every operation or none; the invoice must still be at the expected version.

    The order of refusals: a malformed input (BadRequest) before anything is read, then an
    unknown invoice, a stale version, a status that forbids the edit, and last what only the
    current line items can tell (unknown line items, limits, totals), and last of all the
    totals of the users over all their invoices.
    """
    update = validate_update(command)
    async with unit_of_work(context) as work:
        invoice = await get_invoice(
            work.session,
            workspace_id=work.workspace_id,
            public_id=update.invoice_id,
            for_update=True,
        )
        if invoice is None or invoice.id is None:
            raise NotFound(f"No invoice has the id {update.invoice_id!r}.")
        if invoice.version != update.expected_version:
            raise VersionConflict(expected=update.expected_version, current=invoice.version)
        ensure_allowed(InvoiceStatus(invoice.status), update)
        user_ids = await user_ids_for(work, update.added_users())
        old = await get_state(work.session, invoice=invoice)
        paid = await paid_amounts(work, invoice.id)  # the line items are in `old`
        new, changes = apply_update(
            old,
            update,
            user_ids=user_ids,
            new_line_item_id=lambda: new_public_id("li"),
            paid=paid,
        )
        if changes:
            paths = raising_paths(update, old, user_ids=user_ids)
            await refuse_past_user_totals(
                work, changed_line_items(old.line_items, new.line_items, paths)
            )
            await write_version(
                work.session,
                invoice=invoice,
                expected_version=update.expected_version,
                old=old,
                new=new,
                changes=changes,
                now=now(),
            )
            # payments do not change here: the new line items and what was paid are the money
            await keep_money_flags(work, {invoice.id: state_money(new, paid)}, [invoice])
            work.emit(EventType.UPDATED, invoice)
            if any(isinstance(change, StatusChanged) for change in changes):
                work.emit(EventType.STATUS_CHANGED, invoice)
    return record_of(InvoiceRecord, invoice)
