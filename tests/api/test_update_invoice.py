"""updateInvoice: operations in order, all or nothing, under an expected version, with history."""

import asyncio
from typing import Any

import pytest

from invoicegraph.store.engine import Database
from tests.operations import (
    CREATE_INVOICE,
    HISTORY,
    UPDATE_INVOICE,
    invoice_input,
    line_item,
)
from tests.support import Api


async def create(api: Api, key: str = "inv-1", *items: dict[str, Any], **extra: Any) -> Any:
    data = await api.ok(CREATE_INVOICE, input=invoice_input(key, *items, **extra))
    return data["createInvoice"]["invoice"]


async def update(api: Api, invoice_id: str, version: int, **changes: Any) -> Any:
    data = await api.ok(
        UPDATE_INVOICE, input={"id": invoice_id, "expectedVersion": version, **changes}
    )
    return data["updateInvoice"]


async def history(api: Api, invoice_id: str, **args: Any) -> Any:
    return (await api.ok(HISTORY, id=invoice_id, **args))["invoice"]["history"]


async def test_add_update_delete_apply_in_order_as_one_new_version(api: Api) -> None:
    # given an invoice with two line items
    invoice = await create(
        api, "inv-1", line_item(amount="100", description="a"), line_item(amount="200")
    )
    first, second = (item["id"] for item in invoice["lineItems"])
    # when one update adds, changes and deletes
    result = await update(
        api,
        invoice["id"],
        1,
        lineItems=[
            {"add": line_item(amount="50", description="added", user="newcomer")},
            {
                "update": {
                    "id": first,
                    "description": "renamed",
                    "price": {"unitPrice": "30", "quantity": 4},
                }
            },
            {"delete": {"id": second}},
        ],
        tags={"set": [{"key": "region", "value": "eu"}]},
    )
    # then
    assert result["__typename"] == "UpdateInvoiceResult"
    after = result["invoice"]
    assert after["version"] == 2
    assert after["created"] == invoice["created"]
    assert after["modified"] > invoice["modified"]
    assert [(i["description"], i["price"]["amount"]) for i in after["lineItems"]] == [
        ("renamed", "120"),
        ("added", "50"),
    ]
    assert after["lineItems"][0]["id"] == first
    assert after["lineItems"][0]["price"] == {"amount": "120", "quantity": 4, "unitPrice": "30"}
    assert after["tags"] == [{"key": "region", "value": "eu"}]
    assert after["balances"][0]["payins"]["expected"] == "170"
    assert {u["user"]["externalId"] for u in after["users"]} == {"user_abc123", "newcomer"}

    versions = await history(api, invoice["id"])
    assert versions["totalCount"] == 2
    newest, oldest = versions["nodes"]
    assert (newest["version"], oldest["version"]) == (2, 1)
    assert oldest["changes"] == []
    assert [c["__typename"] for c in newest["changes"]] == [
        "LineItemAdded",
        "LineItemUpdated",
        "LineItemDeleted",
        "TagsChanged",
    ]
    updated = newest["changes"][1]
    assert updated["oldPrice"] == {"amount": "100", "quantity": 1, "unitPrice": "100"}
    assert updated["newPrice"] == {"amount": "120", "quantity": 4, "unitPrice": "30"}
    assert (updated["oldDescription"], updated["newDescription"]) == ("a", "renamed")
    assert newest["changes"][2]["lineItem"]["lineItemId"] == second
    assert [i["lineItemId"] for i in oldest["lineItems"]] == [first, second]
    assert [i["description"] for i in newest["lineItems"]] == ["renamed", "added"]


async def test_a_stale_version_is_a_conflict_and_changes_nothing(api: Api) -> None:
    invoice = await create(api)
    await update(api, invoice["id"], 1, tags={"set": [{"key": "k", "value": "1"}]})
    result = await update(api, invoice["id"], 1, tags={"set": [{"key": "k", "value": "2"}]})
    assert result["__typename"] == "VersionConflictError"
    assert (result["expectedVersion"], result["currentVersion"]) == (1, 2)
    assert result["code"] == "VERSION_CONFLICT"
    assert result["retryable"] is False  # unchanged, it would fail again
    assert (await history(api, invoice["id"]))["totalCount"] == 2


