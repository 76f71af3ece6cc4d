"""Concurrent updateInvoice against the real server and a real SQLite file.

Optimistic concurrency: under concurrent updates with one expectedVersion exactly one wins and the
others get a VersionConflictError; writers that re-read and retry all get through, with no update
lost; writers on different invoices queue and never fail.
"""

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.e2e.concurrent import (
    concurrent_client,
    data_of,
    post,
    query,
    released_together,
)
from tests.e2e.server import Deployment, assert_clean_log
from tests.operations import CREATE_INVOICE, HISTORY, UPDATE_INVOICE, invoice_input, line_item

pytestmark = pytest.mark.e2e


CONCURRENCY = 24
MAX_ATTEMPTS = 60

VERSION = """
query Version($id: ID!) {
  invoice(invoice: {id: $id}) { version }
}
"""


async def create(http: httpx.AsyncClient, token: str, invoice_id: str) -> dict[str, Any]:
    data = await query(
        http, token, CREATE_INVOICE, input=invoice_input(invoice_id, line_item(amount="1000"))
    )
    result: dict[str, Any] = data["createInvoice"]
    assert result["__typename"] == "CreateInvoiceResult", result
    invoice: dict[str, Any] = result["invoice"]
    assert invoice["version"] == 1
    return invoice


async def history(http: httpx.AsyncClient, token: str, invoice_id: str) -> dict[str, Any]:
    data = await query(http, token, HISTORY, id=invoice_id, first=200)
    invoice: dict[str, Any] = data["invoice"]
    return invoice


def writer_tags(value: str) -> dict[str, Any]:
    return {"set": [{"key": "writer", "value": value}]}


async def test_concurrent_updates_with_one_expected_version_let_exactly_one_win(
    deployed: Deployment, token: str
) -> None:
    async with concurrent_client(deployed, CONCURRENCY) as http:
        # given an invoice at version 1
        invoice = await create(http, token, "one-winner")

        # when 24 updates, each expecting version 1 and setting its own tag value, go at once
        def update(n: int) -> Callable[[], Awaitable[httpx.Response]]:
            variables = {
                "input": {"id": invoice["id"], "expectedVersion": 1, "tags": writer_tags(str(n))}
            }
            return lambda: post(http, token, UPDATE_INVOICE, variables)

        responses = await released_together([update(n) for n in range(CONCURRENCY)])

        # then no request failed at the HTTP or GraphQL level
        assert [r.status_code for r in responses] == [200] * CONCURRENCY, [
            r.text for r in responses if r.status_code != 200
        ]
        results = [data_of(response)["updateInvoice"] for response in responses]
        # and exactly one won, the others were told of the conflict with both versions
        assert Counter(result["__typename"] for result in results) == {
            "UpdateInvoiceResult": 1,
            "VersionConflictError": CONCURRENCY - 1,
        }, results
        [winner] = [n for n, r in enumerate(results) if r["__typename"] == "UpdateInvoiceResult"]
        conflicts = [r for r in results if r["__typename"] == "VersionConflictError"]
        assert {(r["expectedVersion"], r["currentVersion"]) for r in conflicts} == {(1, 2)}
        assert {r["code"] for r in conflicts} == {"VERSION_CONFLICT"}
        won = results[winner]["invoice"]
        assert won["version"] == 2
        assert won["tags"] == [{"key": "writer", "value": str(winner)}]

        # and the stored invoice holds the winner's change, in exactly one new version
        stored = await history(http, token, invoice["id"])
        assert stored["version"] == 2
        assert stored["history"]["totalCount"] == 2
        assert [v["version"] for v in stored["history"]["nodes"]] == [2, 1]
        newest = stored["history"]["nodes"][0]
        assert newest["tags"] == [{"key": "writer", "value": str(winner)}]
        assert [c["__typename"] for c in newest["changes"]] == ["TagsChanged"]
        assert newest["changes"][0]["newTags"] == [{"key": "writer", "value": str(winner)}]
    assert_clean_log(deployed.server)


