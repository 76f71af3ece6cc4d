"""Every GraphQL example of the README, in order, against a freshly seeded demo server.

A newcomer reads the README from the top and pastes each example in turn, with the token that
`serve` printed: each must answer exactly what the README shows after it.
"""

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from tests.e2e.server import (
    Server,
    fresh_database,
    http_client,
    printed_demo_credentials,
    running_server,
)
from tests.readme import Example, examples, with_ids_elided

Answers = dict[str, Any]

VARIABLES: dict[str, Callable[[Answers], dict[str, Any]]] = {
    # The ids of the invoice and of its "Additional seats" line, as the query before shows them.
    "AddSeatAndSetupFee": lambda answers: {
        "invoice": answers["AcmeInvoice"]["data"]["invoice"]["id"],
        "seats": answers["AcmeInvoice"]["data"]["invoice"]["lineItems"][1]["id"],
    },
}
"""How the test fills in the variables an example takes from earlier answers."""

PUBLISHED_SECONDS = 1.0
"""Long enough for the outbox to have sent the events of the writes before a subscription, as
it has when a person switches tabs; otherwise the subscription may see one of those first."""


def shown(example: Example, answer: dict[str, Any]) -> dict[str, Any]:
    """The parts of an answer the README shows (its `extensions` only where it shows them)."""
    return {key: with_ids_elided(answer.get(key)) for key in example.answer}


async def subscribe_then_run(
    server: Server, token: str, subscription: Example, write: Example
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open `subscription`, run `write` over HTTP, and return the first event and its answer."""
    await asyncio.sleep(PUBLISHED_SECONDS)
    url = server.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await socket.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        message = {"id": "1", "type": "subscribe", "payload": {"query": subscription.document}}
        await socket.send(json.dumps(message))
        await asyncio.sleep(0.3)  # listening once the server has run the subscribe message
        with http_client(server.base_url) as http:
            written = http.post(
                "/graphql",
                json={"query": write.document, "variables": write.variables},
                headers={"Authorization": f"Bearer {token}"},
            )
        event = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert event["type"] == "next", event
    payload: dict[str, Any] = event["payload"]
    answer: dict[str, Any] = written.json()
    return payload, answer


def test_the_readme_shows_examples_with_answers() -> None:
    found = examples()
    assert len(found) >= 6, [example.name for example in found]
    assert {example.name for example in found if example.variables} <= VARIABLES.keys()


async def test_every_readme_example_answers_what_the_readme_shows(tmp_path: Path) -> None:
    with (
        fresh_database(tmp_path) as database_url,
        running_server(database_url, demo=True, workdir=tmp_path) as server,
    ):
        token = printed_demo_credentials(server.stdout()).token
        answers: Answers = {}
        pending = examples()
        while pending:
            example = pending.pop(0)
            if example.kind == "subscription":
                write = pending.pop(0)
                assert write.kind == "mutation", f"{example.name}: the next example writes"
                event, answer = await subscribe_then_run(server, token, example, write)
                assert shown(example, event) == example.answer, example.name
                assert shown(write, answer) == write.answer, write.name
                continue
            variables = VARIABLES[example.name](answers) if example.variables else {}
            assert with_ids_elided(variables) == example.variables, example.name
            with http_client(server.base_url) as http:
                response = http.post(
                    "/graphql",
                    json={"query": example.document, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
            answers[example.name] = response.json()
            assert response.status_code == 200, response.text
            assert shown(example, answers[example.name]) == example.answer, example.name


pytestmark = pytest.mark.e2e
