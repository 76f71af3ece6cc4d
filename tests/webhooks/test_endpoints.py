"""Endpoint CRUD through the graph: scoped to the caller's workspace, typed errors, the
secret shown once and kept encrypted, bad input changing nothing."""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from invoicegraph.admin.workspaces import create_client, create_workspace
from invoicegraph.http.app import create_app
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.store.tables import WebhookEndpointRow
from tests.support import Api, fetch_token
from tests.webhooks.operations import (
    ALL_TYPES,
    CREATE_ENDPOINT,
    DELETE_ENDPOINT,
    DISABLE_ENDPOINT,
    ENDPOINT,
    ENDPOINTS,
    ROTATE_SECRET,
    UPDATE_ENDPOINT,
)

URL = "http://127.0.0.1:9/hooks"


async def create(api: Api, **input: object) -> dict[str, object]:
    data = await api.ok(
        CREATE_ENDPOINT, input={"url": URL, "eventTypes": ["INVOICE_PAID"], **input}
    )
    result: dict[str, object] = data["createWebhookEndpoint"]
    return result


async def test_create_shows_the_secret_once_and_stores_it_encrypted(
    api: Api, app_db: Database
) -> None:
    made = await create(api, description="Payments service", eventTypes=ALL_TYPES)
    assert made["__typename"] == "WebhookEndpointSecretResult", made
    secret = made["secret"]
    assert isinstance(secret, str)
    assert secret.startswith("whsec_")
    endpoint = made["endpoint"]
    assert isinstance(endpoint, dict)
    assert endpoint["url"] == URL
    assert endpoint["eventTypes"] == ALL_TYPES
    assert (endpoint["enabled"], endpoint["disabledReason"]) == (True, None)
    listed = await api.ok(ENDPOINTS)
    assert listed["webhookEndpoints"]["nodes"] == [endpoint]
    async with app_db.read() as session:
        (row,) = (await session.exec(select(WebhookEndpointRow))).all()
    assert secret not in row.secret_ciphertext
    assert row.secret_ciphertext.startswith("gAAAA")  # a Fernet token


@pytest.mark.parametrize(
    ("input", "paths"),
    [
        ({"url": "ftp://example.com/"}, [["url"]]),
        ({"url": "http://127.0.0.1:9/", "eventTypes": []}, [["eventTypes"]]),
        ({"url": "mailto:x@example.com", "description": "d" * 501}, [["url"], ["description"]]),
    ],
)
async def test_bad_input_is_refused_with_every_problem_and_stores_nothing(
    api: Api, input: dict[str, object], paths: list[list[str]]
) -> None:
    made = await api.ok(CREATE_ENDPOINT, input={"eventTypes": ["INVOICE_PAID"], **input})
    result = made["createWebhookEndpoint"]
    assert result["__typename"] == "BadRequestError", result
    assert [error["field"] for error in result["fieldErrors"]] == paths
    assert (await api.ok(ENDPOINTS))["webhookEndpoints"]["nodes"] == []


@pytest.fixture
async def strict_app(database_url: str) -> AsyncIterator[Starlette]:
    """The default URL policy: private hosts refused."""
    application = create_app(
        Settings(database_url=database_url, signing_key="k" * 40, webhooks=False)
    )
    async with application.router.lifespan_context(application):
        yield application


