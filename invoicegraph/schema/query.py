"""The Query root: one- to three-line adapters over the resolvers."""

import strawberry

from invoicegraph.ledger.filters import PaymentFilter, TransactionFilter
from invoicegraph.resolvers import discounts, nodes, objects
from invoicegraph.resolvers import webhooks as hooks
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.invoices import find_invoice
from invoicegraph.resolvers.payment_pages import payment_page
from invoicegraph.resolvers.transaction_pages import transaction_page
from invoicegraph.resolvers.transactions import find_transaction
from invoicegraph.resolvers.users import find_user
from invoicegraph.schema.arguments import given
from invoicegraph.schema.connections import (
    InvoiceConnection,
    PaymentConnection,
    TransactionConnection,
    invoice_connection,
)
from invoicegraph.schema.discounts import Coupon
from invoicegraph.schema.inputs.filters import (
    InvoiceOrderInput,
    InvoicesFilterInput,
    PaymentsFilterInput,
    TransactionsFilterInput,
)
from invoicegraph.schema.inputs.references import (
    ExternalAccountMatchInput,
    InvoiceMatchInput,
    TransactionMatchInput,
    UserMatchInput,
    to_invoice_ref,
)
from invoicegraph.schema.invoice import Invoice, build_invoice, build_invoices, build_line_items
from invoicegraph.schema.node import Node, Workspace
from invoicegraph.schema.objects import (
    Connection,
    ExternalAccount,
    Product,
    UsersFilterInput,
    object_connection,
)
from invoicegraph.schema.pages import PageInfo
from invoicegraph.schema.payment import Payment, Transaction
from invoicegraph.schema.selection import selected_names
from invoicegraph.schema.user import User
from invoicegraph.schema.webhooks import (
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEndpointConnection,
    build_deliveries,
)


async def to_nodes(info: Info, found: nodes.FoundNodes) -> list[Node | None]:
    """Invoices and line items are built together, with the parts the selection reads."""
    built: dict[int, Node] = {}
    if found.invoices:
        invoices = await build_invoices(
            info.context, list(found.invoices.values()), selected_names(info)
        )
        built.update(zip(found.invoices, invoices, strict=True))
    if found.line_items:
        items = await build_line_items(info.context, list(found.line_items.values()), info)
        built.update(zip(found.line_items, items, strict=True))
    built.update((at, User.from_view(row)) for at, row in found.users.items())
    built.update((at, Transaction.from_view(row)) for at, row in found.transactions.items())
    built.update((at, Payment.from_view(row)) for at, row in found.payments.items())
    built.update((at, Workspace.from_view(row)) for at, row in found.workspaces.items())
    return [built.get(position) for position in range(found.count)]


