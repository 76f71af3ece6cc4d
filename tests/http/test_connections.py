"""One tenant cannot exhaust the database pool: a request holds at most one connection, a slow
body holds none, a full pool answers 503 at once, and one client has a share of its own.

Measured in connections held and requests admitted (the pool's checkout events, the app's
admission counts), never in time.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from invoicegraph.admin.workspaces import create_client, create_workspace
from invoicegraph.http.app import create_app
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from tests.http.live import live_server
from tests.operations import CREATE_INVOICE_MINIMAL, invoice_input
from tests.support import Api, connections_held, fetch_token


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Without the webhook deliverer: it polls the database in the background, and a poll beside
    the request measured would count as the request's connection."""
    return settings.replace(webhooks=False)


WORKSPACE = "{ workspace { id } }"


async def test_a_mutation_holds_one_connection_at_a_time(api: Api, app_db: Database) -> None:
    # given: the request's credential check opens a read session
    # when
    with connections_held(app_db) as held:
        data = await api.ok(CREATE_INVOICE_MINIMAL, input=invoice_input("one-connection"))
    # then: it was closed before the write transaction took a connection
    assert data["createInvoice"]["__typename"] == "CreateInvoiceResult"
    assert held.peak == 1
    assert held.now == 0


async def test_slow_bodies_hold_no_connection(app: Starlette, api: Api, app_db: Database) -> None:
    # given: five requests whose headers (with a valid token) arrived, and half their body
    body = json.dumps({"query": WORKSPACE}).encode()
    head = (
        "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {api.token}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    async with live_server(app) as port:
        with connections_held(app_db) as held:
            trickling = []
            for _ in range(5):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(head + body[:10])
                await writer.drain()
                trickling.append((reader, writer))
            # when: a whole request comes in after them
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                answered = await http.post(
                    "/graphql",
                    json={"query": WORKSPACE},
                    headers={"Authorization": f"Bearer {api.token}"},
                )
            # then: it is answered, and the five waiting for their bodies hold no connection
            assert answered.status_code == 200, answered.text
            assert held.now <= 1  # at most the answered request's, being closed
            waiting_for_bodies = held.now
            # and the five are answered once their bodies are whole
            for reader, writer in trickling:
                writer.write(body[10:])
                await writer.drain()
                status_line = await reader.readline()
                assert status_line.startswith(b"HTTP/1.1 200"), status_line
                writer.close()
    assert waiting_for_bodies <= 1


@asynccontextmanager
async def writes_held(db: Database) -> AsyncIterator[None]:
    """Keep every write of the app waiting until the block ends (on SQLite the process's write
    turn, on PostgreSQL a lock on the invoices table that every createInvoice needs), held by a
    task of its own so that the requests of the block are not inside its transaction."""
    holding = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with db.write() as session:
            if not db.is_sqlite:
                connection = await session.connection()
                await connection.execute(text("LOCK TABLE invoices IN EXCLUSIVE MODE"))
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.wait([holder, asyncio.create_task(holding.wait())], return_when="FIRST_COMPLETED")
    if holder.done():
        holder.result()  # it failed: say why
    try:
        yield
    finally:
        release.set()
        await holder


async def until(condition: Callable[[], bool]) -> None:
    """Wait (a bounded number of short pauses) until the app's state satisfies `condition`."""
    for _ in range(6_000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the app never reached the state the test waits for")


@asynccontextmanager
async def app_with(settings: Settings, **changes: Any) -> AsyncIterator[Starlette]:
    application = create_app(settings.replace(**changes))
    async with application.router.lifespan_context(application):
        yield application


async def new_client_token(http: httpx.AsyncClient, db: Database, workspace_id: str) -> str:
    client = await create_client(db, workspace_public_id=workspace_id)
    assert client is not None
    return await fetch_token(http, client.client_id, client.client_secret)


def create(http: httpx.AsyncClient, token: str, key: str) -> Coroutine[Any, Any, httpx.Response]:
    return http.post(
        "/graphql",
        json={"query": CREATE_INVOICE_MINIMAL, "variables": {"input": invoice_input(key)}},
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_a_full_pool_answers_503_at_once(settings: Settings) -> None:
    async with app_with(settings, database_connections=2) as app:
        db: Database = app.state.db
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            workspace = await create_workspace(db, name="Busy billing")
            tokens = [await new_client_token(http, db, workspace.public_id) for _ in range(3)]
            # given: two writes, one per client, admitted and waiting for the write lock
            async with writes_held(db):
                waiting = [
                    asyncio.create_task(create(http, token, f"busy-{n}"))
                    for n, token in enumerate(tokens[:2])
                ]
                await until(lambda: app.state.admission.admitted == 2)
                # when: a third request comes while both connections' turns are taken
                refused = await http.post(
                    "/graphql",
                    json={"query": WORKSPACE},
                    headers={"Authorization": f"Bearer {tokens[2]}"},
                )
            # then: 503 with a typed code and Retry-After, and the two go through afterwards
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert refused.headers["content-type"] == "application/json"
            assert refused.json()["errors"][0]["extensions"]["code"] == "SERVICE_BUSY"
            for answered in await asyncio.gather(*waiting):
                assert answered.status_code == 200
                assert answered.json()["data"]["createInvoice"]["__typename"] == (
                    "CreateInvoiceResult"
                )


async def test_one_client_past_its_share_gets_429(settings: Settings) -> None:
    async with app_with(settings, max_requests_per_client=2) as app:
        db: Database = app.state.db
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            workspace = await create_workspace(db, name="Greedy billing")
            greedy = await new_client_token(http, db, workspace.public_id)
            other = await new_client_token(http, db, workspace.public_id)
            async with writes_held(db):
                # given: the client has two requests in flight
                waiting = [
                    asyncio.create_task(create(http, greedy, f"greedy-{n}")) for n in range(2)
                ]
                await until(lambda: app.state.admission.admitted == 2)
                # when: it sends a third, and another client of the workspace sends one
                refused = await http.post(
                    "/graphql",
                    json={"query": WORKSPACE},
                    headers={"Authorization": f"Bearer {greedy}"},
                )
                served = await http.post(
                    "/graphql",
                    json={"query": WORKSPACE},
                    headers={"Authorization": f"Bearer {other}"},
                )
            # then: only the greedy client's third is refused, with 429 and Retry-After
            assert refused.status_code == 429
            assert refused.headers["retry-after"] == "1"
            assert refused.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_REQUESTS"
            assert served.status_code == 200
            assert served.json()["data"]["workspace"]["id"] == workspace.public_id
            for answered in await asyncio.gather(*waiting):
                assert answered.status_code == 200


async def test_admission_counts_return_to_zero(settings: Settings) -> None:
    """Twenty concurrent writes of one client: each is answered (200, or 429 past its share),
    and every turn taken is given back."""
    async with app_with(settings) as app:
        db: Database = app.state.db
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            workspace = await create_workspace(db, name="Counted billing")
            token = await new_client_token(http, db, workspace.public_id)
            answers = await asyncio.gather(
                *(create(http, token, f"counted-{n}") for n in range(20))
            )
        assert sorted({answer.status_code for answer in answers}) in ([200], [200, 429])
        assert app.state.admission.admitted == 0


async def test_json_answers_are_not_cached_or_sniffed(api: Api, http: httpx.AsyncClient) -> None:
    answers = [
        await http.post(
            "/graphql",
            json={"query": WORKSPACE},
            headers={"Authorization": f"Bearer {api.token}"},
        ),
        await http.post("/graphql", json={"query": WORKSPACE}),  # 401
        await http.get("/healthz"),
    ]
    for answer in answers:
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"


async def test_oversized_headers_are_refused_with_431(app: Starlette, api: Api) -> None:
    async with (
        live_server(app) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
    ):
        answer = await http.post(
            "/graphql",
            json={"query": WORKSPACE},
            headers={"Authorization": f"Bearer {api.token}", "X-Padding": "p" * 40_000},
        )
    assert answer.status_code == 431
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
