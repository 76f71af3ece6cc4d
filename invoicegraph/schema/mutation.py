"""The Mutation root: each field runs one unit of work and answers with a result union;
expected failures become union members in DomainErrorsAsResults."""

from typing import Annotated

import strawberry
from strawberry.extensions import FieldExtension

from invoicegraph.ledger.status import Transition
from invoicegraph.resolvers import invoices, transactions, transitions, updates
from invoicegraph.resolvers.context import Info
from invoicegraph.schema.arguments import given
from invoicegraph.schema.errors import (
    BadRequestError,
    DomainErrorsAsResults,
    IkConflictError,
    InternalError,
    InvalidStateError,
    NotFoundError,
    VersionConflictError,
)
from invoicegraph.schema.inputs.invoices import (
    CreateInvoiceInput,
    InvoiceTransitionInput,
    UpdateInvoiceInput,
)
from invoicegraph.schema.inputs.transactions import RecordTransactionInput, UpdateAllocationsInput
from invoicegraph.schema.invoice import Invoice, build_invoice
from invoicegraph.schema.payment import Transaction


@strawberry.type
class CreateInvoiceResult:
    invoice: Invoice
    is_ik_replay: bool


CreateInvoiceResponse = Annotated[
    CreateInvoiceResult | BadRequestError | IkConflictError | InternalError,
    strawberry.union("CreateInvoiceResponse"),
]


@strawberry.type
class UpdateInvoiceResult:
    invoice: Invoice


UpdateInvoiceResponse = Annotated[
    UpdateInvoiceResult
    | BadRequestError
    | NotFoundError
    | VersionConflictError
    | InvalidStateError
    | InternalError,
    strawberry.union("UpdateInvoiceResponse"),
]


@strawberry.type
class InvoiceTransitionResult:
    invoice: Invoice


InvoiceTransitionResponse = Annotated[
    InvoiceTransitionResult
    | NotFoundError
    | VersionConflictError
    | InvalidStateError
    | InternalError,
    strawberry.union("InvoiceTransitionResponse"),
]


@strawberry.type
class RecordTransactionResult:
    transaction: Transaction
    is_ik_replay: bool


RecordTransactionResponse = Annotated[
    RecordTransactionResult
    | BadRequestError
    | NotFoundError
    | InvalidStateError
    | IkConflictError
    | InternalError,
    strawberry.union("RecordTransactionResponse"),
]


@strawberry.type
class UpdateAllocationsResult:
    transaction: Transaction


UpdateAllocationsResponse = Annotated[
    UpdateAllocationsResult
    | BadRequestError
    | NotFoundError
    | VersionConflictError
    | InvalidStateError
    | InternalError,
    strawberry.union("UpdateAllocationsResponse"),
]


async def _transition(
    info: Info, input: InvoiceTransitionInput, action: Transition
) -> InvoiceTransitionResult:
    invoice = await transitions.transition_invoice(
        info.context,
        invoice_id=input.id,
        expected_version=given(input.expected_version),
        action=action,
    )
    return InvoiceTransitionResult(invoice=await build_invoice(info, invoice))


def _answering_domain_errors() -> list[FieldExtension]:
    return [DomainErrorsAsResults()]


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=_answering_domain_errors())
    async def create_invoice(self, info: Info, input: CreateInvoiceInput) -> CreateInvoiceResponse:
        created = await invoices.create_invoice(info.context, input.to_command())
        invoice = await build_invoice(info, created.value)
        return CreateInvoiceResult(invoice=invoice, is_ik_replay=created.is_replay)

    @strawberry.mutation(extensions=_answering_domain_errors())
    async def update_invoice(self, info: Info, input: UpdateInvoiceInput) -> UpdateInvoiceResponse:
        invoice = await updates.update_invoice(info.context, input.to_command())
        return UpdateInvoiceResult(invoice=await build_invoice(info, invoice))

    @strawberry.mutation(description="DRAFT -> OPEN.", extensions=_answering_domain_errors())
    async def finalize_invoice(
        self, info: Info, input: InvoiceTransitionInput
    ) -> InvoiceTransitionResponse:
        return await _transition(info, input, Transition.FINALIZE)

    @strawberry.mutation(
        description="OPEN or UNCOLLECTIBLE -> VOID. Irreversible.",
        extensions=_answering_domain_errors(),
    )
    async def void_invoice(
        self, info: Info, input: InvoiceTransitionInput
    ) -> InvoiceTransitionResponse:
        return await _transition(info, input, Transition.VOID)

    @strawberry.mutation(
        description="OPEN -> UNCOLLECTIBLE.", extensions=_answering_domain_errors()
    )
    async def mark_invoice_uncollectible(
        self, info: Info, input: InvoiceTransitionInput
    ) -> InvoiceTransitionResponse:
        return await _transition(info, input, Transition.MARK_UNCOLLECTIBLE)

    @strawberry.mutation(extensions=_answering_domain_errors())
    async def record_transaction(
        self, info: Info, input: RecordTransactionInput
    ) -> RecordTransactionResponse:
        recorded = await transactions.record_transaction(info.context, input.to_command())
        return RecordTransactionResult(
            transaction=Transaction.from_view(recorded.value), is_ik_replay=recorded.is_replay
        )

    @strawberry.mutation(extensions=_answering_domain_errors())
    async def update_allocations(
        self, info: Info, input: UpdateAllocationsInput
    ) -> UpdateAllocationsResponse:
        transaction = await transactions.update_allocations(info.context, input.to_command())
        return UpdateAllocationsResult(transaction=Transaction.from_view(transaction))
