"""A write that committed is answered as a success, and its events all reach subscribers,
however many there are (one PostgreSQL NOTIFY could carry only about 200 of them)."""

import asyncio
from collections import Counter

from sqlmodel import select
from starlette.applications import Starlette

from invoicegraph.http.state import app_state
from invoicegraph.ledger.enums import EventType
from invoicegraph.ledger.events import InvoiceEvent
from invoicegraph.store.tables import WorkspaceRow
from tests.operations import (
    INVOICE_BY_KEY,
    RECORD_TRANSACTION,
    allocation,
    make_invoices,
    transaction_input,
)
from tests.support import Api

INVOICES = 260


async def workspace_row_id(app: Starlette, public_id: str) -> int:
    async with app_state(app).db.read() as session:
        row = (
            await session.exec(select(WorkspaceRow).where(WorkspaceRow.public_id == public_id))
        ).one()
    assert row.id is not None
    return row.id


async def collect(
    queue: "asyncio.Queue[InvoiceEvent]", wanted: Counter[EventType]
) -> Counter[EventType]:
    """Events off the queue until `wanted` are all seen (or 60 s pass)."""
    seen: Counter[EventType] = Counter()
    async with asyncio.timeout(60):
        while any(seen[kind] < count for kind, count in wanted.items()):
            seen[(await queue.get()).type] += 1
    return seen


async def test_a_payment_to_260_invoices_is_recorded_and_every_event_arrives(
    app: Starlette, api: Api
) -> None:
    # given: invoices of 100 USD each, for one user apiece, and a subscriber to the workspace
    keys = await make_invoices(api, INVOICES)
    allocations = [allocation(key, "100", user=f"user-{index}-0") for index, key in enumerate(keys)]
    bus = app_state(app).events
    async with bus.subscribe(await workspace_row_id(app, api.workspace_id)) as queue:
        await asyncio.sleep(0)
        while not queue.empty():  # the creates' events, if already out
            queue.get_nowait()
        # when
        data = await api.ok(
            RECORD_TRANSACTION,
            input=transaction_input("bank_txn_big", str(100 * INVOICES), *allocations),
        )
        # then: the answer is the committed transaction, not an error to retry
        result = data["recordTransaction"]
        assert result["__typename"] == "RecordTransactionResult", result
        assert result["isIkReplay"] is False
        assert result["transaction"]["unallocatedAmount"] == "0"
        # and every invoice's two events reach the subscriber
        wanted = Counter({EventType.PAYMENT_RECORDED: INVOICES, EventType.STATUS_CHANGED: INVOICES})
        seen = await collect(queue, wanted)
    assert seen[EventType.PAYMENT_RECORDED] >= INVOICES
    assert seen[EventType.STATUS_CHANGED] >= INVOICES
    for key in (keys[0], keys[-1]):
        invoice = (await api.ok(INVOICE_BY_KEY, invoiceId=key))["invoice"]
        assert invoice["status"] == "PAID"
