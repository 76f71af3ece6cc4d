"""What the schema may read of stored things: read-only views, not the store's formats.

Each view is a Protocol that the store's records satisfy as they are, so a page of a hundred
invoices is served from the rows the loaders fetched, with no copy per object; the schema
sees attribute names and plain values only, never a table class or a JSON column.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from invoicegraph.ledger.history import Change, InvoiceState


class InvoiceView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def public_id(self) -> str: ...
    @property
    def invoice_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def created(self) -> datetime: ...
    @property
    def modified(self) -> datetime: ...


class LineItemView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def public_id(self) -> str: ...
    @property
    def invoice_id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def description(self) -> str: ...
    @property
    def product_id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def unit_price(self) -> int: ...
    @property
    def quantity(self) -> int: ...

    def tag_pairs(self) -> list[list[str]]:
        """[key, value] pairs, decoded on call: only queries that read tags pay for them."""
        ...


class PaymentView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def public_id(self) -> str: ...
    @property
    def transaction_id(self) -> int: ...
    @property
    def invoice_id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def posted(self) -> datetime: ...


class UserView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def public_id(self) -> str: ...
    @property
    def external_id(self) -> str: ...


class TagView(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def value(self) -> str: ...


class TransactionView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def public_id(self) -> str: ...
    @property
    def external_id(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def posted(self) -> datetime: ...
    @property
    def version(self) -> int: ...
    @property
    def unallocated(self) -> int: ...


class WorkspaceView(Protocol):
    @property
    def public_id(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class VersionView:
    """One version of an invoice, decoded: the snapshot and the changes that produced it."""

    version: int
    modified: datetime
    state: InvoiceState
    changes: list[Change]


class WebhookEndpointView(Protocol):
    public_id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created: datetime
    modified: datetime


class WebhookAttemptView(Protocol):
    attempted: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
