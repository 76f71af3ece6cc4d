"""Input types, each with a `to_*` method that hands the ledger a plain command."""

from datetime import datetime
from enum import Enum
from typing import TypeVar

import strawberry

from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.invoices import CreateInvoice, LineItemDraft, UserRef
from invoicegraph.ledger.payments import (
    AllocationDraft,
    ChangeAllocation,
    InvoiceRef,
    RecordTransaction,
    RemoveAllocation,
    TransactionRef,
    UpdateAllocations,
)
from invoicegraph.ledger.payments import AllocationOperation as LedgerAllocationOperation
from invoicegraph.ledger.prices import PriceSpec
from invoicegraph.ledger.tags import Tag
from invoicegraph.ledger.updates import (
    AddLineItem,
    DeleteLineItem,
    Operation,
    UpdateInvoice,
    UpdateLineItem,
)
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code
from invoicegraph.store.filters import TagPattern
from invoicegraph.store.invoices import InvoiceFilter
from invoicegraph.store.invoices import InvoiceOrder as StoreInvoiceOrder
from invoicegraph.store.search import search_words
from invoicegraph.store.transactions import TransactionFilter

Value = TypeVar("Value")


def given(value: Value | None) -> Value | None:
    """None for an input field left out (UNSET) as for one given as null."""
    return None if value is strawberry.UNSET else value


@strawberry.input(
    one_of=True,
    description=(
        "Exactly one of id or externalId. A user named by an unknown externalId is created."
    ),
)
class UserMatchInput:
    id: strawberry.ID | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET

    def to_ref(self) -> UserRef:
        """@oneOf guarantees exactly one member is given and not null."""
        if isinstance(self.id, str):
            return UserRef(id=self.id)
        assert isinstance(self.external_id, str)
        return UserRef(external_id=self.external_id)


@strawberry.input(one_of=True, description="Exactly one of id or invoiceId.")
class InvoiceMatchInput:
    id: strawberry.ID | None = strawberry.UNSET
    invoice_id: str | None = strawberry.UNSET


@strawberry.input(
    description="Key: 1-50 characters, value: 1-200 characters; neither may contain #, / or :."
)
class TagInput:
    key: str
    value: str


def to_tags(tags: list[TagInput] | None) -> tuple[Tag, ...]:
    return tuple(Tag(key=tag.key, value=tag.value) for tag in given(tags) or ())


@strawberry.input(
    description=(
        "Give amount, or unitPrice and quantity, or all three with amount = unitPrice * quantity. "
        "Amounts >= 0, quantity >= 1."
    )
)
class PriceInput:
    amount: Int96 | None = strawberry.UNSET
    unit_price: Int96 | None = strawberry.UNSET
    quantity: int | None = strawberry.UNSET

    def to_spec(self) -> PriceSpec:
        return PriceSpec(
            amount=given(self.amount),
            unit_price=given(self.unit_price),
            quantity=given(self.quantity),
        )


@strawberry.input
class LineItemInput:
    description: str
    product_id: str
    type: FlowType
    user: UserMatchInput
    price: PriceInput
    currency: CurrencyCode = strawberry.field(default=currency_code("USD"))
    tags: list[TagInput] | None = strawberry.UNSET

    def to_draft(self) -> LineItemDraft:
        return LineItemDraft(
            description=self.description,
            product_id=self.product_id,
            type=self.type,
            user=self.user.to_ref(),
            currency=self.currency.value,
            price=self.price.to_spec(),
            tags=to_tags(self.tags),
        )


@strawberry.input
class CreateInvoiceInput:
    invoice_id: str = strawberry.field(
        description=(
            "The caller's unique key: a repeat with the same input returns the stored invoice "
            "with isIkReplay = true."
        )
    )
    line_items: list[LineItemInput]
    tags: list[TagInput] | None = strawberry.UNSET
    draft: bool = strawberry.field(default=False, description="Create as DRAFT instead of OPEN.")

    def to_command(self) -> CreateInvoice:
        return CreateInvoice(
            invoice_id=self.invoice_id,
            line_items=tuple(item.to_draft() for item in self.line_items),
            tags=to_tags(self.tags),
            draft=self.draft,
        )


@strawberry.input
class LineItemUpdate:
    id: strawberry.ID
    description: str | None = strawberry.UNSET
    price: PriceInput | None = strawberry.UNSET
    tags: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the line item's tags."
    )

    def to_operation(self) -> UpdateLineItem:
        price, tags = given(self.price), given(self.tags)
        return UpdateLineItem(
            line_item_id=self.id,
            description=given(self.description),
            price=None if price is None else price.to_spec(),
            tags=None if tags is None else to_tags(tags),
        )


