"""Inputs that narrow and order lists: invoices and transactions."""

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.filters import (
    COMPARISONS,
    InvoiceFilter,
    InvoiceOrder,
    PaymentFilter,
    TagPattern,
    TransactionFilter,
    UserBalanceFilter,
)
from invoicegraph.ledger.invoices import UserRef
from invoicegraph.ledger.payments import TransactionRef
from invoicegraph.resolvers.objects import FilterIds
from invoicegraph.resolvers.pagination import BadUserInput
from invoicegraph.schema.arguments import given
from invoicegraph.schema.inputs.references import (
    ExternalAccountMatchInput,
    InvoiceMatchInput,
    UserMatchInput,
)
from invoicegraph.schema.scalars import CurrencyCode, Int96


@strawberry.input(name="StringFilter")
class StringFilterInput:
    equal_to: str | None = strawberry.UNSET
    in_: list[str] | None = strawberry.field(default=strawberry.UNSET, name="in")

    def values(self) -> list[str] | None:
        """The accepted values; None when the filter accepts anything."""
        accepted: list[str] | None = None
        if (equal_to := given(self.equal_to)) is not None:
            accepted = [equal_to]
        if (among := given(self.in_)) is not None:
            accepted = [v for v in among if accepted is None or v in accepted]
        return accepted


@strawberry.input(
    name="DateTimeFilter",
    description=(
        "after and before are exclusive (strictly later, strictly earlier); onOrAfter and "
        "onOrBefore are inclusive, as FRAGMENT's created.after and created.before. Any may "
        "be combined (AND)."
    ),
)
class DateTimeFilterInput:
    after: datetime | None = strawberry.field(default=strawberry.UNSET, description="Exclusive.")
    before: datetime | None = strawberry.field(default=strawberry.UNSET, description="Exclusive.")
    on_or_after: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Inclusive."
    )
    on_or_before: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Inclusive."
    )

    def bounds(self) -> dict[str, datetime | None]:
        """after, before, on_or_after, on_or_before: None where not given."""
        return {
            "after": given(self.after),
            "before": given(self.before),
            "on_or_after": given(self.on_or_after),
            "on_or_before": given(self.on_or_before),
        }


def _bounds(prefix: str, given_filter: "DateTimeFilterInput | None") -> dict[str, Any]:
    if given_filter is None:
        return {}
    return {f"{prefix}_{name}": value for name, value in given_filter.bounds().items()}


def _patterns(prefix: str, tags: "TagsFilterInput | None") -> dict[str, Any]:
    if tags is None:
        return {}
    return {
        f"{prefix}_all": [t.to_pattern() for t in given(tags.all) or ()],
        f"{prefix}_any": [t.to_pattern() for t in given(tags.any) or ()],
    }


@strawberry.input(
    description=(
        "As TagInput, but value may use * (any run of characters) and ? (one character); "
        "\\* and \\? are a literal * and ?, \\\\ a literal backslash (FRAGMENT's escapes)."
    )
)
class TagMatchInput:
    key: str
    value: str

    def to_pattern(self) -> TagPattern:
        return TagPattern(key=self.key, value=self.value)


@strawberry.input(name="TagsFilter")
class TagsFilterInput:
    all: list[TagMatchInput] | None = strawberry.UNSET
    any: list[TagMatchInput] | None = strawberry.UNSET


@strawberry.input(
    name="Int96Comparison",
    description="Every given comparison must hold (AND); at least one must be given.",
)
class Int96ComparisonInput:
    eq: Int96 | None = strawberry.UNSET
    ne: Int96 | None = strawberry.UNSET
    gt: Int96 | None = strawberry.UNSET
    gte: Int96 | None = strawberry.UNSET
    lt: Int96 | None = strawberry.UNSET
    lte: Int96 | None = strawberry.UNSET

    def comparisons(self, field: str) -> tuple[tuple[str, int], ...]:
        given_ones = tuple(
            (name, int(value))
            for name in COMPARISONS
            if (value := given(getattr(self, name))) is not None
        )
        if not given_ones:
            raise BadUserInput(f"filter.{field} needs at least one of {', '.join(COMPARISONS)}")
        return given_ones


