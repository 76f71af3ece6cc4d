"""searchAllocations: payments across invoices, by invoices, user, transaction tags and posted
range, latest posted first, keyset-paged; and transactions(filter: {posted}) inclusive bounds."""

from typing import Any

from invoicegraph.store.engine import Database
from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api, count_statements

SEARCH = """
query Search($filter: PaymentsFilter, $first: Int, $after: String, $last: Int, $before: String) {
  searchAllocations(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    nodes {
      id amount posted
      invoice { invoiceId }
      user { externalId }
      transaction { externalId tags { key value } }
    }
  }
}
"""

TRANSACTIONS = """
query Transactions($filter: TransactionsFilter) {
  transactions(filter: $filter) { nodes { externalId } }
}
"""


def posted(day: int) -> str:
    return f"2026-01-{day:02d}T00:00:00.000Z"


async def seed(api: Api) -> None:
    """inv-a and inv-b of alice, inv-c of bob; t-1 (day 1, psp=stripe) pays inv-a and inv-b,
    t-2 (day 2, psp=adyen, note=*x) pays inv-b, t-3 (day 3, no tags) pays inv-c."""
    for key, user in (("inv-a", "alice"), ("inv-b", "alice"), ("inv-c", "bob")):
        await api.ok(CREATE_INVOICE, input=invoice_input(key, line_item(amount="1000", user=user)))
    for external_id, day, tags, allocations in (
        (
            "t-1",
            1,
            [{"key": "psp", "value": "stripe"}],
            [allocation("inv-a", "10", user="alice"), allocation("inv-b", "20", user="alice")],
        ),
        (
            "t-2",
            2,
            [{"key": "psp", "value": "adyen"}, {"key": "note", "value": "*x"}],
            [allocation("inv-b", "30", user="alice")],
        ),
        ("t-3", 3, [], [allocation("inv-c", "40", user="bob")]),
    ):
        data = await api.ok(
            RECORD_TRANSACTION,
            input={
                **transaction_input(external_id, "100", *allocations),
                "posted": posted(day),
                "tags": tags,
            },
        )
        assert data["recordTransaction"]["__typename"] == "RecordTransactionResult"


async def amounts(api: Api, filter: dict[str, Any]) -> list[str]:
    data = await api.ok(SEARCH, filter=filter)
    page = data["searchAllocations"]
    assert page["totalCount"] == len(page["nodes"])
    return [node["amount"] for node in page["nodes"]]


async def test_each_filter_alone_and_together(api: Api) -> None:
    await seed(api)
    invoice_b = (await api.ok('{ invoice(invoice: {invoiceId: "inv-b"}) { id } }'))["invoice"]
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({}, ["40", "30", "20", "10"]),
        ({"invoices": [{"invoiceId": "inv-a"}]}, ["10"]),
        ({"invoices": [{"id": invoice_b["id"]}, {"invoiceId": "inv-c"}]}, ["40", "30", "20"]),
        ({"invoices": [{"invoiceId": "unknown"}]}, []),
        ({"invoices": []}, []),
        ({"user": {"externalId": "alice"}}, ["30", "20", "10"]),
        ({"user": {"externalId": "nobody"}}, []),
        ({"transactionTags": {"any": [{"key": "psp", "value": "*"}]}}, ["30", "20", "10"]),
        ({"transactionTags": {"all": [{"key": "psp", "value": "str?pe"}]}}, ["20", "10"]),
        ({"transactionTags": {"all": [{"key": "note", "value": "\\*?"}]}}, ["30"]),
        ({"transactionTags": {"all": [{"key": "note", "value": "\\**y"}]}}, []),
        ({"posted": {"onOrAfter": posted(2)}}, ["40", "30"]),
        ({"posted": {"after": posted(2)}}, ["40"]),
        ({"posted": {"onOrBefore": posted(2), "after": posted(1)}}, ["30"]),
        ({"posted": {"before": posted(2)}}, ["20", "10"]),
        (
            {
                "user": {"externalId": "alice"},
                "invoices": [{"invoiceId": "inv-b"}],
                "posted": {"onOrBefore": posted(1)},
            },
            ["20"],
        ),
    ]
    actual = {str(filter): await amounts(api, filter) for filter, _ in cases}
    assert actual == {str(filter): expected for filter, expected in cases}


async def test_pages_forward_and_back_by_cursor(api: Api) -> None:
    await seed(api)
    first = (await api.ok(SEARCH, first=3))["searchAllocations"]
    assert [n["amount"] for n in first["nodes"]] == ["40", "30", "20"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await api.ok(SEARCH, first=3, after=first["pageInfo"]["endCursor"]))[
        "searchAllocations"
    ]
    assert [n["amount"] for n in rest["nodes"]] == ["10"]
    assert rest["pageInfo"]["hasNextPage"] is False
    back = (await api.ok(SEARCH, last=2, before=rest["pageInfo"]["startCursor"]))[
        "searchAllocations"
    ]
    assert [n["amount"] for n in back["nodes"]] == ["30", "20"]
    for bad in ({"after": "garbled"}, {"first": 201}):
        refused = await api.query(SEARCH, **bad)
        assert refused.codes == ["BAD_USER_INPUT"], refused.errors
    other_list = (await api.ok("{ transactions(first: 1) { pageInfo { endCursor } } }"))[
        "transactions"
    ]["pageInfo"]["endCursor"]
    assert (await api.query(SEARCH, after=other_list)).codes == ["BAD_USER_INPUT"]


async def test_filter_caps_are_bad_user_input(api: Api) -> None:
    too_many = [{"invoiceId": f"i-{n}"} for n in range(201)]
    result = await api.query(SEARCH, filter={"invoices": too_many})
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors is not None
    assert result.errors[0]["message"] == "filter.invoices takes at most 200 invoices"
    patterns = [{"key": "k", "value": str(n)} for n in range(21)]
    result = await api.query(SEARCH, filter={"transactionTags": {"all": patterns}})
    assert result.errors is not None
    assert result.errors[0]["message"] == "filter.transactionTags.all takes at most 20 patterns"


async def test_a_page_takes_constant_statements(api: Api, app_db: Database) -> None:
    await api.ok(CREATE_INVOICE, input=invoice_input("big", line_item(amount="100000")))
    for index in range(30):
        await api.ok(
            RECORD_TRANSACTION,
            input={
                **transaction_input(f"t-{index}", "10", allocation("big", "1")),
                "tags": [{"key": "n", "value": str(index)}],
            },
        )

    async def statements(first: int) -> int:
        with count_statements(app_db) as seen:
            data = await api.ok(
                SEARCH,
                first=first,
                filter={"transactionTags": {"any": [{"key": "n", "value": "*"}]}},
            )
        assert len(data["searchAllocations"]["nodes"]) == first
        return seen.count

    assert await statements(3) == await statements(30)


async def test_transactions_posted_bounds_inclusive_and_exclusive(api: Api) -> None:
    await seed(api)

    async def found(posted_filter: dict[str, str]) -> list[str]:
        data = await api.ok(TRANSACTIONS, filter={"posted": posted_filter})
        return [node["externalId"] for node in data["transactions"]["nodes"]]

    assert await found({"onOrAfter": posted(2)}) == ["t-3", "t-2"]
    assert await found({"after": posted(2)}) == ["t-3"]
    assert await found({"onOrBefore": posted(2)}) == ["t-2", "t-1"]
    assert await found({"before": posted(2)}) == ["t-1"]
    assert await found({"onOrAfter": posted(2), "onOrBefore": posted(2)}) == ["t-2"]
