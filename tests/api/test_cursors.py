"""Issue 24, item 9: cursors tell nothing beyond the caller's own rows, and any cursor the
server did not make is BAD_USER_INPUT (never an internal error), on every paged list.

A cursor holds its order's value and the row's public id; the row id that breaks ties is looked
up inside the seek, within the caller's workspace. Row ids are global, so a cursor holding one
would tell a tenant how much every other tenant writes. A cursor naming an invoice of another
workspace seeks exactly as one naming no invoice at all: by its value alone.
"""

import base64
import json
from typing import Any

import pytest

from tests.operations import CREATE_INVOICE_MINIMAL as CREATE
from tests.operations import RECORD_TRANSACTION, invoice_input, line_item, transaction_input
from tests.support import Api

LISTS = {
    "invoices": """query L($after: String, $before: String, $first: Int, $last: Int) {
      invoices(first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { id } } } }""",
    "invoicesByInvoiceId": """query L($after: String, $before: String, $first: Int, $last: Int) {
      invoices(first: $first, after: $after, last: $last, before: $before,
               orderBy: {field: INVOICE_ID, direction: ASC}) {
        edges { cursor node { id } } } }""",
    "userInvoices": """query L($after: String, $before: String, $first: Int, $last: Int) {
      user(user: {externalId: "u"}) {
        invoices(first: $first, after: $after, last: $last, before: $before) {
          edges { cursor node { id } } } } }""",
    "transactions": """query L($after: String, $before: String, $first: Int, $last: Int) {
      transactions(first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { id } } } }""",
    "history": """query L($after: String, $first: Int) {
      invoice(invoice: {invoiceId: "k-0"}) {
        history(first: $first, after: $after) { edges { cursor node { version } } } } }""",
}


def raw(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decoded(cursor: str) -> list[Any]:
    value: list[Any] = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return value


def edges(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The one connection's edges in an answer, however deep it sits."""
    for value in data.values():
        if isinstance(value, dict):
            return value["edges"] if "edges" in value else edges(value)
    raise AssertionError(data)


async def fill(api: Api, count: int, prefix: str = "k") -> None:
    for index in range(count):
        key = f"{prefix}-{index}"
        await api.ok(CREATE, input=invoice_input(key, line_item(amount="100", user="u")))
        await api.ok(
            RECORD_TRANSACTION,
            input=transaction_input(
                f"t-{prefix}-{index}", "1", posted=f"2026-01-0{index + 1}T00:00:00Z"
            ),
        )


async def test_cursors_hold_public_ids_and_order_values_only(api: Api, other_api: Api) -> None:
    # given another tenant that wrote much in between
    await fill(api, 2, "a")
    await fill(other_api, 5, "b")
    await fill(api, 2, "k")
    for name, document in LISTS.items():
        found = edges(await api.ok(document, first=3))
        assert found, name
        for edge in found:
            values = decoded(edge["cursor"])
            node = edge["node"]
            if name == "history":
                assert values == ["ver", node["version"]]
                continue
            # the public id, then nothing but the order's value (an instant or the invoiceId)
            assert values[-1] == node["id"], name
            ints = [v for v in values[1:-1] if isinstance(v, int) and not isinstance(v, bool)]
            assert all(v > 10**15 for v in ints), (name, values)  # microseconds since 1970


def forged(name: str, good: list[Any]) -> list[tuple[str, str]]:
    """Cursors the server never made, each a way a hostile client tried."""
    kind = good[0]
    cases = [
        ("not base64", "%%%"),
        ("base64 of no JSON", base64.urlsafe_b64encode(b"\xff\xfe").decode()),
        ("deeply nested", base64.urlsafe_b64encode(b"[" * 100_000).decode()[:900]),
        ("nested beyond the recursion limit, short", raw(json.loads("[" * 50 + "]" * 50))),
        ("too long", "A" * 5_000),
        ("a lone surrogate", base64.urlsafe_b64encode(b'["inv","\\ud800"]').decode()),
        ("another kind", raw("nope", *good[1:])),
        ("an object", raw({"kind": kind})),
        ("one value short", raw(*good[:-1])),
    ]
    if name == "history":
        cases += [("a huge version", raw(kind, 10**30)), ("version 0", raw(kind, 0))]
        cases += [("a boolean version", raw(kind, True)), ("a text version", raw(kind, "1"))]
        return cases
    cases += [
        ("a huge row id", raw(*good[:-1], 10**30)),
        ("a row id", raw(*good[:-1], 7)),
        ("an id of another type", raw(*good[:-1], "usr_aaaaaaaaaaaaaaaaaaaa")),
        ("a lone surrogate as id", raw(*good[:-1], "inv_\ud800")),
        ("a huge instant, or a number as invoiceId", raw(*good[:-2], 10**30, good[-1])),
        ("a negative instant", raw(*good[:-2], -(10**18), good[-1])),
    ]
    return cases


@pytest.mark.parametrize("name", LISTS)
async def test_every_malformed_cursor_is_bad_user_input(api: Api, name: str) -> None:
    await fill(api, 2)
    document = LISTS[name]
    good = decoded(edges(await api.ok(document, first=1))[0]["cursor"])
    arguments = ["after"] if name == "history" else ["after", "before"]
    for case, cursor in forged(name, good):
        for argument in arguments:
            size = "last" if argument == "before" else "first"
            result = await api.query(document, **{argument: cursor, size: 2})
            assert result.codes == ["BAD_USER_INPUT"], (case, argument, result.errors)
            assert result.data is None or not any(result.data.values()), case


async def test_a_cursor_of_another_workspace_finds_what_an_unknown_id_finds(
    api: Api, other_api: Api
) -> None:
    # given a cursor of B's, and the same cursor with an id no one has
    await fill(api, 2)
    await fill(other_api, 2)
    for name in ("invoices", "transactions"):
        theirs = edges(await other_api.ok(LISTS[name], first=1))[0]["cursor"]
        values = decoded(theirs)
        unknown = raw(*values[:-1], values[-1][:4] + "a" * 20)
        # when A pages with either
        answers = [await api.query(LISTS[name], first=5, after=c) for c in (theirs, unknown)]
        # then both answer alike, with A's own rows beyond the cursor's value and none of B's
        assert [a.errors for a in answers] == [None, None]
        assert answers[0].data == answers[1].data
        mine = {edge["node"]["id"] for edge in edges(await api.ok(LISTS[name], first=10))}
        assert {edge["node"]["id"] for edge in edges(answers[0].data)} <= mine