@strawberry.input(
    name="UserTagAndBalanceFilter",
    description=(
        "Some user of the invoice, among those whose tags match userTags (any user without "
        "it), has a net remaining balance on the invoice (payins remaining - payouts "
        "remaining) in some currency that meets every comparison of netRemainingBalance."
    ),
)
class UserTagAndBalanceFilterInput:
    net_remaining_balance: Int96ComparisonInput
    user_tags: TagsFilterInput | None = strawberry.UNSET

    def to_filter(self) -> UserBalanceFilter:
        tags = given(self.user_tags)
        return UserBalanceFilter(
            comparisons=self.net_remaining_balance.comparisons(
                "userTagAndBalance.netRemainingBalance"
            ),
            tags_all=[t.to_pattern() for t in given(tags.all) or ()] if tags else [],
            tags_any=[t.to_pattern() for t in given(tags.any) or ()] if tags else [],
        )


@strawberry.input(
    name="InvoiceUsersFilter",
    description=(
        "Users with a line item or payment on the invoice: every user of `all`, and one of "
        "`any` (an unknown user is on no invoice)."
    ),
)
class InvoiceUsersFilterInput:
    all: list[UserMatchInput] | None = strawberry.UNSET
    any: list[UserMatchInput] | None = strawberry.UNSET


@strawberry.input(name="TransactionsFilter")
class TransactionsFilterInput:
    external_id: StringFilterInput | None = strawberry.UNSET
    currency: CurrencyCode | None = strawberry.UNSET
    posted: DateTimeFilterInput | None = strawberry.UNSET
    has_unallocated: bool | None = strawberry.field(
        default=strawberry.UNSET, description="True: only transactions with unallocatedAmount != 0."
    )
    tags: TagsFilterInput | None = strawberry.UNSET
    account: ExternalAccountMatchInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Posted on this account (an unknown account: no transaction).",
    )

    def account_ref(self) -> TransactionRef | None:
        account = given(self.account)
        return None if account is None else account.to_ref()

    def to_filter(self, *, account_ids: tuple[int, ...] | None = None) -> TransactionFilter:
        external_id, currency = given(self.external_id), given(self.currency)
        posted, tags = given(self.posted), given(self.tags)
        return TransactionFilter(
            external_ids=None if external_id is None else external_id.values(),
            currency=None if currency is None else currency.value,
            has_unallocated=given(self.has_unallocated),
            **_bounds("posted", posted),
            **_patterns("tags", tags),
            account_ids=account_ids,
        )


@strawberry.input(name="InvoiceStatusFilter")
class InvoiceStatusFilterInput:
    equal_to: InvoiceStatus | None = strawberry.UNSET
    in_: list[InvoiceStatus] | None = strawberry.field(default=strawberry.UNSET, name="in")

    def values(self) -> list[str] | None:
        accepted: list[str] | None = None
        if (equal_to := given(self.equal_to)) is not None:
            accepted = [equal_to.value]
        if (among := given(self.in_)) is not None:
            accepted = [s.value for s in among if accepted is None or s.value in accepted]
        return accepted


