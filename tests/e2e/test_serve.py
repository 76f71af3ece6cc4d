"""`invoicegraph serve` as a user runs it: demo seeding, restarts, authentication, a round trip."""

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import func, select

from invoicegraph.store.engine import Database
from invoicegraph.store.tables import WorkspaceRow
from tests.backends import sqlite_url
from tests.e2e.server import (
    Deployment,
    Server,
    assert_clean_log,
    get_token,
    graphql_ok,
    http_client,
    printed_demo_credentials,
    run_cli,
    running_server,
)
from tests.operations import CREATE_INVOICE, INVOICE_BY_KEY, invoice_input, line_item

pytestmark = pytest.mark.e2e

INVOICE_LIST = "{ invoices(first: 50) { nodes { invoiceId status } } }"

DEMO_INVOICES = {
    "invoice_2024_001": "OPEN",
    "acme-2026-0001": "OPEN",
    "globex-2026-0002": "OPEN",
    "market-2026-0003": "OPEN",
    "acme-2026-0002-draft": "DRAFT",
}


def listed_invoices(http: httpx.Client, token: str) -> dict[str, str]:
    data = graphql_ok(http, INVOICE_LIST, token)
    return {node["invoiceId"]: node["status"] for node in data["invoices"]["nodes"]}


async def workspace_count(database_url: str) -> int:
    db = Database(database_url)
    try:
        async with db.read() as session:
            count: int = (await session.exec(select(func.count()).select_from(WorkspaceRow))).one()
            return count
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`serve --demo` on a database file that does not exist yet."""
    workdir = tmp_path_factory.mktemp("demo")
    with running_server(sqlite_url(workdir / "demo.db"), demo=True, workdir=workdir) as server:
        yield server


def test_demo_first_run_prints_working_credentials(demo_server: Server) -> None:
    # given the output of the first run on an empty database
    printed = printed_demo_credentials(demo_server.stdout())
    with http_client(demo_server.base_url) as http:
        # when the printed token lists invoices, and the printed client asks for a new token
        with_printed_token = listed_invoices(http, printed.token)
        fresh_token = get_token(http, printed.client_id, printed.client_secret)
        with_fresh_token = listed_invoices(http, fresh_token)
    # then both see exactly the demo invoices
    assert with_printed_token == DEMO_INVOICES
    assert with_fresh_token == DEMO_INVOICES
    # and the printed curl example points at this very server
    assert f"curl -s {demo_server.base_url}/graphql" in demo_server.stdout()
    assert_clean_log(demo_server)


async def test_a_restart_keeps_the_data_and_does_not_seed_again(workdir: Path) -> None:
    # given a first run that seeded the demo
    database_url = sqlite_url(workdir / "restart.db")
    with running_server(database_url, demo=True, workdir=workdir) as first:
        printed = printed_demo_credentials(first.stdout())
    # when serve runs again on the same database, with --demo again
    with running_server(database_url, demo=True, workdir=workdir) as second:
        with http_client(second.base_url) as http:
            with_old_token = listed_invoices(http, printed.token)
            fresh_token = get_token(http, printed.client_id, printed.client_secret)
            with_fresh_token = listed_invoices(http, fresh_token)
        restart_output = second.stdout()
        assert_clean_log(second)
    # then nothing was seeded and no secret printed, and the first run's data and credentials work
    assert printed.client_secret not in restart_output
    assert "bearer token:" not in restart_output
    assert await workspace_count(database_url) == 1
    assert with_old_token == DEMO_INVOICES
    assert with_fresh_token == DEMO_INVOICES


async def test_every_later_start_says_how_to_get_into_the_demo_again(workdir: Path) -> None:
    # given a demo database whose first run's secret is lost
    database_url = sqlite_url(workdir / "lost.db")
    with running_server(database_url, demo=True, workdir=workdir):
        pass
    # when serve starts again, and the user runs the command it prints
    with running_server(database_url, demo=True, workdir=workdir) as again:
        hint = re.search(r"^\s*(\S*invoicegraph) (client create .*)$", again.stdout(), re.MULTILINE)
        assert hint is not None, again.stdout()
        arguments = hint.group(2).split()
        assert arguments[-2:] == ["--database-url", database_url], arguments
        created = run_cli(*arguments[:-2], "--json", cwd=workdir, database_url=database_url)
        with http_client(again.base_url) as http:
            token = get_token(http, **created.json())
            # then the new client sees the demo invoices
            assert listed_invoices(http, token) == DEMO_INVOICES
    assert f"{again.base_url}/oauth2/token" in again.stdout()


def test_healthz_needs_no_token(http: httpx.Client) -> None:
    response = http.get("/healthz")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer"],
    ids=["missing", "garbage", "basic", "empty"],
)
def test_graphql_without_a_valid_token_is_401_unauthenticated(
    http: httpx.Client, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = http.post("/graphql", json={"query": INVOICE_LIST}, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body.get("data") is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]


def test_the_seed_create_example_round_trips_through_the_server(
    deployed: Deployment, http: httpx.Client, token: str
) -> None:
    # given the seed's create example
    seed = invoice_input(
        "invoice_2024_001",
        line_item(
            amount="1000",
            type="PAYOUT",
            currency="USD",
            user="user_abc123",
            description="Professional services for January 2026",
            product_id="prod_1234567890",
        ),
    )
    # when it is created and then fetched by its invoiceId
    created = graphql_ok(http, CREATE_INVOICE, token, input=seed)["createInvoice"]
    fetched = graphql_ok(http, INVOICE_BY_KEY, token, invoiceId="invoice_2024_001")["invoice"]
    # then
    assert created["__typename"] == "CreateInvoiceResult"
    assert created["isIkReplay"] is False
    assert fetched == created["invoice"]
    assert fetched["id"].startswith("inv_")
    assert fetched["workspaceId"] == deployed.workspace_id
    assert fetched["status"] == "OPEN"
    assert fetched["version"] == 1
    [item] = fetched["lineItems"]
    assert item["description"] == "Professional services for January 2026"
    assert item["productId"] == "prod_1234567890"
    assert item["type"] == "PAYOUT"
    assert item["currency"] == "USD"
    assert item["price"] == {"amount": "1000", "quantity": 1, "unitPrice": "1000"}
    assert item["user"]["externalId"] == "user_abc123"
    assert fetched["balances"] == [
        {
            "currency": "USD",
            "payins": {"expected": "0", "actual": "0", "remaining": "0"},
            "payouts": {"expected": "1000", "actual": "0", "remaining": "1000"},
            "net": {"expected": "-1000", "actual": "0", "remaining": "-1000"},
        }
    ]
    assert_clean_log(deployed.server)
