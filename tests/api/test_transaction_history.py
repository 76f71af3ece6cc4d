"""Transaction tags change through updateAllocations (FRAGMENT's transaction update), and every
version of a transaction is kept with what changed: allocations added, changed, removed; tags."""

from typing import Any

from invoicegraph.store.engine import Database
from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    UPDATE_ALLOCATIONS,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api, count_statements

TRANSACTION_HISTORY = """
query TransactionHistory($externalId: String!, $first: Int, $after: String) {
  transaction(transaction: {externalId: $externalId}) {
    version
    history(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes {
        version unallocatedAmount
        tags { key value }
        allocations { paymentId type amount invoice { invoiceId } user { externalId } }
        changes {
          __typename
          ... on AllocationAdded { allocation { paymentId amount } }
          ... on AllocationChanged { paymentId oldAmount newAmount }
          ... on AllocationRemoved { allocation { paymentId amount invoice { invoiceId } } }
          ... on TagsChanged { oldTags { key value } newTags { key value } }
        }
      }
    }
  }
}
"""

HISTORIES = """
query Histories($first: Int) {
  transactions(first: $first) {
    nodes {
      history(first: 2) {
        totalCount
        nodes { version allocations { invoice { invoiceId } user { externalId } } changes {
          __typename ... on AllocationAdded { allocation { invoice { invoiceId } } } } }
      }
    }
  }
}
"""


async def setup(api: Api) -> Any:
    await api.ok(
        CREATE_INVOICE,
        input=invoice_input("inv-1", line_item(amount="1000"), line_item(amount="500")),
    )
    data = await api.ok(
        RECORD_TRANSACTION,
        input=transaction_input(
            "bank-1",
            "900",
            allocation("inv-1", "300"),
            tags=[{"key": "source", "value": "bank"}],
        ),
    )
    return data["recordTransaction"]["transaction"]


async def update(api: Api, version: int, **changes: Any) -> Any:
    data = await api.ok(
        UPDATE_ALLOCATIONS,
        input={"transaction": {"externalId": "bank-1"}, "expectedVersion": version, **changes},
    )
    return data["updateAllocations"]


async def history(api: Api, **args: Any) -> Any:
    data = await api.ok(TRANSACTION_HISTORY, externalId="bank-1", **args)
    return data["transaction"]["history"]


async def test_tags_change_alone_as_a_new_version(api: Api) -> None:
    await setup(api)
    result = await update(
        api,
        1,
        tags={
            "create": [{"key": "batch", "value": "7"}],
            "update": [{"key": "source", "value": "psp"}],
        },
    )
    assert result["__typename"] == "UpdateAllocationsResult"
    transaction = result["transaction"]
    assert transaction["version"] == 2
    assert transaction["tags"] == [
        {"key": "source", "value": "psp"},
        {"key": "batch", "value": "7"},
    ]
    assert transaction["unallocatedAmount"] == "600"
    versions = await history(api)
    assert versions["totalCount"] == 2
    newest = versions["nodes"][0]
    assert newest["changes"] == [
        {
            "__typename": "TagsChanged",
            "oldTags": [{"key": "source", "value": "bank"}],
            "newTags": [{"key": "source", "value": "psp"}, {"key": "batch", "value": "7"}],
        }
    ]


