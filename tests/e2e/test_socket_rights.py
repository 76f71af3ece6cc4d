"""An open WebSocket keeps no right its client has lost: a revoked client's socket is closed
(4403) and can neither read nor commit, a socket closes when its token expires (4401), and one
client may hold only so many sockets (4429). Against a real `invoicegraph serve`."""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.e2e.server import (
    Deployment,
    assert_clean_log,
    create_client,
    create_workspace,
    fresh_database,
    get_token,
    graphql_ok,
    http_client,
    run_cli,
    running_server,
)
from tests.operations import CREATE_INVOICE_MINIMAL, invoice_input

pytestmark = pytest.mark.e2e

EVENTS = "subscription { invoiceEvents { type invoice { invoiceId } } }"
BY_KEY = "query($key: String!) { invoice(invoice: {invoiceId: $key}) { invoiceId } }"
CLOSE_WAIT_SECONDS = 15


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/graphql"


@asynccontextmanager
async def acknowledged(base_url: str, token: str) -> AsyncIterator[ClientConnection]:
    async with connect(ws_url(base_url), subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        yield socket


def subscribe(operation_id: str, query: str, **variables: object) -> str:
    return json.dumps(
        {
            "id": operation_id,
            "type": "subscribe",
            "payload": {"query": query, "variables": variables},
        }
    )


async def until_closed(socket: ClientConnection) -> tuple[int, str, list[object]]:
    """Read until the server closes the socket: its code, reason, and what came before."""
    received: list[object] = []

    async def read_all() -> None:
        async with asyncio.timeout(CLOSE_WAIT_SECONDS):
            while True:
                received.append(json.loads(await socket.recv()))

    with pytest.raises(ConnectionClosed) as closed:
        await read_all()
    assert closed.value.rcvd is not None, "the server did not close the socket"
    return closed.value.rcvd.code, closed.value.rcvd.reason, received


def new_client(deployed: Deployment) -> tuple[str, str]:
    client_id, secret = create_client(
        deployed.workspace_id, cwd=deployed.workdir, database_url=deployed.database_url
    )
    with http_client(deployed.base_url) as http:
        return client_id, get_token(http, client_id, secret)


def revoke(deployed: Deployment, client_id: str) -> None:
    revoked = run_cli(
        "client", "revoke", client_id, cwd=deployed.workdir, database_url=deployed.database_url
    )
    assert revoked.returncode == 0, revoked.stderr


async def test_a_revoked_clients_socket_can_neither_commit_nor_read(
    deployed: Deployment, token: str
) -> None:
    # given: a client's socket, acknowledged and subscribed to events
    client_id, its_token = new_client(deployed)
    async with acknowledged(deployed.base_url, its_token) as socket:
        await socket.send(subscribe("events", EVENTS))
        # when: the client is revoked (by the CLI, another process) and the socket then
        # sends a createInvoice and a read
        revoke(deployed, client_id)
        key = "after-revocation"
        await socket.send(subscribe("write", CREATE_INVOICE_MINIMAL, input=invoice_input(key)))
        await socket.send(subscribe("read", BY_KEY, key=key))
        code, reason, received = await until_closed(socket)
    # then: closed with 4403 and why, nothing was answered, and nothing was written
    assert code == 4403
    assert "revoked" in reason
    assert received == []
    with http_client(deployed.base_url) as http:
        assert graphql_ok(http, BY_KEY, token, key=key)["invoice"] is None


async def test_a_revoked_clients_idle_socket_is_closed_before_more_events(
    deployed: Deployment, token: str
) -> None:
    client_id, its_token = new_client(deployed)
    async with acknowledged(deployed.base_url, its_token) as socket:
        await socket.send(subscribe("events", EVENTS))
        revoke(deployed, client_id)
        # when: the socket says nothing more; the server learns of the revocation itself
        code, reason, received = await until_closed(socket)
    assert code == 4403
    assert "revoked" in reason
    assert received == []


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """One process whose tokens live 3 s and whose clients may hold 2 sockets each."""
    workdir = tmp_path_factory.mktemp("short-lived")
    with fresh_database(workdir) as database_url:
        workspace_id = create_workspace("Short billing", cwd=workdir, database_url=database_url)
        client_id, secret = create_client(workspace_id, cwd=workdir, database_url=database_url)
        environment = {
            "INVOICEGRAPH_TOKEN_TTL_SECONDS": "3",
            "INVOICEGRAPH_MAX_SOCKETS_PER_CLIENT": "2",
        }
        with running_server(
            database_url, demo=False, workdir=workdir, environment=environment
        ) as server:
            yield Deployment(server, database_url, workdir, workspace_id, client_id, secret)


def fresh_token(deployed: Deployment) -> str:
    with http_client(deployed.base_url) as http:
        return get_token(http, deployed.client_id, deployed.client_secret)


async def test_a_socket_is_closed_when_its_token_expires(short_lived: Deployment) -> None:
    async with acknowledged(short_lived.base_url, fresh_token(short_lived)) as socket:
        await socket.send(subscribe("events", EVENTS))
        code, reason, received = await until_closed(socket)
    assert code == 4401
    assert "expired" in reason
    assert received == []


async def test_one_client_holds_at_most_its_share_of_sockets(short_lived: Deployment) -> None:
    token = fresh_token(short_lived)
    init = json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    async with (
        acknowledged(short_lived.base_url, token),
        acknowledged(short_lived.base_url, token),
        connect(ws_url(short_lived.base_url), subprotocols=["graphql-transport-ws"]) as third,  # type: ignore[list-item]
    ):
        await third.send(init)
        code, reason, _ = await until_closed(third)
    assert code == 4429
    assert "at most 2" in reason
    # the two closed, their slots are free again
    async with acknowledged(short_lived.base_url, token), acknowledged(short_lived.base_url, token):
        pass


def test_no_traceback_in_the_logs(deployed: Deployment, short_lived: Deployment) -> None:
    for server in (deployed.server, short_lived.server):
        assert_clean_log(server)
