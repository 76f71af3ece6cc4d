"""The Mutation root: each field runs one unit of work and answers with a result union;
expected failures become union members in DomainErrorsAsResults."""

from collections.abc import Sequence
from typing import Annotated, Any

import strawberry
from strawberry.extensions import FieldExtension

from invoicegraph.ledger.errors import DomainError
from invoicegraph.ledger.stakes import ReturnStake
from invoicegraph.ledger.status import Transition
from invoicegraph.resolvers import (
    discounts,
    invoices,
    objects,
    stakes,
    transactions,
    transitions,
    updates,
)
from invoicegraph.resolvers import webhooks as hooks
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.unit_of_work import Written
from invoicegraph.resolvers.views import InvoiceView, TransactionView
from invoicegraph.schema.arguments import given
from invoicegraph.schema.discounts import (
    ApplyDiscountInput,
    Coupon,
    CreateCouponInput,
    CreateCouponResponse,
    CreateCouponResult,
    CreatePromotionCodeInput,
    CreatePromotionCodeResponse,
    CreatePromotionCodeResult,
    PromotionCode,
)
from invoicegraph.schema.errors import (
    BadRequestError,
    DomainErrorsAsResults,
    IkConflictError,
    InternalError,
    InvalidStateError,
    NotFoundError,
    VersionConflictError,
    error_from_domain,
)
from invoicegraph.schema.inputs.invoices import (
    CreateInvoiceInput,
    CreateInvoicesInput,
    InvoiceTransitionInput,
    UpdateInvoiceInput,
)
from invoicegraph.schema.inputs.transactions import (
    RecordTransactionInput,
    RecordTransactionsInput,
    UpdateAllocationsInput,
)
from invoicegraph.schema.invoice import Invoice, build_invoice, build_invoices
from invoicegraph.schema.objects import (
    CreateExternalAccountInput,
    CreateExternalAccountResponse,
    CreateExternalAccountResult,
    CreateProductInput,
    CreateProductResponse,
    CreateProductResult,
    CreateUserInput,
    CreateUserResponse,
    CreateUserResult,
    ExternalAccount,
    Product,
    UpdateUserInput,
    UpdateUserResponse,
    UpdateUserResult,
)
from invoicegraph.schema.payment import Transaction
from invoicegraph.schema.scalars import CurrencyCode, Int96
from invoicegraph.schema.selection import selected_names
from invoicegraph.schema.user import User
from invoicegraph.schema.webhooks import (
    CreateWebhookEndpointInput,
    CreateWebhookEndpointResponse,
    DeleteWebhookEndpointResponse,
    DeleteWebhookEndpointResult,
    DisableWebhookEndpointResponse,
    ResendWebhookDeliveryInput,
    ResendWebhookDeliveryResponse,
    ResendWebhookDeliveryResult,
    RotateWebhookEndpointSecretResponse,
    UpdateWebhookEndpointInput,
    UpdateWebhookEndpointResponse,
    WebhookEndpoint,
    WebhookEndpointInput,
    WebhookEndpointResult,
    WebhookEndpointSecretResult,
    build_deliveries,
)


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


@strawberry.type(description="One answer per item, in the order of the input.")
class CreateInvoicesResult:
    results: list[CreateInvoiceResponse]
    created_count: int
    replayed_count: int
    refused_count: int


CreateInvoicesResponse = Annotated[
    CreateInvoicesResult | BadRequestError | InternalError,
    strawberry.union("CreateInvoicesResponse"),
]


@strawberry.type(description="One answer per item, in the order of the input.")
class RecordTransactionsResult:
    results: list[RecordTransactionResponse]
    recorded_count: int
    replayed_count: int
    refused_count: int


RecordTransactionsResponse = Annotated[
    RecordTransactionsResult | BadRequestError | InternalError,
    strawberry.union("RecordTransactionsResponse"),
]


