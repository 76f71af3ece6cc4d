"""Tag operations through GraphQL: FRAGMENT's create/update/set/delete on invoices and line
items (and our set/remove), refused as typed BadRequestErrors that change nothing."""

from typing import Any

from tests.operations import CREATE_INVOICE, UPDATE_INVOICE, invoice_input, line_item
from tests.support import Api


async def create(api: Api, key: str = "inv-1") -> Any:
    item = {**line_item(amount="100"), "tags": [{"key": "color", "value": "red"}]}
    data = await api.ok(
        CREATE_INVOICE,
        input=invoice_input(
            key, item, tags=[{"key": "region", "value": "eu"}, {"key": "tier", "value": "a"}]
        ),
    )
    return data["createInvoice"]["invoice"]


async def update(api: Api, invoice: Any, **changes: Any) -> Any:
    data = await api.ok(
        UPDATE_INVOICE,
        input={"id": invoice["id"], "expectedVersion": invoice["version"], **changes},
    )
    return data["updateInvoice"]


def tags(holder: Any) -> list[tuple[str, str]]:
    return [(tag["key"], tag["value"]) for tag in holder["tags"]]


async def test_invoice_tags_create_update_set_delete_in_one_version(api: Api) -> None:
    invoice = await create(api)
    result = await update(
        api,
        invoice,
        tags={
            "create": [{"key": "new", "value": "1"}],
            "update": [{"key": "tier", "value": "b"}],
            "set": [{"key": "owner", "value": "ann"}],
            "delete": [{"key": "region"}, {"key": "never-there"}],
        },
    )
    assert result["__typename"] == "UpdateInvoiceResult"
    assert result["invoice"]["version"] == 2
    assert tags(result["invoice"]) == [("tier", "b"), ("owner", "ann"), ("new", "1")]


async def test_set_and_remove_still_work(api: Api) -> None:
    invoice = await create(api)
    result = await update(
        api, invoice, tags={"set": [{"key": "tier", "value": "z"}], "remove": ["region"]}
    )
    assert tags(result["invoice"]) == [("tier", "z")]


async def test_refusals_are_typed_name_their_paths_and_change_nothing(api: Api) -> None:
    invoice = await create(api)
    result = await update(
        api,
        invoice,
        tags={
            "create": [{"key": "region", "value": "us"}],
            "update": [{"key": "missing", "value": "x"}],
        },
    )
    assert result["__typename"] == "BadRequestError"
    assert result["fieldErrors"] == [
        {"field": ["tags", "create", "0", "key"], "message": "the key 'region' already exists"},
        {"field": ["tags", "update", "0", "key"], "message": "there is no tag 'missing'"},
    ]
    again = await update(api, invoice, tags={"set": [{"key": "k", "value": "v"}]})
    assert again["invoice"]["version"] == 2  # the refused update made no version


async def test_a_key_in_two_operations_is_refused(api: Api) -> None:
    invoice = await create(api)
    result = await update(
        api,
        invoice,
        tags={"update": [{"key": "tier", "value": "b"}], "delete": [{"key": "tier"}]},
    )
    assert result["__typename"] == "BadRequestError"
    assert result["fieldErrors"] == [
        {
            "field": ["tags", "delete", "0", "key"],
            "message": "the key 'tier' is also in update: one operation a key",
        }
    ]


async def test_line_item_tag_operations(api: Api) -> None:
    invoice = await create(api)
    item = invoice["lineItems"][0]["id"]
    result = await update(
        api,
        invoice,
        lineItems=[
            {
                "update": {
                    "id": item,
                    "tagOperations": {
                        "update": [{"key": "color", "value": "blue"}],
                        "create": [{"key": "size", "value": "m"}],
                    },
                }
            }
        ],
    )
    assert result["__typename"] == "UpdateInvoiceResult"
    assert tags(result["invoice"]["lineItems"][0]) == [("color", "blue"), ("size", "m")]
    assert tags(result["invoice"]) == [("region", "eu"), ("tier", "a")]


async def test_line_item_tag_refusals_name_the_operation(api: Api) -> None:
    invoice = await create(api)
    item = invoice["lineItems"][0]["id"]
    refused = await update(
        api,
        invoice,
        lineItems=[
            {"update": {"id": item, "description": "renamed"}},
            {"update": {"id": item, "tagOperations": {"create": [{"key": "color", "value": "x"}]}}},
        ],
    )
    assert refused["__typename"] == "BadRequestError"
    assert refused["fieldErrors"] == [
        {
            "field": ["lineItems", "1", "update", "tagOperations", "create", "0", "key"],
            "message": "the key 'color' already exists",
        }
    ]
    both = await update(
        api,
        invoice,
        lineItems=[
            {
                "update": {
                    "id": item,
                    "tags": [],
                    "tagOperations": {"delete": [{"key": "color"}]},
                }
            }
        ],
    )
    assert both["__typename"] == "BadRequestError"
    assert both["fieldErrors"] == [
        {
            "field": ["lineItems", "0", "update", "tagOperations"],
            "message": "give tags (replacing them all) or tagOperations, not both",
        }
    ]
    unchanged = await update(api, invoice)
    assert unchanged["invoice"]["version"] == 1
    assert unchanged["invoice"]["lineItems"][0]["description"] != "renamed"
    assert tags(unchanged["invoice"]["lineItems"][0]) == [("color", "red")]
