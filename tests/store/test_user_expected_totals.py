"""The users' expected totals kept as rows stay equal to what their line items add up to.

The 2^96 rule reads `user_expected_totals` instead of summing a user's whole history, so the
rows must move with every write that changes what is due: new invoices (one and many), line
items added, repriced, moved to another user or deleted, and invoices voided. Property-tested
against the sum of the line items of the invoices that are not VOID, read straight from the
tables after every step; and the check itself reads the same rows whatever the history.
"""

import asyncio
from typing import Any

from alembic import command
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import text

from invoicegraph.store.engine import Database
from invoicegraph.store.migrate import alembic_config
from tests.operations import CREATE_INVOICE, TRANSITION, UPDATE_INVOICE, invoice_input, line_item
from tests.support import Api, count_statements

USERS = ("u1", "u2")
CURRENCIES = ("USD", "EUR")
TYPES = ("PAYIN", "PAYOUT")

ITEM = st.fixed_dictionaries(
    {
        "user": st.sampled_from(USERS),
        "currency": st.sampled_from(CURRENCIES),
        "type": st.sampled_from(TYPES),
        "amount": st.integers(0, 10**6),
    }
)
STEP = st.one_of(
    st.tuples(st.just("create"), st.lists(ITEM, min_size=1, max_size=3)),
    st.tuples(st.just("add"), ITEM),
    st.tuples(st.just("reprice"), st.integers(0, 10**6)),
    st.tuples(st.just("move"), st.sampled_from(USERS)),
    st.tuples(st.just("delete"), st.just(None)),
    st.tuples(st.just("void"), st.just(None)),
)


def as_input(item: dict[str, Any]) -> dict[str, Any]:
    return line_item(
        amount=str(item["amount"]), user=item["user"], currency=item["currency"], type=item["type"]
    )


async def kept_and_summed(db: Database) -> tuple[dict[tuple[Any, ...], int], dict[Any, int]]:
    """The kept rows, and the sums of the line items of invoices not VOID (zeros left out)."""
    async with db.read() as session:
        connection = await session.connection()
        kept = await connection.execute(
            text("SELECT user_id, currency, type, expected FROM user_expected_totals")
        )
        items = await connection.execute(
            text(
                "SELECT li.user_id, li.currency, li.type, li.due FROM line_items li "
                "JOIN invoices i ON i.id = li.invoice_id WHERE i.status != 'VOID'"
            )
        )
        summed: dict[tuple[Any, ...], int] = {}
        for user_id, currency, flow, due in items:
            key = (user_id, currency, flow)
            summed[key] = summed.get(key, 0) + int(due)
        kept_rows = {(u, c, t): int(total) for u, c, t, total in kept if int(total)}
    return kept_rows, {key: total for key, total in summed.items() if total}


def update_operations(kind: str, argument: Any, first: dict[str, Any]) -> list[dict[str, Any]]:
    """The line-item operations of an update step, on the invoice's first line item."""
    if kind == "add":
        return [{"add": as_input(argument)}]
    if kind == "reprice":
        return [{"update": {"id": first["id"], "price": {"amount": str(argument)}}}]
    if kind == "move":  # to another user: deleted, and added again for that user
        moved = {
            "user": argument,
            "currency": first["currency"],
            "type": first["type"],
            "amount": int(first["price"]["amount"]),
        }
        return [{"delete": {"id": first["id"]}}, {"add": as_input(moved)}]
    return [{"delete": {"id": first["id"]}}]


EXAMPLES = iter(range(10**9))
"""A new prefix of invoiceIds for each example: the workspace is the test's, not the example's."""


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=8))
async def test_the_kept_totals_equal_the_line_items_sums_after_any_writes(
    api: Api, app_db: Database, steps: list[tuple[str, Any]]
) -> None:
    example = next(EXAMPLES)
    latest: dict[str, Any] | None = None  # the invoice the update steps change
    for number, (kind, argument) in enumerate(steps):
        note(f"step {number}: {kind} {argument}")
        if kind == "create":
            items = [as_input(item) for item in argument]
            key = f"p-{example}-{number}"
            data = await api.ok(CREATE_INVOICE, input=invoice_input(key, *items))
            latest = data["createInvoice"]["invoice"]
        elif latest is not None and kind == "void":
            data = await api.ok(TRANSITION, input={"id": latest["id"]}, void=True)
            assert data["void"]["__typename"] == "InvoiceTransitionResult", data
            latest = None
        elif latest is not None and (latest["lineItems"] or kind == "add"):
            first = latest["lineItems"][0] if latest["lineItems"] else {}
            data = await api.ok(
                UPDATE_INVOICE,
                input={
                    "id": latest["id"],
                    "expectedVersion": latest["version"],
                    "lineItems": update_operations(kind, argument, first),
                },
            )
            result = data["updateInvoice"]
            if result["__typename"] == "UpdateInvoiceResult":
                latest = result["invoice"]
            else:  # an operation this invoice refuses (say, its last line item) changes nothing
                assert result["__typename"] in ("BadRequestError", "InvalidStateError"), result
        kept, summed = await kept_and_summed(app_db)
        assert kept == summed


async def test_the_backfill_gives_the_rows_the_writers_keep(
    api: Api, app_db: Database, database_url: str
) -> None:
    """Invoices written before 0009 (here: its downgrade and upgrade again) get the same rows."""
    items = [
        line_item(user="a", amount="1000"),
        line_item(user="a", amount="300", type="PAYOUT"),
        line_item(user="b", amount="250", currency="EUR"),
    ]
    await api.ok(CREATE_INVOICE, input=invoice_input("kept", *items))
    voided = await api.ok(CREATE_INVOICE, input=invoice_input("voided", line_item(user="a")))
    invoice = voided["createInvoice"]["invoice"]["id"]
    await api.ok(TRANSITION, input={"id": invoice}, void=True)
    kept, summed = await kept_and_summed(app_db)
    assert kept == summed
    assert len(kept) == 3
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0008")
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "head")
    assert await kept_and_summed(app_db) == (kept, summed)


async def test_a_write_for_a_user_with_history_reads_none_of_the_users_line_items(
    api: Api, app_db: Database
) -> None:
    """What a write reads of the user's totals does not grow with the user's invoices: every
    statement of createInvoice or of a repricing updateInvoice (answers included) that reads
    line_items reads those of named invoices, none reads them by user."""
    for number in range(3):
        await api.ok(CREATE_INVOICE, input=invoice_input(f"old-{number}", line_item(user="u")))
    with count_statements(app_db) as created:
        data = await api.ok(CREATE_INVOICE, input=invoice_input("new", line_item(user="u")))
    invoice = data["createInvoice"]["invoice"]
    reprice = {"update": {"id": invoice["lineItems"][0]["id"], "price": {"amount": "5000"}}}
    with count_statements(app_db) as updated:
        await api.ok(
            UPDATE_INVOICE,
            input={"id": invoice["id"], "expectedVersion": 1, "lineItems": [reprice]},
        )
    for statements in (created.statements, updated.statements):
        flat = [" ".join(s.split()) for s in statements]
        of_line_items = [s for s in flat if s.startswith("SELECT") and "FROM line_items" in s]
        by_invoice = [s for s in of_line_items if "line_items.invoice_id" in s.split("WHERE")[-1]]
        assert of_line_items == by_invoice, of_line_items
