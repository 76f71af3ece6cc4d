from typing import Annotated, Optional

from pydantic import Field, PlainSerializer

from .base_model import BaseModel
from .enums import (
    CouponDuration,
    CurrencyCode,
    FlowType,
    InvoiceKind,
    InvoiceOrderField,
    InvoiceStatus,
    OrderDirection,
    WebhookEventType,
)
from .scalars import (
    Int96,
    UtcDateTime,
    serialize_datetime,
    serialize_int96,
)


class AllocationDelete(BaseModel):
    id: str


class AllocationInput(BaseModel):
    invoice: "InvoiceMatchInput"
    type_: FlowType = Field(alias="type")
    user: "UserMatchInput"
    amount: Annotated[Int96, PlainSerializer(serialize_int96)]
    "Positive."


class AllocationOperation(BaseModel):
    add: Optional["AllocationInput"] = None
    update: Optional["AllocationUpdate"] = None
    delete: Optional["AllocationDelete"] = None


class AllocationUpdate(BaseModel):
    id: str
    amount: Annotated[Int96, PlainSerializer(serialize_int96)]


class ApplyDiscountInput(BaseModel):
    """Exactly one of coupon or promotionCode. While the invoice is DRAFT or OPEN; each coupon once per invoice; never below zero."""

    invoice: str
    expected_version: int = Field(alias="expectedVersion")
    coupon: Optional[str] = None
    promotion_code: Optional[str] = Field(alias="promotionCode", default=None)
    line_items: Optional[list[str]] = Field(alias="lineItems", default=None)
    "The PAYIN line items to discount; default all (of the coupon's currency)."


class CreateCouponInput(BaseModel):
    coupon_id: str = Field(alias="couponId")
    "Your unique key, 1-128 characters."
    name: str
    percent_off: Optional[str] = Field(alias="percentOff", default=None)
    'Above 0, at most 100, at most 4 decimals ("12.5"). Or amountOff.'
    amount_off: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = Field(
        alias="amountOff", default=None
    )
    "A fixed amount off, with its currency."
    currency: Optional[CurrencyCode] = None
    duration: CouponDuration = CouponDuration.ONCE
    duration_in_months: Optional[int] = Field(alias="durationInMonths", default=None)
    "REPEATING only: 1 or more."
    max_redemptions: Optional[int] = Field(alias="maxRedemptions", default=None)


class CreateExternalAccountInput(BaseModel):
    external_id: str = Field(alias="externalId")
    "1-128 characters without #, / or :; createExternalAccount is idempotent on it."
    name: str


class CreateInvoiceInput(BaseModel):
    invoice_id: str = Field(alias="invoiceId")
    "The caller's unique key: a repeat with the same input returns the stored invoice with isIkReplay = true."
    line_items: list["LineItemInput"] = Field(alias="lineItems")
    tags: Optional[list["TagInput"]] = None
    draft: bool = False
    "Create as DRAFT instead of OPEN."
    kind: InvoiceKind = InvoiceKind.STANDARD
    "STAKE_RETURN is refused here: returns are made from their stake."
    description: Optional[str] = None
    "1-1000 characters."
    footer: Optional[str] = None
    "1-1000 characters."
    due_date: Optional[Annotated[UtcDateTime, PlainSerializer(serialize_datetime)]] = (
        Field(alias="dueDate", default=None)
    )
    "Past it, an OPEN invoice is overdue."
    period: Optional["PeriodInput"] = None
    "The billing period."
    subscription_id: Optional[str] = Field(alias="subscriptionId", default=None)
    "The caller's subscription reference, 1-128."
    recovered_from: Optional["InvoiceMatchInput"] = Field(
        alias="recoveredFrom", default=None
    )
    "An earlier invoice of this workspace that this one recovers."


class CreateInvoicesInput(BaseModel):
    invoices: list["CreateInvoiceInput"]
    "At most 500."
    atomic: bool = False
    "True: if any invoice is refused, none is written, and the answer is one BadRequestError naming every problem of every invoice."


class CreateProductInput(BaseModel):
    code: str
    "1-128 characters without #, / or :; createProduct is idempotent on it."
    description: Optional[str] = None


class CreatePromotionCodeInput(BaseModel):
    code: str
    "1-64 letters, digits, _ or -; unique; the key."
    coupon: str
    max_redemptions: Optional[int] = Field(alias="maxRedemptions", default=None)


class CreateUserInput(BaseModel):
    external_id: str = Field(alias="externalId")
    "The caller's key: createUser is idempotent on it."
    tags: Optional[list["TagInput"]] = None


