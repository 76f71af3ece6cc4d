"""Webhooks from the real `invoicegraph serve`: SIGKILLed mid-delivery it delivers after the
restart (at least once: the receiver deduplicates by event id), and on PostgreSQL with four
worker processes each event is delivered by one of them, not by four.

The receiver is a real HTTP server on 127.0.0.1 in this test process (tests/webhooks/
receiver.py); the server's retry schedule is shrunk by its settings, so nothing here sleeps
for a schedule.
"""

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from invoicegraph.webhooks.worker import DELIVERER_LOCK
from tests.backends import ON_POSTGRES, _dsn
from tests.e2e.server import (
    POSTGRES_WORKERS,
    STOP_TIMEOUT_SECONDS,
    create_client,
    create_workspace,
    fresh_database,
    get_token,
    graphql_ok,
    http_client,
    running_server,
)
from tests.operations import CREATE_INVOICE_MINIMAL, invoice_input
from tests.webhooks.operations import ALL_TYPES, CREATE_ENDPOINT, WAIT_SECONDS
from tests.webhooks.receiver import Receiver, receiving

pytestmark = pytest.mark.e2e

WEBHOOK_SETTINGS = {
    "INVOICEGRAPH_WEBHOOKS_ALLOW_PRIVATE": "true",
    "INVOICEGRAPH_WEBHOOKS_RETRY_BASE_SECONDS": "0.05",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def wait_for(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.02)
    return value


def make_endpoint(http: httpx.Client, token: str, url: str) -> str:
    made = graphql_ok(http, CREATE_ENDPOINT, token, input={"url": url, "eventTypes": ALL_TYPES})[
        "createWebhookEndpoint"
    ]
    assert made["__typename"] == "WebhookEndpointSecretResult", made
    secret: str = made["secret"]
    return secret


def create_invoices(http: httpx.Client, token: str, keys: list[str]) -> None:
    for key in keys:
        created = graphql_ok(http, CREATE_INVOICE_MINIMAL, token, input=invoice_input(key))
        assert created["createInvoice"]["__typename"] == "CreateInvoiceResult", created


def create_invoices_across_workers(base_url: str, token: str, keys: list[str]) -> set[int]:
    """Each write on a new connection, so that the kernel spreads them over the processes;
    the worker process ids /healthz answered on such connections."""
    workers = set()
    for key in keys:
        with http_client(base_url) as http:
            create_invoices(http, token, [key])
            workers.add(http.get("/healthz").json()["worker"])
    return workers


def deliverer_lock_holders(database_url: str) -> int:
    """Sessions holding the deliverer's advisory lock in the server's database."""

    async def count() -> int:
        connection = await asyncpg.connect(_dsn(make_url(database_url).database or ""))
        try:
            held: int = await connection.fetchval(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"
                " AND l.classid = $1 AND l.objid = $2",
                DELIVERER_LOCK >> 32,
                DELIVERER_LOCK & 0xFFFFFFFF,
            )
            return held
        finally:
            await connection.close()

    return asyncio.run(count())


def keys_received(receiver: Receiver) -> Counter[str]:
    """How many times each invoiceId was received, once per event id (deduplicated)."""
    first = {r.event_id: r for r in receiver.succeeded()}
    return Counter(r.payload["data"]["invoice"]["invoiceId"] for r in first.values())


def test_a_server_killed_mid_delivery_delivers_after_restart(
    tmp_path: Path, receiver: Receiver
) -> None:
    with fresh_database(tmp_path) as database_url:
        workspace_id = create_workspace("Hooks", cwd=tmp_path, database_url=database_url)
        credentials = create_client(workspace_id, cwd=tmp_path, database_url=database_url)
        keys = [f"kill-{n}" for n in range(5)]
        with running_server(
            database_url, demo=False, workdir=tmp_path, environment=WEBHOOK_SETTINGS
        ) as server:
            with http_client(server.base_url) as http:
                token = get_token(http, *credentials)
                secret = make_endpoint(http, token, receiver.url)
                receiver.hold()  # the receiver takes requests and does not answer
                create_invoices(http, token, keys)
                wait_for(receiver.arrived.is_set, "a delivery in flight")
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            assert server.process.returncode == -signal.SIGKILL
        in_flight = receiver.arrivals
        receiver.release()  # what was held is answered, to a connection nobody reads
        wait_for(lambda: len(receiver.all()) >= in_flight, "the held requests answered")
        answered_before_restart = {r.event_id for r in receiver.all()}
        with running_server(
            database_url, demo=False, workdir=tmp_path, environment=WEBHOOK_SETTINGS
        ) as restarted:
            wait_for(lambda: len(keys_received(receiver)) == len(keys), "every event")
            assert "Traceback" not in restarted.stderr()
        assert keys_received(receiver) == Counter(keys)
        counts = Counter(r.event_id for r in receiver.succeeded())
        # the event in flight at the kill was sent again after the restart: at least once
        assert answered_before_restart
        assert all(counts[event] >= 2 for event in answered_before_restart), counts
        assert all(r.verifies(secret, now=int(time.time())) for r in receiver.succeeded())


@pytest.mark.skipif(not ON_POSTGRES, reason="one process serves SQLite; workers need PostgreSQL")
def test_with_four_workers_each_event_is_delivered_by_one_of_them(
    tmp_path: Path, receiver: Receiver
) -> None:
    with fresh_database(tmp_path) as database_url:
        workspace_id = create_workspace("Hooks", cwd=tmp_path, database_url=database_url)
        credentials = create_client(workspace_id, cwd=tmp_path, database_url=database_url)
        keys = [f"four-{n:02d}" for n in range(40)]
        with running_server(
            database_url,
            demo=False,
            workdir=tmp_path,
            workers=POSTGRES_WORKERS,
            environment=WEBHOOK_SETTINGS,
        ) as server:
            with http_client(server.base_url) as http:
                token = get_token(http, *credentials)
                make_endpoint(http, token, receiver.url)
            # the writes are made by several of the four processes
            workers = create_invoices_across_workers(server.base_url, token, keys)
            assert len(workers) > 1, "the writes all reached one worker process"
            wait_for(lambda: len(keys_received(receiver)) == len(keys), "every event")
            # one more event, sent after those: every deliverer that ran has finished the
            # rounds that sent the first ones
            create_invoices_across_workers(server.base_url, token, ["four-last"])
            wait_for(lambda: "four-last" in keys_received(receiver), "the last event")
            assert deliverer_lock_holders(database_url) == 1
        sent = Counter(r.event_id for r in receiver.all())
        assert len(sent) == len(keys) + 1
        assert set(sent.values()) == {1}, sent
