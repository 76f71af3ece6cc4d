"""What a committed write tells the world: one event per invoice it changed."""

from dataclasses import dataclass

from invoicegraph.ledger.enums import EventType


@dataclass(frozen=True, slots=True)
class InvoiceEvent:
    type: EventType
    workspace_id: int
    invoice_id: int
    """The invoice's row id."""
    version: int
    """The invoice's version right after the write."""
