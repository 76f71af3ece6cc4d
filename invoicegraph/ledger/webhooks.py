"""What a webhook endpoint can subscribe to, and which of those an outbox event is.

The outbox keeps what a write did in the subscription's terms (CREATED, STATUS_CHANGED, ...);
a billing back end wants to know which move it was (finalized, paid, voided, ...): the
statuses on both sides of the change, and for payments whether the transaction was just
recorded (version 1) or its allocations changed later, tell it.
"""

from enum import Enum

from invoicegraph.ledger.enums import EventType, InvoiceStatus


class WebhookEventType(Enum):
    INVOICE_CREATED = "invoice.created"
    INVOICE_UPDATED = "invoice.updated"
    INVOICE_FINALIZED = "invoice.finalized"
    INVOICE_PAID = "invoice.paid"
    INVOICE_REOPENED = "invoice.reopened"
    INVOICE_VOIDED = "invoice.voided"
    INVOICE_MARKED_UNCOLLECTIBLE = "invoice.marked_uncollectible"
    PAYMENT_RECORDED = "payment.recorded"
    ALLOCATION_CHANGED = "allocation.changed"


WEBHOOK_EVENT_TYPES: dict[str, WebhookEventType] = {
    member.value: member for member in WebhookEventType
}

_STATUS_MOVES: dict[InvoiceStatus, WebhookEventType] = {
    InvoiceStatus.PAID: WebhookEventType.INVOICE_PAID,
    InvoiceStatus.VOID: WebhookEventType.INVOICE_VOIDED,
    InvoiceStatus.UNCOLLECTIBLE: WebhookEventType.INVOICE_MARKED_UNCOLLECTIBLE,
}


def webhook_event_type(
    event: EventType,
    *,
    old_status: InvoiceStatus | None,
    new_status: InvoiceStatus,
    transaction_version: int | None,
) -> WebhookEventType:
    """The webhook type of one outbox event. `old_status`: the invoice's status in the version
    before (None for a first version); `transaction_version`: for payment events."""
    if event is EventType.CREATED:
        return WebhookEventType.INVOICE_CREATED
    if event is EventType.UPDATED:
        return WebhookEventType.INVOICE_UPDATED
    if event is EventType.PAYMENT_RECORDED:
        if transaction_version is None or transaction_version == 1:
            return WebhookEventType.PAYMENT_RECORDED
        return WebhookEventType.ALLOCATION_CHANGED
    if new_status is InvoiceStatus.OPEN:
        if old_status is InvoiceStatus.DRAFT:
            return WebhookEventType.INVOICE_FINALIZED
        return WebhookEventType.INVOICE_REOPENED
    return _STATUS_MOVES.get(new_status, WebhookEventType.INVOICE_UPDATED)