class CreateWebhookEndpointInput(BaseModel):
    url: str
    "http(s); public addresses only, by default."
    event_types: list[WebhookEventType] = Field(alias="eventTypes")
    description: str = ""


class DateTimeFilter(BaseModel):
    """after and before are exclusive (strictly later, strictly earlier); onOrAfter and onOrBefore are inclusive, as FRAGMENT's created.after and created.before. Any may be combined (AND)."""

    after: Optional[Annotated[UtcDateTime, PlainSerializer(serialize_datetime)]] = None
    "Exclusive."
    before: Optional[Annotated[UtcDateTime, PlainSerializer(serialize_datetime)]] = None
    "Exclusive."
    on_or_after: Optional[
        Annotated[UtcDateTime, PlainSerializer(serialize_datetime)]
    ] = Field(alias="onOrAfter", default=None)
    "Inclusive."
    on_or_before: Optional[
        Annotated[UtcDateTime, PlainSerializer(serialize_datetime)]
    ] = Field(alias="onOrBefore", default=None)
    "Inclusive."


class ExternalAccountMatchInput(BaseModel):
    """Exactly one of id or externalId."""

    id: Optional[str] = None
    external_id: Optional[str] = Field(alias="externalId", default=None)


class Int96Comparison(BaseModel):
    """Every given comparison must hold (AND); at least one must be given."""

    eq: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = None
    ne: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = None
    gt: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = None
    gte: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = None
    lt: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = None
    lte: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = None


class InvoiceMatchInput(BaseModel):
    """Exactly one of id or invoiceId."""

    id: Optional[str] = None
    invoice_id: Optional[str] = Field(alias="invoiceId", default=None)


class InvoiceOrder(BaseModel):
    field: InvoiceOrderField
    direction: OrderDirection


class InvoiceStatusFilter(BaseModel):
    equal_to: Optional[InvoiceStatus] = Field(alias="equalTo", default=None)
    in_: Optional[list[InvoiceStatus]] = Field(alias="in", default=None)


class InvoiceTransitionInput(BaseModel):
    id: str
    expected_version: Optional[int] = Field(alias="expectedVersion", default=None)
    "When given, must equal the current version."


class InvoiceUsersFilter(BaseModel):
    """Users with a line item or payment on the invoice: every user of `all`, and one of `any` (an unknown user is on no invoice)."""

    all: Optional[list["UserMatchInput"]] = None
    any: Optional[list["UserMatchInput"]] = None


class InvoicesFilter(BaseModel):
    """Every given part must hold (AND)."""

    status: Optional["InvoiceStatusFilter"] = None
    tags: Optional["TagsFilter"] = None
    user: Optional["UserMatchInput"] = None
    users: Optional["InvoiceUsersFilter"] = None
    account: Optional["ExternalAccountMatchInput"] = None
    "Some payment of the invoice is of a transaction posted on this account (an unknown account: no invoice)."
    user_tag_and_balance: Optional["UserTagAndBalanceFilter"] = Field(
        alias="userTagAndBalance", default=None
    )
    currency: Optional[CurrencyCode] = None
    product_id: Optional["StringFilter"] = Field(alias="productId", default=None)
    created: Optional["DateTimeFilter"] = None
    modified: Optional["DateTimeFilter"] = None
    has_remaining: Optional[bool] = Field(alias="hasRemaining", default=None)
    "True: some balance has remaining != 0. False: every remaining is 0."
    ignore_zero: Optional[bool] = Field(alias="ignoreZero", default=None)
    "True: leave out invoices whose expected amounts are all 0."
    search: Optional[str] = None
    "Words matched against invoiceId, line item descriptions and productIds, user externalIds and tag values. Every word must match; a search without any word filters nothing."
    overdue: Optional[bool] = None
    "True: OPEN and past dueDate. False: every other invoice."
    subscription_id: Optional["StringFilter"] = Field(
        alias="subscriptionId", default=None
    )
    transaction_tags: Optional["TagsFilter"] = Field(
        alias="transactionTags", default=None
    )
    "Invoices with a payment from a transaction whose tags match (all and any hold for one transaction), as FRAGMENT's transaction_tags."
    include_staking: bool = Field(alias="includeStaking", default=False)
    "Include STAKE invoices (Blocklet's default: no)."
    include_return_staking: bool = Field(alias="includeReturnStaking", default=False)
    "Include STAKE_RETURN invoices (default: no)."
    include_overdraft_protection: bool = Field(
        alias="includeOverdraftProtection", default=True
    )
    "Include STAKE_OVERDRAFT_PROTECTION invoices (default: yes)."
    include_recovered_from: bool = Field(alias="includeRecoveredFrom", default=False)
    "Include invoices a later invoice was recovered from (default: no)."