def _counts(results: Sequence[Written[Any] | DomainError]) -> tuple[int, int, int]:
    """(written, replayed, refused)."""
    refused = sum(isinstance(result, DomainError) for result in results)
    replayed = sum(isinstance(result, Written) and result.is_replay for result in results)
    return len(results) - refused - replayed, replayed, refused


async def _created_invoices(
    info: Info, results: list[Written[InvoiceView] | DomainError]
) -> CreateInvoicesResult:
    written = [result for result in results if isinstance(result, Written)]
    invoices = iter(
        await build_invoices(
            info.context, [result.value for result in written], selected_names(info)
        )
    )
    answers: list[CreateInvoiceResponse] = [
        _refused_invoice(result)
        if isinstance(result, DomainError)
        else CreateInvoiceResult(invoice=next(invoices), is_ik_replay=result.is_replay)
        for result in results
    ]
    created, replayed, refused = _counts(results)
    return CreateInvoicesResult(
        results=answers, created_count=created, replayed_count=replayed, refused_count=refused
    )


def _refused_invoice(error: DomainError) -> BadRequestError | IkConflictError:
    member = error_from_domain(error)
    assert isinstance(member, BadRequestError | IkConflictError), member
    return member


def _recorded_transactions(
    results: list[Written[TransactionView] | DomainError],
) -> RecordTransactionsResult:
    answers: list[RecordTransactionResponse] = [
        _refused_transaction(result)
        if isinstance(result, DomainError)
        else RecordTransactionResult(
            transaction=Transaction.from_view(result.value), is_ik_replay=result.is_replay
        )
        for result in results
    ]
    recorded, replayed, refused = _counts(results)
    return RecordTransactionsResult(
        results=answers, recorded_count=recorded, replayed_count=replayed, refused_count=refused
    )


def _refused_transaction(
    error: DomainError,
) -> BadRequestError | NotFoundError | InvalidStateError | IkConflictError:
    member = error_from_domain(error)
    assert isinstance(
        member, BadRequestError | NotFoundError | InvalidStateError | IkConflictError
    ), member
    return member


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


@strawberry.type
class ApplyDiscountResult:
    invoice: Invoice


ApplyDiscountResponse = Annotated[
    ApplyDiscountResult
    | BadRequestError
    | NotFoundError
    | VersionConflictError
    | InvalidStateError
    | InternalError,
    strawberry.union("ApplyDiscountResponse"),
]


@strawberry.input(
    description=(
        "Give back (part of) a PAID stake as a STAKE_RETURN invoice: one PAYOUT line item to "
        "the user who paid it in. Idempotent on returnId."
    )
)
class ReturnStakeInput:
    stake: strawberry.ID
    return_id: str = strawberry.field(
        description="The return invoice's invoiceId (1-128): the idempotency key."
    )
    amount: Int96 | None = strawberry.field(
        default=strawberry.UNSET, description="Default: everything still returnable."
    )
    currency: CurrencyCode | None = strawberry.field(
        default=strawberry.UNSET, description="Needed when more than one currency is returnable."
    )

    def to_command(self) -> ReturnStake:
        currency = given(self.currency)
        return ReturnStake(
            stake_id=self.stake,
            return_id=self.return_id,
            amount=given(self.amount),
            currency=None if currency is None else currency.value,
        )


@strawberry.type
class ReturnStakeResult:
    return_invoice: Invoice = strawberry.field(name="return")
    stake: Invoice
    is_ik_replay: bool


ReturnStakeResponse = Annotated[
    ReturnStakeResult
    | BadRequestError
    | NotFoundError
    | InvalidStateError
    | IkConflictError
    | InternalError,
    strawberry.union("ReturnStakeResponse"),
]