@strawberry.input
class LineItemDelete:
    id: strawberry.ID


@strawberry.input(one_of=True, description="Exactly one operation.")
class LineItemOperation:
    add: LineItemInput | None = strawberry.UNSET
    update: LineItemUpdate | None = strawberry.UNSET
    delete: LineItemDelete | None = strawberry.UNSET

    def to_operation(self) -> Operation:
        if isinstance(self.add, LineItemInput):
            return AddLineItem(self.add.to_draft())
        if isinstance(self.update, LineItemUpdate):
            return self.update.to_operation()
        assert isinstance(self.delete, LineItemDelete)
        return DeleteLineItem(line_item_id=self.delete.id)


@strawberry.input
class TagsUpdate:
    set: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Create or overwrite by key."
    )
    remove: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Remove by key."
    )


@strawberry.input
class UpdateInvoiceInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(
        description="Must equal the invoice's current version, or nothing is applied."
    )
    line_items: list[LineItemOperation] | None = strawberry.field(
        default=strawberry.UNSET, description="Applied in order, all or nothing."
    )
    tags: TagsUpdate | None = strawberry.UNSET

    def to_command(self) -> UpdateInvoice:
        tags = given(self.tags)
        return UpdateInvoice(
            invoice_id=self.id,
            expected_version=self.expected_version,
            operations=tuple(op.to_operation() for op in given(self.line_items) or ()),
            set_tags=to_tags(tags.set) if tags is not None else (),
            remove_tags=tuple(given(tags.remove) or ()) if tags is not None else (),
        )


@strawberry.input(one_of=True, description="Exactly one of id or externalId.")
class TransactionMatchInput:
    id: strawberry.ID | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET

    def to_ref(self) -> TransactionRef:
        if isinstance(self.id, str):
            return TransactionRef(id=self.id)
        assert isinstance(self.external_id, str)
        return TransactionRef(external_id=self.external_id)


def to_invoice_ref(match: InvoiceMatchInput) -> InvoiceRef:
    if isinstance(match.id, str):
        return InvoiceRef(id=match.id)
    assert isinstance(match.invoice_id, str)
    return InvoiceRef(invoice_id=match.invoice_id)


@strawberry.input
class AllocationInput:
    invoice: InvoiceMatchInput
    type: FlowType
    user: UserMatchInput
    amount: Int96 = strawberry.field(description="Positive.")

    def to_draft(self) -> AllocationDraft:
        return AllocationDraft(
            invoice=to_invoice_ref(self.invoice),
            type=self.type,
            user=self.user.to_ref(),
            amount=self.amount,
        )


@strawberry.input
class RecordTransactionInput:
    external_id: str = strawberry.field(
        description="The bank's or processor's ID: the idempotency key."
    )
    amount: Int96 = strawberry.field(
        description="Signed: positive is money received, negative is money sent."
    )
    currency: CurrencyCode
    posted: datetime
    tags: list[TagInput] | None = strawberry.UNSET
    allocations: list[AllocationInput] | None = strawberry.UNSET

    def to_command(self) -> RecordTransaction:
        return RecordTransaction(
            external_id=self.external_id,
            amount=self.amount,
            currency=self.currency.value,
            posted=self.posted,
            tags=to_tags(self.tags),
            allocations=tuple(a.to_draft() for a in given(self.allocations) or ()),
        )


@strawberry.input
class AllocationUpdate:
    id: strawberry.ID
    amount: Int96


@strawberry.input
class AllocationDelete:
    id: strawberry.ID


@strawberry.input(one_of=True)
class AllocationOperation:
    add: AllocationInput | None = strawberry.UNSET
    update: AllocationUpdate | None = strawberry.UNSET
    delete: AllocationDelete | None = strawberry.UNSET

    def to_operation(self) -> LedgerAllocationOperation:
        if isinstance(self.add, AllocationInput):
            return self.add.to_draft()
        if isinstance(self.update, AllocationUpdate):
            return ChangeAllocation(payment_id=self.update.id, amount=self.update.amount)
        assert isinstance(self.delete, AllocationDelete)
        return RemoveAllocation(payment_id=self.delete.id)


@strawberry.input
class UpdateAllocationsInput:
    transaction: TransactionMatchInput
    expected_version: int
    allocations: list[AllocationOperation]

    def to_command(self) -> UpdateAllocations:
        return UpdateAllocations(
            transaction=self.transaction.to_ref(),
            expected_version=self.expected_version,
            operations=tuple(operation.to_operation() for operation in self.allocations),
        )