async def test_by_default_a_private_host_is_refused(strict_app: Starlette) -> None:
    db: Database = strict_app.state.db
    workspace = await create_workspace(db, name="Strict")
    client = await create_client(db, workspace_public_id=workspace.public_id)
    assert client is not None
    transport = httpx.ASGITransport(app=strict_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        token = await fetch_token(http, client.client_id, client.client_secret)
        api = Api(http=http, token=token, workspace_id=workspace.public_id)
        for url in ("http://127.0.0.1:8000/hooks", "http://10.0.0.7/hooks", "http://localhost/"):
            result = await create(api, url=url)
            assert result["__typename"] == "BadRequestError", result
            assert "address" in str(result["fieldErrors"])
        assert (await api.ok(ENDPOINTS))["webhookEndpoints"]["nodes"] == []


async def test_update_disable_enable_rotate_delete(api: Api) -> None:
    made = await create(api)
    endpoint = made["endpoint"]
    assert isinstance(endpoint, dict)
    id = endpoint["id"]
    updated = await api.ok(
        UPDATE_ENDPOINT,
        input={"id": id, "description": "new", "eventTypes": ["INVOICE_VOIDED", "INVOICE_PAID"]},
    )
    after = updated["updateWebhookEndpoint"]["endpoint"]
    assert (after["description"], after["eventTypes"]) == (
        "new",
        ["INVOICE_VOIDED", "INVOICE_PAID"],
    )
    assert after["url"] == URL

    refused = await api.ok(UPDATE_ENDPOINT, input={"id": id, "url": "gopher://x/"})
    assert refused["updateWebhookEndpoint"]["__typename"] == "BadRequestError"
    assert (await api.ok(ENDPOINT, id=id))["webhookEndpoint"] == after  # unchanged

    disabled = (await api.ok(DISABLE_ENDPOINT, input={"id": id}))["disableWebhookEndpoint"]
    assert disabled["endpoint"]["enabled"] is False
    assert disabled["endpoint"]["disabledReason"] == "Disabled through the API."
    enabled = await api.ok(UPDATE_ENDPOINT, input={"id": id, "enabled": True})
    assert enabled["updateWebhookEndpoint"]["endpoint"]["enabled"] is True
    assert enabled["updateWebhookEndpoint"]["endpoint"]["disabledReason"] is None

    rotated = (await api.ok(ROTATE_SECRET, input={"id": id}))["rotateWebhookEndpointSecret"]
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != made["secret"]

    deleted = (await api.ok(DELETE_ENDPOINT, input={"id": id}))["deleteWebhookEndpoint"]
    assert deleted == {"__typename": "DeleteWebhookEndpointResult", "deletedId": id}
    assert (await api.ok(ENDPOINT, id=id))["webhookEndpoint"] is None
    again = (await api.ok(DELETE_ENDPOINT, input={"id": id}))["deleteWebhookEndpoint"]
    assert again["__typename"] == "NotFoundError"


async def test_another_workspace_cannot_see_or_touch_an_endpoint(api: Api, other_api: Api) -> None:
    made = await create(api)
    endpoint = made["endpoint"]
    assert isinstance(endpoint, dict)
    id = endpoint["id"]
    assert (await other_api.ok(ENDPOINTS))["webhookEndpoints"]["nodes"] == []
    assert (await other_api.ok(ENDPOINT, id=id))["webhookEndpoint"] is None
    for document, field in [
        (DISABLE_ENDPOINT, "disableWebhookEndpoint"),
        (ROTATE_SECRET, "rotateWebhookEndpointSecret"),
        (DELETE_ENDPOINT, "deleteWebhookEndpoint"),
    ]:
        answer = (await other_api.ok(document, input={"id": id}))[field]
        assert answer["__typename"] == "NotFoundError", answer
    update = await other_api.ok(UPDATE_ENDPOINT, input={"id": id, "description": "x"})
    assert update["updateWebhookEndpoint"]["__typename"] == "NotFoundError"
    assert (await api.ok(ENDPOINT, id=id))["webhookEndpoint"] == endpoint


async def test_endpoints_page_by_keyset(api: Api) -> None:
    ids = []
    for _ in range(5):
        made = await create(api)
        endpoint = made["endpoint"]
        assert isinstance(endpoint, dict)
        ids.append(endpoint["id"])
    first = (await api.ok(ENDPOINTS, first=3))["webhookEndpoints"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await api.ok(ENDPOINTS, first=3, after=first["pageInfo"]["endCursor"]))[
        "webhookEndpoints"
    ]
    assert [n["id"] for n in first["nodes"] + rest["nodes"]] == ids
    assert rest["pageInfo"]["hasNextPage"] is False
