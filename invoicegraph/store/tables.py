"""The SQLModel tables. Integer keys join; the prefixed `public_id` is what the API shows.

Every row carries its workspace so that every query can be scoped to the caller's.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from invoicegraph.store.types import Int96Type, SortableInt96Type, UtcDateTime


class WorkspaceRow(SQLModel, table=True):
    __tablename__ = "workspaces"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    created: datetime = Field(sa_type=UtcDateTime)


class ApiClientRow(SQLModel, table=True):
    """OAuth2 client credentials; only a hash of the secret is kept."""

    __tablename__ = "api_clients"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True)
    secret_hash: str = Field(max_length=128)
    created: datetime = Field(sa_type=UtcDateTime)
    revoked: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ServerSecretRow(SQLModel, table=True):
    """Secrets the server makes for itself, such as the token signing key, shared by all workers."""

    __tablename__ = "server_secrets"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class UserRow(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    external_id: str = Field(max_length=128)
    request_hash: str | None = Field(default=None, max_length=64)
    """Fingerprint of the createUser input; None for a user first named by a line item."""


class UserTagRow(SQLModel, table=True):
    __tablename__ = "user_tags"
    __table_args__ = (Index("ix_user_tags_workspace_key_value", "workspace_id", "key", "value"),)

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=50)
    workspace_id: int = Field(foreign_key="workspaces.id")
    value: str = Field(max_length=200)
    position: int


class ProductRow(SQLModel, table=True):
    """A product line items may name by its code; line items keep their free productId."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("workspace_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    code: str = Field(max_length=128)
    description: str | None = Field(default=None, max_length=1000)
    created: datetime = Field(sa_type=UtcDateTime)
    request_hash: str = Field(max_length=64)


class ExternalAccountRow(SQLModel, table=True):
    """An account outside invoicegraph (a bank account, a processor) transactions post on."""

    __tablename__ = "external_accounts"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    external_id: str = Field(max_length=128)
    name: str = Field(max_length=200)
    created: datetime = Field(sa_type=UtcDateTime)
    request_hash: str = Field(max_length=64)


