"""The User type."""

import strawberry

from invoicegraph.resolvers import balances, documents, objects
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.views import UserView
from invoicegraph.schema.limits import building
from invoicegraph.schema.money import Balance, Tag
from invoicegraph.schema.node import Node
from invoicegraph.schema.scoped_invoices import InvoiceScope, scoped_invoices


@strawberry.type(
    description=(
        "A user's overdue invoices (OPEN, past dueDate) as of now; list them with "
        "invoices(filter: {overdue: true})."
    )
)
class OverdueInvoices:
    invoice_count: int
    balances: list[Balance] = strawberry.field(
        description="This user's part of those invoices, per currency."
    )


@strawberry.type
class User(Node):
    external_id: str
    db_id: strawberry.Private[int]

    @classmethod
    def from_view(cls, row: UserView) -> "User":
        return cls(id=strawberry.ID(row.public_id), external_id=row.external_id, db_id=row.id)

    @strawberry.field(description="Set by createUser and updateUser; in the order given.")
    async def tags(self, info: Info) -> list[Tag]:
        rows = await objects.tags_of_user(info.context, self.db_id)
        building(len(rows))
        return [Tag(key=row.key, value=row.value) for row in rows]

    @strawberry.field(
        description="Balances over every invoice this user has a line item or payment on."
    )
    async def balances(self, info: Info) -> list[Balance]:
        computed = await balances.user_balances(info.context, user_id=self.db_id)
        return Balance.from_balances(computed)

    @strawberry.field
    async def overdue(self, info: Info) -> OverdueInvoices:
        summary = await documents.user_overdue(info.context, user_id=self.db_id)
        return OverdueInvoices(
            invoice_count=summary.invoice_count, balances=Balance.from_balances(summary.balances)
        )

    invoices = strawberry.field(resolver=scoped_invoices)

    def invoice_scope(self) -> InvoiceScope:
        return InvoiceScope(user_id=self.db_id)
