"""The fan-out reads a batch of outbox events, their endpoints and their invoices' data in a
number of statements that does not grow with the batch, and sends nothing twice."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from invoicegraph.admin.workspaces import create_client, create_workspace
from invoicegraph.http.app import create_app
from invoicegraph.http.webhook_data import invoice_renderer
from invoicegraph.schema import schema
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.webhooks.fanout import BATCH, fan_out
from tests.operations import make_invoices
from tests.support import Api, count_statements, fetch_token
from tests.webhooks.operations import ALL_TYPES, CREATE_ENDPOINT, DELIVERIES


@pytest.fixture
async def quiet_app(database_url: str) -> AsyncIterator[Starlette]:
    """No deliverer of its own: the test runs the fan-out itself."""
    application = create_app(
        Settings(
            database_url=database_url,
            signing_key="k" * 40,
            webhooks=False,
            webhooks_allow_private=True,
        )
    )
    async with application.router.lifespan_context(application):
        yield application


async def client_of(app: Starlette, http: httpx.AsyncClient, name: str) -> Api:
    db: Database = app.state.db
    workspace = await create_workspace(db, name=name)
    client = await create_client(db, workspace_public_id=workspace.public_id)
    assert client is not None
    token = await fetch_token(http, client.client_id, client.client_secret)
    return Api(http=http, token=token, workspace_id=workspace.public_id)


async def statements_to_fan_out(app: Starlette, api: Api, count: int, prefix: str) -> int:
    await make_invoices(api, count, line_items_each=3, prefix=prefix)
    db: Database = app.state.db
    with count_statements(db) as seen:
        assert await fan_out(db, invoice_renderer(schema, db)) == count
    assert await fan_out(db, invoice_renderer(schema, db)) == 0
    return seen.count


async def test_statements_do_not_grow_with_the_batch(quiet_app: Starlette) -> None:
    transport = httpx.ASGITransport(app=quiet_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        api = await client_of(quiet_app, http, "Acme")
        endpoints = []
        for _ in range(2):  # two endpoints: one body per event, one delivery per endpoint
            made = await api.ok(
                CREATE_ENDPOINT, input={"url": "http://127.0.0.1:9/", "eventTypes": ALL_TYPES}
            )
            assert made["createWebhookEndpoint"]["__typename"] == "WebhookEndpointSecretResult"
            endpoints.append(made["createWebhookEndpoint"]["endpoint"]["id"])
        few = await statements_to_fan_out(quiet_app, api, 5, "few")
        many = await statements_to_fan_out(quiet_app, api, 100, "many")
        assert few == many, (few, many)
        assert many <= 16, many
        pages: list[Any] = [
            (await api.ok(DELIVERIES, endpointId=endpoint, first=200))["webhookDeliveries"]
            for endpoint in endpoints
        ]
        nodes = [node for page in pages for node in page["nodes"]]
        assert [len(page["nodes"]) for page in pages] == [105, 105]
        bodies = {node["eventId"]: node["body"] for node in nodes}
        assert len(bodies) == 105
        assert all(node["body"] == bodies[node["eventId"]] for node in nodes)
        assert BATCH >= 100


async def test_without_endpoints_nothing_is_written_and_a_new_one_gets_only_later_events(
    quiet_app: Starlette,
) -> None:
    transport = httpx.ASGITransport(app=quiet_app)
    db: Database = quiet_app.state.db
    render = invoice_renderer(schema, db)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        api = await client_of(quiet_app, http, "Acme")
        await make_invoices(api, 3, prefix="before")
        with count_statements(db) as seen:
            assert await fan_out(db, render) == 0  # nobody listens: left, not marked
        assert not any(
            statement.lstrip().upper().startswith("UPDATE") for statement in seen.statements
        )
        made = await api.ok(
            CREATE_ENDPOINT, input={"url": "http://127.0.0.1:9/", "eventTypes": ALL_TYPES}
        )
        endpoint = made["createWebhookEndpoint"]["endpoint"]["id"]
        # the events older than every endpoint: marked in one statement
        with count_statements(db) as seen:
            assert await fan_out(db, render) == 3
        assert [s for s in seen.statements if s.lstrip().upper().startswith("UPDATE")] != []
        assert await fan_out(db, render) == 0
        await make_invoices(api, 2, prefix="later")
        await make_invoices(api, 2, prefix="after")
        while await fan_out(db, render):
            pass
        page = (await api.ok(DELIVERIES, endpointId=endpoint))["webhookDeliveries"]
        keys = sorted(
            orjson.loads(node["body"])["data"]["invoice"]["invoiceId"] for node in page["nodes"]
        )
        assert keys == ["after-0000", "after-0001", "later-0000", "later-0001"]