class InvoiceRow(SQLModel, table=True):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("workspace_id", "invoice_id"),
        Index("ix_invoices_workspace_created", "workspace_id", "created", "id"),
        Index("ix_invoices_workspace_modified", "workspace_id", "modified", "id"),
        Index("ix_invoices_workspace_status_created", "workspace_id", "status", "created", "id"),
        UniqueConstraint("workspace_id", "number", name="uq_invoices_workspace_number"),
        Index("ix_invoices_workspace_due_date", "workspace_id", "due_date"),
        Index("ix_invoices_workspace_subscription", "workspace_id", "subscription_id"),
        Index("ix_invoices_recovered_from", "recovered_from_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    invoice_id: str = Field(max_length=128)
    status: str = Field(max_length=16)
    version: int
    created: datetime = Field(sa_type=UtcDateTime)
    modified: datetime = Field(sa_type=UtcDateTime)
    request_hash: str = Field(max_length=64)
    """Fingerprint of the createInvoice input, to tell an idempotent replay from a conflict."""
    has_charge: bool = Field(default=False)
    """Some line item has a non-zero amount: kept in step by every write, for `ignoreZero`."""
    has_remaining: bool = Field(default=False)
    """Some balance has remaining != 0: kept in step by every write, for `hasRemaining`."""
    number: str | None = Field(default=None, max_length=160)
    """The document number, unique in the workspace; given when the invoice leaves DRAFT."""
    kind: str = Field(default="STANDARD", max_length=32)
    description: str | None = Field(default=None, max_length=1000)
    footer: str | None = Field(default=None, max_length=1000)
    due_date: datetime | None = Field(default=None, sa_type=UtcDateTime)
    period_start: datetime | None = Field(default=None, sa_type=UtcDateTime)
    period_end: datetime | None = Field(default=None, sa_type=UtcDateTime)
    subscription_id: str | None = Field(default=None, max_length=128)
    recovered_from_id: int | None = Field(default=None, foreign_key="invoices.id")
    """The earlier invoice this one was recovered from (a chain: that one may have its own)."""
    stake_id: int | None = Field(default=None, foreign_key="invoices.id", index=True)
    """For a STAKE_RETURN: the stake it gives (part of) back."""


class InvoiceNumberingRow(SQLModel, table=True):
    """A workspace's invoice numbers: its prefix and the last number given, advanced in the
    transaction that gives the next one, so numbers have no gaps and never repeat."""

    __tablename__ = "invoice_numbering"

    workspace_id: int = Field(foreign_key="workspaces.id", primary_key=True)
    prefix: str = Field(max_length=32)
    last_number: int = 0


class LineItemRow(SQLModel, table=True):
    __tablename__ = "line_items"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    description: str = Field(max_length=1000)
    product_id: str = Field(max_length=128, index=True)
    type: str = Field(max_length=8)
    currency: str = Field(max_length=8)
    amount: int = Field(sa_type=Int96Type)
    unit_price: int = Field(sa_type=Int96Type)
    quantity: int
    tags: list[list[str]] = Field(default_factory=list, sa_type=JSON)
    """[[key, value], ...] in the caller's order; only invoice tags are filtered on."""
    tax_rate: int = 0
    """Millionths of the taxable amount (ledger/totals.py)."""
    discount: int = Field(default=0, sa_type=Int96Type)
    due: int = Field(default=0, sa_type=Int96Type)
    """amount - discount + tax: what balances expect; kept in step by every write."""
    period_start: datetime | None = Field(default=None, sa_type=UtcDateTime)
    period_end: datetime | None = Field(default=None, sa_type=UtcDateTime)


class InvoiceTagRow(SQLModel, table=True):
    __tablename__ = "invoice_tags"
    __table_args__ = (Index("ix_invoice_tags_workspace_key_value", "workspace_id", "key", "value"),)

    invoice_id: int = Field(foreign_key="invoices.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=50)
    workspace_id: int = Field(foreign_key="workspaces.id")
    value: str = Field(max_length=200)
    position: int


class UserExpectedTotalRow(SQLModel, table=True):
    """A user's expected amount of one currency and type over every invoice that is not VOID:
    kept in step by every write of line items or of an invoice's status (store/invoices.py),
    so that the 2^96 rule reads one row per key instead of summing the user's whole history."""

    __tablename__ = "user_expected_totals"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    currency: str = Field(primary_key=True, max_length=8)
    type: str = Field(primary_key=True, max_length=8)
    workspace_id: int = Field(foreign_key="workspaces.id")
    expected: int = Field(sa_type=Int96Type)


class InvoiceUserBalanceRow(SQLModel, table=True):
    """Each user's net remaining (payins remaining - payouts remaining) on one invoice, per
    currency: kept in step by every write that moves money, for the userTagAndBalance filter."""

    __tablename__ = "invoice_user_balances"
    __table_args__ = (
        Index("ix_invoice_user_balances_user_net", "user_id", "net_remaining"),
        Index("ix_invoice_user_balances_workspace_net", "workspace_id", "net_remaining"),
    )

    invoice_id: int = Field(foreign_key="invoices.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)
    currency: str = Field(primary_key=True, max_length=8)
    workspace_id: int = Field(foreign_key="workspaces.id")
    net_remaining: int = Field(sa_type=SortableInt96Type)


class InvoiceVersionRow(SQLModel, table=True):
    """One immutable version of an invoice: its snapshot and the changes that produced it."""

    __tablename__ = "invoice_versions"

    invoice_id: int = Field(foreign_key="invoices.id", primary_key=True)
    version: int = Field(primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    modified: datetime = Field(sa_type=UtcDateTime)
    status: str = Field(max_length=16)
    tags: list[list[str]] = Field(sa_type=JSON)
    line_items: list[dict[str, Any]] = Field(sa_type=JSON)
    changes: list[dict[str, Any]] = Field(sa_type=JSON)


class TransactionRow(SQLModel, table=True):
    """Money that moved: signed amount, one currency; allocated to invoices as payments."""

    __tablename__ = "transactions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_transactions_workspace_posted", "workspace_id", "posted", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    external_id: str = Field(max_length=128)
    amount: int = Field(sa_type=Int96Type)
    currency: str = Field(max_length=8)
    posted: datetime = Field(sa_type=UtcDateTime)
    version: int
    unallocated: int = Field(sa_type=Int96Type)
    """abs(amount) minus the allocations, kept in step by every allocation write for filtering."""
    created: datetime = Field(sa_type=UtcDateTime)
    request_hash: str = Field(max_length=64)
    account_id: int | None = Field(default=None, foreign_key="external_accounts.id", index=True)
    """The external account the transaction was posted on, when the caller named one."""


class TransactionVersionRow(SQLModel, table=True):
    """One immutable version of a transaction: its tags and allocations, and what changed."""

    __tablename__ = "transaction_versions"

    transaction_id: int = Field(foreign_key="transactions.id", primary_key=True)
    version: int = Field(primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    modified: datetime = Field(sa_type=UtcDateTime)
    tags: list[list[str]] = Field(sa_type=JSON)
    allocations: list[dict[str, Any]] = Field(sa_type=JSON)
    unallocated: int = Field(sa_type=Int96Type)
    changes: list[dict[str, Any]] = Field(sa_type=JSON)


class TransactionTagRow(SQLModel, table=True):
    __tablename__ = "transaction_tags"
    __table_args__ = (
        Index("ix_transaction_tags_workspace_key_value", "workspace_id", "key", "value"),
    )

    transaction_id: int = Field(foreign_key="transactions.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=50)
    workspace_id: int = Field(foreign_key="workspaces.id")
    value: str = Field(max_length=200)
    position: int


class PaymentRow(SQLModel, table=True):
    """An allocation of a transaction to one invoice, for one user, as a payin or a payout."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_workspace_posted", "workspace_id", "posted", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    transaction_id: int = Field(foreign_key="transactions.id", index=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    type: str = Field(max_length=8)
    amount: int = Field(sa_type=Int96Type)
    currency: str = Field(max_length=8)
    posted: datetime = Field(sa_type=UtcDateTime)


class OutboxEventRow(SQLModel, table=True):
    """An event of a committed write, written in the write's own transaction, until the
    publisher has handed it on (so a process killed after commit loses no event)."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_published_id", "published", "id"),
        Index("ix_outbox_events_fanned_out_id", "fanned_out", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    invoice_id: int = Field(foreign_key="invoices.id")
    type: str = Field(max_length=32)
    version: int
    transaction_id: int | None = Field(default=None, foreign_key="transactions.id")
    transaction_version: int | None = None
    created: datetime = Field(sa_type=UtcDateTime)
    published: bool = False
    fanned_out: bool = False
    """Turned into webhook deliveries (webhooks/fanout.py), apart from `published`, which is
    the subscriptions' bookkeeping."""


class WebhookEndpointRow(SQLModel, table=True):
    """A workspace's URL that receives signed event deliveries."""

    __tablename__ = "webhook_endpoints"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True)
    url: str = Field(max_length=2048)
    description: str = Field(max_length=500)
    event_types: list[str] = Field(sa_type=JSON)
    secret_ciphertext: str = Field(max_length=500)
    """The signing secret, encrypted with the server's webhook key (webhooks/secrets.py)."""
    enabled: bool
    disabled_reason: str | None = Field(default=None, max_length=1000)
    failing_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """The first failed attempt since the last success; the window runs from here."""
    created: datetime = Field(sa_type=UtcDateTime)
    modified: datetime = Field(sa_type=UtcDateTime)


class WebhookDeliveryRow(SQLModel, table=True):
    """One event for one endpoint: the exact body, and where its attempts stand."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt"),
        Index("ix_webhook_deliveries_endpoint_invoice", "endpoint_id", "invoice_id", "id"),
        Index("ix_webhook_deliveries_workspace_id", "workspace_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    endpoint_id: int = Field(foreign_key="webhook_endpoints.id")
    event_id: str = Field(max_length=40)
    """The same for every endpoint that gets the event: receivers deduplicate on it."""
    event_type: str = Field(max_length=40)
    invoice_id: int = Field(foreign_key="invoices.id")
    invoice_version: int
    body: str = Field(sa_type=Text)
    """The JSON sent, byte for byte the same on every attempt (the signature covers it)."""
    status: str = Field(max_length=16)
    attempts: int = 0
    next_attempt: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_status_code: int | None = None
    last_latency_ms: int | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    created: datetime = Field(sa_type=UtcDateTime)
    retry_from: datetime = Field(sa_type=UtcDateTime)
    """Where the retry window starts: the delivery's creation, or its latest resend."""
    delivered: datetime | None = Field(default=None, sa_type=UtcDateTime)


class WebhookAttemptRow(SQLModel, table=True):
    """One try of a delivery: when, what the receiver answered, how long it took."""

    __tablename__ = "webhook_attempts"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_deliveries.id", index=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    attempted: datetime = Field(sa_type=UtcDateTime)
    status_code: int | None = None
    latency_ms: int
    error: str | None = Field(default=None, max_length=1000)


class CouponRow(SQLModel, table=True):
    """A percentage or a fixed amount off, redeemable up to `max_redemptions` times."""

    __tablename__ = "coupons"
    __table_args__ = (UniqueConstraint("workspace_id", "coupon_key"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    coupon_key: str = Field(max_length=128)
    """The caller's couponId, the idempotency key of createCoupon."""
    name: str = Field(max_length=200)
    percent_off: int | None = None
    """Millionths (ledger/totals.py)."""
    amount_off: int | None = Field(default=None, sa_type=Int96Type)
    currency: str | None = Field(default=None, max_length=8)
    duration: str = Field(max_length=16)
    duration_in_months: int | None = None
    max_redemptions: int | None = None
    times_redeemed: int = 0
    created: datetime = Field(sa_type=UtcDateTime)
    request_hash: str = Field(max_length=64)


class PromotionCodeRow(SQLModel, table=True):
    """A code customers type that names a coupon, with its own redemption limit."""

    __tablename__ = "promotion_codes"
    __table_args__ = (UniqueConstraint("workspace_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    coupon_id: int = Field(foreign_key="coupons.id", index=True)
    code: str = Field(max_length=64)
    max_redemptions: int | None = None
    times_redeemed: int = 0
    created: datetime = Field(sa_type=UtcDateTime)
    request_hash: str = Field(max_length=64)


class InvoiceDiscountRow(SQLModel, table=True):
    """A coupon applied to an invoice: how much it took off which line items."""

    __tablename__ = "invoice_discounts"
    __table_args__ = (UniqueConstraint("invoice_id", "coupon_id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    workspace_id: int = Field(foreign_key="workspaces.id")
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    coupon_id: int = Field(foreign_key="coupons.id")
    promotion_code_id: int | None = Field(default=None, foreign_key="promotion_codes.id")
    amounts: list[list[str]] = Field(sa_type=JSON)
    """[[line item id, amount], ...]"""
    created: datetime = Field(sa_type=UtcDateTime)
