"""The Mutation root: each field owns one transaction and answers with a result union."""

from typing import Annotated, TypeVar

import strawberry

from invoicegraph.ledger.status import Transition
from invoicegraph.resolvers import invoices, transactions, transitions, updates
from invoicegraph.resolvers.context import Info
from invoicegraph.schema.errors import (
    BadRequestError,
    IkConflictError,
    InternalError,
    InvalidStateError,
    NotFoundError,
    VersionConflictError,
    respond,
)
from invoicegraph.schema.inputs import (
    CreateInvoiceInput,
    InvoiceTransitionInput,
    RecordTransactionInput,
    UpdateAllocationsInput,
    UpdateInvoiceInput,
    given,
)
from invoicegraph.schema.invoice import Invoice, build_invoice
from invoicegraph.schema.payment import Transaction
from invoicegraph.store.tables import InvoiceRow


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


T = TypeVar("T")


async def done(result: T) -> T:
    """A result that needs nothing more loaded, for `respond`."""
    return result


async def _transitioned(info: Info, row: InvoiceRow) -> InvoiceTransitionResult:
    return InvoiceTransitionResult(invoice=await build_invoice(info, row))


async def _updated(info: Info, row: InvoiceRow) -> UpdateInvoiceResult:
    return UpdateInvoiceResult(invoice=await build_invoice(info, row))


async def _created(info: Info, created: invoices.CreatedInvoice) -> CreateInvoiceResult:
    return CreateInvoiceResult(
        invoice=await build_invoice(info, created.row), is_ik_replay=created.is_replay
    )


async def _transition(
    info: Info, input: InvoiceTransitionInput, action: Transition
) -> InvoiceTransitionResponse:
    return await respond(  # type: ignore[return-value]
        info,
        transitions.transition_invoice(
            info.context,
            invoice_id=input.id,
            expected_version=given(input.expected_version),
            action=action,
        ),
        lambda row: _transitioned(info, row),
    )


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def create_invoice(self, info: Info, input: CreateInvoiceInput) -> CreateInvoiceResponse:
        return await respond(  # type: ignore[return-value]
            info,
            invoices.create_invoice(info.context, input.to_command()),
            lambda created: _created(info, created),
        )

    @strawberry.mutation
    async def update_invoice(self, info: Info, input: UpdateInvoiceInput) -> UpdateInvoiceResponse:
        return await respond(  # type: ignore[return-value]
            info,
            updates.update_invoice(info.context, input.to_command()),
            lambda row: _updated(info, row),
        )

    @strawberry.mutation(description="DRAFT -> OPEN.")
    async def finalize_invoice(
        self, info: Info, input: InvoiceTransitionInput
    ) -> InvoiceTransitionResponse:
        return await _transition(info, input, Transition.FINALIZE)

    @strawberry.mutation(description="OPEN or UNCOLLECTIBLE -> VOID. Irreversible.")
    async def void_invoice(
        self, info: Info, input: InvoiceTransitionInput
    ) -> InvoiceTransitionResponse:
        return await _transition(info, input, Transition.VOID)

    @strawberry.mutation(description="OPEN -> UNCOLLECTIBLE.")
    async def mark_invoice_uncollectible(
        self, info: Info, input: InvoiceTransitionInput
    ) -> InvoiceTransitionResponse:
        return await _transition(info, input, Transition.MARK_UNCOLLECTIBLE)

    @strawberry.mutation
    async def record_transaction(
        self, info: Info, input: RecordTransactionInput
    ) -> RecordTransactionResponse:
        return await respond(  # type: ignore[return-value]
            info,
            transactions.record_transaction(info.context, input.to_command()),
            lambda recorded: done(
                RecordTransactionResult(
                    transaction=Transaction.from_row(recorded.row),
                    is_ik_replay=recorded.is_replay,
                )
            ),
        )

    @strawberry.mutation
    async def update_allocations(
        self, info: Info, input: UpdateAllocationsInput
    ) -> UpdateAllocationsResponse:
        return await respond(  # type: ignore[return-value]
            info,
            transactions.update_allocations(info.context, input.to_command()),
            lambda row: done(UpdateAllocationsResult(transaction=Transaction.from_row(row))),
        )
