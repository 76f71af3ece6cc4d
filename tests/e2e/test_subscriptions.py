"""invoiceEvents over graphql-transport-ws against a real server: scoped, ordered, on commit."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.backends import ON_POSTGRES
from tests.e2e.server import (
    Deployment,
    assert_clean_log,
    create_client,
    create_workspace,
    get_token,
    graphql_ok,
    http_client,
)
from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    TRANSITION,
    UPDATE_INVOICE,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)

pytestmark = pytest.mark.e2e

EVENTS = """
subscription Events($invoice: InvoiceMatchInput) {
  invoiceEvents(invoice: $invoice) { type version invoice { invoiceId status version } }
}
"""


def ws_url(deployed: Deployment) -> str:
    return deployed.base_url.replace("http://", "ws://") + "/graphql"


@asynccontextmanager
async def subscribed(
    deployed: Deployment, token: str, variables: dict[str, Any] | None = None
) -> AsyncIterator[ClientConnection]:
    async with connect(ws_url(deployed), subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        await socket.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": EVENTS, "variables": variables or {}},
                }
            )
        )
        await asyncio.sleep(0.3)  # the subscription is listening once the server has run it
        yield socket


async def next_events(socket: ClientConnection, count: int) -> list[dict[str, Any]]:
    events = []
    for _ in range(count):
        message = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        events.append(message["payload"]["data"]["invoiceEvents"])
    return events


async def nothing_more(socket: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(socket.recv(), 0.5)


async def test_events_follow_every_kind_of_write(deployed: Deployment, token: str) -> None:
    async with subscribed(deployed, token) as socket:
        with http_client(deployed.base_url) as http:
            created = graphql_ok(
                http, CREATE_INVOICE, token, input=invoice_input("sub-1", line_item(amount="100"))
            )["createInvoice"]["invoice"]
            graphql_ok(
                http,
                UPDATE_INVOICE,
                token,
                input={
                    "id": created["id"],
                    "expectedVersion": 1,
                    "tags": {"set": [{"key": "k", "value": "v"}]},
                },
            )
            graphql_ok(
                http,
                RECORD_TRANSACTION,
                token,
                input=transaction_input("sub-txn", "100", allocation("sub-1", "100")),
            )
        events = await next_events(socket, 4)
        await nothing_more(socket)
    assert [(e["type"], e["version"]) for e in events] == [
        ("CREATED", 1),
        ("UPDATED", 2),
        ("PAYMENT_RECORDED", 3),
        ("STATUS_CHANGED", 3),
    ]
    assert events[-1]["invoice"] == {"invoiceId": "sub-1", "status": "PAID", "version": 3}


async def test_a_subscription_to_one_invoice_sees_only_that_invoice(
    deployed: Deployment, token: str
) -> None:
    with http_client(deployed.base_url) as http:
        watched = graphql_ok(http, CREATE_INVOICE, token, input=invoice_input("watched"))
        other = graphql_ok(http, CREATE_INVOICE, token, input=invoice_input("other"))
    watched_id = watched["createInvoice"]["invoice"]["id"]
    other_id = other["createInvoice"]["invoice"]["id"]
    async with subscribed(deployed, token, {"invoice": {"invoiceId": "watched"}}) as socket:
        with http_client(deployed.base_url) as http:
            for invoice_id in (other_id, watched_id):
                graphql_ok(http, TRANSITION, token, input={"id": invoice_id}, void=True)
        # the create committed just before subscribing may still be on its way: events go out
        # after commit, through the outbox
        [event] = await next_events(socket, 1)
        if event["type"] == "CREATED":
            assert event["invoice"]["invoiceId"] == "watched"
            [event] = await next_events(socket, 1)
        await nothing_more(socket)
    assert event == {
        "type": "STATUS_CHANGED",
        "version": 2,
        "invoice": {"invoiceId": "watched", "status": "VOID", "version": 2},
    }


async def test_another_workspace_hears_nothing(deployed: Deployment, token: str) -> None:
    workspace = create_workspace("Other", cwd=deployed.workdir, database_url=deployed.database_url)
    client_id, secret = create_client(
        workspace, cwd=deployed.workdir, database_url=deployed.database_url
    )
    with http_client(deployed.base_url) as http:
        other_token = get_token(http, client_id, secret)
    async with subscribed(deployed, other_token) as socket:
        with http_client(deployed.base_url) as http:
            graphql_ok(http, CREATE_INVOICE, token, input=invoice_input("private"))
        await nothing_more(socket)


async def test_a_socket_without_valid_credentials_is_refused(deployed: Deployment) -> None:
    async with connect(ws_url(deployed), subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer forged"}})
        )
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    # and the reason says why, in plain words (not a bare "Forbidden")
    assert closed.value.rcvd.reason.startswith("Forbidden: ")
    assert len(closed.value.rcvd.reason) > len("Forbidden: ")


async def test_an_unknown_invoice_is_a_clear_error(deployed: Deployment, token: str) -> None:
    async with subscribed(deployed, token, {"invoice": {"id": "inv_nope"}}) as socket:
        message = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None
    [error] = message["payload"]["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error


@pytest.mark.skipif(not ON_POSTGRES, reason="one process serves SQLite; workers need PostgreSQL")
async def test_an_event_written_through_another_worker_arrives(
    deployed: Deployment, token: str
) -> None:
    async with connect(ws_url(deployed), subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
        listening_worker = ack["payload"]["worker"]
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}})
        )
        await asyncio.sleep(0.3)
        for attempt in range(60):
            with http_client(deployed.base_url) as http:  # a new connection: maybe a new worker
                writing_worker = http.get("/healthz").json()["worker"]
                if writing_worker == listening_worker:
                    continue
                graphql_ok(http, CREATE_INVOICE, token, input=invoice_input(f"far-{attempt}"))
                break
        else:
            pytest.fail("every connection landed on the subscriber's worker")
        [event] = await next_events(socket, 1)
    assert writing_worker != listening_worker
    assert event["type"] == "CREATED"
    assert event["invoice"]["invoiceId"] == f"far-{attempt}"


def init(token: str) -> str:
    return json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})


def subscribe(operation_id: str) -> str:
    return json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": EVENTS}})


NOT_AN_OBJECT = json.dumps({"id": "1", "type": "subscribe", "payload": 1})
TOO_BIG = json.dumps({"type": "ping", "payload": {"x": "y" * 2**20}})
MISUSES: dict[str, tuple[list[str | bytes], int]] = {
    "subscribe-before-init": ([subscribe("1")], 4401),
    "init-twice": (["INIT", "INIT"], 4429),
    "not-json": (["INIT", "{not json"], 4400),
    "unknown-type": (["INIT", json.dumps({"type": "shout"})], 4400),
    "same-id-twice": (["INIT", subscribe("1"), subscribe("1")], 4409),
    "bad-token": ([init("forged")], 4403),
    "not-json-before-init": (["{not json"], 4400),
    "binary-before-init": ([b"\x00\x01binary"], 4400),
    "payload-not-an-object": (["INIT", NOT_AN_OBJECT], 4400),
    "id-not-a-string": (["INIT", json.dumps({"id": {}, "type": "subscribe", "payload": {}})], 4400),
    "type-not-a-string": ([json.dumps({"type": ["connection_init"]})], 4400),
    "over-the-body-limit": (["INIT", TOO_BIG], 1009),
}  # fmt: skip


@pytest.mark.parametrize("misuse", list(MISUSES))
async def test_each_misuse_of_the_protocol_closes_with_its_code(
    deployed: Deployment, token: str, misuse: str
) -> None:
    messages, code = MISUSES[misuse]

    async def misuse_until_closed() -> None:
        async with connect(ws_url(deployed), subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
            for message in messages:
                await socket.send(init(token) if message == "INIT" else message)
            async with asyncio.timeout(10):
                while True:
                    await socket.recv()

    with pytest.raises(ConnectionClosed) as closed:
        await misuse_until_closed()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == code, closed.value.rcvd


async def test_a_socket_that_never_says_who_it_is_is_closed(deployed: Deployment) -> None:
    async with connect(ws_url(deployed), subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(20):
                await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408


def test_misuses_leave_no_traceback_in_the_log(deployed: Deployment) -> None:
    """Runs after the misuses above: each was answered by a close, none by an exception."""
    assert_clean_log(deployed.server)
