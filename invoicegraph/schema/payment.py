"""Transaction and Payment: money that moved, and its allocations to invoices."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from invoicegraph.ledger.enums import FLOW_TYPES, FlowType
from invoicegraph.resolvers import objects, transactions
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.invoices import invoice_by_db_id
from invoicegraph.resolvers.transaction_history import recorded_versions, transaction_history_page
from invoicegraph.resolvers.users import user_by_id
from invoicegraph.resolvers.views import PaymentView, TransactionView
from invoicegraph.schema.arguments import given
from invoicegraph.schema.limits import building
from invoicegraph.schema.money import Tag
from invoicegraph.schema.node import Node
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code
from invoicegraph.schema.user import User

if TYPE_CHECKING:
    from invoicegraph.schema.invoice import Invoice
    from invoicegraph.schema.objects import ExternalAccount
    from invoicegraph.schema.transaction_history import TransactionVersionConnection


@strawberry.type(
    description=(
        "An allocation of a transaction to one invoice, for one user, as a payin or a payout."
    )
)
class Payment(Node):
    type: FlowType
    amount: Int96 = strawberry.field(description="Positive.")
    currency: CurrencyCode
    posted: datetime
    user_db_id: strawberry.Private[int]
    transaction_db_id: strawberry.Private[int]
    invoice_db_id: strawberry.Private[int]

    @classmethod
    def from_view(cls, row: PaymentView) -> "Payment":
        return cls(
            id=strawberry.ID(row.public_id),
            type=FLOW_TYPES[row.type],
            amount=Int96(row.amount),
            currency=currency_code(row.currency),
            posted=row.posted,
            user_db_id=row.user_id,
            transaction_db_id=row.transaction_id,
            invoice_db_id=row.invoice_id,
        )

    @strawberry.field
    async def user(self, info: Info) -> User:
        return User.from_view(await user_by_id(info.context, self.user_db_id))

    @strawberry.field
    async def transaction(self, info: Info) -> "Transaction":
        row = await transactions.transaction_by_db_id(info.context, self.transaction_db_id)
        return Transaction.from_view(row)

    @strawberry.field
    async def invoice(
        self, info: Info
    ) -> Annotated["Invoice", strawberry.lazy("invoicegraph.schema.invoice")]:
        from invoicegraph.schema.invoice import build_invoice

        return await build_invoice(info, await invoice_by_db_id(info.context, self.invoice_db_id))


@strawberry.type(description="A bank or processor transaction, allocated to invoices as payments.")
class Transaction(Node):
    external_id: str
    amount: Int96 = strawberry.field(
        description="Signed: positive is money received, negative is money sent."
    )
    currency: CurrencyCode
    posted: datetime
    version: int
    unallocated_amount: Int96 = strawberry.field(
        description="abs(amount) minus the sum of its allocations."
    )
    db_id: strawberry.Private[int]
    account_db_id: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, row: TransactionView) -> "Transaction":
        return cls(
            id=strawberry.ID(row.public_id),
            external_id=row.external_id,
            amount=Int96(row.amount),
            currency=currency_code(row.currency),
            posted=row.posted,
            version=row.version,
            unallocated_amount=Int96(row.unallocated),
            db_id=row.id,
            account_db_id=row.account_id,
        )

    @strawberry.field(description="The external account it was posted on, when it names one.")
    async def account(
        self, info: Info
    ) -> Annotated["ExternalAccount", strawberry.lazy("invoicegraph.schema.objects")] | None:
        from invoicegraph.schema.objects import ExternalAccount

        if self.account_db_id is None:
            return None
        view = await objects.account_by_db_id(info.context, self.account_db_id)
        return ExternalAccount.from_view(view)

    @strawberry.field
    async def tags(self, info: Info) -> list[Tag]:
        rows = await transactions.tags_of(info.context, self.db_id)
        building(len(rows))
        return [Tag(key=row.key, value=row.value) for row in rows]

    @strawberry.field
    async def allocations(self, info: Info) -> list[Payment]:
        rows = await transactions.allocations_of(info.context, self.db_id)
        building(len(rows))
        return [Payment.from_view(row) for row in rows]

    @strawberry.field(description="Every recorded version, newest first.")
    async def history(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
    ) -> Annotated[
        "TransactionVersionConnection",
        strawberry.lazy("invoicegraph.schema.transaction_history"),
    ]:
        from invoicegraph.schema.transaction_history import TransactionVersionConnection

        page = await transaction_history_page(
            info.context, transaction_id=self.db_id, first=given(first), after=given(after)
        )  # first: a refused cursor leaves no loader running
        total = await recorded_versions(
            info.context, transaction_id=self.db_id, version=self.version
        )
        return TransactionVersionConnection.from_page(page, total_count=total)
