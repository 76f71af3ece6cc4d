"""Issue 23: a user's expected totals over all the user's invoices stay below 2^96.

Every path that can raise one (createInvoice, createInvoices, updateInvoice adding, repricing
or moving a line item to another user) is refused with a BadRequestError naming the input
that would pass the limit, and changes nothing; `user { balances }` always reads. Allocations
cannot raise expected, so a user filled to the limit can still be paid in full. Two writers
adding to one user at once are checked one after the other (run on both stores).
"""

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from invoicegraph.store.engine import Database
from tests.conftest import MakeApi
from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    TRANSITION,
    UPDATE_INVOICE,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api, count_statements

LIMIT = 2**96
MOST = LIMIT - 1

USER_BALANCES = """
query UserBalances($externalId: String!) {
  user(user: {externalId: $externalId}) {
    balances {
      currency
      payins { expected actual remaining }
      payouts { expected actual remaining }
      net { expected actual remaining }
    }
  }
}
"""

CREATE_INVOICES = """
mutation CreateMany($input: CreateInvoicesInput!) {
  createInvoices(input: $input) {
    __typename
    ... on CreateInvoicesResult {
      createdCount refusedCount
      results { __typename ... on BadRequestError { fieldErrors { field message } } }
    }
    ... on BadRequestError { fieldErrors { field message } }
  }
}
"""


