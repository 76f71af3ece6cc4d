"""The Mutation root: each field owns one transaction and answers with a result union."""

from typing import Annotated

import strawberry

from invoicegraph.resolvers import invoices, updates
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
from invoicegraph.schema.inputs import CreateInvoiceInput, UpdateInvoiceInput
from invoicegraph.schema.invoice import Invoice


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
class Mutation:
    @strawberry.mutation
    async def create_invoice(self, info: Info, input: CreateInvoiceInput) -> CreateInvoiceResponse:
        return await respond(  # type: ignore[return-value]
            info,
            invoices.create_invoice(info.context, input.to_command()),
            lambda created: CreateInvoiceResult(
                invoice=Invoice.from_row(created.row), is_ik_replay=created.is_replay
            ),
        )

    @strawberry.mutation
    async def update_invoice(self, info: Info, input: UpdateInvoiceInput) -> UpdateInvoiceResponse:
        return await respond(  # type: ignore[return-value]
            info,
            updates.update_invoice(info.context, input.to_command()),
            lambda row: UpdateInvoiceResult(invoice=Invoice.from_row(row)),
        )
