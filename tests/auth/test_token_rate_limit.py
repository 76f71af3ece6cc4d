"""/oauth2/token refuses a flood, per client id and per address, with 429 and Retry-After."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from invoicegraph.admin.workspaces import NewClient, create_client, create_workspace
from invoicegraph.http.app import create_app
from invoicegraph.http.state import app_state
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from tests.auth.test_token_endpoint import GRANT, assert_token_error, basic


@dataclass
class Limited:
    """A client of an app whose token endpoint allows 3 a minute per client, 5 per address."""

    http: httpx.AsyncClient
    db: Database

    async def post(self, headers: dict[str, str]) -> httpx.Response:
        return await self.http.post("/oauth2/token", data=GRANT, headers=headers)


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[Limited]:
    app = create_app(
        settings.replace(token_rate_per_client="3/minute", token_rate_per_address="5/minute")
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield Limited(http, app_state(app).db)


async def new_client(limited: Limited) -> NewClient:
    workspace = await create_workspace(limited.db, name="Acme billing")
    client = await create_client(limited.db, workspace_public_id=workspace.public_id)
    assert client is not None
    return client


async def test_a_client_id_past_its_rate_waits_and_says_how_long(
    limited: Limited,
) -> None:
    # given
    client = await new_client(limited)
    right = basic(client.client_id, client.client_secret)
    wrong = basic(client.client_id, "not-the-secret")
    # when: three guesses, then the right secret
    guesses = [await limited.post(wrong) for _ in range(3)]
    refused = await limited.post(right)
    # then: the guesses were answered as such, and the fourth request waits
    assert [r.status_code for r in guesses] == [401, 401, 401]
    body = assert_token_error(refused, 429, "too_many_requests")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "retry in" in body["error_description"]


async def test_an_address_past_its_rate_waits_whatever_the_client(
    limited: Limited,
) -> None:
    clients = [await new_client(limited) for _ in range(3)]
    answers = [await limited.post(basic(c.client_id, c.client_secret)) for c in clients + clients]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 200, 429]


async def test_an_unknown_client_and_a_wrong_secret_get_the_same_answer(
    limited: Limited,
) -> None:
    client = await new_client(limited)
    unknown = await limited.post(basic("cli_nobody", "x"))
    wrong = await limited.post(basic(client.client_id, "x"))
    assert (unknown.status_code, unknown.content) == (wrong.status_code, wrong.content)
    assert unknown.headers == wrong.headers
