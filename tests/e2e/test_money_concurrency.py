"""Money under concurrency against the real server and a real SQLite file.

The invariant 0 <= actual <= expected per (invoice, user, currency, type) must hold however
recordTransaction, updateAllocations and line-item decreases interleave: allocations racing for
what remains are checked one after the other, a refused transaction leaves nothing behind, the
PAID rule fires once, and concurrent repeats of one externalId record one transaction.
"""

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
from tests.operations import (
    CREATE_INVOICE,
    HISTORY,
    INVOICE_BY_KEY,
    RECORD_TRANSACTION,
    UPDATE_ALLOCATIONS,
    UPDATE_INVOICE,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)

pytestmark = pytest.mark.e2e


CONCURRENCY = 25
USER = "u1"
ALLOCATION_AMOUNT_PATH = ["allocations", "0", "amount"]
ADDED_ALLOCATION_AMOUNT_PATH = ["allocations", "0", "add", "amount"]
LINE_ITEM_PRICE_PATH = ["lineItems", "0", "update", "price", "amount"]
RACE_ROUNDS = 10

TRANSACTION_BY_EXTERNAL_ID = """
query Transaction($externalId: String!) {
  transaction(transaction: {externalId: $externalId}) {
    id externalId amount version unallocatedAmount
    allocations { id amount type invoice { invoiceId } user { externalId } }
  }
}
"""

PAYMENTS = """
query Payments($invoiceId: String!) {
  invoice(invoice: {invoiceId: $invoiceId}) {
    payments { id amount type user { externalId } transaction { id externalId } }
  }
}
"""

TRANSACTIONS_BY_EXTERNAL_ID = """
query Transactions($externalId: String!) {
  transactions(first: 200, filter: {externalId: {equalTo: $externalId}}) {
    totalCount
    nodes { id externalId }
  }
}
"""


# --- HTTP -----------------------------------------------------------------------------------------


def sender(
    http: httpx.AsyncClient, token: str, document: str, variables: dict[str, Any]
) -> Callable[[], Awaitable[httpx.Response]]:
    """A worker for `released_together` that posts one request."""
    return lambda: post(http, token, document, variables)


def results_of(responses: list[httpx.Response], field: str) -> list[dict[str, Any]]:
    """The mutation payloads; no request may fail at the HTTP or GraphQL level."""
    statuses = [response.status_code for response in responses]
    assert statuses == [200] * len(responses), [r.text for r in responses if r.status_code != 200]
    results: list[dict[str, Any]] = [data_of(response)[field] for response in responses]
    return results


# --- the API --------------------------------------------------------------------------------------


async def create_invoice(
    http: httpx.AsyncClient, token: str, invoice_id: str, amount: str = "1000"
) -> dict[str, Any]:
    """An OPEN invoice with one PAYIN line item of `amount` for USER."""
    data = await query(
        http,
        token,
        CREATE_INVOICE,
        input=invoice_input(invoice_id, line_item(amount=amount, user=USER)),
    )
    result: dict[str, Any] = data["createInvoice"]
    assert result["__typename"] == "CreateInvoiceResult", result
    invoice: dict[str, Any] = result["invoice"]
    assert (invoice["status"], invoice["version"]) == ("OPEN", 1)
    return invoice


def payment(external_id: str, invoice_id: str, amount: str) -> dict[str, Any]:
    """A transaction receiving `amount` and allocating all of it as a PAYIN of USER."""
    return transaction_input(external_id, amount, allocation(invoice_id, amount, user=USER))


async def record(http: httpx.AsyncClient, token: str, input: dict[str, Any]) -> dict[str, Any]:
    """Record a transaction that must be accepted."""
    data = await query(http, token, RECORD_TRANSACTION, input=input)
    result: dict[str, Any] = data["recordTransaction"]
    assert result["__typename"] == "RecordTransactionResult", result
    assert result["isIkReplay"] is False
    return result


async def fetch_invoice(http: httpx.AsyncClient, token: str, invoice_id: str) -> dict[str, Any]:
    invoice: dict[str, Any] = (await query(http, token, INVOICE_BY_KEY, invoiceId=invoice_id))[
        "invoice"
    ]
    assert invoice is not None
    return invoice


async def fetch_transaction(
    http: httpx.AsyncClient, token: str, external_id: str
) -> dict[str, Any] | None:
    data = await query(http, token, TRANSACTION_BY_EXTERNAL_ID, externalId=external_id)
    transaction: dict[str, Any] | None = data["transaction"]
    return transaction


