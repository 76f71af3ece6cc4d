"""invoices(...): newest first, keyset cursors both ways, limits, totalCount."""

from typing import Any

import pytest

from tests.operations import INVOICE_PAGE, make_invoices
from tests.support import Api

PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String) {
  invoices(first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { invoiceId } }
  }
}
"""


async def page(api: Api, **args: Any) -> dict[str, Any]:
    data = await api.ok(PAGE, **args)
    result: dict[str, Any] = data["invoices"]
    return result


def keys_of(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["invoiceId"] for edge in connection["edges"]]


async def test_pages_forward_see_every_invoice_once_newest_first(api: Api) -> None:
    created = await make_invoices(api, 23)
    seen: list[str] = []
    after = None
    while True:
        connection = await page(api, first=5, after=after)
        seen += keys_of(connection)
        info = connection["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == created[::-1]


async def test_pages_backward_with_last_and_before(api: Api) -> None:
    created = await make_invoices(api, 12)
    seen: list[str] = []
    before = None
    while True:
        connection = await page(api, last=5, before=before)
        seen = keys_of(connection) + seen
        info = connection["pageInfo"]
        assert info["hasNextPage"] is (before is not None)
        if not info["hasPreviousPage"]:
            break
        before = info["startCursor"]
    assert seen == created[::-1]


async def test_rows_added_between_pages_do_not_shift_the_cursor(api: Api) -> None:
    created = await make_invoices(api, 10)
    first = await page(api, first=4)
    await make_invoices(api, 3, prefix="late")
    rest = await page(api, first=50, after=first["pageInfo"]["endCursor"])
    assert keys_of(first) + keys_of(rest) == created[::-1]


async def test_edge_cursors_resume_right_after_their_edge(api: Api) -> None:
    created = await make_invoices(api, 6)
    connection = await page(api, first=6)
    third_cursor = connection["edges"][2]["cursor"]
    assert keys_of(await page(api, first=2, after=third_cursor)) == created[::-1][3:5]


async def test_default_page_is_twenty_and_empty_workspaces_have_empty_pages(api: Api) -> None:
    empty = await page(api)
    assert empty["edges"] == []
    assert empty["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }
    await make_invoices(api, 21)
    assert len(keys_of(await page(api))) == 20


async def test_total_count_counts_the_workspace_only_when_asked(api: Api, other_api: Api) -> None:
    await make_invoices(api, 3)
    await make_invoices(other_api, 2)
    data = await api.ok("{ invoices(first: 1) { totalCount } }")
    assert data["invoices"]["totalCount"] == 3


@pytest.mark.parametrize(
    "args",
    [{"first": 201}, {"last": 201}, {"first": -1}, {"first": 1, "last": 1}],
)
async def test_out_of_range_page_sizes_are_bad_user_input(api: Api, args: dict[str, int]) -> None:
    result = await api.query(PAGE, **args)
    assert result.data is None
    assert result.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("cursor", ["nonsense", "WyJ1c3IiLDEsMl0", "W10", "WyJpbnYiLCJ4IiwxXQ"])
async def test_malformed_or_foreign_cursors_are_bad_user_input(api: Api, cursor: str) -> None:
    result = await api.query(PAGE, first=5, after=cursor)
    assert result.codes == ["BAD_USER_INPUT"]


async def test_page_of_two_hundred_is_allowed(api: Api) -> None:
    await make_invoices(api, 2)
    data = await api.ok(INVOICE_PAGE, first=200)
    assert len(data["invoices"]["nodes"]) == 2
