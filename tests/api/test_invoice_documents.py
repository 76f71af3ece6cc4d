"""The invoice as a document: numbers, texts, due dates, periods, taxes and totals."""

import asyncio
from typing import Any

from sqlmodel import func, select

from invoicegraph.admin.workspaces import invoice_prefix_problem, set_invoice_prefix
from invoicegraph.store.engine import Database
from invoicegraph.store.tables import InvoiceNumberingRow, InvoiceRow, LineItemRow
from tests.operations import (
    RECORD_TRANSACTION,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api

DOCUMENT_FIELDS = """
fragment Document on Invoice {
  id invoiceId status number kind description footer dueDate overdue subscriptionId
  period { start end }
  totals { currency type subtotal discountTotal taxTotal total }
  balances { currency payins { expected } payouts { expected } }
  lineItems { taxPercent tax discount total period { start end } price { amount } }
  recoveredFrom { invoiceId recoveredFrom { invoiceId } }
}
"""

CREATE = (
    """
mutation Create($input: CreateInvoiceInput!) {
  createInvoice(input: $input) {
    __typename
    ... on CreateInvoiceResult { isIkReplay invoice { ...Document } }
    ... on BadRequestError { fieldErrors { field message } }
    ... on Error { code message }
  }
}
"""
    + DOCUMENT_FIELDS
)

CREATE_MANY = """
mutation CreateMany($input: CreateInvoicesInput!) {
  createInvoices(input: $input) {
    __typename
    ... on CreateInvoicesResult {
      createdCount refusedCount
      results {
        __typename
        ... on CreateInvoiceResult { invoice { invoiceId number } }
        ... on BadRequestError { fieldErrors { field message } }
      }
    }
    ... on Error { code message }
  }
}
"""

FINALIZE = """
mutation Finalize($id: ID!) {
  finalizeInvoice(input: {id: $id}) {
    __typename
    ... on InvoiceTransitionResult { invoice { status number } }
    ... on Error { code message }
  }
}
"""

BY_KEY = (
    """
query ByKey($invoiceId: String!) { invoice(invoice: {invoiceId: $invoiceId}) { ...Document } }
"""
    + DOCUMENT_FIELDS
)


def item(amount: str = "1000", **fields: Any) -> dict[str, Any]:
    """A line item with document fields (taxPercent, period) beside its price."""
    line_fields = {k: v for k, v in fields.items() if k in ("taxPercent", "period")}
    rest = {k: v for k, v in fields.items() if k not in line_fields}
    return {**line_item(amount=amount, **rest), **line_fields}


PERIOD = {"start": "2026-01-01T00:00:00.000Z", "end": "2026-01-31T23:59:59.000Z"}


async def create(api: Api, invoice: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = (await api.ok(CREATE, input=invoice))["createInvoice"]
    return result


async def invoice_count(db: Database) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(InvoiceRow))).one()


async def test_document_fields_round_trip(api: Api) -> None:
    # given
    request = invoice_input(
        "doc-1",
        item("12000", description="Pro plan", period=PERIOD),
        description="January subscription",
        footer="Thank you for your business.",
        dueDate="2100-02-15T00:00:00.000Z",
        period=PERIOD,
        subscriptionId="sub_123",
    )
    # when
    created = await create(api, request)
    fetched = (await api.ok(BY_KEY, invoiceId="doc-1"))["invoice"]
    # then
    assert created["__typename"] == "CreateInvoiceResult"
    invoice = created["invoice"]
    assert invoice == fetched
    assert invoice["description"] == "January subscription"
    assert invoice["footer"] == "Thank you for your business."
    assert invoice["dueDate"] == "2100-02-15T00:00:00.000Z"
    assert invoice["overdue"] is False
    assert invoice["period"] == PERIOD
    assert invoice["subscriptionId"] == "sub_123"
    assert invoice["kind"] == "STANDARD"
    assert invoice["recoveredFrom"] is None
    assert invoice["lineItems"][0]["period"] == PERIOD
    # and the same input again is a replay, another one a conflict
    again = await create(api, request)
    assert again["isIkReplay"] is True
    changed = await create(api, {**request, "footer": "Another footer"})
    assert changed["__typename"] == "IkConflictError"


