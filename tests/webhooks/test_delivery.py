"""Deliveries to a real HTTP receiver on 127.0.0.1, by the deliverer of the running app.

The app's retry schedule is shrunk to fractions of a second (conftest.py), so these tests
count attempts and look at what the receiver got, and never sleep for a schedule.
"""

import time
from collections import defaultdict
from datetime import datetime
from itertools import pairwise
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import update
from sqlmodel import col

from invoicegraph.clock import now
from invoicegraph.http.webhook_data import INVOICE_SELECTION
from invoicegraph.store.engine import Database
from invoicegraph.store.tables import WebhookDeliveryRow, WebhookEndpointRow
from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    TRANSITION,
    UPDATE_ALLOCATIONS,
    UPDATE_INVOICE,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api
from tests.webhooks.conftest import RETRY_BASE_SECONDS
from tests.webhooks.operations import (
    ALL_TYPES,
    CREATE_ENDPOINT,
    DELIVERIES,
    DELIVERY,
    ENDPOINT,
    RESEND,
    ROTATE_SECRET,
    UPDATE_ENDPOINT,
    until,
)
from tests.webhooks.receiver import Receipt, Receiver, always

INVOICE_QUERY = (
    "query Invoice($id: ID!) { invoice(invoice: {id: $id}) {" + INVOICE_SELECTION + "} }"
)
"""The same fields the payload's `data` holds, read through the `invoice` query."""


async def endpoint(api: Api, url: str, types: list[str] = ALL_TYPES) -> tuple[str, str]:
    """A new endpoint of the caller's: (its id, its signing secret)."""
    made = (await api.ok(CREATE_ENDPOINT, input={"url": url, "eventTypes": types}))[
        "createWebhookEndpoint"
    ]
    assert made["__typename"] == "WebhookEndpointSecretResult", made
    return made["endpoint"]["id"], made["secret"]


async def create_invoice(api: Api, key: str, **extra: Any) -> dict[str, Any]:
    created = (await api.ok(CREATE_INVOICE, input=invoice_input(key, **extra)))["createInvoice"]
    assert created["__typename"] == "CreateInvoiceResult", created
    invoice: dict[str, Any] = created["invoice"]
    return invoice


async def deliveries(api: Api, **filters: Any) -> list[dict[str, Any]]:
    page = (await api.ok(DELIVERIES, first=200, **filters))["webhookDeliveries"]
    nodes: list[dict[str, Any]] = page["nodes"]
    return nodes


async def recorded(api: Api, count: int, status: str = "SUCCEEDED") -> list[dict[str, Any]]:
    """The caller's deliveries once `count` of them have `status` (the deliverer writes a
    result right after the receiver answered: a moment after the receiver saw it)."""

    async def found() -> list[dict[str, Any]] | None:
        nodes = await deliveries(api, status=status)
        return nodes if len(nodes) >= count else None

    nodes: list[dict[str, Any]] = await until(found, f"{count} deliveries {status}")
    return nodes


def by_event(receipts: list[Receipt]) -> dict[str, list[Receipt]]:
    grouped: dict[str, list[Receipt]] = defaultdict(list)
    for receipt in receipts:
        grouped[receipt.event_id].append(receipt)
    return grouped


async def test_a_write_is_delivered_signed_with_the_invoice_as_the_api_shows_it(
    api: Api, receiver: Receiver
) -> None:
    _, secret = await endpoint(api, receiver.url)
    invoice = await create_invoice(api, "hook-0001")
    (receipt,) = await until(receiver.succeeded, "the invoice.created delivery")
    assert receipt.verifies(secret, now=int(time.time()))
    assert not receipt.verifies("whsec_someone-else", now=int(time.time()))
    assert receipt.headers["Content-Type"] == "application/json"
    assert receipt.headers["Invoicegraph-Event-Id"] == receipt.event_id
    payload = receipt.payload
    shown = (await api.ok(INVOICE_QUERY, id=invoice["id"]))["invoice"]
    assert payload == {
        "id": receipt.event_id,
        "type": "invoice.created",
        "created": payload["created"],
        "workspaceId": api.workspace_id,
        "invoice": {"id": invoice["id"], "version": 1},
        "transaction": None,
        "data": {"invoice": shown},
    }
    assert receipt.event_id.startswith("evt_")
    datetime.fromisoformat(payload["created"])
    (delivery,) = await recorded(api, 1)
    assert (delivery["status"], delivery["attemptCount"], delivery["lastStatusCode"]) == (
        "SUCCEEDED",
        1,
        200,
    )
    assert delivery["body"].encode() == receipt.body
    assert [a["statusCode"] for a in delivery["attempts"]] == [200]