async def test_unknown_invoice_and_line_items_are_not_found(api: Api, other_api: Api) -> None:
    invoice = await create(api)
    theirs = await create(other_api, "theirs")
    missing = await update(api, "inv_nope", 1, tags={"remove": ["x"]})
    foreign = await update(api, theirs["id"], 1, tags={"remove": ["x"]})
    assert missing["__typename"] == foreign["__typename"] == "NotFoundError"
    assert missing["code"] == "NOT_FOUND"
    foreign_item = theirs["lineItems"][0]["id"]
    for operation in (
        {"delete": {"id": foreign_item}},
        {"update": {"id": "li_nope", "description": "x"}},
    ):
        result = await update(api, invoice["id"], 1, lineItems=[operation])
        assert result["__typename"] == "NotFoundError"
    deleted_twice = [{"delete": {"id": invoice["lineItems"][0]["id"]}}] * 2
    assert (await update(api, invoice["id"], 1, lineItems=deleted_twice))[
        "__typename"
    ] == "NotFoundError"
    assert (await history(api, invoice["id"]))["totalCount"] == 1


async def test_every_problem_is_listed_with_its_operation_path(api: Api, app_db: Database) -> None:
    invoice = await create(api)
    item = invoice["lineItems"][0]["id"]
    result = await update(
        api,
        invoice["id"],
        1,
        lineItems=[
            {"add": line_item(amount="1")},
            {"add": line_item(amount="-1", description="")},
            {"update": {"id": item, "price": {"amount": "5", "unitPrice": "2", "quantity": 2}}},
            {"update": {"id": item, "description": "", "tags": [{"key": "a:b", "value": "v"}]}},
        ],
        tags={"set": [{"key": "k", "value": "x" * 201}], "remove": ["k"]},
    )
    assert result["__typename"] == "BadRequestError"
    assert {"/".join(e["field"]) for e in result["fieldErrors"]} == {
        "lineItems/1/add/description",
        "lineItems/1/add/price/amount",
        "lineItems/2/update/price/amount",
        "lineItems/3/update/description",
        "lineItems/3/update/tags/0/key",
        "tags/set/0/value",
        "tags/remove",
    }
    after = await history(api, invoice["id"])
    assert after["totalCount"] == 1


async def test_a_failure_late_in_the_list_undoes_the_earlier_operations(api: Api) -> None:
    invoice = await create(api)
    result = await update(
        api,
        invoice["id"],
        1,
        lineItems=[
            {"add": line_item(amount="5", user="would_be_created")},
            {"delete": {"id": "li_missing"}},
        ],
    )
    assert result["__typename"] == "NotFoundError"
    data = await api.ok('{ user(user: {externalId: "would_be_created"}) { id } }')
    assert data == {"user": None}
    assert (await history(api, invoice["id"]))["nodes"][0]["lineItems"] == [
        {**_snapshot_of(invoice["lineItems"][0])}
    ]


def _snapshot_of(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "lineItemId": item["id"],
        "description": item["description"],
        "productId": item["productId"],
        "type": item["type"],
        "currency": item["currency"],
        "price": item["price"],
        "user": {"externalId": item["user"]["externalId"]},
        "tags": item["tags"],
    }


async def test_line_item_limits_and_totals_are_checked_after_the_operations(api: Api) -> None:
    invoice = await create(api, "big", *[line_item(amount="1")] * 499)
    too_many = await update(api, invoice["id"], 1, lineItems=[{"add": line_item()}] * 2)
    assert too_many["__typename"] == "BadRequestError"
    overflow = await update(
        api, invoice["id"], 1, lineItems=[{"add": line_item(amount=str(2**96 - 1))}]
    )
    assert overflow["__typename"] == "BadRequestError"
    assert overflow["fieldErrors"][0]["field"] == ["lineItems"]
    ops = await update(api, invoice["id"], 1, lineItems=[{"add": line_item()}] * 501)
    assert ops["fieldErrors"][0]["message"] == "one update takes at most 500 operations"