async def fetch_payments(
    http: httpx.AsyncClient, token: str, invoice_id: str
) -> list[dict[str, Any]]:
    payments: list[dict[str, Any]] = (await query(http, token, PAYMENTS, invoiceId=invoice_id))[
        "invoice"
    ]["payments"]
    return payments


def usd_payins(balances: list[dict[str, Any]]) -> dict[str, str]:
    [usd] = [balance for balance in balances if balance["currency"] == "USD"]
    payins: dict[str, str] = usd["payins"]
    return payins


def user_payins(invoice: dict[str, Any], external_id: str = USER) -> dict[str, str]:
    [entry] = [entry for entry in invoice["users"] if entry["user"]["externalId"] == external_id]
    return usd_payins(entry["balances"])


def assert_invariant(invoice: dict[str, Any]) -> None:
    """0 <= actual <= expected for every balance of the invoice and of each of its users."""
    every = [invoice["balances"], *(entry["balances"] for entry in invoice["users"])]
    for balances in every:
        for balance in balances:
            for flow in ("payins", "payouts"):
                money = balance[flow]
                expected, actual = int(money["expected"]), int(money["actual"])
                assert 0 <= actual <= expected, (invoice["invoiceId"], balance)
                assert int(money["remaining"]) == expected - actual, (invoice["invoiceId"], balance)


def assert_refused(result: dict[str, Any], path: list[str]) -> None:
    """A BadRequestError that names `path`."""
    assert result["__typename"] == "BadRequestError", result
    assert result["code"] == "BAD_REQUEST", result
    assert result["retryable"] is False, result
    assert path in [error["field"] for error in result["fieldErrors"]], result


# --- 1. many allocations racing for one invoice -------------------------------------------------


async def test_concurrent_payments_beyond_the_invoice_settle_it_exactly_once(
    deployed: Deployment, token: str
) -> None:
    async with concurrent_client(deployed, CONCURRENCY) as http:
        # given an invoice expecting 1000 from u1
        invoice = await create_invoice(http, token, "race-to-paid")
        # when 25 transactions of 100, each allocating all of it to the invoice, go at once
        external_ids = [f"race-to-paid-{n:02d}" for n in range(CONCURRENCY)]
        responses = await released_together(
            [
                sender(
                    http,
                    token,
                    RECORD_TRANSACTION,
                    {"input": payment(external_id, "race-to-paid", "100")},
                )
                for external_id in external_ids
            ]
        )
        results = results_of(responses, "recordTransaction")

        # then exactly 10 were recorded and 15 refused, naming the allocation's amount
        assert Counter(result["__typename"] for result in results) == {
            "RecordTransactionResult": 10,
            "BadRequestError": 15,
        }, results
        accepted = {
            external_id
            for external_id, result in zip(external_ids, results, strict=True)
            if result["__typename"] == "RecordTransactionResult"
        }
        for external_id, result in zip(external_ids, results, strict=True):
            if external_id in accepted:
                assert result["isIkReplay"] is False
                transaction = result["transaction"]
                assert transaction["externalId"] == external_id
                assert (transaction["version"], transaction["unallocatedAmount"]) == (1, "0")
                [paid] = transaction["allocations"]
                assert (paid["amount"], paid["type"]) == ("100", "PAYIN")
                assert paid["invoice"]["invoiceId"] == "race-to-paid"
            else:
                assert_refused(result, ALLOCATION_AMOUNT_PATH)

        # and the invoice holds exactly 1000, nothing remains, and it is PAID at version 2
        stored = await fetch_invoice(http, token, "race-to-paid")
        assert_invariant(stored)
        assert usd_payins(stored["balances"]) == {
            "expected": "1000",
            "actual": "1000",
            "remaining": "0",
        }
        assert user_payins(stored) == {"expected": "1000", "actual": "1000", "remaining": "0"}
        assert (stored["status"], stored["version"]) == ("PAID", 2)

        # and one new version made it PAID, with a StatusChanged OPEN -> PAID and nothing else
        versions = (await query(http, token, HISTORY, id=invoice["id"], first=200))["invoice"]
        assert versions["history"]["totalCount"] == 2
        newest, first = versions["history"]["nodes"]
        assert (newest["version"], newest["status"]) == (2, "PAID")
        assert newest["changes"] == [{"__typename": "StatusChanged", "from": "OPEN", "to": "PAID"}]
        assert (first["version"], first["status"]) == (1, "OPEN")
        assert newest["lineItems"] == first["lineItems"]

        # and the invoice's payments are exactly those of the 10 recorded transactions
        payments = await fetch_payments(http, token, "race-to-paid")
        assert sorted(p["transaction"]["externalId"] for p in payments) == sorted(accepted)
        assert {(p["amount"], p["type"], p["user"]["externalId"]) for p in payments} == {
            ("100", "PAYIN", USER)
        }

        # and every refused transaction left nothing behind; every recorded one is whole
        for external_id in external_ids:
            transaction = await fetch_transaction(http, token, external_id)
            if external_id in accepted:
                assert transaction is not None, external_id
                assert [a["amount"] for a in transaction["allocations"]] == ["100"]
            else:
                assert transaction is None, transaction
    assert_clean_log(deployed.server)