async def test_every_kind_of_change_has_its_event_type(api: Api, receiver: Receiver) -> None:
    await endpoint(api, receiver.url)
    first = await create_invoice(api, "kinds-1", draft=True)
    await api.ok(TRANSITION, input={"id": first["id"]}, finalize=True)
    item = line_item(amount="1000")
    second = await create_invoice(api, "kinds-2", lineItems=[item])
    await api.ok(
        RECORD_TRANSACTION, input=transaction_input("bank-1", "1000", allocation("kinds-2", "1000"))
    )
    updated = await api.ok(
        UPDATE_INVOICE,
        input={
            "id": first["id"],
            "expectedVersion": 2,
            "tags": {"set": [{"key": "a", "value": "b"}]},
        },
    )
    assert updated["updateInvoice"]["__typename"] == "UpdateInvoiceResult"
    await api.ok(TRANSITION, input={"id": first["id"]}, uncollectible=True)
    await api.ok(TRANSITION, input={"id": first["id"]}, void=True)
    wanted = [
        ("invoice.created", first["id"]),
        ("invoice.finalized", first["id"]),
        ("invoice.created", second["id"]),
        ("payment.recorded", second["id"]),
        ("invoice.paid", second["id"]),
        ("invoice.updated", first["id"]),
        ("invoice.marked_uncollectible", first["id"]),
        ("invoice.voided", first["id"]),
    ]
    await until(lambda: len(receiver.succeeded()) >= len(wanted), "every event")
    got = [(r.payload["type"], r.payload["invoice"]["id"]) for r in receiver.succeeded()]
    assert sorted(got) == sorted(wanted)
    paid = next(r.payload for r in receiver.succeeded() if r.payload["type"] == "payment.recorded")
    assert paid["transaction"]["version"] == 1
    assert paid["data"]["invoice"]["balances"][0]["payins"]["actual"] == "1000"


async def test_allocation_changes_and_reopening_have_their_types(
    api: Api, receiver: Receiver
) -> None:
    await endpoint(api, receiver.url, ["ALLOCATION_CHANGED", "INVOICE_REOPENED", "INVOICE_PAID"])
    await create_invoice(api, "alloc-1", lineItems=[line_item(amount="1000")])
    recorded = await api.ok(
        RECORD_TRANSACTION, input=transaction_input("bank-2", "1000", allocation("alloc-1", "1000"))
    )
    assert recorded["recordTransaction"]["__typename"] == "RecordTransactionResult", recorded
    payment = recorded["recordTransaction"]["transaction"]["allocations"][0]["id"]
    changed = await api.ok(
        UPDATE_ALLOCATIONS,
        input={
            "transaction": {"externalId": "bank-2"},
            "expectedVersion": 1,
            "allocations": [{"update": {"id": payment, "amount": "400"}}],
        },
    )
    assert changed["updateAllocations"]["__typename"] == "UpdateAllocationsResult", changed
    await until(lambda: len(receiver.succeeded()) >= 3, "paid, allocation changed, reopened")
    types = sorted(r.payload["type"] for r in receiver.succeeded())
    assert types == ["allocation.changed", "invoice.paid", "invoice.reopened"]
    change = next(
        r.payload for r in receiver.succeeded() if r.payload["type"] == "allocation.changed"
    )
    assert change["transaction"]["version"] == 2


def attempts_counted(result: str) -> float:
    value = REGISTRY.get_sample_value("invoicegraph_webhook_attempts_total", {"result": result})
    return value or 0.0


async def test_failed_attempts_are_retried_with_growing_pauses(
    api: Api, receiver: Receiver
) -> None:
    receiver.answer = lambda number, _body: 500 if number < 4 else 204
    before = {result: attempts_counted(result) for result in ("failed", "delivered")}
    await endpoint(api, receiver.url)
    await create_invoice(api, "retry-1")
    await until(receiver.succeeded, "a success after four failures")
    await until(lambda: attempts_counted("delivered") > before["delivered"], "the metric")
    # the metrics count each attempt by how it ended
    assert attempts_counted("failed") - before["failed"] == 4
    assert attempts_counted("delivered") - before["delivered"] == 1
    statuses = [r.status for r in receiver.all()]
    assert statuses == [500, 500, 500, 500, 204]
    assert len({r.event_id for r in receiver.all()}) == 1
    (delivery,) = await recorded(api, 1)
    assert delivery["status"] == "SUCCEEDED"
    assert delivery["attemptCount"] == 5
    attempts = delivery["attempts"]
    assert [a["statusCode"] for a in attempts] == [500, 500, 500, 500, 204]
    assert attempts[0]["error"] == "HTTP 500"
    instants = [datetime.fromisoformat(a["attempted"]) for a in attempts]
    gaps = [(b - a).total_seconds() for a, b in pairwise(instants)]
    # the n-th pause is at least half of base * 2^(n-1): the schedule was kept, not skipped
    for n, gap in enumerate(gaps, start=1):
        assert gap >= RETRY_BASE_SECONDS * 2 ** (n - 1) / 2 - 0.002, gaps


