"""finalizeInvoice, voidInvoice, markInvoiceUncollectible: explicit moves in the status table."""

from dataclasses import replace

from invoicegraph.clock import now
from invoicegraph.ledger.enums import EventType, InvoiceStatus
from invoicegraph.ledger.errors import NotFound, VersionConflict
from invoicegraph.ledger.history import StatusChanged
from invoicegraph.ledger.status import Transition, transition
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.unit_of_work import unit_of_work
from invoicegraph.resolvers.views import InvoiceView
from invoicegraph.store.invoices import assign_number, get_invoice, get_state, write_version
from invoicegraph.store.records import InvoiceRecord, record_of


async def transition_invoice(
    context: Context, *, invoice_id: str, expected_version: int | None, action: Transition
) -> InvoiceView:
    """Move the invoice to its next status as a new version; InvalidState where forbidden."""
    async with unit_of_work(context) as work:
        invoice = await get_invoice(
            work.session, workspace_id=work.workspace_id, public_id=invoice_id, for_update=True
        )
        if invoice is None:
            raise NotFound(f"No invoice has the id {invoice_id!r}.")
        if expected_version is not None and invoice.version != expected_version:
            raise VersionConflict(expected=expected_version, current=invoice.version)
        current = InvoiceStatus(invoice.status)
        target = transition(current, action)
        state = await get_state(work.session, invoice=invoice)
        await write_version(
            work.session,
            invoice=invoice,
            expected_version=invoice.version,
            old=state,
            new=replace(state, status=target),
            changes=[StatusChanged(old=current, new=target)],
            now=now(),
        )
        if current is InvoiceStatus.DRAFT and invoice.number is None:
            await assign_number(work.session, invoice=invoice)
        work.emit(EventType.STATUS_CHANGED, invoice)
    return record_of(InvoiceRecord, invoice)
