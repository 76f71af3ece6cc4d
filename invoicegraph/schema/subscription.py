"""The Subscription root: invoice events over graphql-transport-ws on /graphql."""

from collections.abc import AsyncGenerator

import strawberry

from invoicegraph.ledger.enums import EventType
from invoicegraph.resolvers import subscriptions
from invoicegraph.resolvers.context import Info
from invoicegraph.schema.arguments import given
from invoicegraph.schema.extensions import coded
from invoicegraph.schema.inputs.references import InvoiceMatchInput, to_invoice_ref
from invoicegraph.schema.invoice import Invoice, build_invoice

strawberry.enum(
    EventType, name="InvoiceEventType"
)  # registers the ledger's enum, as scalars.py does


@strawberry.type
class InvoiceEvent:
    type: EventType
    invoice: Invoice
    version: int


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Events of the caller's workspace, for one invoice or all."
    )
    async def invoice_events(
        self, info: Info, invoice: InvoiceMatchInput | None = strawberry.UNSET
    ) -> AsyncGenerator[InvoiceEvent, None]:
        chosen = given(invoice)
        only = None if chosen is None else to_invoice_ref(chosen)
        try:
            async for event in subscriptions.invoice_events(info.context, only):
                built = await build_invoice(info, event.invoice)
                yield InvoiceEvent(type=event.type, invoice=built, version=event.version)
        except Exception as error:
            # A stream's errors do not pass through ErrorCodes: code and mask them here.
            raise coded(error, info.context.request_id) from None
