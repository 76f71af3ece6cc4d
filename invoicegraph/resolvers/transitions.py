"""finalizeInvoice, voidInvoice, markInvoiceUncollectible: explicit moves in the status table."""

from dataclasses import replace

from invoicegraph.clock import now
from invoicegraph.events import EventType, invoice_event
from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.errors import NotFound, VersionConflict
from invoicegraph.ledger.history import StatusChanged
from invoicegraph.ledger.status import Transition, transition
from invoicegraph.resolvers.context import Context
from invoicegraph.store.invoices import get_invoice, get_state, write_version
from invoicegraph.store.tables import InvoiceRow


async def transition_invoice(
    context: Context, *, invoice_id: str, expected_version: int | None, action: Transition
) -> InvoiceRow:
    """Move the invoice to its next status as a new version; InvalidState where forbidden."""
    try:
        async with context.db.write() as session:
            invoice = await get_invoice(
                session, workspace_id=context.workspace_id, public_id=invoice_id, for_update=True
            )
            if invoice is None:
                raise NotFound(f"No invoice has the id {invoice_id!r}.")
            if expected_version is not None and invoice.version != expected_version:
                raise VersionConflict(expected=expected_version, current=invoice.version)
            current = InvoiceStatus(invoice.status)
            target = transition(current, action)
            state = await get_state(session, invoice=invoice)
            written = await write_version(
                session,
                invoice=invoice,
                expected_version=invoice.version,
                old=state,
                new=replace(state, status=target),
                changes=[StatusChanged(old=current, new=target)],
                now=now(),
            )
        await context.events.publish([invoice_event(EventType.STATUS_CHANGED, written)])
        return written
    finally:
        await context.after_write()
