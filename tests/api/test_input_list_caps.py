"""Issue 24, item 4: every list of a write's input is capped (the token limit does not see
variables): line items, operations, batches and allocations at 500 (tested where each is made),
and tags here, at 50 per invoice, line item or transaction; past a cap, a BadRequestError
names the list and nothing is written."""

from typing import Any

from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    UPDATE_INVOICE,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api


def tags(count: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"key": f"{prefix}{n}", "value": "v"} for n in range(count)]


def fields(result: dict[str, Any]) -> list[list[str]]:
    assert result["__typename"] == "BadRequestError", result
    return [problem["field"] for problem in result["fieldErrors"]]


async def test_fifty_tags_are_taken_and_fifty_one_refused_on_every_list(api: Api) -> None:
    refused = (
        await api.ok(
            CREATE_INVOICE,
            input=invoice_input("too-many", {**line_item(), "tags": tags(51)}, tags=tags(51)),
        )
    )["createInvoice"]
    assert fields(refused) == [["tags"], ["lineItems", "0", "tags"]]
    assert (await api.ok('{ invoice(invoice: {invoiceId: "too-many"}) { id } }'))["invoice"] is None
    transaction = (
        await api.ok(RECORD_TRANSACTION, input=transaction_input("t", "1", tags=tags(51)))
    )["recordTransaction"]
    assert fields(transaction) == [["tags"]]
    created = (
        await api.ok(CREATE_INVOICE, input=invoice_input("fifty", line_item(), tags=tags(50)))
    )["createInvoice"]
    assert len(created["invoice"]["tags"]) == 50

    async def update(**tag_input: Any) -> dict[str, Any]:
        result: dict[str, Any] = (
            await api.ok(
                UPDATE_INVOICE,
                input={"id": created["invoice"]["id"], "expectedVersion": 1, "tags": tag_input},
            )
        )["updateInvoice"]
        return result

    # an update that would leave 51 tags is refused; replacing values of the 50 is not
    assert fields(await update(set=tags(1, "new"))) == [["tags", "set"]]
    assert fields(await update(remove=[f"x{n}" for n in range(51)])) == [["tags", "remove"]]
    replaced = await update(set=[{"key": "k0", "value": "w"}])
    assert replaced["__typename"] == "UpdateInvoiceResult"
