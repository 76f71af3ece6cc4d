"""Over WebSocket as over HTTP: the same limits, and unexpected failures masked the same way."""

import json
import re
from typing import Any

import pytest
from starlette.applications import Starlette

from invoicegraph.http.app import create_app
from invoicegraph.ledger.invoices import MAX_LINE_ITEMS
from invoicegraph.schema.limits import MAX_TOKENS
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from tests.api.test_isolation_everywhere import graphql_socket, subscription_answer
from tests.api.test_limits import doubling_fragments
from tests.http.test_error_masking import LEAKS, damage, logged_for
from tests.operations import (
    CREATE_INVOICE,
    CREATE_INVOICE_MINIMAL,
    INVOICE_PAGE,
    invoice_input,
    line_item,
    make_invoices,
)
from tests.support import Api

EVENTS = "subscription { invoiceEvents { type invoice { invoiceId } } }"


def deep_subscription(levels: int) -> str:
    """A subscription `levels` fields deep (the leaf counts as a level)."""
    selection = "invoiceId"
    for _ in range((levels - 3) // 2):
        selection = f"lineItems {{ invoice {{ {selection} }} }}"
    if (levels - 3) % 2:
        selection = f"lineItems {{ id }} {selection}"
    return f"subscription {{ invoiceEvents {{ invoice {{ {selection} }} }} }}"


def aliased_subscription(count: int) -> str:
    fields = " ".join(f"a{n}: invoiceId" for n in range(count))
    return f"subscription {{ invoiceEvents {{ invoice {{ {fields} }} }} }}"


COSTLY_SUBSCRIPTION = (
    "subscription { invoiceEvents { invoice { history(first: 200) { nodes { version } } "
    "lineItems { user { invoices(first: 200) { nodes { history(first: 200) { nodes { version } "
    "} } } } } } } }"
)


def codes(message: dict[str, Any]) -> list[str]:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [error["extensions"]["code"] for error in errors]


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (deep_subscription(11), "11 levels deep"),
        (aliased_subscription(31), "31 aliases"),
        (COSTLY_SUBSCRIPTION, "costs 40404"),
    ],
    ids=["depth", "aliases", "cost"],
)
async def test_a_subscription_over_a_limit_is_refused_and_hears_nothing(
    app: Starlette, api: Api, document: str, says: str
) -> None:
    async with graphql_socket(app, api.token) as socket:
        await socket.send({"id": "1", "type": "subscribe", "payload": {"query": document}})
        refused = await socket.receive(5.0)
        assert refused is not None
        assert refused["type"] in {"next", "error"}, refused
        assert codes(refused) == ["QUERY_TOO_COMPLEX"], refused
        assert says in json.dumps(refused)
        # the operation is over: a write afterwards sends it nothing
        done = await socket.receive(5.0)
        assert done is not None
        assert done["type"] == "complete" or refused["type"] == "error", done
        await api.ok(CREATE_INVOICE, input=invoice_input("after"))
        assert await socket.receive(1.0) is None


async def test_a_subscription_just_within_the_limits_is_served(app: Starlette, api: Api) -> None:
    async with graphql_socket(app, api.token) as socket:
        document = deep_subscription(10).replace("invoiceId", aliased_subscription(30)[40:-6])
        await socket.send({"id": "1", "type": "subscribe", "payload": {"query": document}})
        assert await socket.receive(0.5) is None  # listening
        await api.ok(CREATE_INVOICE, input=invoice_input("watched"))
        event = await socket.receive(5.0)
        assert event is not None
        assert event["type"] == "next", event
        assert "errors" not in event["payload"], event


async def test_a_subscription_over_the_token_limit_is_refused(app: Starlette, api: Api) -> None:
    document = "subscription { invoiceEvents { " + "type " * MAX_TOKENS + "} }"
    [closed] = await subscription_answer(app, api.token, document, {})
    assert closed["type"] == "<closed>"
    assert closed["code"] == 4400


async def test_doubling_fragments_over_websocket_are_measured_once(
    app: Starlette, api: Api
) -> None:
    document = doubling_fragments(40)
    messages = await subscription_answer(app, api.token, document, {})
    assert messages[0]["type"] == "next", messages
    assert "errors" not in messages[0]["payload"], messages


async def test_a_failing_query_over_websocket_is_masked_as_over_http(
    app: Starlette, api: Api, app_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await api.ok(CREATE_INVOICE, input=invoice_input("i"))
    await damage(app_db, "DROP TABLE invoice_tags")
    document = "{ invoices { nodes { invoiceId tags { key } } } }"
    messages = await subscription_answer(app, api.token, document, {})
    answer = messages[0]
    assert answer["type"] == "next", messages
    [error] = answer["payload"]["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    match = re.fullmatch(r"Internal server error \(request id ([0-9a-f]{32})\)\.", error["message"])
    assert match is not None, error["message"]
    assert not any(leak in json.dumps(messages) for leak in LEAKS), messages
    entry = logged_for(caplog, match.group(1))
    assert "invoice_tags" in entry["traceback"]


async def test_each_event_is_counted_on_its_own_and_stops_at_the_object_limit(
    app: Starlette, api: Api
) -> None:
    document = (
        "subscription { invoiceEvents { invoice { invoiceId "
        "lineItems { invoice { lineItems { id } } } } } }"
    )
    async with graphql_socket(app, api.token) as socket:
        await socket.send({"id": "1", "type": "subscribe", "payload": {"query": document}})
        assert await socket.receive(0.5) is None  # listening
        # an invoice of 150 line items: 22,800 objects, within the limit, each time
        for key in ("a", "b"):
            items = [line_item(amount="1", product_id=f"p{n}") for n in range(150)]
            await api.ok(CREATE_INVOICE_MINIMAL, input=invoice_input(key, *items))
            event = await socket.receive(5.0)
            assert event is not None
            assert event["type"] == "next", event
            assert "errors" not in event["payload"], event["payload"].get("errors")
        # one of 500: 250,500 objects would be built
        items = [line_item(amount="1", product_id=f"p{n}") for n in range(MAX_LINE_ITEMS)]
        await api.ok(CREATE_INVOICE_MINIMAL, input=invoice_input("big", *items))
        event = await socket.receive(10.0)
        assert event is not None
        assert event["type"] == "next", event
        assert event["payload"]["data"] is None
        assert codes(event) == ["RESPONSE_TOO_LARGE"]
        # and the subscription goes on
        await api.ok(CREATE_INVOICE_MINIMAL, input=invoice_input("small"))
        event = await socket.receive(5.0)
        assert event is not None
        assert event["payload"]["data"]["invoiceEvents"]["invoice"]["invoiceId"] == "small"


async def test_a_message_past_the_byte_limit_is_one_typed_error(
    settings: Settings, api: Api
) -> None:
    await make_invoices(api, 3, line_items_each=5)
    small = create_app(settings.replace(max_response_bytes=2_000))
    async with small.router.lifespan_context(small):
        fits = await subscription_answer(small, api.token, "{ workspace { id } }", {})
        too_big = await subscription_answer(small, api.token, INVOICE_PAGE, {"first": 3})
    assert fits[0]["payload"]["data"] == {"workspace": {"id": api.workspace_id}}
    assert too_big[0]["type"] == "next", too_big
    assert too_big[0]["id"] == "1"
    assert too_big[0]["payload"]["data"] is None
    assert codes(too_big[0]) == ["RESPONSE_TOO_LARGE"]
    assert too_big[1]["type"] == "complete"
