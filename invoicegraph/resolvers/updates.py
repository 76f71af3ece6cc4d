"""updateInvoice: operations under an expected version, in one transaction, as one new version."""

from invoicegraph.clock import now
from invoicegraph.events import EventType, invoice_event
from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.errors import BadRequest, NotFound, VersionConflict
from invoicegraph.ledger.history import StatusChanged
from invoicegraph.ledger.updates import UpdateInvoice, apply_update, ensure_allowed, validate_update
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.settlement import paid_on
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.invoices import get_invoice, get_state, write_version
from invoicegraph.store.tables import InvoiceRow
from invoicegraph.store.transactions import money_of, refresh_money_flags
from invoicegraph.store.users import resolve_users


async def update_invoice(context: Context, command: UpdateInvoice) -> InvoiceRow:
    """Apply every operation or none; the invoice must still be at the expected version.

    The order of refusals: a malformed input (BadRequest) before anything is read, then an
    unknown invoice, a stale version, a status that forbids the edit, and last what only the
    current line items can tell (unknown line items, limits, totals).
    """
    update = validate_update(command)
    workspace_id = context.workspace_id
    try:
        async with context.db.write() as session:
            invoice = await get_invoice(
                session, workspace_id=workspace_id, public_id=update.invoice_id, for_update=True
            )
            if invoice is None or invoice.id is None:
                raise NotFound(f"No invoice has the id {update.invoice_id!r}.")
            if invoice.version != update.expected_version:
                raise VersionConflict(expected=update.expected_version, current=invoice.version)
            ensure_allowed(InvoiceStatus(invoice.status), update)
            user_ids, problems = await resolve_users(
                session, workspace_id=workspace_id, refs=update.added_users()
            )
            if problems:
                raise BadRequest(problems)
            old = await get_state(session, invoice=invoice)
            money = await money_of(session, invoice_ids=[invoice.id])
            new, changes = apply_update(
                old,
                update,
                user_ids=user_ids,
                new_line_item_id=lambda: new_public_id("li"),
                paid=paid_on(money, invoice.id),
            )
            if not changes:
                return invoice
            written = await write_version(
                session,
                invoice=invoice,
                expected_version=update.expected_version,
                old=old,
                new=new,
                changes=changes,
                now=now(),
            )
            await refresh_money_flags(session, invoice_ids=[invoice.id])
        events = [invoice_event(EventType.UPDATED, written)]
        if any(isinstance(change, StatusChanged) for change in changes):
            events.append(invoice_event(EventType.STATUS_CHANGED, written))
        await context.events.publish(events)
        return written
    finally:
        await context.after_write()
