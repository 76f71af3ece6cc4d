"""Inputs of the money mutations: recordTransaction and updateAllocations."""

from datetime import datetime

import strawberry

from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.payments import (
    AllocationDraft,
    ChangeAllocation,
    RecordTransaction,
    RemoveAllocation,
    UpdateAllocations,
)
from invoicegraph.ledger.payments import AllocationOperation as LedgerAllocationOperation
from invoicegraph.ledger.tag_operations import NO_TAG_OPERATIONS
from invoicegraph.schema.arguments import given
from invoicegraph.schema.inputs.references import (
    ExternalAccountMatchInput,
    InvoiceMatchInput,
    TagInput,
    TransactionMatchInput,
    UserMatchInput,
    to_invoice_ref,
    to_tags,
)
from invoicegraph.schema.inputs.tags import UpdateTagsInput
from invoicegraph.schema.scalars import CurrencyCode, Int96


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
    account: ExternalAccountMatchInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="The external account it was posted on (createExternalAccount); optional.",
    )

    def to_command(self) -> RecordTransaction:
        account = given(self.account)
        return RecordTransaction(
            account=None if account is None else account.to_ref(),
            external_id=self.external_id,
            amount=self.amount,
            currency=self.currency.value,
            posted=self.posted,
            tags=to_tags(self.tags),
            allocations=tuple(a.to_draft() for a in given(self.allocations) or ()),
        )


@strawberry.input
class RecordTransactionsInput:
    transactions: list[RecordTransactionInput] = strawberry.field(description="At most 500.")
    atomic: bool = strawberry.field(
        default=False,
        description=(
            "True: if any transaction is refused, none is written, and the answer is one "
            "BadRequestError naming every problem of every transaction."
        ),
    )


@strawberry.input(name="AllocationUpdate")
class UpdateAllocationInput:
    id: strawberry.ID
    amount: Int96


@strawberry.input(name="AllocationDelete")
class DeleteAllocationInput:
    id: strawberry.ID


@strawberry.input(name="AllocationOperation", one_of=True)
class AllocationOperationInput:
    add: AllocationInput | None = strawberry.UNSET
    update: UpdateAllocationInput | None = strawberry.UNSET
    delete: DeleteAllocationInput | None = strawberry.UNSET

    def to_operation(self) -> LedgerAllocationOperation:
        if isinstance(self.add, AllocationInput):
            return self.add.to_draft()
        if isinstance(self.update, UpdateAllocationInput):
            return ChangeAllocation(payment_id=self.update.id, amount=self.update.amount)
        assert isinstance(self.delete, DeleteAllocationInput)
        return RemoveAllocation(payment_id=self.delete.id)


@strawberry.input(
    description=(
        "FRAGMENT's transaction update: allocations and tags under one expectedVersion, "
        "applied all or nothing as one new version."
    )
)
class UpdateAllocationsInput:
    transaction: TransactionMatchInput
    expected_version: int
    allocations: list[AllocationOperationInput] = strawberry.field(
        default_factory=list, description="Applied in order."
    )
    tags: UpdateTagsInput | None = strawberry.UNSET

    def to_command(self) -> UpdateAllocations:
        tags = given(self.tags)
        return UpdateAllocations(
            transaction=self.transaction.to_ref(),
            expected_version=self.expected_version,
            operations=tuple(operation.to_operation() for operation in self.allocations),
            tags=NO_TAG_OPERATIONS if tags is None else tags.to_operations(),
        )