class LineItemDelete(BaseModel):
    id: str


class LineItemInput(BaseModel):
    description: str
    product_id: str = Field(alias="productId")
    type_: FlowType = Field(alias="type")
    user: "UserMatchInput"
    price: "PriceInput"
    currency: CurrencyCode = CurrencyCode.USD
    tags: Optional[list["TagInput"]] = None
    tax_percent: Optional[str] = Field(alias="taxPercent", default=None)
    'A tax rate: a percentage 0-100 with at most 4 decimals, e.g. "8.875". The tax is price.amount * taxPercent / 100 rounded half-even to the minor unit, and the balances expect amount + tax.'
    period: Optional["PeriodInput"] = None


class LineItemOperation(BaseModel):
    """Exactly one operation."""

    add: Optional["LineItemInput"] = None
    update: Optional["LineItemUpdate"] = None
    delete: Optional["LineItemDelete"] = None


class LineItemUpdate(BaseModel):
    id: str
    description: Optional[str] = None
    price: Optional["PriceInput"] = None
    tags: Optional[list["TagInput"]] = None
    "Replaces the line item's tags."
    tag_operations: Optional["TagsUpdate"] = Field(alias="tagOperations", default=None)
    "Changes the line item's tags by key (not together with tags)."


class PaymentsFilter(BaseModel):
    """Allocations across invoices (FRAGMENT's search_allocations); every given part must hold. Unknown ids, and other workspaces' ids, match nothing."""

    invoices: Optional[list["InvoiceMatchInput"]] = None
    "On any of these invoices; at most 200."
    user: Optional["UserMatchInput"] = None
    transaction_tags: Optional["TagsFilter"] = Field(
        alias="transactionTags", default=None
    )
    "The payment's transaction has matching tags."
    posted: Optional["DateTimeFilter"] = None


class PeriodInput(BaseModel):
    """A billing period: start <= end."""

    start: Annotated[UtcDateTime, PlainSerializer(serialize_datetime)]
    end: Annotated[UtcDateTime, PlainSerializer(serialize_datetime)]


class PriceInput(BaseModel):
    """Give amount, or unitPrice and quantity, or all three with amount = unitPrice * quantity. Amounts >= 0, quantity >= 1."""

    amount: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = None
    unit_price: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = Field(
        alias="unitPrice", default=None
    )
    quantity: Optional[int] = None


class RecordTransactionInput(BaseModel):
    external_id: str = Field(alias="externalId")
    "The bank's or processor's ID: the idempotency key."
    amount: Annotated[Int96, PlainSerializer(serialize_int96)]
    "Signed: positive is money received, negative is money sent."
    currency: CurrencyCode
    posted: Annotated[UtcDateTime, PlainSerializer(serialize_datetime)]
    tags: Optional[list["TagInput"]] = None
    allocations: Optional[list["AllocationInput"]] = None
    account: Optional["ExternalAccountMatchInput"] = None
    "The external account it was posted on (createExternalAccount); optional."


class RecordTransactionsInput(BaseModel):
    transactions: list["RecordTransactionInput"]
    "At most 500."
    atomic: bool = False
    "True: if any transaction is refused, none is written, and the answer is one BadRequestError naming every problem of every transaction."


class ResendWebhookDeliveryInput(BaseModel):
    id: str


class ReturnStakeInput(BaseModel):
    """Give back (part of) a PAID stake as a STAKE_RETURN invoice: one PAYOUT line item to the user who paid it in. Idempotent on returnId."""

    stake: str
    return_id: str = Field(alias="returnId")
    "The return invoice's invoiceId (1-128): the idempotency key."
    amount: Optional[Annotated[Int96, PlainSerializer(serialize_int96)]] = None
    "Default: everything still returnable."
    currency: Optional[CurrencyCode] = None
    "Needed when more than one currency is returnable."


class StringFilter(BaseModel):
    equal_to: Optional[str] = Field(alias="equalTo", default=None)
    in_: Optional[list[str]] = Field(alias="in", default=None)


class TagInput(BaseModel):
    """Key: 1-50 characters, value: 1-200 characters; neither may contain #, / or :."""

    key: str
    value: str


class TagKeyInput(BaseModel):
    """A tag named by its key."""

    key: str


class TagMatchInput(BaseModel):
    """As TagInput, but value may use * (any run of characters) and ? (one character); \\* and \\? are a literal * and ?, \\\\ a literal backslash (FRAGMENT's escapes)."""

    key: str
    value: str