@strawberry.input(name="InvoicesFilter", description="Every given part must hold (AND).")
class InvoicesFilterInput:
    status: InvoiceStatusFilterInput | None = strawberry.UNSET
    tags: TagsFilterInput | None = strawberry.UNSET
    user: UserMatchInput | None = strawberry.UNSET
    users: InvoiceUsersFilterInput | None = strawberry.UNSET
    account: ExternalAccountMatchInput | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Some payment of the invoice is of a transaction posted on this account "
            "(an unknown account: no invoice)."
        ),
    )
    user_tag_and_balance: UserTagAndBalanceFilterInput | None = strawberry.UNSET
    currency: CurrencyCode | None = strawberry.UNSET
    product_id: StringFilterInput | None = strawberry.UNSET
    created: DateTimeFilterInput | None = strawberry.UNSET
    modified: DateTimeFilterInput | None = strawberry.UNSET
    has_remaining: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="True: some balance has remaining != 0. False: every remaining is 0.",
    )
    ignore_zero: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="True: leave out invoices whose expected amounts are all 0.",
    )
    search: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Words matched against invoiceId, line item descriptions and productIds, "
            "user externalIds and tag values. Every word must match; a search without "
            "any word filters nothing."
        ),
    )
    overdue: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="True: OPEN and past dueDate. False: every other invoice.",
    )
    subscription_id: StringFilterInput | None = strawberry.UNSET
    transaction_tags: TagsFilterInput | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Invoices with a payment from a transaction whose tags match (all and any hold "
            "for one transaction), as FRAGMENT's transaction_tags."
        ),
    )
    include_staking: bool = strawberry.field(
        default=False, description="Include STAKE invoices (Blocklet's default: no)."
    )
    include_return_staking: bool = strawberry.field(
        default=False, description="Include STAKE_RETURN invoices (default: no)."
    )
    include_overdraft_protection: bool = strawberry.field(
        default=True, description="Include STAKE_OVERDRAFT_PROTECTION invoices (default: yes)."
    )
    include_recovered_from: bool = strawberry.field(
        default=False,
        description="Include invoices a later invoice was recovered from (default: no).",
    )

    def refs(self) -> tuple[list[UserRef], list[UserRef] | None, TransactionRef | None]:
        """The users (`users.all`, `users.any`) and account the filter names, to resolve."""
        users, account = given(self.users), given(self.account)
        every = [u.to_ref() for u in given(users.all) or ()] if users else []
        some = given(users.any) if users else None
        return (
            every,
            None if some is None else [u.to_ref() for u in some],
            None if account is None else account.to_ref(),
        )

    def to_filter(
        self, *, user_ids: tuple[int, ...], resolved: FilterIds | None = None
    ) -> InvoiceFilter:
        """The list's filter; `user_ids` are the row ids of the users the list is narrowed to
        (the `user` part, resolved, and the user of User.invoices); `resolved`: the row ids
        of what `refs` named."""
        resolved = resolved or FilterIds()
        balance = given(self.user_tag_and_balance)
        status, tags, currency = given(self.status), given(self.tags), given(self.currency)
        product, created, modified = (
            given(self.product_id),
            given(self.created),
            given(self.modified),
        )
        return InvoiceFilter(
            statuses=None if status is None else status.values(),
            tags_all=[t.to_pattern() for t in given(tags.all) or ()] if tags else [],
            tags_any=[t.to_pattern() for t in given(tags.any) or ()] if tags else [],
            user_ids=user_ids + resolved.users_all,
            users_any=resolved.users_any,
            account_ids=resolved.account_ids,
            user_balance=None if balance is None else balance.to_filter(),
            currency=None if currency is None else currency.value,
            product_ids=None if product is None else product.values(),
            **_bounds("created", created),
            **_bounds("modified", modified),
            **_patterns("transaction_tags", given(self.transaction_tags)),
            has_remaining=given(self.has_remaining),
            ignore_zero=bool(given(self.ignore_zero)),
            search=given(self.search),
            **self._document_parts(),
        )

    def _document_parts(self) -> dict[str, Any]:
        subscription = given(self.subscription_id)
        return {
            "overdue": given(self.overdue),
            "subscription_ids": None if subscription is None else subscription.values(),
            "include_staking": self.include_staking,
            "include_return_staking": self.include_return_staking,
            "include_overdraft_protection": self.include_overdraft_protection,
            "include_recovered_from": self.include_recovered_from,
        }


@strawberry.enum
class InvoiceOrderField(Enum):
    CREATED = "created"
    MODIFIED = "modified"
    INVOICE_ID = "invoice_id"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(name="InvoiceOrder")
class InvoiceOrderInput:
    field: InvoiceOrderField
    direction: OrderDirection

    def to_order(self) -> InvoiceOrder:
        return InvoiceOrder(
            field=self.field.value, descending=self.direction is OrderDirection.DESC
        )


@strawberry.input(
    name="PaymentsFilter",
    description=(
        "Allocations across invoices (FRAGMENT's search_allocations); every given part must "
        "hold. Unknown ids, and other workspaces' ids, match nothing."
    ),
)
class PaymentsFilterInput:
    invoices: list[InvoiceMatchInput] | None = strawberry.field(
        default=strawberry.UNSET, description="On any of these invoices; at most 200."
    )
    user: UserMatchInput | None = strawberry.UNSET
    transaction_tags: TagsFilterInput | None = strawberry.field(
        default=strawberry.UNSET, description="The payment's transaction has matching tags."
    )
    posted: DateTimeFilterInput | None = strawberry.UNSET

    def to_filter(self) -> PaymentFilter:
        invoices, user = given(self.invoices), given(self.user)
        refs = [given(match.id) for match in invoices or ()]
        keys = [given(match.invoice_id) for match in invoices or ()]
        return PaymentFilter(
            invoice_public_ids=[str(ref) for ref in refs if ref is not None],
            invoice_keys=[key for key in keys if key is not None],
            invoices_given=invoices is not None,
            user_public_id=None if user is None else given(user.id),
            user_external_id=None if user is None else given(user.external_id),
            **_bounds("posted", given(self.posted)),
            **_patterns("transaction_tags", given(self.transaction_tags)),
        )