@strawberry.type
class Query:
    @strawberry.field(description="The workspace's newest coupons, at most 200.")
    async def coupons(self, info: Info) -> list[Coupon]:
        return [Coupon.of(coupon) for coupon in await discounts.coupons(info.context)]

    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        (node,) = await to_nodes(info, await nodes.find_nodes(info.context, [str(id)]))
        return node

    @strawberry.field(description="At most 200 ids; null where an id is unknown or not visible.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return await to_nodes(info, await nodes.find_nodes(info.context, [str(id) for id in ids]))

    @strawberry.field(description="The workspace of the caller's credentials.")
    async def workspace(self, info: Info) -> Workspace:
        return Workspace.from_view(await nodes.caller_workspace(info.context))

    @strawberry.field
    async def invoice(self, info: Info, invoice: InvoiceMatchInput) -> Invoice | None:
        row = await find_invoice(info.context, to_invoice_ref(invoice))
        return None if row is None else await build_invoice(info, row)

    @strawberry.field(
        description="first/last default 20, at most 200. Default order: CREATED DESC."
    )
    async def invoices(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        last: int | None = strawberry.UNSET,
        before: str | None = strawberry.UNSET,
        filter: InvoicesFilterInput | None = strawberry.UNSET,
        order_by: InvoiceOrderInput | None = strawberry.UNSET,
    ) -> InvoiceConnection:
        return await invoice_connection(info, first, after, last, before, filter, order_by)

    @strawberry.field
    async def transaction(
        self, info: Info, transaction: TransactionMatchInput
    ) -> Transaction | None:
        row = await find_transaction(info.context, transaction.to_ref())
        return None if row is None else Transaction.from_view(row)

    @strawberry.field
    async def transactions(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        last: int | None = strawberry.UNSET,
        before: str | None = strawberry.UNSET,
        filter: TransactionsFilterInput | None = strawberry.UNSET,
    ) -> TransactionConnection:
        chosen = given(filter)
        account = None if chosen is None else chosen.account_ref()
        accounts = None
        if account is not None:
            accounts = (await objects.filter_ids(info.context, account=account)).account_ids
        page = await transaction_page(
            info.context,
            first=given(first),
            after=given(after),
            last=given(last),
            before=given(before),
            filter=TransactionFilter()
            if chosen is None
            else chosen.to_filter(account_ids=accounts),
        )
        return TransactionConnection.from_page(page)

    @strawberry.field(
        description=(
            "Payments (allocations) across invoices, latest posted first: FRAGMENT's "
            "search_allocations. first/last default 20, at most 200."
        )
    )
    async def search_allocations(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        last: int | None = strawberry.UNSET,
        before: str | None = strawberry.UNSET,
        filter: PaymentsFilterInput | None = strawberry.UNSET,
    ) -> PaymentConnection:
        chosen = given(filter)
        page = await payment_page(
            info.context,
            first=given(first),
            after=given(after),
            last=given(last),
            before=given(before),
            filter=PaymentFilter() if chosen is None else chosen.to_filter(),
        )
        return PaymentConnection.from_page(page)

    @strawberry.field
    async def user(self, info: Info, user: UserMatchInput) -> User | None:
        row = await find_user(info.context, user.to_ref())
        return None if row is None else User.from_view(row)

    @strawberry.field(
        description=(
            "The workspace's users, oldest first; a filter narrows them. (Named as PostGraphile "
            "names connections: Invoice.users already names an invoice's users.)"
        )
    )
    async def all_users(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        filter: UsersFilterInput | None = strawberry.UNSET,
    ) -> Connection[User]:
        chosen = given(filter)
        tags = None if chosen is None else given(chosen.tags)
        page = await objects.user_page(
            info.context,
            first=given(first),
            after=given(after),
            tags_all=[t.to_pattern() for t in given(tags.all) or ()] if tags else [],
            tags_any=[t.to_pattern() for t in given(tags.any) or ()] if tags else [],
        )
        return object_connection(page, User.from_view)

    @strawberry.field(description="The product with this code; null when there is none.")
    async def product(self, info: Info, code: str) -> Product | None:
        view = await objects.find_product(info.context, code)
        return None if view is None else Product.from_view(view)

    @strawberry.field(description="The workspace's products, oldest first.")
    async def products(
        self, info: Info, first: int | None = strawberry.UNSET, after: str | None = strawberry.UNSET
    ) -> Connection[Product]:
        page = await objects.product_page(info.context, first=given(first), after=given(after))
        return object_connection(page, Product.from_view)

    @strawberry.field
    async def external_account(
        self, info: Info, account: ExternalAccountMatchInput
    ) -> ExternalAccount | None:
        view = await objects.find_account(info.context, account.to_ref())
        return None if view is None else ExternalAccount.from_view(view)

    @strawberry.field(description="The workspace's external accounts, oldest first.")
    async def external_accounts(
        self, info: Info, first: int | None = strawberry.UNSET, after: str | None = strawberry.UNSET
    ) -> Connection[ExternalAccount]:
        page = await objects.account_page(info.context, first=given(first), after=given(after))
        return object_connection(page, ExternalAccount.from_view)

    @strawberry.field(description="The workspace's webhook endpoints, oldest first.")
    async def webhook_endpoints(
        self, info: Info, first: int | None = strawberry.UNSET, after: str | None = strawberry.UNSET
    ) -> WebhookEndpointConnection:
        page = await hooks.endpoint_page(info.context, first=given(first), after=given(after))
        nodes = [WebhookEndpoint.from_row(row) for row in page.rows]
        return WebhookEndpointConnection(nodes=nodes, page_info=PageInfo.from_data(page.info))

    @strawberry.field
    async def webhook_endpoint(self, info: Info, id: strawberry.ID) -> WebhookEndpoint | None:
        row = await hooks.find_endpoint(info.context, str(id))
        return None if row is None else WebhookEndpoint.from_row(row)

    @strawberry.field(description="Deliveries, newest first; of one endpoint, or one status.")
    async def webhook_deliveries(
        self,
        info: Info,
        endpoint_id: strawberry.ID | None = strawberry.UNSET,
        status: WebhookDeliveryStatus | None = strawberry.UNSET,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
    ) -> WebhookDeliveryConnection:
        chosen = given(status)
        page = await hooks.delivery_page(
            info.context,
            endpoint_id=given(endpoint_id),
            status=None if chosen is None else chosen.value,
            first=given(first),
            after=given(after),
        )
        return WebhookDeliveryConnection(
            nodes=build_deliveries(page), page_info=PageInfo.from_data(page.info)
        )

    @strawberry.field
    async def webhook_delivery(self, info: Info, id: strawberry.ID) -> WebhookDelivery | None:
        found = build_deliveries(await hooks.delivery_by_id(info.context, str(id)))
        return found[0] if found else None
