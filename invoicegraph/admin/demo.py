"""Demo data for a first run: a workspace, an API client and a handful of realistic invoices."""

from sqlmodel import select

from invoicegraph.admin.workspaces import NewClient, create_client, create_workspace, workspaces
from invoicegraph.auth.principal import Principal
from invoicegraph.events import EventBus
from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.invoices import CreateInvoice, LineItemDraft, UserRef
from invoicegraph.ledger.prices import PriceSpec
from invoicegraph.ledger.tags import Tag
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.invoices import create_invoice
from invoicegraph.store.engine import Database
from invoicegraph.store.tables import WorkspaceRow

PAYIN, PAYOUT = FlowType.PAYIN, FlowType.PAYOUT
DEMO_WORKSPACE_NAME = "Demo workspace"


def _item(
    description: str,
    product_id: str,
    flow: FlowType,
    user: str,
    currency: str,
    price: PriceSpec,
) -> LineItemDraft:
    return LineItemDraft(
        description=description,
        product_id=product_id,
        type=flow,
        user=UserRef(external_id=user),
        currency=currency,
        price=price,
    )


DEMO_INVOICES = (
    CreateInvoice(
        invoice_id="invoice_2024_001",
        line_items=(
            _item(
                "Professional services for January 2026",
                "prod_1234567890",
                PAYOUT,
                "user_abc123",
                "USD",
                PriceSpec(amount=1000),
            ),
        ),
        tags=(Tag("region", "us-east"),),
    ),
    CreateInvoice(
        invoice_id="acme-2026-0001",
        line_items=(
            _item(
                "Pro plan, January 2026",
                "plan_pro",
                PAYIN,
                "cust_acme",
                "USD",
                PriceSpec(amount=4900),
            ),
            _item(
                "Additional seats",
                "seat",
                PAYIN,
                "cust_acme",
                "USD",
                PriceSpec(unit_price=1500, quantity=3),
            ),
        ),
        tags=(Tag("region", "us-east"), Tag("plan", "pro")),
    ),
    CreateInvoice(
        invoice_id="globex-2026-0002",
        line_items=(
            _item(
                "Annual licence 2026",
                "licence_annual",
                PAYIN,
                "cust_globex",
                "EUR",
                PriceSpec(amount=120000),
            ),
            _item(
                "Reseller commission",
                "commission",
                PAYOUT,
                "partner_17",
                "EUR",
                PriceSpec(amount=12000),
            ),
        ),
        tags=(Tag("region", "eu-west"), Tag("channel", "reseller")),
    ),
    CreateInvoice(
        invoice_id="market-2026-0003",
        line_items=(
            _item(
                "Order 8841: ceramic mugs",
                "sku_mug",
                PAYIN,
                "buyer_lena",
                "USD",
                PriceSpec(unit_price=1800, quantity=4),
            ),
            _item(
                "Seller proceeds, order 8841",
                "proceeds",
                PAYOUT,
                "seller_ozan",
                "USD",
                PriceSpec(amount=6480),
            ),
            _item("Shipping", "shipping", PAYIN, "buyer_lena", "USD", PriceSpec(amount=900)),
        ),
        tags=(Tag("region", "eu-central"), Tag("channel", "marketplace")),
    ),
    CreateInvoice(
        invoice_id="acme-2026-0002-draft",
        line_items=(
            _item(
                "Pro plan, February 2026",
                "plan_pro",
                PAYIN,
                "cust_acme",
                "USD",
                PriceSpec(amount=4900),
            ),
        ),
        tags=(Tag("region", "us-east"), Tag("plan", "pro")),
        draft=True,
    ),
)


async def seed_demo(db: Database) -> NewClient | None:
    """On a database without any workspace, create the demo; otherwise do nothing."""
    async with db.read() as session:
        if (await session.exec(select(WorkspaceRow.id).limit(1))).first() is not None:
            return None
    workspace = await create_workspace(db, name=DEMO_WORKSPACE_NAME)
    client = await create_client(db, workspace_public_id=workspace.public_id)
    assert client is not None
    assert workspace.id is not None
    principal = Principal(
        client_id=client.client_id,
        workspace_id=workspace.id,
        workspace_public_id=workspace.public_id,
    )
    for command in DEMO_INVOICES:
        await create_invoice(Context.open(db, principal, EventBus()), command)
    return client


async def demo_workspace(db: Database) -> WorkspaceRow | None:
    """The workspace `seed_demo` made, if this database has one: what later runs point at."""
    return next((row for row in await workspaces(db) if row.name == DEMO_WORKSPACE_NAME), None)