async def test_concurrent_writers_that_retry_on_conflict_lose_no_update(
    deployed: Deployment, token: str
) -> None:
    async with concurrent_client(deployed, CONCURRENCY) as http:
        # given an invoice at version 1 with one line item
        invoice = await create(http, token, "retrying-writers")
        attempts: list[int] = []

        # when 24 writers each add one line item, re-reading the version and retrying on conflict
        def writer(n: int) -> Callable[[], Awaitable[dict[str, Any]]]:
            async def add() -> dict[str, Any]:
                item = line_item(amount=str(10 + n), description=f"writer {n}", user=f"w-{n}")
                for attempt in range(1, MAX_ATTEMPTS + 1):
                    current = await query(http, token, VERSION, id=invoice["id"])
                    version = current["invoice"]["version"]
                    variables = {
                        "input": {
                            "id": invoice["id"],
                            "expectedVersion": version,
                            "lineItems": [{"add": item}],
                        }
                    }
                    data = await query(http, token, UPDATE_INVOICE, **variables)
                    result: dict[str, Any] = data["updateInvoice"]
                    if result["__typename"] != "VersionConflictError":
                        attempts.append(attempt)
                        return result
                    assert result["expectedVersion"] == version, result
                    assert result["currentVersion"] > version, result
                    await asyncio.sleep(random.uniform(0, 0.005))
                pytest.fail(f"writer {n} still conflicted after {MAX_ATTEMPTS} attempts")

            return add

        results = await released_together([writer(n) for n in range(CONCURRENCY)])

        # then every writer got through, each in a version of its own
        assert [r["__typename"] for r in results] == ["UpdateInvoiceResult"] * CONCURRENCY, results
        assert sorted(r["invoice"]["version"] for r in results) == list(range(2, CONCURRENCY + 2))
        assert len(attempts) == CONCURRENCY
        # and the invoice holds every line item, none lost
        stored = await history(http, token, invoice["id"])
        assert stored["version"] == CONCURRENCY + 1
        versions = stored["history"]["nodes"]
        newest = versions[0]
        assert len(newest["lineItems"]) == CONCURRENCY + 1
        assert Counter(item["description"] for item in newest["lineItems"]) == Counter(
            ["Professional services"] + [f"writer {n}" for n in range(CONCURRENCY)]
        )
        # and history has every version, each after the first made of exactly one LineItemAdded
        assert stored["history"]["totalCount"] == CONCURRENCY + 1
        assert [v["version"] for v in versions] == list(range(CONCURRENCY + 1, 0, -1))
        assert versions[-1]["changes"] == []
        added = []
        for version in versions[:-1]:
            assert [c["__typename"] for c in version["changes"]] == ["LineItemAdded"], version
            assert len(version["lineItems"]) == version["version"]
            added.append(version["changes"][0]["lineItem"]["description"])
        assert sorted(added) == sorted(f"writer {n}" for n in range(CONCURRENCY))
    assert_clean_log(deployed.server)


async def test_concurrent_updates_of_different_invoices_all_succeed(
    deployed: Deployment, token: str
) -> None:
    async with concurrent_client(deployed, CONCURRENCY) as http:
        # given 24 invoices, each at version 1
        invoices = [await create(http, token, f"separate-{n:02d}") for n in range(CONCURRENCY)]

        # when each gets one update at the same moment
        def update(n: int) -> Callable[[], Awaitable[httpx.Response]]:
            variables = {
                "input": {
                    "id": invoices[n]["id"],
                    "expectedVersion": 1,
                    "tags": writer_tags(str(n)),
                    "lineItems": [{"add": line_item(amount=str(n + 1), description=f"extra {n}")}],
                }
            }
            return lambda: post(http, token, UPDATE_INVOICE, variables)

        responses = await released_together([update(n) for n in range(CONCURRENCY)])

        # then every one succeeded: writers on different invoices queue, they never fail
        assert [r.status_code for r in responses] == [200] * CONCURRENCY, [
            r.text for r in responses if r.status_code != 200
        ]
        results = [data_of(response)["updateInvoice"] for response in responses]
        assert [r["__typename"] for r in results] == ["UpdateInvoiceResult"] * CONCURRENCY, results
        for n, (given, result) in enumerate(zip(invoices, results, strict=True)):
            updated = result["invoice"]
            assert updated["id"] == given["id"]
            assert updated["version"] == 2
            assert updated["tags"] == [{"key": "writer", "value": str(n)}]
            assert [i["description"] for i in updated["lineItems"]] == [
                "Professional services",
                f"extra {n}",
            ]
            stored = await history(http, token, given["id"])
            assert stored["version"] == 2
            assert stored["history"]["totalCount"] == 2
    assert_clean_log(deployed.server)
