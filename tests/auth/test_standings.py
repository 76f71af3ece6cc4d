"""Clients' standings kept in memory: only while revocations are heard, never past one."""

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event, text
from starlette.applications import Starlette

from invoicegraph.admin.workspaces import create_client, create_workspace, revoke_client
from invoicegraph.auth.standings import FORGOTTEN_CHANNEL, LISTENER_NAME, Standings
from invoicegraph.store.engine import Database
from invoicegraph.store.workspaces import REVOCATIONS_CHANNEL, ClientStanding
from tests.backends import ON_POSTGRES
from tests.support import fetch_token

QUERY = {"query": "{ __typename }"}
GOOD = ClientStanding("cli_a", revoked=False, workspace_id=1, workspace_public_id="ws_a")


def test_nothing_is_kept_while_not_watching() -> None:
    standings = Standings()
    standings.keep(GOOD, read_at=standings.generation)
    assert standings.get("cli_a") is None


def test_a_standing_read_before_a_revocation_was_heard_is_not_kept() -> None:
    # given a standing read while watching
    standings = Standings()
    standings.set_watching(True)
    read_at = standings.generation
    # when the revocation is heard before the read's answer is kept
    standings.revoked("cli_a")
    standings.keep(GOOD, read_at=read_at)
    # then it is not kept: the next request reads again
    assert standings.get("cli_a") is None


def test_a_revocation_forgets_the_client_and_losing_the_watch_forgets_all() -> None:
    standings = Standings()
    standings.set_watching(True)
    other = GOOD._replace(client_id="cli_b")
    for standing in (GOOD, other):
        standings.keep(standing, read_at=standings.generation)
    assert standings.get("cli_a") == GOOD
    standings.revoked("cli_a")
    assert standings.get("cli_a") is None
    assert standings.get("cli_b") == other
    standings.set_watching(False)
    assert standings.get("cli_b") is None


def test_revoked_standings_are_never_kept_and_the_oldest_leave_first() -> None:
    standings = Standings(capacity=2)
    standings.set_watching(True)
    standings.keep(GOOD._replace(revoked=True), read_at=standings.generation)
    assert standings.get("cli_a") is None
    for name in ("cli_1", "cli_2", "cli_3"):
        standings.keep(GOOD._replace(client_id=name), read_at=standings.generation)
    assert standings.get("cli_1") is None
    assert standings.get("cli_3") is not None


@pytest.fixture
def statements(app_db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    for engine in app_db.engines:
        event.listen(engine.sync_engine, "before_cursor_execute", note)
    yield seen
    for engine in app_db.engines:
        event.remove(engine.sync_engine, "before_cursor_execute", note)


async def new_token(app_db: Database, http: httpx.AsyncClient) -> tuple[str, str]:
    workspace = await create_workspace(app_db, name="Acme billing")
    client = await create_client(app_db, workspace_public_id=workspace.public_id)
    assert client is not None
    return client.client_id, await fetch_token(http, client.client_id, client.client_secret)


def standing_reads(statements: list[str]) -> int:
    return sum("api_clients" in statement for statement in statements)


async def test_a_kept_standing_spares_the_read_on_postgresql_only(
    app: Starlette, app_db: Database, http: httpx.AsyncClient, statements: list[str]
) -> None:
    # given a client whose token was used once
    client_id, token = await new_token(app_db, http)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200
    # when it is used again
    statements.clear()
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200
    # then PostgreSQL (whose revocations are heard) answers from memory; SQLite reads again
    assert standing_reads(statements) == (0 if ON_POSTGRES else 1)
    # and a revocation still takes effect on the next request
    assert await revoke_client(app_db, client_id=client_id)
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 401


@pytest.mark.skipif(not ON_POSTGRES, reason="only PostgreSQL servers keep standings")
async def test_a_lost_listener_keeps_nothing_until_it_listens_again(
    app: Starlette, app_db: Database, http: httpx.AsyncClient, statements: list[str]
) -> None:
    # given a client whose standing is kept
    client_id, token = await new_token(app_db, http)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200
    standings: Standings = app.state.standings
    assert standings.get(client_id) is not None
    # when the listener's connection is cut by the server
    async with app_db.write() as session:
        await session.exec(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = :name"
            ),
            params={"name": LISTENER_NAME},
        )  # type: ignore[call-overload]
    for _ in range(100):
        if not standings.watching:
            break
        await asyncio.sleep(0.02)
    # then every request reads its standing (a revocation meanwhile is not missed)
    assert not standings.watching
    statements.clear()
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200
    assert standing_reads(statements) == 1
    # and once it listens again, standings are kept again, and revocations heard
    for _ in range(200):
        if standings.watching:
            break
        await asyncio.sleep(0.05)
    assert standings.watching
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200
    assert standings.get(client_id) is not None
    assert await revoke_client(app_db, client_id=client_id)
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 401


async def a_listener(
    app_db: Database, on_revocation: Callable[[asyncpg.Connection, str], Coroutine[Any, Any, None]]
) -> asyncpg.Connection:
    """A server's listener, as the revoker sees one: LISTENing, then named `LISTENER_NAME`."""
    dsn = app_db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    tasks: set[asyncio.Task[None]] = set()

    def heard(conn: Any, _pid: int, _channel: str, client_id: str) -> None:
        task = asyncio.create_task(on_revocation(conn, client_id))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    await connection.add_listener(REVOCATIONS_CHANNEL, heard)
    await connection.execute("SELECT set_config('application_name', $1, false)", LISTENER_NAME)
    return connection


@pytest.mark.skipif(not ON_POSTGRES, reason="only PostgreSQL servers keep standings")
async def test_revoking_returns_only_once_every_listener_has_forgotten(
    app: Starlette, app_db: Database, http: httpx.AsyncClient
) -> None:
    # given another server whose listener is slow to forget
    client_id, _token = await new_token(app_db, http)
    forgotten: list[str] = []

    async def forget_slowly(connection: asyncpg.Connection, revoked_id: str) -> None:
        await asyncio.sleep(0.3)
        forgotten.append(revoked_id)
        await connection.execute("SELECT pg_notify($1, $2)", FORGOTTEN_CHANNEL, revoked_id)

    slow = await a_listener(app_db, forget_slowly)
    try:
        # when the client is revoked
        assert await revoke_client(app_db, client_id=client_id)
        # then the revoker returned after that server had forgotten the client
        assert forgotten == [client_id]
    finally:
        await slow.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="only PostgreSQL servers keep standings")
async def test_a_listener_that_goes_away_is_not_waited_for(
    app: Starlette, app_db: Database, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # given another server's listener that hears the revocation, then is gone before answering
    client_id, _token = await new_token(app_db, http)

    async def go_away(connection: asyncpg.Connection, _revoked_id: str) -> None:
        await connection.close()

    gone = await a_listener(app_db, go_away)
    try:
        # when the client is revoked
        assert await revoke_client(app_db, client_id=client_id)
        # then the revoker did not wait out its deadline for an answer that cannot come
        assert "did not answer" not in caplog.text
    finally:
        await gone.close()
