"""Money in and out: transactions, allocations, balances and the status lifecycle."""

from typing import Any

import pytest

from invoicegraph.store.engine import Database
from tests.operations import (
    CREATE_INVOICE,
    HISTORY,
    INVOICE_BY_KEY,
    RECORD_TRANSACTION,
    TRANSITION,
    UPDATE_ALLOCATIONS,
    UPDATE_INVOICE,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api, count_statements


async def create(api: Api, key: str, *items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = await api.ok(CREATE_INVOICE, input=invoice_input(key, *items, **extra))
    invoice: dict[str, Any] = data["createInvoice"]["invoice"]
    return invoice


async def record(
    api: Api, external_id: str, amount: str, *allocations: dict[str, Any], **extra: Any
) -> Any:
    data = await api.ok(
        RECORD_TRANSACTION, input=transaction_input(external_id, amount, *allocations, **extra)
    )
    return data["recordTransaction"]


async def fetch(api: Api, key: str) -> dict[str, Any]:
    invoice: dict[str, Any] = (await api.ok(INVOICE_BY_KEY, invoiceId=key))["invoice"]
    return invoice


async def transition(api: Api, action: str, invoice_id: str, **extra: Any) -> Any:
    data = await api.ok(TRANSITION, input={"id": invoice_id, **extra}, **{action: True})
    return data[action]


async def allocate(api: Api, external_id: str, version: int, *operations: dict[str, Any]) -> Any:
    data = await api.ok(
        UPDATE_ALLOCATIONS,
        input={
            "transaction": {"externalId": external_id},
            "expectedVersion": version,
            "allocations": list(operations),
        },
    )
    return data["updateAllocations"]


PAYMENTS = """
query P($key: String!) {
  invoice(invoice: {invoiceId: $key}) {
    payments { id type amount currency user { externalId } transaction { externalId } }
  }
}
"""


async def test_the_seed_retrieve_example_is_reproduced(api: Api) -> None:
    # given an invoice expecting 10000 from user_ext_789
    await create(api, "inv_seed", line_item(amount="10000", user="user_ext_789"))
    # when a received transaction pays half of it
    recorded = await record(
        api, "bank_txn_1", "5000", allocation("inv_seed", "5000", user="user_ext_789")
    )
    # then
    assert recorded["__typename"] == "RecordTransactionResult"
    assert recorded["transaction"]["unallocatedAmount"] == "0"
    invoice = await fetch(api, "inv_seed")
    half = {"expected": "10000", "actual": "5000", "remaining": "5000"}
    assert invoice["balances"][0]["payins"] == half
    assert invoice["users"] == [
        {
            "user": {"externalId": "user_ext_789"},
            "balances": [invoice["balances"][0]],
        }
    ]
    assert invoice["status"] == "OPEN"
    assert invoice["version"] == 1
    payments = (await api.ok(PAYMENTS, key="inv_seed"))["invoice"]["payments"]
    assert [
        (
            p["type"],
            p["amount"],
            p["currency"],
            p["user"]["externalId"],
            p["transaction"]["externalId"],
        )
        for p in payments
    ] == [("PAYIN", "5000", "USD", "user_ext_789", "bank_txn_1")]


@pytest.mark.parametrize(
    ("amount", "allocations", "paths"),
    [
        ("-100", [allocation("i", "50")], {"allocations/0/type"}),
        ("100", [allocation("i", "50", type="PAYOUT")], {"allocations/0/type"}),
        ("100", [allocation("i", "60"), allocation("i", "50")], {"allocations"}),
        ("100", [allocation("i", "0")], {"allocations/0/amount"}),
        ("0", [allocation("i", "1")], {"allocations/0/type", "allocations"}),
    ],
)
async def test_allocation_rules_are_bad_requests(
    api: Api, amount: str, allocations: list[dict[str, Any]], paths: set[str]
) -> None:
    await create(api, "i", line_item(amount="1000"), line_item(amount="1000", type="PAYOUT"))
    result = await record(api, "t", amount, *allocations)
    assert result["__typename"] == "BadRequestError"
    assert {"/".join(e["field"]) for e in result["fieldErrors"]} == paths
    assert (await api.ok('{ transaction(transaction: {externalId: "t"}) { id } }')) == {
        "transaction": None
    }


async def test_over_allocation_names_the_allocation_and_writes_nothing(api: Api) -> None:
    await create(api, "i", line_item(amount="1000", user="a"), line_item(amount="50", user="b"))
    result = await record(
        api, "t", "2000", allocation("i", "900", user="a"), allocation("i", "100", user="b")
    )
    assert result["__typename"] == "BadRequestError"
    assert [e["field"] for e in result["fieldErrors"]] == [["allocations", "1", "amount"]]
    assert (await api.ok('{ transaction(transaction: {externalId: "t"}) { id } }'))[
        "transaction"
    ] is None
    assert (await fetch(api, "i"))["balances"][0]["payins"]["actual"] == "0"


async def test_allocations_must_match_currency_user_and_type(api: Api) -> None:
    await create(api, "i", line_item(amount="1000", user="a", currency="EUR"))
    usd = await record(api, "t1", "100", allocation("i", "100", user="a"))
    other_user = await record(
        api, "t2", "100", {**allocation("i", "100", user="b")}, currency="EUR"
    )
    assert usd["__typename"] == other_user["__typename"] == "BadRequestError"
    ok = await record(api, "t3", "100", allocation("i", "100", user="a"), currency="EUR")
    assert ok["__typename"] == "RecordTransactionResult"


async def test_unknown_draft_and_void_invoices_refuse_allocations(api: Api, other_api: Api) -> None:
    await create(api, "draft", line_item(), draft=True)
    voided = await create(api, "voided", line_item())
    await transition(api, "void", voided["id"])
    await create(other_api, "theirs", line_item())
    assert (await record(api, "t1", "10", allocation("missing", "10")))[
        "__typename"
    ] == "NotFoundError"
    assert (await record(api, "t2", "10", allocation("theirs", "10")))[
        "__typename"
    ] == "NotFoundError"
    draft = await record(api, "t3", "10", allocation("draft", "10"))
    assert (draft["__typename"], draft["status"]) == ("InvalidStateError", "DRAFT")
    void = await record(api, "t4", "10", allocation("voided", "10"))
    assert (void["__typename"], void["status"]) == ("InvalidStateError", "VOID")


async def test_record_transaction_is_idempotent_on_external_id(api: Api) -> None:
    await create(api, "i", line_item(amount="1000"))
    first = await record(
        api, "t", "300", allocation("i", "300"), tags=[{"key": "bank", "value": "x"}]
    )
    again = await record(
        api, "t", "300", allocation("i", "300"), tags=[{"key": "bank", "value": "x"}]
    )
    assert (first["isIkReplay"], again["isIkReplay"]) == (False, True)
    assert again["transaction"] == first["transaction"]
    conflict = await record(api, "t", "301", allocation("i", "300"))
    assert conflict["__typename"] == "IkConflictError"
    assert (await fetch(api, "i"))["balances"][0]["payins"]["actual"] == "300"


async def test_settling_makes_paid_and_unsettling_reopens_each_as_a_new_version(api: Api) -> None:
    invoice = await create(api, "i", line_item(amount="1000"))
    await record(api, "t1", "400", allocation("i", "400"))
    assert ((await fetch(api, "i"))["status"], (await fetch(api, "i"))["version"]) == ("OPEN", 1)
    second = await record(api, "t2", "600", allocation("i", "600"))
    paid = await fetch(api, "i")
    assert (paid["status"], paid["version"]) == ("PAID", 2)
    assert paid["created"] == invoice["created"]
    payment_id = second["transaction"]["allocations"][0]["id"]
    reduced = await allocate(api, "t2", 1, {"update": {"id": payment_id, "amount": "500"}})
    assert reduced["transaction"]["version"] == 2
    assert reduced["transaction"]["unallocatedAmount"] == "100"
    reopened = await fetch(api, "i")
    assert (reopened["status"], reopened["version"]) == ("OPEN", 3)
    versions = (await api.ok(HISTORY, id=invoice["id"]))["invoice"]["history"]["nodes"]
    assert [v["changes"] for v in versions[:2]] == [
        [{"__typename": "StatusChanged", "from": "PAID", "to": "OPEN"}],
        [{"__typename": "StatusChanged", "from": "OPEN", "to": "PAID"}],
    ]


async def test_line_item_edits_cannot_go_below_what_is_paid(api: Api) -> None:
    invoice = await create(api, "i", line_item(amount="1000"), line_item(amount="200", user="b"))
    await record(api, "t", "800", allocation("i", "800"))
    item = invoice["lineItems"][0]["id"]
    lower = await api.ok(
        UPDATE_INVOICE,
        input={
            "id": invoice["id"],
            "expectedVersion": 1,
            "lineItems": [{"update": {"id": item, "price": {"amount": "799"}}}],
        },
    )
    assert lower["updateInvoice"]["__typename"] == "BadRequestError"
    assert lower["updateInvoice"]["fieldErrors"][0]["field"] == [
        "lineItems",
        "0",
        "update",
        "price",
        "amount",
    ]
    delete = await api.ok(
        UPDATE_INVOICE,
        input={"id": invoice["id"], "expectedVersion": 1, "lineItems": [{"delete": {"id": item}}]},
    )
    assert delete["updateInvoice"]["fieldErrors"][0]["field"] == ["lineItems", "0", "delete"]
    exact = await api.ok(
        UPDATE_INVOICE,
        input={
            "id": invoice["id"],
            "expectedVersion": 1,
            "lineItems": [
                {"update": {"id": item, "price": {"amount": "800"}}},
                {"delete": {"id": invoice["lineItems"][1]["id"]}},
            ],
        },
    )
    settled = exact["updateInvoice"]["invoice"]
    assert (settled["status"], settled["version"]) == ("PAID", 2)
    [newest, *_] = (await api.ok(HISTORY, id=invoice["id"]))["invoice"]["history"]["nodes"]
    assert [c["__typename"] for c in newest["changes"]] == [
        "LineItemUpdated",
        "LineItemDeleted",
        "StatusChanged",
    ]
    grown = await api.ok(
        UPDATE_INVOICE,
        input={
            "id": invoice["id"],
            "expectedVersion": 2,
            "lineItems": [{"add": line_item(amount="5")}],
        },
    )
    assert grown["updateInvoice"]["invoice"]["status"] == "OPEN"


@pytest.mark.parametrize(
    ("start", "action", "outcome"),
    [
        ("DRAFT", "finalize", "OPEN"),
        ("DRAFT", "void", "DRAFT!"),
        ("DRAFT", "uncollectible", "DRAFT!"),
        ("OPEN", "finalize", "OPEN!"),
        ("OPEN", "void", "VOID"),
        ("OPEN", "uncollectible", "UNCOLLECTIBLE"),
        ("UNCOLLECTIBLE", "void", "VOID"),
        ("UNCOLLECTIBLE", "uncollectible", "UNCOLLECTIBLE!"),
        ("UNCOLLECTIBLE", "finalize", "UNCOLLECTIBLE!"),
        ("VOID", "void", "VOID!"),
        ("VOID", "finalize", "VOID!"),
        ("PAID", "void", "PAID!"),
        ("PAID", "uncollectible", "PAID!"),
    ],
)
async def test_the_status_table(api: Api, start: str, action: str, outcome: str) -> None:
    invoice = await create(api, "i", line_item(amount="100"), draft=start == "DRAFT")
    if start == "UNCOLLECTIBLE":
        await transition(api, "uncollectible", invoice["id"])
    if start == "VOID":
        await transition(api, "void", invoice["id"])
    if start == "PAID":
        await record(api, "t", "100", allocation("i", "100"))
    before = await fetch(api, "i")
    assert before["status"] == start
    result = await transition(api, action, invoice["id"])
    after = await fetch(api, "i")
    if outcome.endswith("!"):
        assert (result["__typename"], result["status"]) == ("InvalidStateError", start)
        assert after == before
    else:
        assert result["invoice"] == {"status": outcome, "version": before["version"] + 1}
        assert after["status"] == outcome


async def test_transitions_check_the_expected_version_when_given(api: Api) -> None:
    invoice = await create(api, "i", line_item(), draft=True)
    stale = await transition(api, "finalize", invoice["id"], expectedVersion=2)
    assert (stale["__typename"], stale["currentVersion"]) == ("VersionConflictError", 1)
    assert (await transition(api, "finalize", "inv_missing"))["__typename"] == "NotFoundError"
    done = await transition(api, "finalize", invoice["id"], expectedVersion=1)
    assert done["invoice"] == {"status": "OPEN", "version": 2}


async def test_closed_invoices_keep_their_line_items_but_not_their_tags(api: Api) -> None:
    invoice = await create(api, "i", line_item())
    await transition(api, "uncollectible", invoice["id"])
    edit = await api.ok(
        UPDATE_INVOICE,
        input={"id": invoice["id"], "expectedVersion": 2, "lineItems": [{"add": line_item()}]},
    )
    assert edit["updateInvoice"]["__typename"] == "InvalidStateError"
    tags = await api.ok(
        UPDATE_INVOICE,
        input={
            "id": invoice["id"],
            "expectedVersion": 2,
            "tags": {"set": [{"key": "k", "value": "v"}]},
        },
    )
    assert tags["updateInvoice"]["invoice"]["tags"] == [{"key": "k", "value": "v"}]


async def test_an_uncollectible_invoice_paid_in_full_becomes_paid(api: Api) -> None:
    invoice = await create(api, "i", line_item(amount="100"))
    await transition(api, "uncollectible", invoice["id"])
    await record(api, "t", "100", allocation("i", "100"))
    assert (await fetch(api, "i"))["status"] == "PAID"


async def test_update_allocations_adds_changes_and_deletes_under_a_version(api: Api) -> None:
    await create(api, "a", line_item(amount="500"))
    await create(api, "b", line_item(amount="500"))
    first = await record(api, "t", "600", allocation("a", "100"), allocation("b", "200"))
    [to_a, to_b] = first["transaction"]["allocations"]
    stale = await allocate(api, "t", 2, {"delete": {"id": to_a["id"]}})
    assert (stale["__typename"], stale["expectedVersion"], stale["currentVersion"]) == (
        "VersionConflictError",
        2,
        1,
    )
    unknown = await allocate(api, "t", 1, {"delete": {"id": "pay_nope"}})
    assert unknown["__typename"] == "NotFoundError"
    too_much = await allocate(api, "t", 1, {"add": allocation("a", "301")})
    assert too_much["fieldErrors"] == [
        {
            "field": ["allocations"],
            "message": "allocations sum to 601, more than the transaction's 600",
        }
    ]
    changed = await allocate(
        api,
        "t",
        1,
        {"delete": {"id": to_a["id"]}},
        {"update": {"id": to_b["id"], "amount": "250"}},
        {"add": allocation("a", "350")},
    )
    transaction = changed["transaction"]
    assert transaction["version"] == 2
    assert transaction["unallocatedAmount"] == "0"
    assert [(p["invoice"]["invoiceId"], p["amount"]) for p in transaction["allocations"]] == [
        ("b", "250"),
        ("a", "350"),
    ]
    assert (await fetch(api, "a"))["balances"][0]["payins"]["actual"] == "350"


async def test_an_allocation_of_another_transaction_is_not_found(api: Api) -> None:
    await create(api, "a", line_item(amount="500"))
    other = await record(api, "t1", "100", allocation("a", "100"))
    await record(api, "t2", "100")
    result = await allocate(
        api, "t2", 1, {"delete": {"id": other["transaction"]["allocations"][0]["id"]}}
    )
    assert result["__typename"] == "NotFoundError"


USER = """
query U($ext: String!) {
  user(user: {externalId: $ext}) {
    balances { currency payins { expected actual remaining } payouts { expected actual remaining } }
    invoices(first: 10) { totalCount nodes { invoiceId } }
  }
}
"""


async def test_user_balances_span_invoices_and_leave_void_out(api: Api) -> None:
    await create(api, "a", line_item(amount="100", user="u"), line_item(amount="30", user="x"))
    await create(
        api, "b", line_item(amount="200", user="u"), line_item(amount="70", user="u", type="PAYOUT")
    )
    voided = await create(api, "c", line_item(amount="999", user="u"))
    await record(api, "t", "150", allocation("a", "100", user="u"), allocation("b", "50", user="u"))
    await transition(api, "void", voided["id"])
    user = (await api.ok(USER, ext="u"))["user"]
    assert user["balances"] == [
        {
            "currency": "USD",
            "payins": {"expected": "300", "actual": "150", "remaining": "150"},
            "payouts": {"expected": "70", "actual": "0", "remaining": "70"},
        }
    ]
    assert user["invoices"]["totalCount"] == 3
    assert [n["invoiceId"] for n in user["invoices"]["nodes"]] == ["c", "b", "a"]


async def test_an_invoice_lists_users_that_only_have_payments(api: Api) -> None:
    await create(api, "i", line_item(amount="100", user="payer"))
    invoice = await fetch(api, "i")
    assert [u["user"]["externalId"] for u in invoice["users"]] == ["payer"]


TRANSACTIONS = """
query T($filter: TransactionsFilter, $first: Int, $after: String) {
  transactions(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { externalId }
  }
}
"""


async def test_transactions_filter_by_every_part(api: Api) -> None:
    await create(api, "i", line_item(amount="1000"))
    await record(
        api, "bank-1", "100", allocation("i", "100"), tags=[{"key": "bank", "value": "Chase-NY"}]
    )
    await record(
        api,
        "bank-2",
        "100",
        tags=[{"key": "bank", "value": "chase-sf"}],
        posted="2026-02-01T00:00:00Z",
    )
    await record(api, "wire_3", "-50", currency="EUR", tags=[{"key": "rail", "value": "sepa"}])

    async def ids(**filter: Any) -> list[str]:
        data = await api.ok(TRANSACTIONS, filter=filter)
        assert data["transactions"]["totalCount"] == len(data["transactions"]["nodes"])
        return sorted(n["externalId"] for n in data["transactions"]["nodes"])

    assert await ids() == ["bank-1", "bank-2", "wire_3"]
    assert await ids(externalId={"equalTo": "bank-2"}) == ["bank-2"]
    assert await ids(externalId={"in": ["bank-1", "wire_3", "nope"]}) == ["bank-1", "wire_3"]
    assert await ids(currency="EUR") == ["wire_3"]
    assert await ids(hasUnallocated=True) == ["bank-2", "wire_3"]
    assert await ids(hasUnallocated=False) == ["bank-1"]
    assert await ids(posted={"after": "2026-01-20T00:00:00Z"}) == ["bank-2"]
    assert await ids(posted={"before": "2026-01-20T00:00:00Z"}) == ["bank-1", "wire_3"]
    assert await ids(tags={"all": [{"key": "bank", "value": "Chase-*"}]}) == ["bank-1"]
    assert await ids(tags={"all": [{"key": "bank", "value": "?hase-??"}]}) == ["bank-1", "bank-2"]
    assert await ids(
        tags={"any": [{"key": "rail", "value": "*"}, {"key": "bank", "value": "chase*"}]}
    ) == [
        "bank-2",
        "wire_3",
    ]
    assert await ids(tags={"all": [{"key": "bank", "value": "%"}]}) == []


async def test_transactions_page_latest_posted_first(api: Api) -> None:
    for day in range(1, 8):
        await record(api, f"t{day}", "10", posted=f"2026-03-0{day}T00:00:00Z")
    seen: list[str] = []
    after = None
    while True:
        data = (await api.ok(TRANSACTIONS, first=3, after=after))["transactions"]
        seen += [n["externalId"] for n in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == [f"t{day}" for day in range(7, 0, -1)]


async def test_transactions_and_payments_are_nodes_of_their_workspace_only(
    api: Api, other_api: Api
) -> None:
    await create(api, "i", line_item(amount="100"))
    recorded = await record(api, "t", "100", allocation("i", "100"))
    ids = [recorded["transaction"]["id"], recorded["transaction"]["allocations"][0]["id"]]
    query = "query N($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
    mine = await api.ok(query, ids=ids)
    assert [n["__typename"] for n in mine["nodes"]] == ["Transaction", "Payment"]
    theirs = await other_api.ok(query, ids=ids)
    assert theirs["nodes"] == [None, None]
    lookup = await other_api.ok(
        'query { a: transaction(transaction: {externalId: "t"}) { id } '
        "b: transactions { totalCount } }"
    )
    assert lookup == {"a": None, "b": {"totalCount": 0}}
    foreign = await other_api.ok(
        RECORD_TRANSACTION, input=transaction_input("t", "100", allocation("i", "100"))
    )
    assert foreign["recordTransaction"]["__typename"] == "NotFoundError"


NESTED = """
query Nested($first: Int!) {
  invoices(first: $first) {
    nodes {
      status
      balances { currency payins { expected actual remaining } }
      users { user { externalId } balances { net { remaining } } }
      payments { amount user { externalId } transaction { externalId allocations { id } } }
    }
  }
}
"""


async def test_a_page_with_payments_costs_constant_statements(api: Api, app_db: Database) -> None:
    for index in range(30):
        key = f"i{index}"
        await create(api, key, line_item(amount="100", user=f"u{index}"))
        await record(api, f"t{index}", "60", allocation(key, "60", user=f"u{index}"))
    counts = []
    for first in (3, 30):
        with count_statements(app_db) as seen:
            data = await api.ok(NESTED, first=first)
        assert len(data["invoices"]["nodes"]) == first
        counts.append(seen.count)
    assert counts[0] == counts[1], counts