async def test_a_receiver_down_for_a_while_gets_every_event_once_back(
    api: Api, receiver: Receiver
) -> None:
    await endpoint(api, receiver.url)
    receiver.stop()
    keys = [f"down-{n}" for n in range(6)]
    for key in keys:
        await create_invoice(api, key)
    await until(
        lambda: _all_failed_once(api, len(keys)), "every delivery tried while the receiver was down"
    )
    receiver.start()
    await until(lambda: len(by_event(receiver.succeeded())) == len(keys), "every event")
    got = sorted(r.payload["data"]["invoice"]["invoiceId"] for r in receiver.succeeded())
    assert got == keys
    pages = await recorded(api, len(keys))
    assert all(d["attempts"][0]["statusCode"] is None for d in pages)
    assert all("ConnectError" in (d["attempts"][0]["error"] or "") for d in pages)


async def _all_failed_once(api: Api, count: int) -> bool:
    nodes = await deliveries(api)
    return len(nodes) == count and all(d["attemptCount"] >= 1 for d in nodes)


async def test_events_of_one_invoice_arrive_in_order_even_with_failures(
    api: Api, receiver: Receiver
) -> None:
    """Every third request fails, so retries interleave; per invoice, the versions received
    successfully still ascend, and version n+1 is never sent before n succeeded."""
    receiver.answer = lambda number, _body: 503 if number % 3 == 0 else 200
    await endpoint(api, receiver.url)
    invoices = [await create_invoice(api, f"order-{n}") for n in range(3)]
    for version in range(1, 5):
        for invoice in invoices:
            updated = await api.ok(
                UPDATE_INVOICE,
                input={
                    "id": invoice["id"],
                    "expectedVersion": version,
                    "tags": {"set": [{"key": "round", "value": str(version)}]},
                },
            )
            assert updated["updateInvoice"]["__typename"] == "UpdateInvoiceResult", updated
    await until(lambda: len(by_event(receiver.succeeded())) == 15, "15 events")
    for invoice in invoices:
        sent = [r for r in receiver.all() if r.payload["invoice"]["id"] == invoice["id"]]
        versions = [r.payload["invoice"]["version"] for r in sent]
        # each attempt is of the lowest version not yet received: failures repeat it
        received = 0
        for receipt, version in zip(sent, versions, strict=True):
            assert version == received + 1, versions
            if receipt.status == 200:
                received = version
        assert received == 5


async def test_an_endpoint_failing_for_the_whole_window_is_disabled(
    api: Api, receiver: Receiver, app_db: Database
) -> None:
    receiver.answer = always(500)
    id, _ = await endpoint(api, receiver.url)
    # a window of a second for this endpoint's failures: through the stored instant

    await create_invoice(api, "doomed-1")
    await until(lambda: receiver.all(), "a first failed attempt")
    async with app_db.write() as session:
        # as if it had been failing since long before the window began
        await session.exec(
            update(WebhookEndpointRow)
            .where(col(WebhookEndpointRow.public_id) == id)
            .values(failing_since=now().replace(year=2000))
        )
    shown = await until(
        lambda: _disabled(api, id), "the endpoint disabled after its next failed attempt"
    )
    assert shown["enabled"] is False
    assert "Every delivery attempt failed from 2000-" in shown["disabledReason"]
    assert "HTTP 500" in shown["disabledReason"]
    tried = len(receiver.all())
    # a disabled endpoint gets no new deliveries (an enabled one of the same workspace does),
    # and what was pending waits
    witness = Receiver().start()
    try:
        await endpoint(api, witness.url)
        await create_invoice(api, "doomed-2")
        await until(witness.succeeded, "doomed-2 at the enabled endpoint")
        assert len(receiver.all()) == tried
        (pending,) = await deliveries(api, status="PENDING", endpointId=id)
        assert pending["endpoint"]["id"] == id
        # enabling it sends what waited, and only that
        receiver.answer = always(200)
        await api.ok(UPDATE_ENDPOINT, input={"id": id, "enabled": True})
        (receipt,) = await until(receiver.succeeded, "the waiting delivery after enabling")
        assert receipt.payload["data"]["invoice"]["invoiceId"] == "doomed-1"
        assert (await api.ok(ENDPOINT, id=id))["webhookEndpoint"]["failingSince"] is None
    finally:
        witness.stop()


async def _disabled(api: Api, id: str) -> dict[str, Any] | None:
    shown: dict[str, Any] = (await api.ok(ENDPOINT, id=id))["webhookEndpoint"]
    return shown if not shown["enabled"] else None


