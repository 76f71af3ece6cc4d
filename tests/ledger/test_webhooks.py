"""Which webhook event type each outbox event is."""

import pytest

from invoicegraph.ledger.enums import EventType, InvoiceStatus
from invoicegraph.ledger.webhooks import WebhookEventType, webhook_event_type

S = InvoiceStatus
W = WebhookEventType


@pytest.mark.parametrize(
    ("event", "old", "new", "transaction_version", "expected"),
    [
        (EventType.CREATED, None, S.OPEN, None, W.INVOICE_CREATED),
        (EventType.CREATED, None, S.DRAFT, None, W.INVOICE_CREATED),
        (EventType.UPDATED, S.OPEN, S.OPEN, None, W.INVOICE_UPDATED),
        (EventType.STATUS_CHANGED, S.DRAFT, S.OPEN, None, W.INVOICE_FINALIZED),
        (EventType.STATUS_CHANGED, S.OPEN, S.PAID, None, W.INVOICE_PAID),
        (EventType.STATUS_CHANGED, S.UNCOLLECTIBLE, S.PAID, None, W.INVOICE_PAID),
        (EventType.STATUS_CHANGED, S.PAID, S.OPEN, None, W.INVOICE_REOPENED),
        (EventType.STATUS_CHANGED, S.OPEN, S.VOID, None, W.INVOICE_VOIDED),
        (EventType.STATUS_CHANGED, S.OPEN, S.UNCOLLECTIBLE, None, W.INVOICE_MARKED_UNCOLLECTIBLE),
        (EventType.PAYMENT_RECORDED, None, S.OPEN, 1, W.PAYMENT_RECORDED),
        (EventType.PAYMENT_RECORDED, None, S.PAID, 2, W.ALLOCATION_CHANGED),
    ],
)
def test_each_move_has_its_type(
    event: EventType,
    old: InvoiceStatus | None,
    new: InvoiceStatus,
    transaction_version: int | None,
    expected: WebhookEventType,
) -> None:
    assert (
        webhook_event_type(
            event, old_status=old, new_status=new, transaction_version=transaction_version
        )
        is expected
    )
