"""Concurrent writers against the real server and a real SQLite file: they queue, never fail."""

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.e2e.server import Deployment, assert_clean_log, async_http_client
from tests.operations import INVOICE_BY_KEY, invoice_input, line_item

pytestmark = pytest.mark.e2e

CONCURRENCY = 24

CREATE = """
mutation Create($input: CreateInvoiceInput!) {
  createInvoice(input: $input) {
    __typename
    ... on CreateInvoiceResult { isIkReplay invoice { id invoiceId } }
    ... on Error { code message retryable }
  }
}
"""


async def post_all(
    deployed: Deployment, token: str, documents: list[tuple[str, dict[str, Any]]]
) -> list[httpx.Response]:
    """Send every request at once, each on its own connection, and wait for all the answers."""
    limits = httpx.Limits(max_connections=len(documents), max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=deployed.base_url, trust_env=False, timeout=60.0, limits=limits
    ) as http:
        start = asyncio.Event()

        async def post(document: str, variables: dict[str, Any]) -> httpx.Response:
            await start.wait()
            return await http.post(
                "/graphql",
                json={"query": document, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )

        tasks = [asyncio.create_task(post(doc, variables)) for doc, variables in documents]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)


def created_results(responses: list[httpx.Response]) -> list[dict[str, Any]]:
    """The createInvoice payloads; no request may fail at the HTTP or GraphQL level."""
    statuses = [response.status_code for response in responses]
    assert statuses == [200] * len(responses), [r.text for r in responses if r.status_code != 200]
    bodies = [response.json() for response in responses]
    assert [body.get("errors") for body in bodies] == [None] * len(bodies), bodies
    return [body["data"]["createInvoice"] for body in bodies]


async def fetch_invoice(deployed: Deployment, token: str, invoice_id: str) -> Any:
    async with async_http_client(deployed.base_url) as http:
        response = await http.post(
            "/graphql",
            json={"query": INVOICE_BY_KEY, "variables": {"invoiceId": invoice_id}},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors") is None, body
    return body["data"]["invoice"]


async def test_concurrent_repeats_of_one_create_make_one_invoice(
    deployed: Deployment, token: str
) -> None:
    # given one create request
    same = invoice_input("same-key", line_item(amount="1000", description="Once only"))
    # when it is sent 24 times at once
    results = created_results(
        await post_all(deployed, token, [(CREATE, {"input": same})] * CONCURRENCY)
    )
    # then one created the invoice and the others replayed it
    assert Counter(result["__typename"] for result in results) == {
        "CreateInvoiceResult": CONCURRENCY
    }
    assert Counter(result["isIkReplay"] for result in results) == {False: 1, True: CONCURRENCY - 1}
    assert len({result["invoice"]["id"] for result in results}) == 1
    stored = await fetch_invoice(deployed, token, "same-key")
    assert stored["id"] == results[0]["invoice"]["id"]
    assert stored["version"] == 1
    assert len(stored["lineItems"]) == 1
    assert_clean_log(deployed.server)


async def test_concurrent_creates_of_different_invoices_all_succeed(
    deployed: Deployment, token: str
) -> None:
    # given 24 different invoices
    keys = [f"parallel-{index:02d}" for index in range(CONCURRENCY)]
    requests = [
        (CREATE, {"input": invoice_input(key, line_item(amount=str(100 + n), user=f"u-{n}"))})
        for n, key in enumerate(keys)
    ]
    # when they are all created at once
    results = created_results(await post_all(deployed, token, requests))
    # then every one was written, none failed on a locked database
    assert [result["__typename"] for result in results] == ["CreateInvoiceResult"] * CONCURRENCY
    assert [result["isIkReplay"] for result in results] == [False] * CONCURRENCY
    assert [result["invoice"]["invoiceId"] for result in results] == keys
    assert len({result["invoice"]["id"] for result in results}) == CONCURRENCY
    for n, key in enumerate(keys):
        stored = await fetch_invoice(deployed, token, key)
        assert stored["lineItems"][0]["price"]["amount"] == str(100 + n)
    assert_clean_log(deployed.server)


async def test_concurrent_creates_with_one_key_and_two_inputs_keep_one_of_them(
    deployed: Deployment, token: str
) -> None:
    # given two different inputs under one invoiceId
    inputs = [
        invoice_input("contested", line_item(amount="1000", description="First offer")),
        invoice_input("contested", line_item(amount="2000", description="Second offer")),
    ]
    requests = [(CREATE, {"input": inputs[n % 2]}) for n in range(CONCURRENCY)]
    # when all 24 are sent at once, 12 of each
    results = created_results(await post_all(deployed, token, requests))
    # then exactly one invoice exists, holding one of the two inputs
    stored = await fetch_invoice(deployed, token, "contested")
    [item] = stored["lineItems"]
    offered = [
        (given["lineItems"][0]["description"], given["lineItems"][0]["price"]["amount"])
        for given in inputs
    ]
    winner = offered.index((item["description"], item["price"]["amount"]))
    # and the requests with the winning input got it, the others an IkConflictError
    expected = [
        "CreateInvoiceResult" if n % 2 == winner else "IkConflictError" for n in range(CONCURRENCY)
    ]
    assert [result["__typename"] for result in results] == expected
    winners = [result for result in results if result["__typename"] == "CreateInvoiceResult"]
    assert {result["invoice"]["id"] for result in winners} == {stored["id"]}
    assert Counter(result["isIkReplay"] for result in winners) == {
        False: 1,
        True: CONCURRENCY // 2 - 1,
    }
    conflicts = [result for result in results if result["__typename"] == "IkConflictError"]
    assert {result["code"] for result in conflicts} == {"IK_CONFLICT"}
    assert_clean_log(deployed.server)
