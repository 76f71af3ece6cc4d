"""HTTP-level limits and production switches."""

from collections.abc import AsyncIterator

import httpx
import pytest
from graphql import get_introspection_query
from starlette.applications import Starlette
from starlette.types import Message

from invoicegraph.http.app import create_app
from invoicegraph.settings import Settings
from tests.support import Api


async def test_a_body_over_one_mebibyte_is_refused_with_413(api: Api) -> None:
    padding = "x" * (1024 * 1024)
    response = await api.http.post(
        "/graphql",
        json={"query": "{ workspace { id } }", "variables": {"padding": padding}},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_streamed_body_without_length_is_cut_off_too(api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ workspace { id } }", "variables": {"padding": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}}'

    response = await api.http.post(
        "/graphql",
        content=chunks(),
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413


async def test_a_body_just_under_the_limit_is_served(api: Api) -> None:
    padding = "x" * (1024 * 1024 - 200)
    response = await api.http.post(
        "/graphql",
        json={"query": "{ workspace { id } }", "variables": {"padding": padding}},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 200


async def test_introspection_can_be_turned_off(settings: Settings, api: Api) -> None:
    closed = create_app(settings.replace(introspection=False))
    async with closed.router.lifespan_context(closed):
        transport = httpx.ASGITransport(app=closed)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            headers = {"Authorization": f"Bearer {api.token}"}
            refused = await http.post(
                "/graphql", json={"query": get_introspection_query()}, headers=headers
            )
            served = await http.post(
                "/graphql", json={"query": "{ workspace { id } }"}, headers=headers
            )
    assert refused.json()["data"] is None
    assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert served.json()["data"] == {"workspace": {"id": api.workspace_id}}


MISSPELT = {
    "a field": ("{ workspace { nam } }", {}),
    "an argument": ("{ invoices(frist: 1) { totalCount } }", {}),
    "an enum literal": ("{ invoices(filter: {status: {equalTo: OPN}}) { totalCount } }", {}),
    "a type": ("query($f: InvoicesFiltr) { invoices(filter: $f) { totalCount } }", {}),
    "an enum in variables": (
        "query($s: InvoiceStatus!) { invoices(filter: {status: {equalTo: $s}}) { totalCount } }",
        {"s": "OPN"},
    ),
    "an input field in variables": (
        "query($f: InvoicesFilter) { invoices(filter: $f) { totalCount } }",
        {"f": {"statsu": {"equalTo": "OPEN"}}},
    ),
}


@pytest.mark.parametrize("introspection", [True, False])
@pytest.mark.parametrize("mistake", MISSPELT)
async def test_suggestions_are_made_only_while_introspection_is_on(
    settings: Settings, api: Api, introspection: bool, mistake: str
) -> None:
    """ "Did you mean 'name'?" tells a schema's names as introspection would."""
    document, variables = MISSPELT[mistake]
    served = create_app(settings.replace(introspection=introspection))
    async with served.router.lifespan_context(served):
        transport = httpx.ASGITransport(app=served)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.post(
                "/graphql",
                json={"query": document, "variables": variables},
                headers={"Authorization": f"Bearer {api.token}"},
            )
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] in {"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}
    assert ("Did you mean" in error["message"]) is introspection, error["message"]


async def test_a_client_that_hangs_up_mid_body_gets_nothing_and_breaks_nothing(
    app: Starlette, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    # given a POST whose body never comes: the client disconnects after the headers
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"test"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {api.token}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
        "app": app,
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    # when
    await app(scope, receive, send)
    # then: no answer, no error logged, and the server still serves
    assert sent == []
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []
    assert (await api.ok("{ workspace { id } }"))["workspace"]["id"] == api.workspace_id
