"""What a list of invoices or transactions is narrowed to: plain data, read by the store.

The schema builds these from its inputs; the store turns them into SQL. Row ids (of users) are
already resolved by the resolvers.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TagPattern:
    key: str
    value: str
    """May use * (any run of characters) and ? (exactly one character)."""


COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte")


@dataclass(frozen=True, slots=True)
class UserBalanceFilter:
    """Some user of the invoice, among those with tags matching (all of `tags_all`, one of
    `tags_any`; any user when both are empty), has a net remaining on the invoice, in some
    currency, that meets every comparison (FRAGMENT's userTagAndBalance)."""

    comparisons: tuple[tuple[str, int], ...]
    """(one of COMPARISONS, amount): all must hold for the same user and currency."""
    tags_all: list[TagPattern] = field(default_factory=list)
    tags_any: list[TagPattern] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class InvoiceOrder:
    """The order of a list: `created`, `modified` or `invoice_id`, then the row id."""

    field: str = "created"
    descending: bool = True


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    """Every given part must hold (AND)."""

    statuses: list[str] | None = None
    tags_all: list[TagPattern] = field(default_factory=list)
    tags_any: list[TagPattern] = field(default_factory=list)
    user_ids: tuple[int, ...] = ()
    """Each of these users has a line item or payment on the invoice."""
    users_any: tuple[int, ...] | None = None
    """Some of these users has a line item or payment on the invoice (none given: no invoice)."""
    account_ids: tuple[int, ...] | None = None
    """Some payment of the invoice is of a transaction posted on one of these accounts."""
    user_balance: UserBalanceFilter | None = None
    currency: str | None = None
    product_ids: list[str] | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    created_on_or_after: datetime | None = None
    """The inclusive bounds (FRAGMENT's created.after and created.before)."""
    created_on_or_before: datetime | None = None
    modified_on_or_after: datetime | None = None
    modified_on_or_before: datetime | None = None
    transaction_tags_all: list[TagPattern] = field(default_factory=list)
    """Some payment of the invoice is from a transaction with tags matching every pattern of
    `transaction_tags_all` and some pattern of `transaction_tags_any` (FRAGMENT's
    transaction_tags)."""
    transaction_tags_any: list[TagPattern] = field(default_factory=list)
    has_remaining: bool | None = None
    ignore_zero: bool = False
    search: str | None = None
    """Words that must all appear; a text without any word filters nothing."""
    overdue: bool | None = None
    """True: OPEN and past the due date (ledger/documents.py); False: every other invoice."""
    subscription_ids: list[str] | None = None
    include_staking: bool = False
    """Blocklet's list defaults: stakes, stake returns and invoices a later one was recovered
    from are left out unless asked for; overdraft-protection stakes are listed."""
    include_return_staking: bool = False
    include_overdraft_protection: bool = True
    include_recovered_from: bool = False

    def excluded_kinds(self) -> list[str]:
        """The invoice kinds this list leaves out."""
        excluded = []
        if not self.include_staking:
            excluded.append("STAKE")
        if not self.include_return_staking:
            excluded.append("STAKE_RETURN")
        if not self.include_overdraft_protection:
            excluded.append("STAKE_OVERDRAFT_PROTECTION")
        return excluded


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    """Every given part must hold."""

    external_ids: list[str] | None = None
    currency: str | None = None
    posted_after: datetime | None = None
    posted_before: datetime | None = None
    posted_on_or_after: datetime | None = None
    posted_on_or_before: datetime | None = None
    has_unallocated: bool | None = None
    tags_all: list[TagPattern] = field(default_factory=list)
    tags_any: list[TagPattern] = field(default_factory=list)
    account_ids: tuple[int, ...] | None = None
    """Posted on one of these accounts (an empty tuple: an unknown account, no transaction)."""


@dataclass(frozen=True, slots=True)
class PaymentFilter:
    """Allocations across invoices (FRAGMENT's search_allocations); every given part holds."""

    invoice_public_ids: list[str] = field(default_factory=list)
    invoice_keys: list[str] = field(default_factory=list)
    """With invoice_public_ids: the payment is on any of these invoices (by id or invoiceId);
    both empty: on any invoice."""
    invoices_given: bool = False
    """True when a list of invoices was given (an empty one matches nothing)."""
    user_public_id: str | None = None
    user_external_id: str | None = None
    transaction_tags_all: list[TagPattern] = field(default_factory=list)
    transaction_tags_any: list[TagPattern] = field(default_factory=list)
    posted_after: datetime | None = None
    posted_before: datetime | None = None
    posted_on_or_after: datetime | None = None
    posted_on_or_before: datetime | None = None