async def test_numbers_come_from_the_sequence_when_the_invoice_leaves_draft(api: Api) -> None:
    first = await create(api, invoice_input("n-1"))
    draft = await create(api, invoice_input("n-2", draft=True))
    third = await create(api, invoice_input("n-3"))
    assert first["invoice"]["number"] == "INV-000001"
    assert draft["invoice"]["number"] is None
    assert third["invoice"]["number"] == "INV-000002"
    finalized = await api.ok(FINALIZE, id=draft["invoice"]["id"])
    assert finalized["finalizeInvoice"]["invoice"] == {"status": "OPEN", "number": "INV-000003"}


async def test_a_refused_or_replayed_invoice_takes_no_number(api: Api, app_db: Database) -> None:
    await create(api, invoice_input("g-1"))
    refused = await create(api, invoice_input("g-2", line_item(amount="-5")))
    replay = await create(api, invoice_input("g-1"))
    assert refused["__typename"] == "BadRequestError"
    assert replay["isIkReplay"] is True
    # a batch refused as a whole gives its numbers back with its rollback
    atomic = await api.ok(
        CREATE_MANY,
        input={
            "atomic": True,
            "invoices": [invoice_input("g-3"), invoice_input("g-4", line_item(description=""))],
        },
    )
    assert atomic["createInvoices"]["__typename"] == "BadRequestError"
    batch = await api.ok(
        CREATE_MANY,
        input={"invoices": [invoice_input("g-5"), invoice_input("g-1"), invoice_input("g-6")]},
    )
    numbers = [r["invoice"]["number"] for r in batch["createInvoices"]["results"]]
    assert numbers == ["INV-000002", "INV-000001", "INV-000003"]
    async with app_db.read() as session:
        [numbering] = (await session.exec(select(InvoiceNumberingRow))).all()
    assert numbering.last_number == 3


async def test_concurrent_finalizes_take_consecutive_numbers(api: Api) -> None:
    # given 16 drafts
    drafts = [await create(api, invoice_input(f"c-{n}", draft=True)) for n in range(16)]
    # when all are finalized at once
    results = await asyncio.gather(
        *(api.ok(FINALIZE, id=draft["invoice"]["id"]) for draft in drafts)
    )
    # then every one has its own number, and together they are 1..16 without a gap
    numbers = sorted(r["finalizeInvoice"]["invoice"]["number"] for r in results)
    assert numbers == [f"INV-{n:06d}" for n in range(1, 17)]


async def test_each_workspace_has_its_own_sequence(api: Api, other_api: Api) -> None:
    await create(api, invoice_input("w-1"))
    await create(api, invoice_input("w-2"))
    other = await create(other_api, invoice_input("w-1"))
    assert other["invoice"]["number"] == "INV-000001"


async def test_taxes_are_rounded_half_even_per_line_and_balances_expect_the_total(
    api: Api,
) -> None:
    # given 8.875% on 100 (8.875 -> 9) and on 200 (17.75 -> 18), 5% on 10 (0.5 -> 0)
    created = await create(
        api,
        invoice_input(
            "tax-1",
            item("100", taxPercent="8.875"),
            item("200", taxPercent="8.875"),
            item("10", taxPercent="5"),
            line_item(amount="700", type="PAYOUT", user="vendor"),
        ),
    )
    invoice = created["invoice"]
    assert [item["tax"] for item in invoice["lineItems"]] == ["9", "18", "0", "0"]
    assert [item["taxPercent"] for item in invoice["lineItems"]] == ["8.875", "8.875", "5", "0"]
    assert [item["total"] for item in invoice["lineItems"]] == ["109", "218", "10", "700"]
    assert invoice["totals"] == [
        {"currency": "USD", "type": "PAYIN", "subtotal": "310", "discountTotal": "0",
         "taxTotal": "27", "total": "337"},
        {"currency": "USD", "type": "PAYOUT", "subtotal": "700", "discountTotal": "0",
         "taxTotal": "0", "total": "700"},
    ]  # fmt: skip
    assert invoice["balances"] == [
        {"currency": "USD", "payins": {"expected": "337"}, "payouts": {"expected": "700"}}
    ]


