"""invoiceEvents: the caller's workspace's committed invoice events, as they happen."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

from invoicegraph.ledger.enums import EventType
from invoicegraph.ledger.payments import InvoiceRef
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.invoices import find_invoice
from invoicegraph.resolvers.pagination import BadUserInput
from invoicegraph.resolvers.views import InvoiceView


@dataclass(frozen=True, slots=True)
class DeliveredEvent:
    type: EventType
    invoice: InvoiceView
    """The invoice as it stands when the event is delivered (it may have moved on since)."""
    version: int
    """The invoice's version right after the write that caused the event."""


async def invoice_events(
    context: Context, only: InvoiceRef | None
) -> AsyncIterator[DeliveredEvent]:
    """Every event of the caller's workspace, or of one of its invoices, until unsubscribed.

    Subscribing starts listening before anything else, so no event committed after the
    subscription is acknowledged is missed. An invoice of another workspace is as unknown as
    one that does not exist.
    """
    async with context.events.subscribe(context.workspace_id) as queue:
        target: int | None = None
        if only is not None:
            row = await find_invoice(context, only)
            if row is None:
                raise BadUserInput("no invoice has this id")
            target = row.id
        while True:
            # Hold no connection while waiting: an idle socket must not keep one of the pool's.
            await context.reader.close()
            event = await queue.get()
            if not context.in_standing():
                return  # revoked or expired: its socket is being closed
            if target is not None and event.invoice_id != target:
                continue
            await context.after_write()  # a fresh snapshot: show the invoice as committed
            invoice = await context.loaders.invoices_by_id.load(event.invoice_id)
            if invoice is not None:
                yield DeliveredEvent(type=event.type, invoice=invoice, version=event.version)