def _answering_domain_errors() -> list[FieldExtension]:
    return [DomainErrorsAsResults()]


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=_answering_domain_errors())
    async def create_invoice(self, info: Info, input: CreateInvoiceInput) -> CreateInvoiceResponse:
        created = await invoices.create_invoice(info.context, input.to_command())
        invoice = await build_invoice(info, created.value)
        return CreateInvoiceResult(invoice=invoice, is_ik_replay=created.is_replay)

    @strawberry.mutation(
        description=(
            "Up to 500 invoices in one transaction, each answered on its own (paths in its "
            'errors start at ["invoices", index]); idempotent per invoice as createInvoice.'
        ),
        extensions=_answering_domain_errors(),
    )
    async def create_invoices(
        self, info: Info, input: CreateInvoicesInput
    ) -> CreateInvoicesResponse:
        commands = [invoice.to_command() for invoice in input.invoices]
        results = await invoices.create_invoices(info.context, commands, atomic=input.atomic)
        return await _created_invoices(info, results)

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

    @strawberry.mutation(
        description=(
            "Up to 500 transactions in one transaction, each answered on its own (paths in its "
            'errors start at ["transactions", index]); idempotent per externalId.'
        ),
        extensions=_answering_domain_errors(),
    )
    async def record_transactions(
        self, info: Info, input: RecordTransactionsInput
    ) -> RecordTransactionsResponse:
        commands = [transaction.to_command() for transaction in input.transactions]
        results = await transactions.record_transactions(
            info.context, commands, atomic=input.atomic
        )
        return _recorded_transactions(results)

    @strawberry.mutation(extensions=_answering_domain_errors())
    async def update_allocations(
        self, info: Info, input: UpdateAllocationsInput
    ) -> UpdateAllocationsResponse:
        transaction = await transactions.update_allocations(info.context, input.to_command())
        return UpdateAllocationsResult(transaction=Transaction.from_view(transaction))

    @strawberry.mutation(
        description="The signing secret is in this answer only.",
        extensions=_answering_domain_errors(),
    )
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointResponse:
        made = await hooks.create_endpoint(
            info.context,
            url=input.url,
            description=input.description,
            event_types=input.event_types,
        )
        return WebhookEndpointSecretResult(
            endpoint=WebhookEndpoint.from_row(made.endpoint), secret=made.secret
        )

    @strawberry.mutation(extensions=_answering_domain_errors())
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> UpdateWebhookEndpointResponse:
        row = await hooks.update_endpoint(
            info.context,
            endpoint_id=str(input.id),
            url=given(input.url),
            description=given(input.description),
            event_types=given(input.event_types),
            enabled=given(input.enabled),
        )
        return WebhookEndpointResult(endpoint=WebhookEndpoint.from_row(row))

    @strawberry.mutation(
        description="Stops deliveries (they wait); updateWebhookEndpoint(enabled: true) resumes.",
        extensions=_answering_domain_errors(),
    )
    async def disable_webhook_endpoint(
        self, info: Info, input: WebhookEndpointInput
    ) -> DisableWebhookEndpointResponse:
        row = await hooks.disable_endpoint(info.context, endpoint_id=str(input.id))
        return WebhookEndpointResult(endpoint=WebhookEndpoint.from_row(row))

    @strawberry.mutation(
        description="Deletes the endpoint with its deliveries.",
        extensions=_answering_domain_errors(),
    )
    async def delete_webhook_endpoint(
        self, info: Info, input: WebhookEndpointInput
    ) -> DeleteWebhookEndpointResponse:
        deleted = await hooks.delete_endpoint(info.context, endpoint_id=str(input.id))
        return DeleteWebhookEndpointResult(deleted_id=strawberry.ID(deleted))

    @strawberry.mutation(
        description="A new signing secret, in this answer only; the old one stops at once.",
        extensions=_answering_domain_errors(),
    )
    async def rotate_webhook_endpoint_secret(
        self, info: Info, input: WebhookEndpointInput
    ) -> RotateWebhookEndpointSecretResponse:
        made = await hooks.rotate_secret(info.context, endpoint_id=str(input.id))
        return WebhookEndpointSecretResult(
            endpoint=WebhookEndpoint.from_row(made.endpoint), secret=made.secret
        )

    @strawberry.mutation(
        description="Sends a delivery again: the same body and event id, a fresh retry window.",
        extensions=_answering_domain_errors(),
    )
    async def resend_webhook_delivery(
        self, info: Info, input: ResendWebhookDeliveryInput
    ) -> ResendWebhookDeliveryResponse:
        await hooks.resend_delivery(info.context, delivery_id=str(input.id))
        (delivery,) = build_deliveries(await hooks.delivery_by_id(info.context, str(input.id)))
        return ResendWebhookDeliveryResult(delivery=delivery)

    @strawberry.mutation(
        description="A coupon: percentOff or amountOff with its currency; idempotent on couponId.",
        extensions=_answering_domain_errors(),
    )
    async def create_coupon(self, info: Info, input: CreateCouponInput) -> CreateCouponResponse:
        created = await discounts.create_coupon(info.context, input.to_command())
        return CreateCouponResult(coupon=Coupon.of(created.value), is_ik_replay=created.is_replay)

    @strawberry.mutation(
        description="A code naming a coupon; idempotent on code.",
        extensions=_answering_domain_errors(),
    )
    async def create_promotion_code(
        self, info: Info, input: CreatePromotionCodeInput
    ) -> CreatePromotionCodeResponse:
        created = await discounts.create_promotion_code(info.context, input.to_command())
        return CreatePromotionCodeResult(
            promotion_code=PromotionCode.of(created.value), is_ik_replay=created.is_replay
        )

    @strawberry.mutation(
        description=(
            "Take a coupon off a DRAFT or OPEN invoice's PAYIN line items, as its next version "
            "(a DiscountApplied change); counts one redemption of the coupon and of the code."
        ),
        extensions=_answering_domain_errors(),
    )
    async def apply_discount(self, info: Info, input: ApplyDiscountInput) -> ApplyDiscountResponse:
        invoice = await discounts.apply_discount(info.context, input.to_command())
        return ApplyDiscountResult(invoice=await build_invoice(info, invoice))

    @strawberry.mutation(
        description=(
            "Return (part of) a PAID stake; never more than its returnableStake, under any "
            "concurrency; idempotent on returnId."
        ),
        extensions=_answering_domain_errors(),
    )
    async def return_stake(self, info: Info, input: ReturnStakeInput) -> ReturnStakeResponse:
        made = await stakes.return_stake(info.context, input.to_command())
        returned, stake = await build_invoices(
            info.context, [made.returned, made.stake], selected_names(info)
        )
        return ReturnStakeResult(return_invoice=returned, stake=stake, is_ik_replay=made.is_replay)

    @strawberry.mutation(
        description=(
            "A user with its tags; idempotent on externalId. A user a line item created by "
            "its externalId is taken over (and given these tags) by its first createUser."
        ),
        extensions=_answering_domain_errors(),
    )
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserResponse:
        created = await objects.create_user(info.context, input.to_command())
        return CreateUserResult(user=User.from_view(created.value), is_ik_replay=created.is_replay)

    @strawberry.mutation(
        description="Changes a user's tags, as updateInvoice changes an invoice's.",
        extensions=_answering_domain_errors(),
    )
    async def update_user(self, info: Info, input: UpdateUserInput) -> UpdateUserResponse:
        view = await objects.update_user(info.context, input.user.to_ref(), input.to_operations())
        return UpdateUserResult(user=User.from_view(view))

    @strawberry.mutation(
        description="A product line items can name by code; idempotent on code.",
        extensions=_answering_domain_errors(),
    )
    async def create_product(self, info: Info, input: CreateProductInput) -> CreateProductResponse:
        created = await objects.create_product(info.context, input.to_command())
        return CreateProductResult(
            product=Product.from_view(created.value), is_ik_replay=created.is_replay
        )

    @strawberry.mutation(
        description="An account transactions can name; idempotent on externalId.",
        extensions=_answering_domain_errors(),
    )
    async def create_external_account(
        self, info: Info, input: CreateExternalAccountInput
    ) -> CreateExternalAccountResponse:
        created = await objects.create_account(info.context, input.to_command())
        return CreateExternalAccountResult(
            account=ExternalAccount.from_view(created.value), is_ik_replay=created.is_replay
        )
