"""invoices(filter, orderBy): every InvoicesFilter part alone and ANDed, totalCount, ordered
keyset paging while rows are added, order-bound cursors, and User.invoices narrowed by a filter.

Most tests build one small set of invoices and then check a table of filters against it; a table
is compared as a whole, so a failure lists every filter that found the wrong invoices.
"""

import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from invoicegraph.store import invoice_lists
from invoicegraph.store.engine import Database
from invoicegraph.store.tables import InvoiceRow
from tests.conftest import MakeApi
from tests.operations import (
    CREATE_INVOICE,
    INVOICE_BY_KEY,
    RECORD_TRANSACTION,
    TRANSITION,
    UPDATE_INVOICE,
    allocation,
    invoice_input,
    line_item,
    make_invoices,
    transaction_input,
)
from tests.support import Api, count_statements

Filter = dict[str, Any]
Case = tuple[Filter, set[str]]

LIST = """
query List(
  $filter: InvoicesFilter, $orderBy: InvoiceOrder,
  $first: Int, $after: String, $last: Int, $before: String
) {
  invoices(
    filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before
  ) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id invoiceId created modified } }
  }
}
"""

PAGE_ONLY = """
query Page(
  $filter: InvoicesFilter, $orderBy: InvoiceOrder,
  $first: Int, $after: String, $last: Int, $before: String
) {
  invoices(
    filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before
  ) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { invoiceId } }
  }
}
"""

USER_INVOICES = """
query UserInvoices(
  $user: UserMatchInput!, $filter: InvoicesFilter, $orderBy: InvoiceOrder,
  $first: Int, $after: String, $last: Int, $before: String
) {
  user(user: $user) {
    invoices(
      filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last,
      before: $before
    ) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { invoiceId }
    }
  }
}
"""


# --- helpers -------------------------------------------------------------------------------------


async def listing(api: Api, **args: Any) -> dict[str, Any]:
    data = await api.ok(LIST, **args)
    connection: dict[str, Any] = data["invoices"]
    return connection


async def matching(api: Api, filter: Filter | None) -> list[dict[str, Any]]:
    """Every invoice the filter lets through, in one page; totalCount must agree with it."""
    connection = await listing(api, filter=filter, first=200)
    nodes = [edge["node"] for edge in connection["edges"]]
    assert len({node["id"] for node in nodes}) == len(nodes)
    assert connection["totalCount"] == len(nodes), filter
    assert connection["pageInfo"]["hasNextPage"] is False
    return nodes


async def found(api: Api, filter: Filter | None) -> set[str]:
    return {node["invoiceId"] for node in await matching(api, filter)}


async def expect(api: Api, cases: list[Case]) -> None:
    """Each filter finds exactly its invoices; compared all at once, so a diff names every miss."""
    actual = {json.dumps(filter): await found(api, filter) for filter, _ in cases}
    assert actual == {json.dumps(filter): expected for filter, expected in cases}


