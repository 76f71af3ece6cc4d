"""Inputs of the invoice mutations: createInvoice, updateInvoice and the status transitions."""

from datetime import datetime

import strawberry

from invoicegraph.ledger.documents import InvoiceDocument, InvoiceKind, InvoiceLink
from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.invoices import CreateInvoice, LineItemDraft
from invoicegraph.ledger.prices import PriceSpec
from invoicegraph.ledger.tag_operations import NO_TAG_OPERATIONS
from invoicegraph.ledger.updates import (
    AddLineItem,
    DeleteLineItem,
    Operation,
    UpdateInvoice,
    UpdateLineItem,
)
from invoicegraph.schema.arguments import given
from invoicegraph.schema.documents import PeriodInput
from invoicegraph.schema.inputs.references import (
    InvoiceMatchInput,
    TagInput,
    UserMatchInput,
    to_tags,
)
from invoicegraph.schema.inputs.tags import UpdateTagsInput
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code


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
    tax_percent: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            'A tax rate: a percentage 0-100 with at most 4 decimals, e.g. "8.875". The tax is '
            "price.amount * taxPercent / 100 rounded half-even to the minor unit, and the "
            "balances expect amount + tax."
        ),
    )
    period: PeriodInput | None = strawberry.UNSET

    def to_draft(self) -> LineItemDraft:
        period = given(self.period)
        return LineItemDraft(
            tax_percent=given(self.tax_percent),
            period=None if period is None else period.to_period(),
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
    kind: InvoiceKind = strawberry.field(
        default=InvoiceKind.STANDARD,
        description="STAKE_RETURN is refused here: returns are made from their stake.",
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="1-1000 characters."
    )
    footer: str | None = strawberry.field(
        default=strawberry.UNSET, description="1-1000 characters."
    )
    due_date: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Past it, an OPEN invoice is overdue."
    )
    period: PeriodInput | None = strawberry.field(
        default=strawberry.UNSET, description="The billing period."
    )
    subscription_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="The caller's subscription reference, 1-128."
    )
    recovered_from: InvoiceMatchInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="An earlier invoice of this workspace that this one recovers.",
    )

    def to_command(self) -> CreateInvoice:
        return CreateInvoice(
            invoice_id=self.invoice_id,
            line_items=tuple(item.to_draft() for item in self.line_items),
            tags=to_tags(self.tags),
            draft=self.draft,
            document=self.to_document(),
        )

    def to_document(self) -> InvoiceDocument:
        period, link = given(self.period), given(self.recovered_from)
        return InvoiceDocument(
            kind=self.kind,
            description=given(self.description),
            footer=given(self.footer),
            due_date=given(self.due_date),
            period=None if period is None else period.to_period(),
            subscription_id=given(self.subscription_id),
            recovered_from=None
            if link is None
            else InvoiceLink(id=given(link.id), invoice_id=given(link.invoice_id)),
        )


@strawberry.input
class CreateInvoicesInput:
    invoices: list[CreateInvoiceInput] = strawberry.field(description="At most 500.")
    atomic: bool = strawberry.field(
        default=False,
        description=(
            "True: if any invoice is refused, none is written, and the answer is one "
            "BadRequestError naming every problem of every invoice."
        ),
    )


@strawberry.input(name="LineItemUpdate")
class UpdateLineItemInput:
    id: strawberry.ID
    description: str | None = strawberry.UNSET
    price: PriceInput | None = strawberry.UNSET
    tags: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the line item's tags."
    )
    tag_operations: UpdateTagsInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Changes the line item's tags by key (not together with tags).",
    )

    def to_operation(self) -> UpdateLineItem:
        price, tags, operations = given(self.price), given(self.tags), given(self.tag_operations)
        return UpdateLineItem(
            line_item_id=self.id,
            description=given(self.description),
            price=None if price is None else price.to_spec(),
            tags=None if tags is None else to_tags(tags),
            tag_operations=None if operations is None else operations.to_operations(),
        )


@strawberry.input(name="LineItemDelete")
class DeleteLineItemInput:
    id: strawberry.ID


@strawberry.input(name="LineItemOperation", one_of=True, description="Exactly one operation.")
class LineItemOperationInput:
    add: LineItemInput | None = strawberry.UNSET
    update: UpdateLineItemInput | None = strawberry.UNSET
    delete: DeleteLineItemInput | None = strawberry.UNSET

    def to_operation(self) -> Operation:
        if isinstance(self.add, LineItemInput):
            return AddLineItem(self.add.to_draft())
        if isinstance(self.update, UpdateLineItemInput):
            return self.update.to_operation()
        assert isinstance(self.delete, DeleteLineItemInput)
        return DeleteLineItem(line_item_id=self.delete.id)


@strawberry.input
class UpdateInvoiceInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(
        description="Must equal the invoice's current version, or nothing is applied."
    )
    line_items: list[LineItemOperationInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Applied in order, all or nothing."
    )
    tags: UpdateTagsInput | None = strawberry.UNSET

    def to_command(self) -> UpdateInvoice:
        tags = given(self.tags)
        return UpdateInvoice(
            invoice_id=self.id,
            expected_version=self.expected_version,
            operations=tuple(op.to_operation() for op in given(self.line_items) or ()),
            tags=NO_TAG_OPERATIONS if tags is None else tags.to_operations(),
        )


@strawberry.input
class InvoiceTransitionInput:
    id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description="When given, must equal the current version."
    )