async def test_a_delivery_given_up_after_its_window_can_be_resent(
    api: Api, receiver: Receiver, app_db: Database
) -> None:

    receiver.answer = always(500)
    await endpoint(api, receiver.url)
    await create_invoice(api, "given-up")
    await until(lambda: receiver.all(), "a first failed attempt")
    async with app_db.write() as session:
        await session.exec(update(WebhookDeliveryRow).values(retry_from=now().replace(year=2000)))
    (failed,) = await until(lambda: deliveries(api, status="FAILED"), "the delivery given up")
    assert failed["nextAttemptAt"] is None
    attempts = failed["attemptCount"]
    receiver.answer = always(200)
    resent = (await api.ok(RESEND, input={"id": failed["id"]}))["resendWebhookDelivery"]
    assert resent["__typename"] == "ResendWebhookDeliveryResult", resent
    assert resent["delivery"]["status"] == "PENDING"
    await until(receiver.succeeded, "the resent delivery")
    (done,) = await recorded(api, 1)
    assert done["attemptCount"] == attempts + 1
    assert {r.event_id for r in receiver.all()} == {failed["eventId"]}


async def test_resending_a_delivered_event_sends_the_same_event_again(
    api: Api, receiver: Receiver
) -> None:
    await endpoint(api, receiver.url)
    await create_invoice(api, "twice")
    (first,) = await until(receiver.succeeded, "the first delivery")
    (delivery,) = await recorded(api, 1)
    await api.ok(RESEND, input={"id": delivery["id"]})
    await until(lambda: len(receiver.succeeded()) == 2, "the resent delivery")
    second = receiver.succeeded()[1]
    assert second.body == first.body
    assert second.event_id == first.event_id

    async def twice() -> dict[str, Any] | None:
        shown: dict[str, Any] = (await api.ok(DELIVERY, id=delivery["id"]))["webhookDelivery"]
        return shown if shown["attemptCount"] == 2 and shown["status"] == "SUCCEEDED" else None

    shown = await until(twice, "the second attempt recorded")
    assert [a["statusCode"] for a in shown["attempts"]] == [200, 200]


async def test_a_rotated_secret_signs_the_next_deliveries(api: Api, receiver: Receiver) -> None:
    id, old = await endpoint(api, receiver.url)
    new = (await api.ok(ROTATE_SECRET, input={"id": id}))["rotateWebhookEndpointSecret"]["secret"]
    await create_invoice(api, "rotated")
    (receipt,) = await until(receiver.succeeded, "the delivery")
    assert receipt.verifies(new, now=int(time.time()))
    assert not receipt.verifies(old, now=int(time.time()))


async def test_other_workspaces_events_never_reach_an_endpoint(
    api: Api, other_api: Api, receiver: Receiver
) -> None:
    other = Receiver().start()
    try:
        await endpoint(api, receiver.url)
        await endpoint(other_api, other.url)
        mine = [(await create_invoice(api, f"a-{n}"))["id"] for n in range(3)]
        theirs = [(await create_invoice(other_api, f"b-{n}"))["id"] for n in range(2)]
        await until(lambda: len(receiver.succeeded()) == 3, "A's events")
        await until(lambda: len(other.succeeded()) == 2, "B's events")
        assert sorted(r.payload["invoice"]["id"] for r in receiver.succeeded()) == sorted(mine)
        assert sorted(r.payload["invoice"]["id"] for r in other.succeeded()) == sorted(theirs)
        assert {r.payload["workspaceId"] for r in receiver.succeeded()} == {api.workspace_id}
        assert len(await recorded(api, 3)) == 3
        assert len(await recorded(other_api, 2)) == 2
        a_delivery = (await deliveries(api))[0]["id"]
        assert (await other_api.ok(DELIVERY, id=a_delivery))["webhookDelivery"] is None
        resend = (await other_api.ok(RESEND, input={"id": a_delivery}))["resendWebhookDelivery"]
        assert resend["__typename"] == "NotFoundError"
    finally:
        other.stop()


async def test_an_endpoint_gets_only_the_types_it_subscribed_to(
    api: Api, receiver: Receiver
) -> None:
    await endpoint(api, receiver.url, ["INVOICE_VOIDED"])
    created = await create_invoice(api, "only-void")
    await api.ok(TRANSITION, input={"id": created["id"]}, void=True)
    (receipt,) = await until(receiver.succeeded, "the voided event")
    assert receipt.payload["type"] == "invoice.voided"
    assert receipt.payload["invoice"]["version"] == 2
    assert receipt.payload["data"]["invoice"]["status"] == "VOID"
    assert len(await deliveries(api)) == 1