async def create(api: Api, key: str, *items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = await api.ok(CREATE_INVOICE, input=invoice_input(key, *items, **extra))
    result = data["createInvoice"]
    assert result["__typename"] == "CreateInvoiceResult", result
    invoice: dict[str, Any] = result["invoice"]
    return invoice


async def create_empty(api: Api, key: str) -> dict[str, Any]:
    """An invoice without any line item."""
    data = await api.ok(CREATE_INVOICE, input={"invoiceId": key, "lineItems": []})
    result = data["createInvoice"]
    assert result["__typename"] == "CreateInvoiceResult", result
    invoice: dict[str, Any] = result["invoice"]
    return invoice


async def fetch(api: Api, key: str) -> dict[str, Any]:
    invoice: dict[str, Any] = (await api.ok(INVOICE_BY_KEY, invoiceId=key))["invoice"]
    return invoice


async def update(api: Api, invoice: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = await api.ok(
        UPDATE_INVOICE,
        input={"id": invoice["id"], "expectedVersion": invoice["version"], **changes},
    )
    result = data["updateInvoice"]
    assert result["__typename"] == "UpdateInvoiceResult", result
    updated: dict[str, Any] = result["invoice"]
    return updated


def set_price(invoice: dict[str, Any], amount: str, index: int = 0) -> dict[str, Any]:
    """updateInvoice input that changes one line item's amount."""
    item_id = invoice["lineItems"][index]["id"]
    return {"lineItems": [{"update": {"id": item_id, "price": {"amount": amount}}}]}


async def pay(
    api: Api,
    external_id: str,
    key: str,
    amount: str,
    *,
    user: str = "user_abc123",
    type: str = "PAYIN",
    currency: str = "USD",
) -> None:
    signed = amount if type == "PAYIN" else "-" + amount
    data = await api.ok(
        RECORD_TRANSACTION,
        input=transaction_input(
            external_id, signed, allocation(key, amount, user=user, type=type), currency=currency
        ),
    )
    assert data["recordTransaction"]["__typename"] == "RecordTransactionResult", data


async def transition(api: Api, action: str, invoice: dict[str, Any]) -> None:
    data = await api.ok(TRANSITION, input={"id": invoice["id"]}, **{action: True})
    assert data[action]["__typename"] == "InvoiceTransitionResult", data


def tags(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in pairs]


def tag_filter(
    all: list[tuple[str, str]] | None = None, any: list[tuple[str, str]] | None = None
) -> Filter:
    part: dict[str, Any] = {}
    if all is not None:
        part["all"] = tags(*all)
    if any is not None:
        part["any"] = tags(*any)
    return {"tags": part}


def instant(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


async def mark() -> datetime:
    """A moment (whole milliseconds) strictly between the writes before and after this call."""
    await asyncio.sleep(0.004)
    now = datetime.now(UTC)
    moment = now.replace(microsecond=now.microsecond // 1000 * 1000)
    await asyncio.sleep(0.004)
    return moment


# --- status --------------------------------------------------------------------------------------


async def test_status_equal_to_and_in_intersect(api: Api) -> None:
    await create(api, "s-draft", draft=True)
    await create(api, "s-open")
    await transition(api, "void", await create(api, "s-void"))
    await transition(api, "uncollectible", await create(api, "s-uncollectible"))
    await create(api, "s-paid")
    await pay(api, "txn-s-paid", "s-paid", "1000")
    assert (await fetch(api, "s-paid"))["status"] == "PAID"
    every = {"s-draft", "s-open", "s-void", "s-uncollectible", "s-paid"}

    def status(**part: Any) -> Filter:
        return {"status": part}

    await expect(
        api,
        [
            (status(equalTo="OPEN"), {"s-open"}),
            (status(equalTo="DRAFT"), {"s-draft"}),
            (status(equalTo="PAID"), {"s-paid"}),
            (status(equalTo="VOID"), {"s-void"}),
            (status(equalTo="UNCOLLECTIBLE"), {"s-uncollectible"}),
            (status(**{"in": ["VOID", "UNCOLLECTIBLE"]}), {"s-void", "s-uncollectible"}),
            (status(**{"in": ["OPEN", "PAID", "DRAFT"]}), {"s-open", "s-paid", "s-draft"}),
            (status(**{"in": ["PAID"]}), {"s-paid"}),
            # both: the statuses in both
            (status(equalTo="OPEN", **{"in": ["OPEN", "PAID"]}), {"s-open"}),
            (status(equalTo="PAID", **{"in": ["PAID", "OPEN", "VOID"]}), {"s-paid"}),
            (status(equalTo="OPEN", **{"in": ["PAID", "VOID"]}), set()),
            (status(**{"in": []}), set()),
            (status(), every),
            ({}, every),
        ],
    )


# --- tags ----------------------------------------------------------------------------------------

TAGGED: dict[str, list[tuple[str, str]]] = {
    "t-a": [("env", "prod"), ("region", "eu-west-1")],
    "t-b": [("env", "prod-2"), ("region", "us-east-1")],
    "t-c": [("env", "staging"), ("region", "eu-west-2")],
    "t-d": [("env", "Prod")],
    "t-e": [("env", "100%"), ("code", "a_b")],
    "t-f": [("env", "100x"), ("code", "axb")],
    "t-g": [("code", "a\\b")],
    "t-h": [],
    "t-i": [("mark", "*star"), ("q", "why?")],
    "t-j": [("mark", "xstar"), ("q", "whyx")],
}
WITH_ENV = {"t-a", "t-b", "t-c", "t-d", "t-e", "t-f"}

TAG_CASES: dict[str, list[Case]] = {
    "exact": [
        (tag_filter(all=[("env", "prod")]), {"t-a"}),
        (tag_filter(all=[("env", "prod"), ("region", "eu-west-1")]), {"t-a"}),
        (tag_filter(all=[("env", "prod"), ("region", "us-east-1")]), set()),
        (tag_filter(any=[("env", "staging"), ("env", "prod-2")]), {"t-b", "t-c"}),
        (tag_filter(any=[("env", "staging"), ("region", "us-east-1")]), {"t-b", "t-c"}),
        (tag_filter(all=[("env", "prod")], any=[("env", "staging")]), set()),
        (tag_filter(all=[("missing", "prod")]), set()),
        (tag_filter(all=[("Env", "prod")]), set()),
        (tag_filter(all=[("env", "pro")]), set()),
    ],
    "wildcards": [
        (tag_filter(all=[("env", "prod*")]), {"t-a", "t-b"}),
        (tag_filter(all=[("env", "*")]), WITH_ENV),
        (tag_filter(all=[("env", "?*")]), WITH_ENV),
        (tag_filter(all=[("env", "prod?2")]), {"t-b"}),
        (tag_filter(all=[("env", "prod?")]), set()),
        (tag_filter(all=[("env", "????")]), {"t-a", "t-d", "t-e", "t-f"}),
        (tag_filter(all=[("env", "*-2")]), {"t-b"}),
        (tag_filter(all=[("env", "*a*")]), {"t-c"}),
        (tag_filter(all=[("region", "eu-west-?")]), {"t-a", "t-c"}),
        (tag_filter(all=[("region", "*-*-*")]), {"t-a", "t-b", "t-c"}),
        (tag_filter(all=[("env", "prod*"), ("region", "eu-*")]), {"t-a"}),
        (tag_filter(any=[("region", "us-*"), ("env", "sta*")]), {"t-b", "t-c"}),
        (
            tag_filter(all=[("region", "eu-*")], any=[("env", "staging"), ("env", "prod")]),
            {"t-a", "t-c"},
        ),
        (tag_filter(all=[("env", "prod*")], any=[("region", "eu-*")]), {"t-a"}),
        (tag_filter(all=[("missing", "*")]), set()),
        (tag_filter(all=[("env", "100?")]), {"t-e", "t-f"}),
        (tag_filter(all=[("code", "a?b")]), {"t-e", "t-f", "t-g"}),
    ],
    "case-sensitive": [
        (tag_filter(all=[("env", "PROD")]), set()),
        (tag_filter(all=[("env", "P*")]), {"t-d"}),
        (tag_filter(all=[("env", "p*")]), {"t-a", "t-b"}),
        (tag_filter(all=[("env", "?rod")]), {"t-a", "t-d"}),
        (tag_filter(any=[("env", "prod")]), {"t-a"}),
        (tag_filter(any=[("env", "Prod")]), {"t-d"}),
        (tag_filter(any=[("region", "EU-*")]), set()),
    ],
    "literal % _ and backslash": [
        (tag_filter(all=[("env", "100%")]), {"t-e"}),
        (tag_filter(all=[("env", "1%")]), set()),
        (tag_filter(all=[("env", "%")]), set()),
        (tag_filter(any=[("env", "%")]), set()),
        (tag_filter(all=[("env", "100_")]), set()),
        (tag_filter(all=[("code", "a_b")]), {"t-e"}),
        (tag_filter(any=[("code", "a_b")]), {"t-e"}),
        (tag_filter(all=[("code", "_")]), set()),
        (tag_filter(all=[("code", "___")]), set()),
        (tag_filter(all=[("code", "a\\b")]), {"t-g"}),
        (tag_filter(all=[("code", "a\\_")]), set()),
    ],
    "FRAGMENT's escapes of * and ?": [
        (tag_filter(all=[("mark", "*star")]), {"t-i", "t-j"}),
        (tag_filter(all=[("mark", "\\**")]), {"t-i"}),
        (tag_filter(all=[("mark", "\\*star")]), {"t-i"}),
        (tag_filter(any=[("mark", "\\*")]), set()),
        (tag_filter(all=[("q", "why?")]), {"t-i", "t-j"}),
        (tag_filter(all=[("q", "why\\?")]), {"t-i"}),
        (tag_filter(any=[("q", "\\??")]), set()),
        (tag_filter(all=[("code", "a\\\\b")]), {"t-g"}),
        (tag_filter(all=[("code", "a\\\\?")]), {"t-g"}),
        (tag_filter(all=[("code", "\\\\*")]), set()),
    ],
}


@pytest.mark.parametrize("group", list(TAG_CASES))
async def test_tags_all_and_any_with_wildcards(api: Api, group: str) -> None:
    for key, pairs in TAGGED.items():
        await create(api, key, tags=tags(*pairs))
    await expect(api, TAG_CASES[group])


# --- user ----------------------------------------------------------------------------------------


async def test_user_by_id_or_external_id_on_line_items_or_payments(
    api: Api, app_db: Database
) -> None:
    await create(api, "u-1", line_item(user="alice"))
    both = await create(api, "u-2", line_item(user="bob"), line_item(user="carol"))
    await create(api, "u-3", line_item(user="carol"))
    await create(api, "u-4", line_item(user="dave"))
    payer = await create(api, "u-5", line_item(user="payer"))
    await pay(api, "txn-u-4", "u-4", "400", user="dave")
    # The API never lets a user's payments outgrow their line items, so a user with only a payment
    # on an invoice is made here by handing dave's payment on u-4 to another user.
    async with app_db.engine.begin() as connection:
        moved = await connection.execute(
            text(
                "UPDATE payments SET user_id = (SELECT id FROM users WHERE external_id = 'payer'"
                " AND users.workspace_id = payments.workspace_id)"
                " WHERE invoice_id = (SELECT id FROM invoices WHERE invoice_id = 'u-4')"
            )
        )
        assert moved.rowcount == 1
    carol_id = both["lineItems"][1]["user"]["id"]
    payer_id = payer["lineItems"][0]["user"]["id"]

    await expect(
        api,
        [
            ({"user": {"externalId": "alice"}}, {"u-1"}),
            ({"user": {"externalId": "carol"}}, {"u-2", "u-3"}),
            ({"user": {"id": carol_id}}, {"u-2", "u-3"}),
            ({"user": {"externalId": "bob"}}, {"u-2"}),
            ({"user": {"externalId": "dave"}}, {"u-4"}),
            ({"user": {"externalId": "payer"}}, {"u-4", "u-5"}),
            ({"user": {"id": payer_id}}, {"u-4", "u-5"}),
            # unknown users match nothing
            ({"user": {"externalId": "nobody"}}, set()),
            ({"user": {"externalId": "ALICE"}}, set()),
            ({"user": {"id": "usr_doesnotexist"}}, set()),
            ({"user": {"id": "alice"}}, set()),
        ],
    )
    # and looking for an unknown user did not create it
    data = await api.ok('query { user(user: {externalId: "nobody"}) { id } }')
    assert data["user"] is None


# --- currency and productId ----------------------------------------------------------------------


async def test_currency_matches_when_any_line_item_is_in_it(api: Api) -> None:
    await create(api, "c-usd", line_item(currency="USD"))
    await create(api, "c-mixed", line_item(currency="EUR"), line_item(currency="USD"))
    await create(api, "c-eur", line_item(currency="EUR"))
    await create(api, "c-eur-zero", line_item(currency="EUR", amount="0"))
    await create(api, "c-btc", line_item(currency="BTC"))
    await create_empty(api, "c-none")
    await expect(
        api,
        [
            ({"currency": "EUR"}, {"c-mixed", "c-eur", "c-eur-zero"}),
            ({"currency": "USD"}, {"c-usd", "c-mixed"}),
            ({"currency": "BTC"}, {"c-btc"}),
            ({"currency": "JPY"}, set()),
        ],
    )


async def test_product_id_equal_to_and_in(api: Api) -> None:
    await create(api, "p-a", line_item(product_id="prod_a"))
    await create(api, "p-ab", line_item(product_id="prod_a"), line_item(product_id="prod_b"))
    await create(api, "p-c", line_item(product_id="prod_c"))
    await create_empty(api, "p-none")

    def product(**part: Any) -> Filter:
        return {"productId": part}

    await expect(
        api,
        [
            (product(equalTo="prod_a"), {"p-a", "p-ab"}),
            (product(equalTo="prod_b"), {"p-ab"}),
            (product(**{"in": ["prod_b", "prod_c"]}), {"p-ab", "p-c"}),
            (product(**{"in": ["prod_c", "nope"]}), {"p-c"}),
            (product(equalTo="prod_b", **{"in": ["prod_a", "prod_b"]}), {"p-ab"}),
            (product(equalTo="prod_a", **{"in": ["prod_c"]}), set()),
            (product(**{"in": []}), set()),
            (product(equalTo="PROD_A"), set()),
            (product(equalTo="prod_"), set()),
            (product(equalTo="prod_*"), set()),
            (product(), {"p-a", "p-ab", "p-c", "p-none"}),
        ],
    )


# --- created and modified ------------------------------------------------------------------------


async def test_created_after_and_before(api: Api) -> None:
    await create(api, "d-0")
    one = await mark()
    await create(api, "d-1")
    await create(api, "d-2")
    two = await mark()
    await create(api, "d-3")
    for offset in (timedelta(0), timedelta(hours=5, minutes=30), timedelta(hours=-8)):
        # the same instants written in another offset mean the same
        a = one.astimezone(timezone(offset)).isoformat(timespec="milliseconds")
        b = two.astimezone(timezone(offset)).isoformat(timespec="milliseconds")
        await expect(
            api,
            [
                ({"created": {"after": a}}, {"d-1", "d-2", "d-3"}),
                ({"created": {"before": b}}, {"d-0", "d-1", "d-2"}),
                ({"created": {"after": a, "before": b}}, {"d-1", "d-2"}),
                ({"created": {"after": b, "before": a}}, set()),
                ({"created": {"before": a}}, {"d-0"}),
                ({"created": {"after": b}}, {"d-3"}),
                ({"created": {}}, {"d-0", "d-1", "d-2", "d-3"}),
            ],
        )


async def test_after_and_before_are_strict(api: Api, app_db: Database) -> None:
    for key in ("e-0", "e-1", "e-2"):
        await create(api, key)
    async with app_db.read() as session:
        rows = await session.exec(select(InvoiceRow.invoice_id, InvoiceRow.created))
        stored = dict(rows.all())

    def at(key: str, shift: int = 0) -> str:
        """The stored instant to the microsecond, which the input accepts."""
        return (stored[key] + timedelta(microseconds=shift)).isoformat()

    await expect(
        api,
        [
            ({"created": {"after": at("e-1")}}, {"e-2"}),
            ({"created": {"before": at("e-1")}}, {"e-0"}),
            ({"created": {"after": at("e-1"), "before": at("e-2")}}, set()),
            ({"created": {"after": at("e-1", -1), "before": at("e-1", 1)}}, {"e-1"}),
            ({"modified": {"after": at("e-0"), "before": at("e-2")}}, {"e-1"}),
        ],
    )


async def test_on_or_after_and_on_or_before_are_inclusive(api: Api, app_db: Database) -> None:
    """FRAGMENT's created.after/before include the instant: here onOrAfter/onOrBefore."""
    for key in ("i-0", "i-1", "i-2"):
        await create(api, key)
    async with app_db.read() as session:
        rows = await session.exec(select(InvoiceRow.invoice_id, InvoiceRow.created))
        stored = dict(rows.all())

    def at(key: str, shift: int = 0) -> str:
        return (stored[key] + timedelta(microseconds=shift)).isoformat()

    await expect(
        api,
        [
            ({"created": {"onOrAfter": at("i-1")}}, {"i-1", "i-2"}),
            ({"created": {"onOrBefore": at("i-1")}}, {"i-0", "i-1"}),
            ({"created": {"onOrAfter": at("i-1"), "onOrBefore": at("i-1")}}, {"i-1"}),
            ({"created": {"onOrAfter": at("i-1", 1), "onOrBefore": at("i-2", -1)}}, set()),
            ({"created": {"onOrAfter": at("i-1"), "before": at("i-2")}}, {"i-1"}),
            ({"created": {"after": at("i-0"), "onOrBefore": at("i-2")}}, {"i-1", "i-2"}),
            ({"modified": {"onOrAfter": at("i-2")}}, {"i-2"}),
            ({"modified": {"onOrBefore": at("i-0")}}, {"i-0"}),
        ],
    )


async def test_transaction_tags_any_and_all(api: Api) -> None:
    """Invoices with a payment from a transaction whose tags match; all and any hold for one
    transaction, as FRAGMENT's transaction_tags."""
    for key in ("x-0", "x-1", "x-2", "x-3"):
        await create(api, key, line_item(amount="1000"))
    await api.ok(
        RECORD_TRANSACTION,
        input=transaction_input(
            "tx-a",
            "10",
            allocation("x-0", "5"),
            allocation("x-1", "5"),
            tags=tags(("psp", "stripe"), ("batch", "b-1")),
        ),
    )
    await api.ok(
        RECORD_TRANSACTION,
        input=transaction_input(
            "tx-b",
            "10",
            allocation("x-1", "5"),
            allocation("x-2", "5"),
            tags=tags(("psp", "adyen"), ("note", "a*b")),
        ),
    )
    await api.ok(RECORD_TRANSACTION, input=transaction_input("tx-c", "5", allocation("x-3", "5")))

    def tx(**part: list[tuple[str, str]]) -> Filter:
        return {"transactionTags": tag_filter(**part)["tags"]}

    await expect(
        api,
        [
            (tx(any=[("psp", "stripe")]), {"x-0", "x-1"}),
            (tx(any=[("psp", "stripe"), ("psp", "adyen")]), {"x-0", "x-1", "x-2"}),
            (tx(all=[("psp", "*")]), {"x-0", "x-1", "x-2"}),
            (tx(all=[("psp", "stripe"), ("batch", "b-?")]), {"x-0", "x-1"}),
            (tx(all=[("psp", "stripe"), ("note", "*")]), set()),  # no one transaction has both
            (tx(all=[("psp", "adyen")], any=[("batch", "*"), ("note", "a\\*b")]), {"x-1", "x-2"}),
            (tx(any=[("note", "a\\*")]), set()),
            (tx(any=[("missing", "*")]), set()),
            ({**tx(any=[("psp", "stripe")]), "tags": tag_filter(all=[("k", "*")])["tags"]}, set()),
        ],
    )


async def test_modified_moves_with_an_update_and_created_does_not(api: Api) -> None:
    await create(api, "m-0")
    touched = await create(api, "m-1")
    await create(api, "m-2")
    moment = await mark()
    touched = await update(api, touched, tags={"set": tags(("seen", "yes"))})
    assert touched["modified"] > instant(moment) > touched["created"]

    after, before = {"after": instant(moment)}, {"before": instant(moment)}
    await expect(
        api,
        [
            ({"modified": after}, {"m-1"}),
            ({"modified": before}, {"m-0", "m-2"}),
            ({"created": after}, set()),
            ({"created": before}, {"m-0", "m-1", "m-2"}),
            ({"created": before, "modified": after}, {"m-1"}),
        ],
    )


# --- hasRemaining and ignoreZero -----------------------------------------------------------------


async def test_has_remaining_follows_payments_and_line_item_updates(api: Api) -> None:
    await create(api, "r-unpaid")
    await create(api, "r-partial")
    await pay(api, "txn-partial", "r-partial", "400")
    await create(api, "r-full")
    await pay(api, "txn-full", "r-full", "1000")
    await create(api, "r-zero", line_item(amount="0"))
    await create_empty(api, "r-empty")
    await create(api, "r-payout", line_item(type="PAYOUT", amount="500"))
    await create(api, "r-payout-paid", line_item(type="PAYOUT", amount="500"))
    await pay(api, "txn-payout", "r-payout-paid", "500", type="PAYOUT")
    await create(api, "r-two-users", line_item(user="alice"), line_item(user="bob"))
    await pay(api, "txn-two", "r-two-users", "1000", user="alice")
    # fully paid, then a line item raised above what was paid
    await create(api, "r-raised")
    await pay(api, "txn-raised", "r-raised", "1000")
    raised = await fetch(api, "r-raised")
    assert raised["status"] == "PAID"
    await update(api, raised, **set_price(raised, "1500"))
    # partly paid, then a line item lowered to what was paid
    await create(api, "r-lowered")
    await pay(api, "txn-lowered", "r-lowered", "600")
    lowered = await fetch(api, "r-lowered")
    await update(api, lowered, **set_price(lowered, "600"))
    # fully paid, then a line item added: with an amount, or with 0
    for key, amount in (("r-added", "250"), ("r-added-zero", "0")):
        await create(api, key)
        await pay(api, f"txn-{key}", key, "1000")
        paid = await fetch(api, key)
        await update(api, paid, lineItems=[{"add": line_item(amount=amount, user="zed")}])

    remaining = {"r-unpaid", "r-partial", "r-payout", "r-raised", "r-two-users", "r-added"}
    settled = {"r-full", "r-zero", "r-empty", "r-payout-paid", "r-lowered", "r-added-zero"}
    await expect(
        api,
        [
            ({"hasRemaining": True}, remaining),
            ({"hasRemaining": False}, settled),
            ({"hasRemaining": None}, remaining | settled),
        ],
    )


async def test_ignore_zero_leaves_out_invoices_whose_amounts_are_all_zero(api: Api) -> None:
    await create(api, "z-charge")
    await create(api, "z-zero", line_item(amount="0"))
    await create(api, "z-zeros", line_item(amount="0"), line_item(amount="0", currency="EUR"))
    await create_empty(api, "z-none")
    await create(api, "z-mixed", line_item(amount="0"), line_item(amount="500"))
    await create(api, "z-payout", line_item(type="PAYOUT", amount="500"))
    await create(api, "z-paid")
    await pay(api, "txn-z-paid", "z-paid", "1000")
    lowered = await create(api, "z-lowered")
    await update(api, lowered, **set_price(lowered, "0"))
    raised = await create(api, "z-raised", line_item(amount="0"))
    await update(api, raised, **set_price(raised, "700"))
    emptied = await create(api, "z-emptied")
    await update(api, emptied, lineItems=[{"delete": {"id": emptied["lineItems"][0]["id"]}}])

    charged = {"z-charge", "z-mixed", "z-payout", "z-raised", "z-paid"}
    zero = {"z-zero", "z-zeros", "z-none", "z-lowered", "z-emptied"}
    await expect(
        api,
        [
            ({"ignoreZero": True}, charged),
            ({"ignoreZero": False}, charged | zero),
            ({"ignoreZero": None}, charged | zero),
            ({"ignoreZero": True, "hasRemaining": False}, {"z-paid"}),
        ],
    )


# --- search --------------------------------------------------------------------------------------

ONE, TWO, THREE = "acme-2026-0001", "acme-2026-0002", "globex-2026-0003"
EVERY = {ONE, TWO, THREE}


async def make_search_invoices(api: Api) -> None:
    await create(
        api,
        ONE,
        {
            **line_item(
                description="Consulting hours for Zanzibar project",
                product_id="sku-widget-77",
                user="cust_walrus",
            ),
            "tags": tags(("cc", "finance-emea")),
        },
        tags=tags(("project", "aurora")),
    )
    await create(
        api,
        TWO,
        line_item(
            description="Design and build, or not", product_id="sku-gadget-12", user="cust_otter"
        ),
        tags=tags(("project", "borealis")),
    )
    await create(
        api, THREE, line_item(description="Hosting", product_id="sku-widget-78", user="cust_walrus")
    )


def searches(*pairs: tuple[str, set[str]]) -> list[Case]:
    return [({"search": search}, expected) for search, expected in pairs]


SEARCH_CASES: dict[str, list[Case]] = {
    "invoiceId": searches(
        ("acme-2026-0001", {ONE}),
        ("acme 0001", {ONE}),
        ("0001 acme", {ONE}),
        ("acme", {ONE, TWO}),
        ("2026", EVERY),
        ("globex", {THREE}),
    ),
    "descriptions": searches(
        ("Zanzibar", {ONE}),
        ("Consulting", {ONE}),
        ("Hosting", {THREE}),
        ("Consulting Zanzibar", {ONE}),
    ),
    "productIds": searches(
        ("sku-widget-77", {ONE}),
        ("widget", {ONE, THREE}),
        ("gadget", {TWO}),
        ("78", {THREE}),
    ),
    "user externalIds": searches(
        ("cust_walrus", {ONE, THREE}),
        ("cust_otter", {TWO}),
        ("otter", {TWO}),
    ),
    "tag values": searches(
        ("aurora", {ONE}),
        ("borealis", {TWO}),
        ("finance-emea", {ONE}),
        ("emea", {ONE}),
        ("cc", set()),
    ),
    "every word must match": searches(
        ("Consulting Hosting", set()),
        ("aurora otter", set()),
        ("acme globex", set()),
        ("widget walrus 0003", {THREE}),
        ("widget walrus aurora", {ONE}),
        ("quokka", set()),
        ("acm", set()),
    ),
    # quotes, operators, prefixes, columns, groups: words, never syntax, never an error
    "FTS syntax": searches(
        ("acme AND 0002", {TWO}),
        ("acme OR 0001", set()),
        ("NOT 0002", {TWO}),
        ("and or not", {TWO}),
        ('"acme" "0001"', {ONE}),
        ('"acme 0001', {ONE}),
        ('acme 0001"', {ONE}),
        ("acme*", {ONE, TWO}),
        ("acm*", set()),
        ("-acme 0001", {ONE}),
        ("acme -0001", {ONE}),
        ("(acme) (0001)", {ONE}),
        ("(acme OR globex)", set()),
        ("aurora:", {ONE}),
        (":aurora", {ONE}),
        ("body:aurora", set()),
        ("NEAR(acme 0001)", set()),
        ("acme + 0001", {ONE}),
        ("^acme", {ONE, TWO}),
        ("{acme 0001}", {ONE}),
        ("'acme'", {ONE, TWO}),
        ("acme\\", {ONE, TWO}),
    ),
    "punctuation only": searches(
        ("", EVERY),
        ("   ", EVERY),
        ("!!!", EVERY),
        ('"', EVERY),
        ('""', EVERY),
        ("*", EVERY),
        ("-", EVERY),
        ("()", EVERY),
        (":", EVERY),
        ("--- ... ,;", EVERY),
        ('"-*:()^+"', EVERY),
    ),
    "underscores only": searches(
        ("_", EVERY),
        ("___", EVERY),
        (" _-_ ", EVERY),
    ),
}


@pytest.mark.parametrize("group", list(SEARCH_CASES))
async def test_search(api: Api, group: str) -> None:
    await make_search_invoices(api)
    await expect(api, SEARCH_CASES[group])


async def test_a_search_without_words_leaves_the_other_parts(api: Api) -> None:
    await make_search_invoices(api)
    await expect(
        api,
        [
            ({"search": "!!", "productId": {"equalTo": "sku-widget-78"}}, {THREE}),
            ({"search": "", "tags": {"all": tags(("project", "*"))}}, {ONE, TWO}),
        ],
    )


async def test_a_rare_word_finds_exactly_its_invoice(api: Api) -> None:
    keys = await make_invoices(api, 15, line_items_each=2)
    await create(api, "rare", line_item(description="Professional services, quokka edition"))
    await expect(
        api,
        searches(
            ("quokka", {"rare"}),
            ("Professional services", {*keys, "rare"}),
            ("quokka Professional", {"rare"}),
            (keys[7], {keys[7]}),
        ),
    )


def narrowed_by_search(statements: list[str]) -> bool:
    """Whether the page was driven by the ids the search index gave (store/invoice_lists.py)."""
    return any("json_each" in s or "jsonb_array_elements_text" in s for s in statements)


async def test_rare_words_drive_the_page_from_the_index_and_common_ones_are_checked(
    api: Api, make_api: MakeApi, app_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given more matches of one word than a rare word may have (lowered from 2,000 here),
    # and another workspace where the rare word is common
    monkeypatch.setattr(invoice_lists, "SELECTIVE", 3)
    keys = await make_invoices(api, 6, line_items_each=1)
    await create(api, "rare", line_item(description="Professional services, quokka edition"))
    other = await make_api("Globex billing")
    for index in range(5):
        await create(other, f"theirs-{index}", line_item(description="quokka"))
    # when each is searched
    with count_statements(app_db) as rare:
        assert await found(api, {"search": "quokka"}) == {"rare"}
    with count_statements(app_db) as common:
        assert await found(api, {"search": "Professional services"}) == {*keys, "rare"}
    # then the rare word's page came from the index's ids, the common word's was checked
    assert narrowed_by_search(rare.statements)
    assert not narrowed_by_search(common.statements)
    # and the other workspace, where it is common, finds its own five
    assert await found(other, {"search": "quokka"}) == {f"theirs-{n}" for n in range(5)}


async def test_search_follows_update_invoice(api: Api) -> None:
    invoice = await create(
        api,
        "upd-1",
        line_item(description="Zanzibar consulting", user="cust-one", product_id="sku-old"),
        tags=tags(("project", "aurora")),
    )
    await create(api, "upd-2", line_item(description="unrelated work"))
    first_item = invoice["lineItems"][0]["id"]
    assert await found(api, {"search": "Zanzibar"}) == {"upd-1"}

    invoice = await update(
        api,
        invoice,
        lineItems=[{"update": {"id": first_item, "description": "Madagascar consulting"}}],
    )
    await expect(
        api,
        searches(("Zanzibar", set()), ("Madagascar", {"upd-1"}), ("consulting", {"upd-1"})),
    )

    invoice = await update(api, invoice, tags={"set": tags(("project", "borealis"))})
    await expect(api, searches(("aurora", set()), ("borealis", {"upd-1"})))

    invoice = await update(
        api,
        invoice,
        lineItems=[
            {"update": {"id": first_item, "tags": tags(("cc", "emea"))}},
            {"add": line_item(description="Extra", user="cust-two", product_id="sku-new")},
        ],
    )
    await expect(api, searches(("emea", {"upd-1"}), ("cust-two sku-new Extra", {"upd-1"})))

    invoice = await update(api, invoice, lineItems=[{"delete": {"id": first_item}}])
    await expect(
        api,
        searches(
            ("Madagascar", set()),
            ("sku-old", set()),
            ("cust-one", set()),
            ("emea", set()),
            ("Extra", {"upd-1"}),
        ),
    )

    await update(api, invoice, tags={"remove": ["project"]})
    await expect(api, searches(("borealis", set()), ("upd-1 sku-new", {"upd-1"})))


# --- other workspaces ----------------------------------------------------------------------------

SAME_ITEM = line_item(
    description="shared zanzibar", user="shared-user", currency="EUR", product_id="shared-prod"
)
ISOLATION_FILTERS: list[Filter] = [
    {},
    {"status": {"equalTo": "OPEN"}},
    {"status": {"in": ["OPEN", "DRAFT"]}},
    tag_filter(all=[("env", "prod")]),
    tag_filter(all=[("env", "p*")]),
    tag_filter(any=[("env", "prod"), ("env", "x")]),
    {"user": {"externalId": "shared-user"}},
    {"currency": "EUR"},
    {"productId": {"equalTo": "shared-prod"}},
    {"productId": {"in": ["shared-prod"]}},
    {"created": {"after": "2000-01-01T00:00:00.000Z"}},
    {"modified": {"before": "2100-01-01T00:00:00.000Z"}},
    {"hasRemaining": True},
    {"ignoreZero": True},
    {"search": "zanzibar"},
    {"search": "iso-1"},
    {"search": "shared-user prod"},
    {"search": "!!!"},
    {
        "status": {"equalTo": "OPEN"},
        "currency": "EUR",
        "user": {"externalId": "shared-user"},
        "search": "shared",
        **tag_filter(all=[("env", "prod")]),
    },
]


async def test_other_workspaces_never_appear_in_any_filter(api: Api, other_api: Api) -> None:
    mine = await create(api, "iso-1", SAME_ITEM, tags=tags(("env", "prod")))
    theirs = await create(other_api, "iso-1", SAME_ITEM, tags=tags(("env", "prod")))
    also_theirs = await create(other_api, "iso-2", SAME_ITEM, tags=tags(("env", "prod")))
    theirs_ids = {theirs["id"], also_theirs["id"]}
    seen_by_me = {
        json.dumps(f): [n["id"] for n in await matching(api, f)] for f in ISOLATION_FILTERS
    }
    assert seen_by_me == {json.dumps(f): [mine["id"]] for f in ISOLATION_FILTERS}
    for filter in ISOLATION_FILTERS:
        seen_by_them = {node["id"] for node in await matching(other_api, filter)}
        assert theirs["id"] in seen_by_them, filter
        assert seen_by_them <= theirs_ids, filter


async def test_another_workspaces_user_and_words_find_nothing(api: Api, other_api: Api) -> None:
    await create(api, "mine", line_item(user="shared-user"))
    theirs = await create(
        other_api, "theirs", line_item(user="shared-user", description="onlyours")
    )
    their_user = theirs["lineItems"][0]["user"]["id"]
    await expect(
        api,
        [
            ({"user": {"id": their_user}}, set()),
            ({"user": {"externalId": "shared-user"}}, {"mine"}),
            ({"search": "onlyours"}, set()),
            ({"search": "theirs"}, set()),
        ],
    )
    assert await found(other_api, {"search": "mine"}) == set()


# --- parts ANDed ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    key: str
    status: str
    env: str
    currency: str
    product: str
    word: str
    amount: str
    user: str


SPECS = [
    Spec(
        key=f"and-{index:02d}",
        status=("OPEN", "DRAFT")[index % 2],
        env=("prod", "staging")[index // 2 % 2],
        currency=("USD", "EUR")[index // 4 % 2],
        product=("p1", "p2")[index // 8 % 2],
        word="alpha" if index % 3 == 0 else "beta",
        amount="0" if index % 5 == 0 else "100",
        user=f"and-user-{index % 4}",
    )
    for index in range(16)
]

AND_CASES: list[tuple[Filter, Callable[[Spec], bool]]] = [
    (
        {"status": {"equalTo": "OPEN"}, **tag_filter(all=[("env", "prod")])},
        lambda s: s.status == "OPEN" and s.env == "prod",
    ),
    (
        {"status": {"in": ["OPEN"]}, "currency": "EUR", "productId": {"equalTo": "p2"}},
        lambda s: s.status == "OPEN" and s.currency == "EUR" and s.product == "p2",
    ),
    (
        {**tag_filter(all=[("env", "st*")]), "search": "alpha"},
        lambda s: s.env == "staging" and s.word == "alpha",
    ),
    (
        {
            "status": {"equalTo": "DRAFT"},
            **tag_filter(any=[("env", "prod"), ("env", "x*")]),
            "currency": "USD",
            "productId": {"in": ["p1", "p2"]},
            "search": "beta",
        },
        lambda s: (
            s.status == "DRAFT" and s.env == "prod" and s.currency == "USD" and s.word == "beta"
        ),
    ),
    (
        {"ignoreZero": True, "status": {"equalTo": "OPEN"}, "productId": {"equalTo": "p1"}},
        lambda s: s.amount != "0" and s.status == "OPEN" and s.product == "p1",
    ),
    (
        {"hasRemaining": False, "currency": "USD"},
        lambda s: s.amount == "0" and s.currency == "USD",
    ),
    (
        {"hasRemaining": True, "search": "alpha", "created": {"after": "2000-01-01T00:00:00Z"}},
        lambda s: s.amount != "0" and s.word == "alpha",
    ),
    (
        {"user": {"externalId": "and-user-1"}, "currency": "EUR"},
        lambda s: s.user == "and-user-1" and s.currency == "EUR",
    ),
    (
        {"user": {"externalId": "and-user-0"}, "search": "and-user-0 beta", "ignoreZero": True},
        lambda s: s.user == "and-user-0" and s.word == "beta" and s.amount != "0",
    ),
    (
        {"search": "alpha", "productId": {"equalTo": "p1"}, "status": {"equalTo": "VOID"}},
        lambda s: False,
    ),
]


async def test_filter_parts_are_anded_and_counted(api: Api) -> None:
    for spec in SPECS:
        await create(
            api,
            spec.key,
            line_item(
                description=f"{spec.word} work",
                currency=spec.currency,
                product_id=spec.product,
                amount=spec.amount,
                user=spec.user,
            ),
            tags=tags(("env", spec.env)),
            draft=spec.status == "DRAFT",
        )
    cases = [(f, {spec.key for spec in SPECS if predicate(spec)}) for f, predicate in AND_CASES]
    assert all(0 < len(expected) < len(SPECS) for _, expected in cases[:-1])
    await expect(api, cases)
    # totalCount counts every match, not the page
    counts = {
        json.dumps(f): (await listing(api, filter=f, first=1))["totalCount"] for f, _ in cases
    }
    assert counts == {json.dumps(f): len(expected) for f, expected in cases}


# --- ordered paging ------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    matches: bool
    created: str
    modified: str
    created_seq: int
    modified_seq: int


@dataclass
class World:
    """The invoices made for a paging test, with what the test knows of their order."""

    rows: dict[str, Row]
    seq: int = 0

    def sort_key(self, field: str) -> Callable[[str], tuple[str, int]]:
        """An invoice's place in an order: the field as shown, ties broken by write sequence.

        Shown instants have milliseconds; two writes in one millisecond are told apart by the
        order the test made them in, which is the order of their stored instants.
        """

        def key(invoice_id: str) -> tuple[str, int]:
            row = self.rows[invoice_id]
            if field == "CREATED":
                return (row.created, row.created_seq)
            if field == "MODIFIED":
                return (row.modified, row.modified_seq)
            return (row.key, 0)

        return key

    def ordered(self, keys: list[str] | set[str], field: str, direction: str) -> list[str]:
        return sorted(keys, key=self.sort_key(field), reverse=direction == "DESC")

    def matching(self) -> set[str]:
        return {key for key, row in self.rows.items() if row.matches}


HALF = tag_filter(any=[("half", "yes")])
NUMBERS = random.Random(20260113).sample(range(100, 1000), 40)
ORDERS = [(f, d) for f in ("CREATED", "MODIFIED", "INVOICE_ID") for d in ("ASC", "DESC")]


async def add_row(api: Api, world: World, number: int, matches: bool) -> dict[str, Any]:
    key = f"pg-{number}"
    invoice = await create(api, key, tags=tags(("half", "yes" if matches else "no")))
    world.seq += 1
    world.rows[key] = Row(
        key, matches, invoice["created"], invoice["modified"], world.seq, world.seq
    )
    return invoice


async def make_paging_world(api: Api) -> World:
    """25 invoices, 13 matching HALF; invoiceId, created and modified orders all differ."""
    world = World(rows={})
    invoices: dict[str, dict[str, Any]] = {}
    for index, number in enumerate(NUMBERS[:25]):
        invoice = await add_row(api, world, number, index % 2 == 0)
        invoices[invoice["invoiceId"]] = invoice
    for key in random.Random(7).sample(sorted(world.rows), 12):
        invoice = await update(api, invoices[key], tags={"set": tags(("touched", "1"))})
        world.seq += 1
        world.rows[key].modified = invoice["modified"]
        world.rows[key].modified_seq = world.seq
    return world


async def page_through(
    api: Api, world: World, field: str, direction: str, *, backward: bool, late: list[int]
) -> None:
    """Page the HALF filter 4 at a time, adding invoices after the first two pages.

    Every invoice that matched when paging began is seen exactly once and in order; an added
    one is seen exactly when it lies beyond the cursor it was added behind.
    """
    order = {"field": field, "direction": direction}
    original = world.matching()
    sort_key = world.sort_key(field)
    seen: list[str] = []
    cursor: str | None = None
    must_see: set[str] = set()
    for page_number in range(20):
        args = {"last": 4, "before": cursor} if backward else {"first": 4, "after": cursor}
        data = await api.ok(PAGE_ONLY, filter=HALF, orderBy=order, **args)
        edges = data["invoices"]["edges"]
        info = data["invoices"]["pageInfo"]
        keys = [edge["node"]["invoiceId"] for edge in edges]
        if backward:
            assert info["hasNextPage"] is (cursor is not None)
            seen = keys + seen
            more, cursor = info["hasPreviousPage"], info["startCursor"]
            assert cursor == edges[0]["cursor"]
        else:
            assert info["hasPreviousPage"] is (cursor is not None)
            seen = seen + keys
            more, cursor = info["hasNextPage"], info["endCursor"]
            assert cursor == edges[-1]["cursor"]
        if not more:
            break
        assert len(edges) == 4
        if page_number < 2:
            position = sort_key(seen[0] if backward else seen[-1])
            for matches in (True, False, True):
                added = (await add_row(api, world, late.pop(), matches))["invoiceId"]
                # still ahead: later in the order when paging forward, earlier when backward
                ahead = sort_key(added) > position
                if (direction == "DESC") != backward:
                    ahead = not ahead
                if matches and ahead:
                    must_see.add(added)
    else:
        pytest.fail("paging did not end")

    assert len(seen) == len(set(seen)), seen
    assert [key for key in seen if key in original] == world.ordered(original, field, direction)
    assert set(seen) - original == must_see
    assert seen == world.ordered(seen, field, direction)


@pytest.mark.parametrize(("field", "direction"), ORDERS)
async def test_pages_in_every_order_while_rows_are_added(
    api: Api, field: str, direction: str
) -> None:
    world = await make_paging_world(api)
    expected = world.ordered(world.matching(), field, direction)
    assert len(expected) == 13
    whole = await listing(
        api, filter=HALF, orderBy={"field": field, "direction": direction}, first=200
    )
    assert [edge["node"]["invoiceId"] for edge in whole["edges"]] == expected
    assert whole["totalCount"] == 13

    late = NUMBERS[25:]
    await page_through(api, world, field, direction, backward=False, late=late)
    await page_through(api, world, field, direction, backward=True, late=late)


# --- cursors, limits -----------------------------------------------------------------------------


def order_of(field: str | None, direction: str = "DESC") -> dict[str, str] | None:
    return None if field is None else {"field": field, "direction": direction}


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (order_of(None), order_of("INVOICE_ID")),
        (order_of("CREATED", "ASC"), order_of("CREATED", "DESC")),
        (order_of("CREATED", "DESC"), order_of("CREATED", "ASC")),
        (order_of("MODIFIED"), order_of("CREATED")),
        (order_of("MODIFIED"), order_of(None)),
        (order_of("INVOICE_ID", "ASC"), order_of("MODIFIED", "ASC")),
        (order_of("CREATED", "ASC"), order_of("INVOICE_ID", "ASC")),
    ],
)
async def test_a_cursor_of_another_order_is_bad_user_input(
    api: Api, source: dict[str, str] | None, target: dict[str, str] | None
) -> None:
    await make_invoices(api, 3)
    cursor = (await listing(api, orderBy=source, first=2))["pageInfo"]["endCursor"]
    for args in ({"first": 2, "after": cursor}, {"last": 2, "before": cursor}):
        result = await api.query(LIST, orderBy=target, filter={"search": "inv"}, **args)
        assert result.data is None, args
        assert result.codes == ["BAD_USER_INPUT"], args
        nested = await api.query(
            USER_INVOICES, user={"externalId": "user-1-0"}, orderBy=target, **args
        )
        assert nested.codes == ["BAD_USER_INPUT"], args


async def test_the_default_order_is_created_desc_and_shares_its_cursors(api: Api) -> None:
    keys = await make_invoices(api, 5)
    default = await listing(api, first=2)
    explicit = order_of("CREATED", "DESC")
    rest = await listing(api, orderBy=explicit, first=10, after=default["pageInfo"]["endCursor"])
    seen = [e["node"]["invoiceId"] for e in default["edges"] + rest["edges"]]
    assert seen == keys[::-1]
    back = await listing(api, last=10, before=rest["edges"][0]["cursor"])
    assert [e["node"]["invoiceId"] for e in back["edges"]] == keys[::-1][:2]


async def test_a_cursor_may_be_used_with_another_filter_of_the_same_order(api: Api) -> None:
    for index in range(6):
        await create(api, f"f-{index}", tags=tags(("half", "yes" if index % 2 else "no")))
    order = order_of("INVOICE_ID", "ASC")
    everything = await listing(api, orderBy=order, first=3)
    assert [e["node"]["invoiceId"] for e in everything["edges"]] == ["f-0", "f-1", "f-2"]
    rest = await listing(
        api, orderBy=order, filter=HALF, first=10, after=everything["pageInfo"]["endCursor"]
    )
    assert [e["node"]["invoiceId"] for e in rest["edges"]] == ["f-3", "f-5"]


async def test_more_than_two_hundred_with_a_filter_is_bad_user_input(api: Api) -> None:
    await make_invoices(api, 2)
    for args in ({"first": 201}, {"last": 201}):
        result = await api.query(
            LIST, filter={"status": {"equalTo": "OPEN"}}, orderBy=order_of("INVOICE_ID"), **args
        )
        assert result.data is None, args
        assert result.codes == ["BAD_USER_INPUT"], args
        nested = await api.query(
            USER_INVOICES, user={"externalId": "user-0-0"}, filter={"currency": "USD"}, **args
        )
        assert nested.codes == ["BAD_USER_INPUT"], args


# --- User.invoices -------------------------------------------------------------------------------


async def make_user_invoices(api: Api) -> None:
    await create(api, "ua-1", line_item(user="alice"), tags=tags(("x", "1")))
    await create(api, "ua-2", line_item(user="alice", currency="EUR"), draft=True)
    await create(api, "ua-3", line_item(user="alice"), line_item(user="bob"), tags=tags(("x", "2")))
    await create(api, "ub-1", line_item(user="bob"), tags=tags(("x", "1")))
    await create(api, "uc-1", line_item(user="carol"), tags=tags(("x", "1")))


async def user_invoices(api: Api, user: str, filter: Filter | None) -> set[str]:
    data = await api.ok(USER_INVOICES, user={"externalId": user}, filter=filter, first=50)
    invoices = data["user"]["invoices"]
    keys = {node["invoiceId"] for node in invoices["nodes"]}
    assert invoices["totalCount"] == len(keys)
    return keys


async def test_user_invoices_with_a_filter_narrow_within_the_user(api: Api) -> None:
    await make_user_invoices(api)
    alices = {"ua-1", "ua-2", "ua-3"}
    cases: list[tuple[Filter | None, set[str]]] = [
        (None, alices),
        ({}, alices),
        ({"currency": "USD"}, {"ua-1", "ua-3"}),
        ({"status": {"equalTo": "DRAFT"}}, {"ua-2"}),
        (tag_filter(all=[("x", "1")]), {"ua-1"}),
        (tag_filter(all=[("x", "?")]), {"ua-1", "ua-3"}),
        ({"search": "bob"}, {"ua-3"}),
        ({"search": "ub"}, set()),
        ({"search": "!!"}, alices),
        ({"user": {"externalId": "alice"}}, alices),
        ({"user": {"externalId": "carol"}}, set()),
        ({"user": {"externalId": "nobody"}}, set()),
    ]
    actual = {json.dumps(f): await user_invoices(api, "alice", f) for f, _ in cases}
    assert actual == {json.dumps(f): expected for f, expected in cases}
    assert await user_invoices(api, "bob", {"tags": {"any": tags(("x", "1"))}}) == {"ub-1"}


async def test_user_invoices_filtered_by_a_second_user_keep_the_invoices_of_both(
    api: Api,
) -> None:
    """Filter parts are ANDed, and User.invoices is narrowed by its filter: alice's invoices
    filtered by user bob are those that have both of them."""
    await make_user_invoices(api)
    assert await user_invoices(api, "alice", {"user": {"externalId": "bob"}}) == {"ua-3"}
    assert await user_invoices(api, "bob", {"user": {"externalId": "alice"}}) == {"ua-3"}


async def test_user_invoices_page_in_order_with_a_filter(api: Api) -> None:
    await make_user_invoices(api)
    order = order_of("INVOICE_ID", "DESC")
    alice = {"externalId": "alice"}
    usd = {"currency": "USD"}
    data = await api.ok(USER_INVOICES, user=alice, filter=usd, orderBy=order, first=1)
    first = data["user"]["invoices"]
    assert [node["invoiceId"] for node in first["nodes"]] == ["ua-3"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["totalCount"] == 2
    after = first["pageInfo"]["endCursor"]
    data = await api.ok(USER_INVOICES, user=alice, filter=usd, orderBy=order, first=5, after=after)
    rest = data["user"]["invoices"]
    assert [node["invoiceId"] for node in rest["nodes"]] == ["ua-1"]
    assert rest["pageInfo"]["hasNextPage"] is False