class TagsFilter(BaseModel):
    all: Optional[list["TagMatchInput"]] = None
    any: Optional[list["TagMatchInput"]] = None


class TagsUpdate(BaseModel):
    """Tag operations by key, all or nothing; a key may appear in one operation only. delete (or remove) of a key that is not there changes nothing and is no error."""

    set_: Optional[list["TagInput"]] = Field(alias="set", default=None)
    "Create or overwrite by key."
    remove: Optional[list[str]] = None
    "Remove by key (as delete)."
    create: Optional[list["TagInput"]] = None
    "New keys only: an existing key is refused."
    update: Optional[list["TagInput"]] = None
    "Existing keys only: a missing key is refused."
    delete: Optional[list["TagKeyInput"]] = None
    "Remove by key (FRAGMENT's name)."


class TransactionMatchInput(BaseModel):
    """Exactly one of id or externalId."""

    id: Optional[str] = None
    external_id: Optional[str] = Field(alias="externalId", default=None)


class TransactionsFilter(BaseModel):
    external_id: Optional["StringFilter"] = Field(alias="externalId", default=None)
    currency: Optional[CurrencyCode] = None
    posted: Optional["DateTimeFilter"] = None
    has_unallocated: Optional[bool] = Field(alias="hasUnallocated", default=None)
    "True: only transactions with unallocatedAmount != 0."
    tags: Optional["TagsFilter"] = None
    account: Optional["ExternalAccountMatchInput"] = None
    "Posted on this account (an unknown account: no transaction)."


class UpdateAllocationsInput(BaseModel):
    """FRAGMENT's transaction update: allocations and tags under one expectedVersion, applied all or nothing as one new version."""

    transaction: "TransactionMatchInput"
    expected_version: int = Field(alias="expectedVersion")
    allocations: list["AllocationOperation"] = Field(default_factory=lambda: [])
    "Applied in order."
    tags: Optional["TagsUpdate"] = None


class UpdateInvoiceInput(BaseModel):
    id: str
    expected_version: int = Field(alias="expectedVersion")
    "Must equal the invoice's current version, or nothing is applied."
    line_items: Optional[list["LineItemOperation"]] = Field(
        alias="lineItems", default=None
    )
    "Applied in order, all or nothing."
    tags: Optional["TagsUpdate"] = None


class UpdateUserInput(BaseModel):
    user: "UserMatchInput"
    "By id or externalId; an unknown user is NotFoundError (never created)."
    tags: "TagsUpdate"


class UpdateWebhookEndpointInput(BaseModel):
    """Changes what is given; `enabled: true` re-enables a disabled one."""

    id: str
    url: Optional[str] = None
    event_types: Optional[list[WebhookEventType]] = Field(
        alias="eventTypes", default=None
    )
    description: Optional[str] = None
    enabled: Optional[bool] = None


class UserMatchInput(BaseModel):
    """Exactly one of id or externalId. A user named by an unknown externalId is created."""

    id: Optional[str] = None
    external_id: Optional[str] = Field(alias="externalId", default=None)


class UserTagAndBalanceFilter(BaseModel):
    """Some user of the invoice, among those whose tags match userTags (any user without it), has a net remaining balance on the invoice (payins remaining - payouts remaining) in some currency that meets every comparison of netRemainingBalance."""

    net_remaining_balance: "Int96Comparison" = Field(alias="netRemainingBalance")
    user_tags: Optional["TagsFilter"] = Field(alias="userTags", default=None)


class UsersFilter(BaseModel):
    tags: Optional["TagsFilter"] = None


class WebhookEndpointInput(BaseModel):
    id: str


AllocationInput.model_rebuild()
AllocationOperation.model_rebuild()
CreateInvoiceInput.model_rebuild()
CreateInvoicesInput.model_rebuild()
CreateUserInput.model_rebuild()
InvoiceUsersFilter.model_rebuild()
InvoicesFilter.model_rebuild()
LineItemInput.model_rebuild()
LineItemOperation.model_rebuild()
LineItemUpdate.model_rebuild()
PaymentsFilter.model_rebuild()
RecordTransactionInput.model_rebuild()
RecordTransactionsInput.model_rebuild()
TagsFilter.model_rebuild()
TagsUpdate.model_rebuild()
TransactionsFilter.model_rebuild()
UpdateAllocationsInput.model_rebuild()
UpdateInvoiceInput.model_rebuild()
UpdateUserInput.model_rebuild()
UserTagAndBalanceFilter.model_rebuild()
UsersFilter.model_rebuild()