async def test_every_version_with_what_changed(api: Api) -> None:
    first = await setup(api)
    payment = first["allocations"][0]["id"]
    added = await update(api, 1, allocations=[{"add": allocation("inv-1", "100")}])
    second = next(a["id"] for a in added["transaction"]["allocations"] if a["id"] != payment)
    await update(api, 2, allocations=[{"update": {"id": payment, "amount": "250"}}])
    await update(
        api,
        3,
        allocations=[{"delete": {"id": second}}],
        tags={"delete": [{"key": "source"}]},
    )
    versions = await history(api)
    assert versions["totalCount"] == 4
    assert [v["version"] for v in versions["nodes"]] == [4, 3, 2, 1]
    v4, v3, v2, v1 = versions["nodes"]
    assert v1["changes"] == []
    assert [(a["paymentId"], a["amount"]) for a in v1["allocations"]] == [(payment, "300")]
    assert v1["tags"] == [{"key": "source", "value": "bank"}]
    assert v1["unallocatedAmount"] == "600"
    assert v2["changes"] == [
        {"__typename": "AllocationAdded", "allocation": {"paymentId": second, "amount": "100"}}
    ]
    assert v3["changes"] == [
        {
            "__typename": "AllocationChanged",
            "paymentId": payment,
            "oldAmount": "300",
            "newAmount": "250",
        }
    ]
    assert v4["changes"] == [
        {
            "__typename": "AllocationRemoved",
            "allocation": {"paymentId": second, "amount": "100", "invoice": {"invoiceId": "inv-1"}},
        },
        {
            "__typename": "TagsChanged",
            "oldTags": [{"key": "source", "value": "bank"}],
            "newTags": [],
        },
    ]
    assert v4["unallocatedAmount"] == "650"
    assert v4["allocations"][0]["user"] == {"externalId": "user_abc123"}


async def test_history_pages_by_version(api: Api) -> None:
    await setup(api)
    for version in (1, 2):
        await update(api, version, tags={"set": [{"key": "n", "value": str(version)}]})
    page = await history(api, first=2)
    assert [v["version"] for v in page["nodes"]] == [3, 2]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await history(api, first=2, after=page["pageInfo"]["endCursor"])
    assert [v["version"] for v in rest["nodes"]] == [1]
    assert rest["pageInfo"] == {**rest["pageInfo"], "hasNextPage": False, "hasPreviousPage": True}
    forged = await api.query(TRANSACTION_HISTORY, externalId="bank-1", after="nonsense")
    assert forged.errors is not None
    assert forged.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_tag_refusals_and_stale_versions_change_nothing(api: Api) -> None:
    await setup(api)
    refused = await update(api, 1, tags={"create": [{"key": "source", "value": "x"}]})
    assert refused["__typename"] == "BadRequestError"
    assert refused["fieldErrors"] == [
        {"field": ["tags", "create", "0", "key"], "message": "the key 'source' already exists"}
    ]
    shape = await update(api, 1, tags={"set": [{"key": "a/b", "value": "x"}]})
    assert shape["fieldErrors"] == [
        {"field": ["tags", "set", "0", "key"], "message": "must not contain #, / or :"}
    ]
    stale = await update(api, 7, tags={"set": [{"key": "k", "value": "v"}]})
    assert stale == {
        **stale,
        "__typename": "VersionConflictError",
        "expectedVersion": 7,
        "currentVersion": 1,
    }
    unknown = await api.ok(
        UPDATE_ALLOCATIONS,
        input={
            "transaction": {"externalId": "nope"},
            "expectedVersion": 1,
            "tags": {"set": [{"key": "k", "value": "v"}]},
        },
    )
    assert unknown["updateAllocations"]["__typename"] == "NotFoundError"
    versions = await history(api)
    assert versions["totalCount"] == 1
    assert versions["nodes"][0]["tags"] == [{"key": "source", "value": "bank"}]


async def test_an_update_that_changes_nothing_makes_no_version(api: Api) -> None:
    await setup(api)
    same = await update(
        api, 1, tags={"set": [{"key": "source", "value": "bank"}], "delete": [{"key": "absent"}]}
    )
    assert same["transaction"]["version"] == 1
    assert (await history(api))["totalCount"] == 1


async def test_histories_of_a_page_take_constant_statements(api: Api, app_db: Database) -> None:
    await api.ok(CREATE_INVOICE, input=invoice_input("inv-1", line_item(amount="100000")))

    async def seen_for(count: int) -> int:
        for index in range(count):
            await api.ok(
                RECORD_TRANSACTION,
                input=transaction_input(f"t-{count}-{index}", "10", allocation("inv-1", "1")),
            )
        with count_statements(app_db) as seen:
            data = await api.ok(HISTORIES, first=count)
        assert len(data["transactions"]["nodes"]) == count
        assert all(n["history"]["totalCount"] == 1 for n in data["transactions"]["nodes"])
        return seen.count

    assert await seen_for(2) == await seen_for(8)
