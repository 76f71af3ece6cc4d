"""The one write path: events kept with the write, out after commit; a refusal leaves no trace."""

import asyncio

import pytest
from sqlmodel import select

from invoicegraph.admin.workspaces import create_workspace
from invoicegraph.auth.principal import Principal
from invoicegraph.events import EventBus
from invoicegraph.events.outbox import OutboxPublisher
from invoicegraph.ledger.enums import EventType, FlowType
from invoicegraph.ledger.errors import NotFound, VersionConflict
from invoicegraph.ledger.events import InvoiceEvent
from invoicegraph.ledger.invoices import CreateInvoice, LineItemDraft, UserRef
from invoicegraph.ledger.prices import PriceSpec
from invoicegraph.ledger.updates import UpdateInvoice
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.invoices import create_invoice
from invoicegraph.resolvers.unit_of_work import unit_of_work
from invoicegraph.resolvers.updates import update_invoice
from invoicegraph.store.engine import Database
from invoicegraph.store.tables import InvoiceVersionRow, OutboxEventRow, WorkspaceRow
from invoicegraph.store.workspaces import insert_workspace

COMMAND = CreateInvoice(
    invoice_id="acme-1",
    line_items=(
        LineItemDraft(
            description="Pro plan",
            product_id="pro",
            type=FlowType.PAYIN,
            user=UserRef(external_id="cust_acme"),
            currency="USD",
            price=PriceSpec(amount=4900, unit_price=None, quantity=None),
        ),
    ),
)


async def context_of(db: Database, events: EventBus) -> Context:
    workspace = await create_workspace(db, name="Acme billing")
    assert workspace.id is not None
    principal = Principal(
        client_id="cli_test", workspace_id=workspace.id, workspace_public_id=workspace.public_id
    )
    return Context.open(db, principal, events)


def drained(queue: "asyncio.Queue[InvoiceEvent]") -> list[InvoiceEvent]:
    found = []
    while not queue.empty():
        found.append(queue.get_nowait())
    return found


async def test_a_write_leaves_its_events_in_the_outbox_for_the_publisher(db: Database) -> None:
    # given
    events = EventBus()
    context = await context_of(db, events)
    async with events.subscribe(context.workspace_id) as queue:
        # when
        created = await create_invoice(context, COMMAND)
        # then: committed, kept in the outbox, handed on only by the publisher
        assert drained(queue) == []
        assert await pending(db) == [(EventType.CREATED.value, created.value.id, 1)]
        assert await OutboxPublisher(db, events).publish_all() == 1
        (event,) = drained(queue)
    assert (event.type, event.invoice_id, event.version) == (EventType.CREATED, created.value.id, 1)
    assert await pending(db) == []
    async with db.read() as session:
        versions = (await session.exec(select(InvoiceVersionRow))).all()
    assert [(row.invoice_id, row.version) for row in versions] == [(created.value.id, 1)]


async def test_events_pending_when_a_process_died_go_out_after_restart(db: Database) -> None:
    # given: writes committed by a process that died before its publisher ran
    context = await context_of(db, EventBus())
    created = await create_invoice(context, COMMAND)
    # when: the next process starts, with a bus and subscribers of its own
    restarted = EventBus()
    async with restarted.subscribe(context.workspace_id) as queue:
        publisher = OutboxPublisher(db, restarted)
        published = await publisher.publish_all()
        again = await publisher.publish_all()
        # then: each pending event once
        assert [(e.type, e.invoice_id) for e in drained(queue)] == [
            (EventType.CREATED, created.value.id)
        ]
    assert (published, again) == (1, 0)


async def pending(db: Database) -> list[tuple[str, int, int]]:
    async with db.read() as session:
        rows = await session.exec(
            select(OutboxEventRow).where(OutboxEventRow.published == False)  # noqa: E712
        )
        return [(row.type, row.invoice_id, row.version) for row in rows]


async def test_a_replay_publishes_nothing(db: Database) -> None:
    events = EventBus()
    context = await context_of(db, events)
    await create_invoice(context, COMMAND)
    await OutboxPublisher(db, events).publish_all()
    replay = await create_invoice(context, COMMAND)
    assert replay.is_replay
    assert await pending(db) == []


async def test_a_refused_write_changes_nothing_and_publishes_nothing(db: Database) -> None:
    # given
    events = EventBus()
    context = await context_of(db, events)
    created = await create_invoice(context, COMMAND)
    stale = UpdateInvoice(invoice_id=created.value.public_id, expected_version=7)
    await OutboxPublisher(db, events).publish_all()
    # when
    with pytest.raises(VersionConflict):
        await update_invoice(context, stale)
    # then
    assert await pending(db) == []
    async with db.read() as session:
        versions = (await session.exec(select(InvoiceVersionRow.version))).all()
    assert list(versions) == [1]


async def test_a_domain_error_inside_the_unit_rolls_back_what_it_wrote(db: Database) -> None:
    # given
    context = await context_of(db, EventBus())

    async def write_then_fail() -> None:
        async with unit_of_work(context) as work:
            await insert_workspace(work.session, name="Written, then rolled back")
            raise NotFound("something the write needed is missing")

    # when: a write that fails after it has written a row
    with pytest.raises(NotFound):
        await write_then_fail()
    # then
    async with db.read() as session:
        names = (await session.exec(select(WorkspaceRow.name))).all()
    assert list(names) == ["Acme billing"]