async def create(api: Api, key: str, *items: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = (await api.ok(CREATE_INVOICE, input=invoice_input(key, *items)))[
        "createInvoice"
    ]
    return result


async def balances(api: Api, user: str) -> list[dict[str, Any]]:
    """The user's balances; the read itself must succeed (the whole point of the rule)."""
    response = await api.query(USER_BALANCES, externalId=user)
    assert response.errors is None, response.errors
    user_found = response.data["user"]
    found: list[dict[str, Any]] = [] if user_found is None else user_found["balances"]
    return found


def fields_of(result: dict[str, Any]) -> list[str]:
    assert result["__typename"] == "BadRequestError", result
    return [".".join(problem["field"]) for problem in result["fieldErrors"]]


def payins_expected(found: list[dict[str, Any]], currency: str = "USD") -> int:
    return sum(int(b["payins"]["expected"]) for b in found if b["currency"] == currency)


async def test_a_second_invoice_past_the_users_total_is_refused_and_changes_nothing(
    api: Api,
) -> None:
    # given a user expecting the most an Int96 holds
    assert (await create(api, "a", line_item(amount=str(MOST), user="u")))["invoice"]
    # when a second invoice adds 1 more for that user
    refused = await create(
        api, "b", line_item(amount="5", user="other"), line_item(amount="1", user="u")
    )
    # then it is refused at the line item that passes the limit, and nothing of it is written
    assert fields_of(refused) == ["lineItems.1.price.amount"]
    assert "below 2^96" in refused["fieldErrors"][0]["message"]
    assert payins_expected(await balances(api, "u")) == MOST
    assert (await api.ok('{ invoice(invoice: {invoiceId: "b"}) { id } }'))["invoice"] is None
    # while another currency, the other type and another user each have their own room
    for item in (
        line_item(amount=str(MOST), user="u", currency="EUR"),
        line_item(amount=str(MOST), user="u", type="PAYOUT"),
        line_item(amount=str(MOST), user="other"),
    ):
        assert (
            await create(
                api, f"c-{item['currency']}-{item['type']}-{item['user']['externalId']}", item
            )
        )["invoice"]
    net = [b["net"]["expected"] for b in await balances(api, "u") if b["currency"] == "USD"]
    assert net == ["0"]


async def test_create_invoices_refuses_only_the_invoice_that_passes_the_total(api: Api) -> None:
    half = str(LIMIT // 2)
    invoices = [
        invoice_input("m0", line_item(amount=half, user="u")),
        invoice_input("m1", line_item(amount=half, user="u")),  # reaches 2^96 exactly
        invoice_input("m2", line_item(amount=str(LIMIT // 2 - 1), user="u")),
    ]
    # when written without atomic
    data = (await api.ok(CREATE_INVOICES, input={"invoices": invoices}))["createInvoices"]
    # then the second alone is refused, naming its line item under its index
    assert (data["createdCount"], data["refusedCount"]) == (2, 1)
    assert fields_of(data["results"][1]) == ["invoices.1.lineItems.0.price.amount"]
    assert payins_expected(await balances(api, "u")) == MOST
    # and atomic refuses the whole batch
    atomic = (
        await api.ok(
            CREATE_INVOICES,
            input={
                "invoices": [invoice_input("m3", line_item(amount="1", user="u"))],
                "atomic": True,
            },
        )
    )["createInvoices"]
    assert fields_of(atomic) == ["invoices.0.lineItems.0.price.amount"]


async def test_update_operations_that_raise_the_users_total_are_refused(api: Api) -> None:
    # given u full in one invoice, and a second invoice with a small line item of u and of v
    await create(api, "full", line_item(amount=str(MOST), user="u"))
    small = (
        await create(
            api, "small", line_item(amount="10", user="v"), line_item(amount="0", user="u")
        )
    )["invoice"]
    v_item, u_item = (item["id"] for item in small["lineItems"])

    async def update(*operations: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = (
            await api.ok(
                UPDATE_INVOICE,
                input={"id": small["id"], "expectedVersion": 1, "lineItems": list(operations)},
            )
        )["updateInvoice"]
        return result

    added = {"add": line_item(amount="1", user="u")}
    assert fields_of(await update(added)) == ["lineItems.0.add.price.amount"]
    repriced = {"update": {"id": u_item, "price": {"amount": "1"}}}
    assert fields_of(await update(repriced)) == ["lineItems.0.update.price.amount"]
    # moving v's line item to u (delete, then add for u) is refused too
    moved = [{"delete": {"id": v_item}}, {"add": line_item(amount="10", user="u")}]
    assert fields_of(await update(*moved)) == ["lineItems.1.add.price.amount"]
    assert payins_expected(await balances(api, "u")) == MOST
    assert payins_expected(await balances(api, "v")) == 10
    # lowering stays allowed, and moving to a user with room is accepted
    moved_to_w = [{"delete": {"id": v_item}}, {"add": line_item(amount="10", user="w")}]
    assert (await update(*moved_to_w))["__typename"] == "UpdateInvoiceResult"


async def test_a_void_invoice_leaves_room_and_a_full_user_can_be_paid_in_full(api: Api) -> None:
    first = (await create(api, "first", line_item(amount=str(MOST), user="u")))["invoice"]
    voided = await api.ok(TRANSITION, input={"id": first["id"]}, void=True)
    assert voided["void"]["invoice"]["status"] == "VOID"
    assert (await create(api, "second", line_item(amount=str(MOST), user="u")))["invoice"]
    # an allocation never raises expected: paying all of it keeps every balance readable
    paid = await api.ok(
        RECORD_TRANSACTION,
        input=transaction_input("bank-1", str(MOST), allocation("second", str(MOST), user="u")),
    )
    assert paid["recordTransaction"]["__typename"] == "RecordTransactionResult"
    [usd] = await balances(api, "u")
    assert usd["payins"] == {"expected": str(MOST), "actual": str(MOST), "remaining": "0"}


WRITERS = 6


async def test_writers_adding_to_one_user_at_once_do_not_both_pass(api: Api) -> None:
    for round_ in range(5):
        # given a user that exists, so that the writers only lock it
        await create(api, f"seed-{round_}", line_item(amount="0", user=f"u{round_}"))
        # when invoices of 2^95 + 1 each are created for it at the same moment
        results = await asyncio.gather(
            *(
                create(
                    api,
                    f"race-{round_}-{n}",
                    line_item(amount=str(LIMIT // 2 + 1), user=f"u{round_}"),
                )
                for n in range(WRITERS)
            )
        )
        # then exactly one is written and the others name the amount
        kinds = sorted(result["__typename"] for result in results)
        assert kinds == ["BadRequestError"] * (WRITERS - 1) + ["CreateInvoiceResult"], results
        assert payins_expected(await balances(api, f"u{round_}")) == LIMIT // 2 + 1


# ---------------------------------------------------------------- property


AMOUNTS = st.one_of(
    st.integers(0, 1000),
    st.integers(LIMIT // 4, MOST),
    st.integers(MOST - 1000, MOST),
)
STEP = st.tuples(st.sampled_from(("u1", "u2")), st.lists(AMOUNTS, min_size=1, max_size=3))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=6))
async def test_any_sequence_of_invoices_is_accepted_exactly_while_totals_stay_int96(
    make_api: MakeApi, steps: list[tuple[str, list[int]]]
) -> None:
    api = await make_api("User totals")
    model: dict[str, int] = {"u1": 0, "u2": 0}
    for number, (user, amounts) in enumerate(steps):
        note(f"step {number}: {user} {amounts}")
        result = await create(
            api, f"p-{number}", *(line_item(amount=str(amount), user=user) for amount in amounts)
        )
        within_invoice = sum(amounts) < LIMIT
        fits = model[user] + sum(amounts) < LIMIT
        if result["__typename"] == "CreateInvoiceResult":
            assert fits
            model[user] += sum(amounts)
        else:
            assert not fits, result
            if within_invoice:  # refused for the user's total, at the line item that passed it
                running, crossing = model[user], None
                for index, amount in enumerate(amounts):
                    running += amount
                    if running >= LIMIT:
                        crossing = index
                        break
                assert fields_of(result) == [f"lineItems.{crossing}.price.amount"]
        for name, total in model.items():
            assert payins_expected(await balances(api, name)) == total


async def test_the_check_costs_the_same_statements_for_any_number_of_invoices_and_users(
    api: Api, app_db: Database
) -> None:
    async def statements(prefix: str, count: int) -> int:
        invoices = [
            invoice_input(f"{prefix}-{n}", line_item(amount=str(MOST), user=f"{prefix}-u{n}"))
            for n in range(count)
        ]
        with count_statements(app_db) as seen:
            data = await api.ok(CREATE_INVOICES, input={"invoices": invoices})
        assert data["createInvoices"]["createdCount"] == count
        return seen.count

    await statements("warm", 1)  # the client's standing is read once (then kept on PostgreSQL)
    assert await statements("few", 2) == await statements("many", 40)
