"""Stakes: returnableStake, returnStake's limits, idempotency and 16 concurrent returns."""

import asyncio
from typing import Any

from sqlmodel import func, select

from invoicegraph.store.engine import Database
from invoicegraph.store.tables import InvoiceRow
from tests.operations import (
    RECORD_TRANSACTION,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api, count_statements

CREATE = """
mutation Create($input: CreateInvoiceInput!) {
  createInvoice(input: $input) { ... on CreateInvoiceResult { invoice { id } } }
}
"""

RETURN = """
mutation Return($input: ReturnStakeInput!) {
  returnStake(input: $input) {
    __typename
    ... on ReturnStakeResult {
      isIkReplay
      return { invoiceId kind status number
               lineItems { type currency price { amount } user { externalId } }
               stake { invoiceId } }
      stake { returnableStake { currency amount } }
    }
    ... on BadRequestError { fieldErrors { field message } }
    ... on InvalidStateError { status }
    ... on Error { code message }
  }
}
"""

STAKE = """
query Stake($id: ID!) {
  invoice(invoice: {id: $id}) {
    kind returnableStake { currency amount } stakeReturns { invoiceId }
  }
}
"""


async def paid_stake(api: Api, key: str, amount: str = "1000", **extra: Any) -> str:
    data = await api.ok(
        CREATE,
        input=invoice_input(key, line_item(amount=amount, user="staker"), kind="STAKE", **extra),
    )
    stake_id: str = data["createInvoice"]["invoice"]["id"]
    paid = await api.ok(
        RECORD_TRANSACTION,
        input=transaction_input(f"pay-{key}", amount, allocation(key, amount, user="staker")),
    )
    assert paid["recordTransaction"]["__typename"] == "RecordTransactionResult", paid
    return stake_id


async def give_back(api: Api, **input: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await api.ok(RETURN, input=input))["returnStake"]
    return result


async def returnable(api: Api, stake: str) -> list[dict[str, str]]:
    data = (await api.ok(STAKE, id=stake))["invoice"]
    found: list[dict[str, str]] = data["returnableStake"]
    return found


async def test_a_return_is_a_payout_to_the_payer_and_lowers_what_is_returnable(api: Api) -> None:
    stake = await paid_stake(api, "stake-1")
    assert await returnable(api, stake) == [{"currency": "USD", "amount": "1000"}]
    result = await give_back(api, stake=stake, returnId="ret-1", amount="300")
    assert result["__typename"] == "ReturnStakeResult", result
    assert result["isIkReplay"] is False
    returned = result["return"]
    assert (returned["invoiceId"], returned["kind"], returned["status"]) == (
        "ret-1", "STAKE_RETURN", "OPEN",
    )  # fmt: skip
    assert returned["number"] is not None
    assert returned["lineItems"] == [
        {"type": "PAYOUT", "currency": "USD", "price": {"amount": "300"},
         "user": {"externalId": "staker"}}
    ]  # fmt: skip
    assert returned["stake"] == {"invoiceId": "stake-1"}
    assert result["stake"]["returnableStake"] == [{"currency": "USD", "amount": "700"}]
    # without an amount, the rest comes back
    rest = await give_back(api, stake=stake, returnId="ret-2")
    assert rest["return"]["lineItems"][0]["price"] == {"amount": "700"}
    assert await returnable(api, stake) == [{"currency": "USD", "amount": "0"}]
    data = (await api.ok(STAKE, id=stake))["invoice"]
    assert data["stakeReturns"] == [{"invoiceId": "ret-1"}, {"invoiceId": "ret-2"}]


async def test_a_return_is_idempotent_on_its_key(api: Api, app_db: Database) -> None:
    stake = await paid_stake(api, "stake-2")
    first = await give_back(api, stake=stake, returnId="ret-once", amount="1000")
    again = await give_back(api, stake=stake, returnId="ret-once", amount="1000")
    assert (first["isIkReplay"], again["isIkReplay"]) == (False, True)
    assert again["return"] == first["return"]
    other = await give_back(api, stake=stake, returnId="ret-once", amount="5")
    assert other["__typename"] == "IkConflictError"


async def test_a_return_over_the_returnable_amount_is_refused(api: Api, app_db: Database) -> None:
    stake = await paid_stake(api, "stake-3", amount="100")
    async with app_db.read() as session:
        before = (await session.exec(select(func.count()).select_from(InvoiceRow))).one()
    over = await give_back(api, stake=stake, returnId="ret-over", amount="101")
    assert over["__typename"] == "BadRequestError"
    assert over["fieldErrors"] == [
        {"field": ["amount"], "message": "is more than the 100 USD this stake can still return"}
    ]
    async with app_db.read() as session:
        assert (await session.exec(select(func.count()).select_from(InvoiceRow))).one() == before


async def test_only_paid_stakes_return(api: Api) -> None:
    unpaid = await api.ok(CREATE, input=invoice_input("stake-4", line_item(), kind="STAKE"))
    refused = await give_back(api, stake=unpaid["createInvoice"]["invoice"]["id"], returnId="r4")
    assert (refused["__typename"], refused["status"]) == ("InvalidStateError", "OPEN")
    plain = await api.ok(CREATE, input=invoice_input("plain-4", line_item()))
    not_stake = await give_back(api, stake=plain["createInvoice"]["invoice"]["id"], returnId="r5")
    assert not_stake["fieldErrors"] == [{"field": ["stake"], "message": "is not a stake"}]
    unknown = await give_back(api, stake="inv_nope", returnId="r6")
    assert unknown["__typename"] == "NotFoundError"


async def test_a_voided_return_can_be_returned_again(api: Api) -> None:
    stake = await paid_stake(api, "stake-5", amount="100")
    made = await give_back(api, stake=stake, returnId="ret-void", amount="100")
    assert made["stake"]["returnableStake"] == [{"currency": "USD", "amount": "0"}]
    by_key = await api.ok('query { invoice(invoice: {invoiceId: "ret-void"}) { id } }')
    voided = await api.ok(
        "mutation($id: ID!) { voidInvoice(input: {id: $id}) { __typename } }",
        id=by_key["invoice"]["id"],
    )
    assert voided["voidInvoice"]["__typename"] == "InvoiceTransitionResult"
    assert await returnable(api, stake) == [{"currency": "USD", "amount": "100"}]


async def test_sixteen_concurrent_returns_never_exceed_what_was_paid_in(api: Api) -> None:
    # given a stake of 1000 and 16 returns of 70 (1120 in all) sent at once
    stake = await paid_stake(api, "stake-6")
    results = await asyncio.gather(
        *(give_back(api, stake=stake, returnId=f"ret-c-{n}", amount="70") for n in range(16))
    )
    # then exactly the 14 that fit succeed (980), and 20 stays returnable
    kinds = [result["__typename"] for result in results]
    assert kinds.count("ReturnStakeResult") == 14
    assert kinds.count("BadRequestError") == 2
    assert await returnable(api, stake) == [{"currency": "USD", "amount": "20"}]
    data = (await api.ok(STAKE, id=stake))["invoice"]
    assert len(data["stakeReturns"]) == 14
    # and the rest, asked for by 16 callers at once, goes to exactly one of them
    rest = await asyncio.gather(
        *(give_back(api, stake=stake, returnId=f"ret-r-{n}") for n in range(16))
    )
    assert [r["__typename"] for r in rest].count("ReturnStakeResult") == 1
    assert await returnable(api, stake) == [{"currency": "USD", "amount": "0"}]


STAKE_PAGE = """
query Stakes($first: Int!) {
  invoices(first: $first, filter: {includeStaking: true, status: {in: [PAID]}}) {
    nodes {
      invoiceId returnableStake { currency amount } stakeReturns { invoiceId }
      discounts { id } totals { total }
    }
  }
}
"""


async def test_a_page_of_stakes_costs_the_same_statements_for_two_or_ten(
    api: Api, app_db: Database
) -> None:
    # given ten paid stakes with a return each
    for n in range(10):
        stake = await paid_stake(api, f"page-stake-{n}", amount="100")
        assert (await give_back(api, stake=stake, returnId=f"page-ret-{n}", amount="10"))[
            "__typename"
        ] == "ReturnStakeResult"
    # when
    counts = []
    for first in (2, 10):
        with count_statements(app_db) as seen:
            data = await api.ok(STAKE_PAGE, first=first)
        nodes = data["invoices"]["nodes"]
        assert len(nodes) == first
        assert all(
            node["returnableStake"] == [{"currency": "USD", "amount": "90"}] for node in nodes
        )
        assert all(len(node["stakeReturns"]) == 1 for node in nodes)
        counts.append(seen.count)
    # then
    assert counts[0] == counts[1], counts