async def test_paying_the_total_with_tax_settles_the_invoice(api: Api) -> None:
    await create(api, invoice_input("tax-2", item("1000", taxPercent="20")))
    over = await api.ok(
        RECORD_TRANSACTION, input=transaction_input("t-over", "1201", allocation("tax-2", "1201"))
    )
    assert over["recordTransaction"]["__typename"] == "BadRequestError"
    paid = await api.ok(
        RECORD_TRANSACTION, input=transaction_input("t-1", "1200", allocation("tax-2", "1200"))
    )
    assert paid["recordTransaction"]["__typename"] == "RecordTransactionResult"
    assert (await api.ok(BY_KEY, invoiceId="tax-2"))["invoice"]["status"] == "PAID"


async def test_bad_document_inputs_are_refused_with_their_paths_and_change_nothing(
    api: Api, app_db: Database
) -> None:
    backwards = {"start": "2026-02-01T00:00:00.000Z", "end": "2026-01-01T00:00:00.000Z"}
    request = invoice_input(
        "bad-1",
        item(taxPercent="100.5"),
        item(taxPercent="1e2", period=backwards),
        description="",
        footer="x" * 1001,
        period=backwards,
        subscriptionId="s" * 129,
        kind="STAKE_RETURN",
    )
    refused = await create(api, request)
    assert refused["__typename"] == "BadRequestError"
    assert sorted(error["field"] for error in refused["fieldErrors"]) == sorted(
        [
            ["description"],
            ["footer"],
            ["subscriptionId"],
            ["period", "end"],
            ["kind"],
            ["lineItems", "0", "taxPercent"],
            ["lineItems", "1", "taxPercent"],
            ["lineItems", "1", "period", "end"],
        ]
    )
    assert await invoice_count(app_db) == 0


async def test_recovered_from_must_name_a_visible_invoice(api: Api, other_api: Api) -> None:
    theirs = await create(other_api, invoice_input("theirs"))
    unknown = await create(api, invoice_input("r-1", recoveredFrom={"id": theirs["invoice"]["id"]}))
    assert unknown["__typename"] == "BadRequestError"
    assert unknown["fieldErrors"][0]["field"] == ["recoveredFrom", "id"]
    missing = await create(api, invoice_input("r-2", recoveredFrom={"invoiceId": "nope"}))
    assert missing["fieldErrors"][0]["field"] == ["recoveredFrom", "invoiceId"]


async def test_recovered_from_is_a_chain(api: Api) -> None:
    await create(api, invoice_input("chain-1"))
    await create(api, invoice_input("chain-2", recoveredFrom={"invoiceId": "chain-1"}))
    third = await create(api, invoice_input("chain-3", recoveredFrom={"invoiceId": "chain-2"}))
    assert third["invoice"]["recoveredFrom"] == {
        "invoiceId": "chain-2",
        "recoveredFrom": {"invoiceId": "chain-1"},
    }


async def test_old_line_items_expect_their_amount(api: Api, app_db: Database) -> None:
    """Rows written before taxes existed were migrated with due = amount."""
    await create(api, invoice_input("plain", line_item(amount="4900")))
    async with app_db.read() as session:
        [row] = (await session.exec(select(LineItemRow))).all()
    assert (row.amount, row.tax_rate, row.discount, row.due) == (4900, 0, 0, 4900)


async def test_a_workspace_prefix_applies_to_the_numbers_given_after_it(
    api: Api, app_db: Database
) -> None:
    await create(api, invoice_input("p-1"))
    assert await set_invoice_prefix(app_db, workspace_public_id=api.workspace_id, prefix="ACME-")
    second = await create(api, invoice_input("p-2"))
    assert second["invoice"]["number"] == "ACME-000002"
    assert not await set_invoice_prefix(app_db, workspace_public_id="ws_nobody", prefix="X-")


def test_a_prefix_is_short_printable_and_without_spaces() -> None:
    assert invoice_prefix_problem("ACME-2026/") is None
    for bad in ("", "A B", "x" * 33, "tab\t"):
        assert invoice_prefix_problem(bad) is not None
