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
    transaction_id: int | None = None
    """For payment events: the row id of the transaction whose allocations changed."""
    transaction_version: int | None = None
    """That transaction's version right after the write (1: it was just recorded)."""
