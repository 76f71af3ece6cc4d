"""createInvoices and recordTransactions: many items in one transaction, each answered alone."""

from typing import Any

from tests.operations import (
    INVOICE_BY_KEY,
    INVOICE_FIELDS,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api, count_statements

CREATE_MANY = (
    """
mutation CreateMany($input: CreateInvoicesInput!) {
  createInvoices(input: $input) {
    __typename
    ... on CreateInvoicesResult {
      createdCount replayedCount refusedCount
      results {
        __typename
        ... on CreateInvoiceResult { isIkReplay invoice { ...InvoiceFields } }
        ... on Error { code message retryable }
        ... on BadRequestError { fieldErrors { field message } }
      }
    }
    ... on Error { code message }
    ... on BadRequestError { fieldErrors { field message } }
  }
}
"""
    + INVOICE_FIELDS
)

RECORD_MANY = """
mutation RecordMany($input: RecordTransactionsInput!) {
  recordTransactions(input: $input) {
    __typename
    ... on RecordTransactionsResult {
      recordedCount replayedCount refusedCount
      results {
        __typename
        ... on RecordTransactionResult { isIkReplay transaction { externalId unallocatedAmount } }
        ... on Error { code message }
        ... on BadRequestError { fieldErrors { field message } }
      }
    }
    ... on Error { code message }
    ... on BadRequestError { fieldErrors { field message } }
  }
}
"""

BAD_ITEM = line_item(description="")


async def create_many(api: Api, *invoices: dict[str, Any], atomic: bool = False) -> Any:
    data = await api.ok(CREATE_MANY, input={"invoices": list(invoices), "atomic": atomic})
    return data["createInvoices"]


async def stored(api: Api, key: str) -> Any:
    return (await api.ok(INVOICE_BY_KEY, invoiceId=key))["invoice"]


async def test_each_invoice_is_answered_on_its_own_in_order(api: Api) -> None:
    # given one invoice that exists already, with its very input
    await create_many(api, invoice_input("old"))
    # when: a new one, a refused one, a replay, a conflict and the new one's key again
    batch = await create_many(
        api,
        invoice_input("new", line_item(amount="700")),
        invoice_input("bad", BAD_ITEM),
        invoice_input("old"),
        invoice_input("old", line_item(amount="1")),
        invoice_input("new", line_item(amount="700")),
    )
    # then
    kinds = [result["__typename"] for result in batch["results"]]
    assert kinds == [
        "CreateInvoiceResult",
        "BadRequestError",
        "CreateInvoiceResult",
        "IkConflictError",
        "CreateInvoiceResult",
    ]
    new, bad, replay, conflict, again = batch["results"]
    assert (new["isIkReplay"], replay["isIkReplay"], again["isIkReplay"]) == (False, True, True)
    assert again["invoice"]["id"] == new["invoice"]["id"]
    assert bad["fieldErrors"] == [
        {
            "field": ["invoices", "1", "lineItems", "0", "description"],
            "message": bad["fieldErrors"][0]["message"],
        }
    ]
    assert conflict["code"] == "IK_CONFLICT"
    assert (batch["createdCount"], batch["replayedCount"], batch["refusedCount"]) == (1, 2, 2)
    assert (await stored(api, "new"))["lineItems"][0]["price"]["amount"] == "700"
    assert await stored(api, "bad") is None
    assert (await stored(api, "old"))["lineItems"][0]["price"]["amount"] == "1000"


async def test_an_unknown_user_refuses_its_invoice_only_and_creates_no_user(api: Api) -> None:
    batch = await create_many(
        api,
        invoice_input("named", {**line_item(user="new-user"), "user": {"id": "usr_nobody"}}),
        invoice_input("fine", line_item(user="fine-user")),
    )
    named, fine = batch["results"]
    assert named["__typename"] == "BadRequestError"
    assert named["fieldErrors"][0]["field"] == ["invoices", "0", "lineItems", "0", "user", "id"]
    assert fine["__typename"] == "CreateInvoiceResult"
    users = await api.ok('{ user(user: {externalId: "new-user"}) { id } }')
    assert users["user"] is None


async def test_an_atomic_batch_with_a_refusal_writes_nothing_and_names_every_problem(
    api: Api,
) -> None:
    await create_many(api, invoice_input("taken"))
    answer = await create_many(
        api,
        invoice_input("first"),
        invoice_input("second", BAD_ITEM),
        invoice_input("taken", line_item(amount="5")),
        atomic=True,
    )
    assert answer["__typename"] == "BadRequestError"
    assert [error["field"] for error in answer["fieldErrors"]] == [
        ["invoices", "1", "lineItems", "0", "description"],
        ["invoices", "2", "invoiceId"],
    ]
    assert await stored(api, "first") is None


async def test_an_atomic_batch_without_refusals_writes_everything(api: Api) -> None:
    answer = await create_many(api, invoice_input("a"), invoice_input("b"), atomic=True)
    assert answer["createdCount"] == 2
    assert (await stored(api, "b"))["status"] == "OPEN"


async def test_a_batch_holds_at_most_500(api: Api) -> None:
    answer = await create_many(api, *(invoice_input(f"k{i}") for i in range(501)))
    assert answer["__typename"] == "BadRequestError"
    assert answer["fieldErrors"][0]["field"] == ["invoices"]
    assert await stored(api, "k0") is None


async def test_a_batch_costs_the_same_statements_whatever_its_size(api: Api, app_db: Any) -> None:
    """Set-based: a statement per table for the whole batch, and the answers built in one
    batch of loads."""

    async def statements(prefix: str, count: int) -> int:
        with count_statements(app_db) as seen:
            await create_many(api, *(invoice_input(f"{prefix}{i}") for i in range(count)))
        return seen.count

    await statements("first-", 1)  # the users are new once: one statement more, that time
    two, twelve = await statements("two-", 2), await statements("twelve-", 12)
    assert twelve == two


async def test_transactions_are_answered_on_their_own_too(api: Api) -> None:
    await create_many(api, invoice_input("paid-in-batches", line_item(amount="1000")))
    data = await api.ok(
        RECORD_MANY,
        input={
            "transactions": [
                transaction_input("t1", "400", allocation("paid-in-batches", "400")),
                transaction_input("t2", "700", allocation("paid-in-batches", "700")),
                transaction_input("t3", "100", allocation("no-such-invoice", "100")),
                transaction_input("t1", "400", allocation("paid-in-batches", "400")),
            ]
        },
    )
    batch = data["recordTransactions"]
    kinds = [result["__typename"] for result in batch["results"]]
    assert kinds == [
        "RecordTransactionResult",
        "BadRequestError",
        "NotFoundError",
        "RecordTransactionResult",
    ]
    assert batch["results"][1]["fieldErrors"][0]["field"] == [
        "transactions",
        "1",
        "allocations",
        "0",
        "amount",
    ]
    assert batch["results"][3]["isIkReplay"] is True
    assert (batch["recordedCount"], batch["replayedCount"], batch["refusedCount"]) == (1, 1, 2)
    invoice = await stored(api, "paid-in-batches")
    assert invoice["balances"][0]["payins"]["actual"] == "400"