# --- 2. two allocations racing for the last 100 -------------------------------------------------


async def test_two_transactions_racing_for_the_last_100_let_exactly_one_through(
    deployed: Deployment, token: str
) -> None:
    async with concurrent_client(deployed, CONCURRENCY) as http:
        for round_ in range(RACE_ROUNDS // 2):
            # given an invoice of 1000 with 900 already allocated
            invoice_id = f"last-hundred-{round_}"
            await create_invoice(http, token, invoice_id)
            await record(http, token, payment(f"{invoice_id}-first", invoice_id, "900"))

            # when two transactions each allocating 100 go at once
            contenders = [f"{invoice_id}-a", f"{invoice_id}-b"]
            responses = await released_together(
                [
                    sender(
                        http,
                        token,
                        RECORD_TRANSACTION,
                        {"input": payment(external_id, invoice_id, "100")},
                    )
                    for external_id in contenders
                ]
            )
            results = results_of(responses, "recordTransaction")

            # then exactly one got through and the other was refused on its amount
            assert sorted(result["__typename"] for result in results) == [
                "BadRequestError",
                "RecordTransactionResult",
            ], results
            [winner] = [
                external_id
                for external_id, result in zip(contenders, results, strict=True)
                if result["__typename"] == "RecordTransactionResult"
            ]
            [loser] = [external_id for external_id in contenders if external_id != winner]
            assert_refused(results[contenders.index(loser)], ALLOCATION_AMOUNT_PATH)

            # and the invoice is settled, the loser was never written
            stored = await fetch_invoice(http, token, invoice_id)
            assert_invariant(stored)
            assert usd_payins(stored["balances"])["actual"] == "1000"
            assert (stored["status"], stored["version"]) == ("PAID", 2)
            assert await fetch_transaction(http, token, loser) is None
            payments = await fetch_payments(http, token, invoice_id)
            assert sorted(p["transaction"]["externalId"] for p in payments) == sorted(
                [f"{invoice_id}-first", winner]
            )
    assert_clean_log(deployed.server)


async def test_two_allocation_updates_racing_for_the_last_100_let_exactly_one_through(
    deployed: Deployment, token: str
) -> None:
    async with concurrent_client(deployed, CONCURRENCY) as http:
        for round_ in range(RACE_ROUNDS // 2):
            # given an invoice of 1000 with 900 allocated, and two unallocated receipts of 100
            invoice_id = f"last-hundred-update-{round_}"
            await create_invoice(http, token, invoice_id)
            await record(http, token, payment(f"{invoice_id}-first", invoice_id, "900"))
            contenders = [f"{invoice_id}-a", f"{invoice_id}-b"]
            for external_id in contenders:
                await record(http, token, transaction_input(external_id, "100"))

            # when both add an allocation of 100 to the invoice at once
            responses = await released_together(
                [
                    sender(
                        http,
                        token,
                        UPDATE_ALLOCATIONS,
                        {
                            "input": {
                                "transaction": {"externalId": external_id},
                                "expectedVersion": 1,
                                "allocations": [{"add": allocation(invoice_id, "100", user=USER)}],
                            }
                        },
                    )
                    for external_id in contenders
                ]
            )
            results = results_of(responses, "updateAllocations")

            # then exactly one got through and the other was refused on its amount
            assert sorted(result["__typename"] for result in results) == [
                "BadRequestError",
                "UpdateAllocationsResult",
            ], results
            [winner] = [
                external_id
                for external_id, result in zip(contenders, results, strict=True)
                if result["__typename"] == "UpdateAllocationsResult"
            ]
            [loser] = [external_id for external_id in contenders if external_id != winner]
            assert_refused(results[contenders.index(loser)], ADDED_ALLOCATION_AMOUNT_PATH)

            # and the winner moved to version 2; the loser is untouched at version 1
            won = await fetch_transaction(http, token, winner)
            lost = await fetch_transaction(http, token, loser)
            assert won is not None
            assert lost is not None
            assert (won["version"], won["unallocatedAmount"], len(won["allocations"])) == (
                2,
                "0",
                1,
            )
            assert (lost["version"], lost["unallocatedAmount"], lost["allocations"]) == (
                1,
                "100",
                [],
            )
            stored = await fetch_invoice(http, token, invoice_id)
            assert_invariant(stored)
            assert usd_payins(stored["balances"])["actual"] == "1000"
            assert (stored["status"], stored["version"]) == ("PAID", 2)
    assert_clean_log(deployed.server)


# --- 3. an allocation racing a line-item decrease -----------------------------------------------


@pytest.mark.parametrize(
    ("new_price", "both_can_win"),
    [
        # 500 is below the 600 already paid: the decrease is refused in either order
        pytest.param("500", False, id="below-paid"),
        # 600 leaves room for the decrease or the allocation, not both; 600 = paid makes it PAID
        pytest.param("600", True, id="down-to-paid"),
        # 800 leaves room for the decrease or the allocation, not both
        pytest.param("800", True, id="above-paid"),
    ],
)
async def test_an_allocation_racing_a_line_item_decrease_keeps_the_invariant(
    deployed: Deployment, token: str, new_price: str, both_can_win: bool
) -> None:
    outcomes: Counter[str] = Counter()
    async with concurrent_client(deployed, CONCURRENCY) as http:
        for round_ in range(RACE_ROUNDS):
            # given an invoice with one line item of 1000 and 600 of it allocated
            invoice_id = f"decrease-{new_price}-{round_}"
            invoice = await create_invoice(http, token, invoice_id)
            [item] = invoice["lineItems"]
            await record(http, token, payment(f"{invoice_id}-first", invoice_id, "600"))

            # when the line item is lowered and another 300 is allocated, at once
            decrease = {
                "input": {
                    "id": invoice["id"],
                    "expectedVersion": 1,
                    "lineItems": [{"update": {"id": item["id"], "price": {"amount": new_price}}}],
                }
            }
            late = f"{invoice_id}-late"
            update_response, record_response = await released_together(
                [
                    sender(http, token, UPDATE_INVOICE, decrease),
                    sender(
                        http, token, RECORD_TRANSACTION, {"input": payment(late, invoice_id, "300")}
                    ),
                ]
            )
            updated = results_of([update_response], "updateInvoice")[0]
            recorded = results_of([record_response], "recordTransaction")[0]

            # then at least one of them was refused, naming the field at fault
            update_won = updated["__typename"] == "UpdateInvoiceResult"
            record_won = recorded["__typename"] == "RecordTransactionResult"
            assert not (update_won and record_won), (updated, recorded)
            if not update_won:
                assert_refused(updated, LINE_ITEM_PRICE_PATH)
            if not record_won:
                assert_refused(recorded, ALLOCATION_AMOUNT_PATH)
            if both_can_win:
                assert update_won != record_won, (updated, recorded)
            else:
                assert not update_won, updated
            outcomes["update" if update_won else "record" if record_won else "neither"] += 1

            # and whatever the order, the invariant holds and the state is the winner's
            stored = await fetch_invoice(http, token, invoice_id)
            assert_invariant(stored)
            payins = usd_payins(stored["balances"])
            assert payins == user_payins(stored)
            late_transaction = await fetch_transaction(http, token, late)
            if update_won:
                assert (payins["expected"], payins["actual"]) == (new_price, "600")
                settled = new_price == "600"
                assert (stored["status"], stored["version"]) == (
                    "PAID" if settled else "OPEN",
                    2,
                )
                assert late_transaction is None, late_transaction
            else:
                assert (payins["expected"], stored["lineItems"][0]["price"]["amount"]) == (
                    "1000",
                    "1000",
                )
                assert (stored["status"], stored["version"]) == ("OPEN", 1)
            if record_won:
                assert payins["actual"] == "900"
                assert late_transaction is not None
            elif not update_won:
                assert payins["actual"] == "600"
                assert late_transaction is None, late_transaction
    assert sum(outcomes.values()) == RACE_ROUNDS, outcomes
    assert_clean_log(deployed.server)


# --- 4. concurrent repeats of one transaction ---------------------------------------------------


async def test_concurrent_repeats_of_one_transaction_record_it_once(
    deployed: Deployment, token: str
) -> None:
    repeats = 20
    async with concurrent_client(deployed, CONCURRENCY) as http:
        # given an invoice of 1000
        await create_invoice(http, token, "repeated-payment")
        same = payment("repeated-txn", "repeated-payment", "100")

        # when one recordTransaction is sent 20 times at once
        responses = await released_together(
            [sender(http, token, RECORD_TRANSACTION, {"input": same})] * repeats
        )
        results = results_of(responses, "recordTransaction")

        # then one created the transaction and the others replayed it
        assert Counter(result["__typename"] for result in results) == {
            "RecordTransactionResult": repeats
        }, results
        assert Counter(result["isIkReplay"] for result in results) == {
            False: 1,
            True: repeats - 1,
        }
        assert len({result["transaction"]["id"] for result in results}) == 1
        assert len({result["transaction"]["allocations"][0]["id"] for result in results}) == 1
        assert {
            (result["transaction"]["version"], result["transaction"]["unallocatedAmount"])
            for result in results
        } == {(1, "0")}

        # and exactly one transaction and one payment exist
        [transaction_id] = {result["transaction"]["id"] for result in results}
        listed = (await query(http, token, TRANSACTIONS_BY_EXTERNAL_ID, externalId="repeated-txn"))[
            "transactions"
        ]
        assert listed["totalCount"] == 1
        assert [node["id"] for node in listed["nodes"]] == [transaction_id]
        payments = await fetch_payments(http, token, "repeated-payment")
        assert [(p["amount"], p["transaction"]["id"]) for p in payments] == [
            ("100", transaction_id)
        ]
        stored = await fetch_invoice(http, token, "repeated-payment")
        assert_invariant(stored)
        assert usd_payins(stored["balances"]) == {
            "expected": "1000",
            "actual": "100",
            "remaining": "900",
        }
        assert (stored["status"], stored["version"]) == ("OPEN", 1)
    assert_clean_log(deployed.server)


# --- 6. invoices and updates racing to fill one user's total (issue 23) -------------------------

USER_TOTALS = """
query UserTotals($externalId: String!) {
  user(user: {externalId: $externalId}) { balances { currency payins { expected } } }
}
"""


async def test_concurrent_writers_never_push_a_users_total_past_int96(
    deployed: Deployment, token: str
) -> None:
    half = 2**95 + 1  # two of these pass 2^96
    async with concurrent_client(deployed, CONCURRENCY) as http:
        # given the whale exists (a new user's row would make its writers wait for each other
        # anyway), and an invoice of another user, which an update adds the whale's item to
        other = await query(
            http,
            token,
            CREATE_INVOICE,
            input=invoice_input(
                "whale-host",
                line_item(amount="1", user="minnow"),
                line_item(amount="0", user="whale"),
            ),
        )
        host = other["createInvoice"]["invoice"]
        # when new invoices and an update each add 2^95 + 1 for the whale at once
        creates = [
            sender(
                http,
                token,
                CREATE_INVOICE,
                {"input": invoice_input(f"whale-{n}", line_item(amount=str(half), user="whale"))},
            )
            for n in range(CONCURRENCY - 1)
        ]
        update = sender(
            http,
            token,
            UPDATE_INVOICE,
            {
                "input": {
                    "id": host["id"],
                    "expectedVersion": 1,
                    "lineItems": [{"add": line_item(amount=str(half), user="whale")}],
                }
            },
        )
        responses = await released_together([*creates, update])
        results = results_of(responses[:-1], "createInvoice") + results_of(
            responses[-1:], "updateInvoice"
        )
        # then exactly one writer succeeds; every other names the amount it would have added
        succeeded = [r for r in results if r["__typename"] != "BadRequestError"]
        assert len(succeeded) == 1, Counter(r["__typename"] for r in results)
        for result in results:
            if result["__typename"] == "BadRequestError":
                fields = [".".join(error["field"]) for error in result["fieldErrors"]]
                assert fields in (["lineItems.0.price.amount"], ["lineItems.0.add.price.amount"])
        # and the whale's balances read, at exactly one addition
        data = await query(http, token, USER_TOTALS, externalId="whale")
        assert data["user"]["balances"] == [{"currency": "USD", "payins": {"expected": str(half)}}]
    assert_clean_log(deployed.server)