async def test_an_update_that_changes_nothing_makes_no_version(api: Api) -> None:
    invoice = await create(api, "same", tags=[{"key": "k", "value": "v"}])
    item = invoice["lineItems"][0]
    result = await update(
        api,
        invoice["id"],
        1,
        lineItems=[{"update": {"id": item["id"], "description": item["description"]}}],
        tags={"set": [{"key": "k", "value": "v"}], "remove": ["absent"]},
    )
    assert result["__typename"] == "UpdateInvoiceResult"
    assert result["invoice"]["version"] == 1
    assert result["invoice"]["modified"] == invoice["modified"]


async def test_tags_are_overwritten_by_key_appended_and_removed(api: Api) -> None:
    invoice = await create(
        api, "tags", tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]
    )
    result = await update(
        api,
        invoice["id"],
        1,
        tags={"set": [{"key": "c", "value": "3"}, {"key": "a", "value": "9"}], "remove": ["b"]},
    )
    assert result["invoice"]["tags"] == [{"key": "a", "value": "9"}, {"key": "c", "value": "3"}]
    [newest, _] = (await history(api, invoice["id"]))["nodes"]
    assert newest["changes"] == [
        {
            "__typename": "TagsChanged",
            "oldTags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}],
            "newTags": [{"key": "a", "value": "9"}, {"key": "c", "value": "3"}],
        }
    ]


async def test_line_item_tags_are_replaced_by_an_update(api: Api) -> None:
    item = {**line_item(), "tags": [{"key": "x", "value": "1"}]}
    invoice = await create(api, "li-tags", item)
    line_id = invoice["lineItems"][0]["id"]
    result = await update(
        api, invoice["id"], 1, lineItems=[{"update": {"id": line_id, "tags": []}}]
    )
    assert result["invoice"]["lineItems"][0]["tags"] == []
    [newest, _] = (await history(api, invoice["id"]))["nodes"]
    assert newest["changes"][0]["oldTags"] == [{"key": "x", "value": "1"}]
    assert newest["changes"][0]["newTags"] == []


async def test_history_pages_newest_first(api: Api) -> None:
    invoice = await create(api)
    for version in range(1, 7):
        result = await update(
            api, invoice["id"], version, tags={"set": [{"key": "n", "value": str(version)}]}
        )
        assert result["invoice"]["version"] == version + 1
    seen: list[int] = []
    after = None
    while True:
        page = await history(api, invoice["id"], first=3, after=after)
        assert page["totalCount"] == 7
        seen += [node["version"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [7, 6, 5, 4, 3, 2, 1]


async def test_concurrent_updates_with_one_expected_version_let_exactly_one_through(
    api: Api,
) -> None:
    invoice = await create(api)
    results = await asyncio.gather(
        *(
            update(api, invoice["id"], 1, tags={"set": [{"key": "writer", "value": str(n)}]})
            for n in range(16)
        )
    )
    kinds = sorted(result["__typename"] for result in results)
    assert kinds == ["UpdateInvoiceResult"] + ["VersionConflictError"] * 15
    assert (await history(api, invoice["id"]))["totalCount"] == 2


@pytest.mark.parametrize("first", [0, 1, 200])
async def test_history_page_sizes(api: Api, first: int) -> None:
    invoice = await create(api)
    page = await history(api, invoice["id"], first=first)
    assert len(page["nodes"]) == min(first, 1)


async def test_a_price_whose_parts_disagree_is_named_with_every_other_problem(api: Api) -> None:
    # given
    invoice = await create(api)
    item = invoice["lineItems"][0]["id"]
    # when: the price's amount is not unitPrice * quantity, and a tag is malformed too
    result = await update(
        api,
        invoice["id"],
        1,
        lineItems=[
            {"update": {"id": item, "price": {"amount": "100", "unitPrice": "30", "quantity": 3}}}
        ],
        tags={"set": [{"key": "a#b", "value": "x"}]},
    )
    # then: both are reported, the price at its own path, and nothing changes
    assert result["__typename"] == "BadRequestError"
    paths = ["/".join(error["field"]) for error in result["fieldErrors"]]
    assert paths == ["lineItems/0/update/price/amount", "tags/set/0/key"]
    assert (await history(api, invoice["id"]))["totalCount"] == 1