@strawberry.input
class InvoiceTransitionInput:
    id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description="When given, must equal the current version."
    )


@strawberry.input
class StringFilter:
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


@strawberry.input
class DateTimeFilter:
    after: datetime | None = strawberry.UNSET
    before: datetime | None = strawberry.UNSET


@strawberry.input(
    description="As TagInput, but value may use * (any run of characters) and ? (one character)."
)
class TagMatchInput:
    key: str
    value: str

    def to_pattern(self) -> TagPattern:
        return TagPattern(key=self.key, value=self.value)


@strawberry.input
class TagsFilter:
    all: list[TagMatchInput] | None = strawberry.UNSET
    any: list[TagMatchInput] | None = strawberry.UNSET


@strawberry.input
class TransactionsFilter:
    external_id: StringFilter | None = strawberry.UNSET
    currency: CurrencyCode | None = strawberry.UNSET
    posted: DateTimeFilter | None = strawberry.UNSET
    has_unallocated: bool | None = strawberry.field(
        default=strawberry.UNSET, description="True: only transactions with unallocatedAmount != 0."
    )
    tags: TagsFilter | None = strawberry.UNSET

    def to_filter(self) -> TransactionFilter:
        external_id, currency = given(self.external_id), given(self.currency)
        posted, tags = given(self.posted), given(self.tags)
        return TransactionFilter(
            external_ids=None if external_id is None else external_id.values(),
            currency=None if currency is None else currency.value,
            posted_after=None if posted is None else given(posted.after),
            posted_before=None if posted is None else given(posted.before),
            has_unallocated=given(self.has_unallocated),
            tags_all=[t.to_pattern() for t in given(tags.all) or ()] if tags else [],
            tags_any=[t.to_pattern() for t in given(tags.any) or ()] if tags else [],
        )


@strawberry.input
class InvoiceStatusFilter:
    equal_to: InvoiceStatus | None = strawberry.UNSET
    in_: list[InvoiceStatus] | None = strawberry.field(default=strawberry.UNSET, name="in")

    def values(self) -> list[str] | None:
        accepted: list[str] | None = None
        if (equal_to := given(self.equal_to)) is not None:
            accepted = [equal_to.value]
        if (among := given(self.in_)) is not None:
            accepted = [s.value for s in among if accepted is None or s.value in accepted]
        return accepted


@strawberry.input(description="Every given part must hold (AND).")
class InvoicesFilter:
    status: InvoiceStatusFilter | None = strawberry.UNSET
    tags: TagsFilter | None = strawberry.UNSET
    user: UserMatchInput | None = strawberry.UNSET
    currency: CurrencyCode | None = strawberry.UNSET
    product_id: StringFilter | None = strawberry.UNSET
    created: DateTimeFilter | None = strawberry.UNSET
    modified: DateTimeFilter | None = strawberry.UNSET
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

    def to_filter(self, *, user_ids: tuple[int, ...]) -> InvoiceFilter:
        """The store's filter; `user_ids` are the row ids of the users the list is narrowed to
        (the `user` part, resolved, and the user of User.invoices)."""
        status, tags, currency = given(self.status), given(self.tags), given(self.currency)
        product, created, modified = (
            given(self.product_id),
            given(self.created),
            given(self.modified),
        )
        search = given(self.search)
        words = search_words(search) if search is not None else None
        return InvoiceFilter(
            statuses=None if status is None else status.values(),
            tags_all=[t.to_pattern() for t in given(tags.all) or ()] if tags else [],
            tags_any=[t.to_pattern() for t in given(tags.any) or ()] if tags else [],
            user_ids=user_ids,
            currency=None if currency is None else currency.value,
            product_ids=None if product is None else product.values(),
            created_after=given(created.after) if created else None,
            created_before=given(created.before) if created else None,
            modified_after=given(modified.after) if modified else None,
            modified_before=given(modified.before) if modified else None,
            has_remaining=given(self.has_remaining),
            ignore_zero=bool(given(self.ignore_zero)),
            search=words or None,
        )


@strawberry.enum
class InvoiceOrderField(Enum):
    CREATED = "created"
    MODIFIED = "modified"
    INVOICE_ID = "invoice_id"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input
class InvoiceOrder:
    field: InvoiceOrderField
    direction: OrderDirection

    def to_order(self) -> StoreInvoiceOrder:
        return StoreInvoiceOrder(
            field=self.field.value, descending=self.direction is OrderDirection.DESC
        )
