"""Invoice, LineItem and InvoiceUser. Fields that need I/O go through the request's loaders."""

from datetime import datetime

import strawberry

from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.resolvers import balances
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.history import history_page
from invoicegraph.schema.history import InvoiceVersionConnection
from invoicegraph.schema.inputs import given
from invoicegraph.schema.money import Balance, Price, Tag
from invoicegraph.schema.node import Node
from invoicegraph.schema.payment import Payment
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code
from invoicegraph.schema.user import User
from invoicegraph.store.tables import InvoiceRow, LineItemRow


@strawberry.type
class InvoiceUser:
    user: User
    balances: list[Balance]


@strawberry.type
class LineItem(Node):
    description: str
    product_id: str
    type: FlowType
    currency: CurrencyCode
    price: Price
    tags: list[Tag]
    user_db_id: strawberry.Private[int]
    invoice_db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: LineItemRow) -> "LineItem":
        assert row.id is not None
        return cls(
            id=strawberry.ID(row.public_id),
            description=row.description,
            product_id=row.product_id,
            type=FlowType(row.type),
            currency=currency_code(row.currency),
            price=Price(
                amount=Int96(row.amount), quantity=row.quantity, unit_price=Int96(row.unit_price)
            ),
            tags=Tag.from_pairs(row.tags),
            user_db_id=row.user_id,
            invoice_db_id=row.invoice_id,
        )

    @strawberry.field
    async def user(self, info: Info) -> User:
        row = await info.context.loaders.users_by_id.load(self.user_db_id)
        assert row is not None, "a line item's user is in its workspace"
        return User.from_row(row)

    @strawberry.field
    async def invoice(self, info: Info) -> "Invoice":
        row = await info.context.loaders.invoices_by_id.load(self.invoice_db_id)
        assert row is not None, "a line item's invoice is in its workspace"
        return Invoice.from_row(row)


@strawberry.type
class Invoice(Node):
    invoice_id: str = strawberry.field(
        description=(
            "The caller's own unique key for the invoice; the idempotency key of createInvoice."
        )
    )
    status: InvoiceStatus
    version: int = strawberry.field(
        description="Starts at 1; grows by one with every change to the invoice."
    )
    created: datetime
    modified: datetime
    db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: InvoiceRow) -> "Invoice":
        assert row.id is not None
        return cls(
            id=strawberry.ID(row.public_id),
            invoice_id=row.invoice_id,
            status=InvoiceStatus(row.status),
            version=row.version,
            created=row.created,
            modified=row.modified,
            db_id=row.id,
        )

    @strawberry.field
    def workspace_id(self, info: Info) -> strawberry.ID:
        """Every invoice a caller can see is in the caller's workspace."""
        return strawberry.ID(info.context.principal.workspace_public_id)

    @strawberry.field
    async def tags(self, info: Info) -> list[Tag]:
        rows = await info.context.loaders.tags_by_invoice_id.load(self.db_id)
        return [Tag(key=row.key, value=row.value) for row in rows]

    @strawberry.field
    async def line_items(self, info: Info) -> list[LineItem]:
        rows = await info.context.loaders.line_items_by_invoice_id.load(self.db_id)
        return [LineItem.from_row(row) for row in rows]

    @strawberry.field(description="One per currency that appears in its line items or payments.")
    async def balances(self, info: Info) -> list[Balance]:
        computed = await balances.invoice_balances(info.context, invoice_id=self.db_id)
        return Balance.from_balances(computed)

    @strawberry.field(description="One per user that appears in its line items or payments.")
    async def users(self, info: Info) -> list[InvoiceUser]:
        entries = await balances.invoice_users(info.context, invoice_id=self.db_id)
        return [
            InvoiceUser(
                user=User.from_row(entry.user), balances=Balance.from_balances(entry.balances)
            )
            for entry in entries
        ]

    @strawberry.field
    async def payments(self, info: Info) -> list[Payment]:
        rows = await info.context.loaders.payments_by_invoice_id.load(self.db_id)
        return [Payment.from_row(row) for row in rows]

    @strawberry.field(description="Every version, newest first.")
    async def history(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
    ) -> InvoiceVersionConnection:
        page = await history_page(
            info.context, invoice_id=self.db_id, first=given(first), after=given(after)
        )
        return InvoiceVersionConnection.from_page(page, total_count=self.version)
