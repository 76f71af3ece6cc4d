"""Invoice filters over users: users (any/all, by id or externalId) and userTagAndBalance
(some user, optionally among those with matching tags, has a net remaining on the invoice in
some currency that meets every comparison), checked against the invoices' own per-user
balances as the API reads them, after every kind of write that moves money."""

import operator
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from invoicegraph.ledger.filters import InvoiceFilter, TagPattern, UserBalanceFilter
from invoicegraph.store.engine import Database
from invoicegraph.store.invoice_lists import SELECTIVE, invoice_conditions
from invoicegraph.store.object_filters import user_balance_invoice_ids
from invoicegraph.store.tables import InvoiceRow, WorkspaceRow
from tests.api.test_users import CREATE_USER, tags
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
from tests.support import Api

LIST = """
query List($filter: InvoicesFilter, $first: Int) {
  invoices(filter: $filter, first: $first) { totalCount nodes { invoiceId } }
}
"""

BALANCES = """
query Balances {
  invoices(first: 200) {
    nodes {
      invoiceId
      users { user { externalId } balances { currency net { remaining } } }
    }
  }
}
"""

OPERATORS: dict[str, Callable[[int, int], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}

USER_TAGS = {"gold": [("tier", "gold")], "silver": [("tier", "silver")], "plain": []}


async def listed(api: Api, filter: dict[str, Any]) -> set[str]:
    data = await api.ok(LIST, filter=filter, first=200)
    keys = {node["invoiceId"] for node in data["invoices"]["nodes"]}
    assert data["invoices"]["totalCount"] == len(keys)
    return keys


async def build(api: Api) -> None:
    """Invoices of three users in two currencies, payins and payouts, then paid in part,
    updated, and one voided: every writer of money has run."""
    for external_id, pairs in USER_TAGS.items():
        await api.ok(CREATE_USER, input={"externalId": external_id, "tags": tags(*pairs)})
    invoices = {
        "i-1": [line_item(user="gold", amount="1000")],
        "i-2": [line_item(user="gold", amount="500"), line_item(user="silver", amount="700")],
        "i-3": [
            line_item(user="silver", amount="300", type="PAYOUT"),
            line_item(user="silver", amount="100"),
        ],
        "i-4": [line_item(user="plain", amount="200", currency="EUR")],
        "i-5": [line_item(user="gold", amount="400", currency="EUR", type="PAYOUT")],
        "i-6": [line_item(user="plain", amount="0")],
    }
    for key, items in invoices.items():
        await api.ok(CREATE_INVOICE, input=invoice_input(key, *items))
    paid = transaction_input("t-1", "1000", allocation("i-1", "1000", user="gold"))
    await api.ok(RECORD_TRANSACTION, input=paid)
    part = transaction_input("t-2", "200", allocation("i-2", "200", user="silver"))
    await api.ok(RECORD_TRANSACTION, input=part)
    out = transaction_input("t-3", "-100", allocation("i-3", "100", user="silver", type="PAYOUT"))
    await api.ok(RECORD_TRANSACTION, input=out)
    invoice = (await api.ok('{ invoice(invoice: {invoiceId: "i-4"}) { id version } }'))["invoice"]
    update = {
        "id": invoice["id"],
        "expectedVersion": invoice["version"],
        "lineItems": [{"add": line_item(user="gold", amount="50", currency="EUR")}],
    }
    result = await api.ok(UPDATE_INVOICE, input=update)
    assert result["updateInvoice"]["__typename"] == "UpdateInvoiceResult"
    voided = (await api.ok('{ invoice(invoice: {invoiceId: "i-6"}) { id } }'))["invoice"]
    await api.ok(TRANSITION, input={"id": voided["id"]}, void=True)


async def oracle(api: Api) -> Callable[[list[str] | None, dict[str, int]], set[str]]:
    """What the filter must find, from the invoices' per-user balances as served."""
    data = await api.ok(BALANCES)
    nets = [
        (node["invoiceId"], entry["user"]["externalId"], int(balance["net"]["remaining"]))
        for node in data["invoices"]["nodes"]
        for entry in node["users"]
        for balance in entry["balances"]
    ]

    def expect(users: list[str] | None, comparisons: dict[str, int]) -> set[str]:
        return {
            invoice
            for invoice, user, net in nets
            if (users is None or user in users)
            and all(OPERATORS[name](net, amount) for name, amount in comparisons.items())
        }

    return expect


COMPARISONS: list[dict[str, int]] = [
    {"gt": 0},
    {"eq": 0},
    {"ne": 0},
    {"lt": 0},
    {"gte": 500, "lte": 700},
    {"gt": -1000, "lt": 100},
    {"eq": -300},
    {"gt": 10**20},
]
TAG_FILTERS: list[tuple[dict[str, Any] | None, list[str] | None]] = [
    (None, None),
    ({"all": tags(("tier", "gold"))}, ["gold"]),
    ({"any": tags(("tier", "silver"), ("tier", "gold"))}, ["gold", "silver"]),
    ({"all": tags(("tier", "*"))}, ["gold", "silver"]),
    ({"all": tags(("tier", "g?ld"))}, ["gold"]),
    ({"all": tags(("tier", "bronze"))}, []),
    ({"all": tags(("tier", "*"), ("tier", "g*"))}, ["gold"]),
    ({"all": tags(("tier", "*")), "any": tags(("tier", "silver"), ("tier", "x"))}, ["silver"]),
]


async def test_user_tag_and_balance_finds_what_the_balances_show(api: Api) -> None:
    await build(api)
    expect = await oracle(api)
    assert expect(None, {"gt": 0}), "the data has something open"
    cases = []
    for user_tags, users in TAG_FILTERS:
        for comparison in COMPARISONS:
            part: dict[str, Any] = {
                "netRemainingBalance": {name: str(amount) for name, amount in comparison.items()}
            }
            if user_tags is not None:
                part["userTags"] = user_tags
            got = await listed(api, {"userTagAndBalance": part})
            cases.append((user_tags, comparison, got, expect(users, comparison)))
    assert [case[:3] for case in cases] == [(*case[:2], case[3]) for case in cases]


async def test_user_tag_and_balance_checked_row_by_row_finds_the_same(
    api: Api, app_db: Database
) -> None:
    """A common match is checked invoice by invoice (EXISTS), a rare one read from the index
    (`narrowed`, below SELECTIVE rows, as every case here): both forms of the SQL must find
    the same invoices."""
    await build(api)
    async with app_db.read() as session:
        connection = await session.connection()
        dialect = connection.dialect.name
        workspace = select(col(WorkspaceRow.id)).where(
            col(WorkspaceRow.public_id) == api.workspace_id
        )
        found = (await connection.execute(workspace)).scalar_one()
        assert found is not None
        workspace_id: int = found

        async def keys(conditions: list[Any]) -> set[str]:
            query = select(col(InvoiceRow.invoice_id)).where(*conditions)
            return set((await connection.execute(query)).scalars())

        for user_tags, _ in TAG_FILTERS:
            every = [TagPattern(t["key"], t["value"]) for t in (user_tags or {}).get("all", [])]
            some = [TagPattern(t["key"], t["value"]) for t in (user_tags or {}).get("any", [])]
            for comparison in COMPARISONS:
                balance = UserBalanceFilter(
                    comparisons=tuple(comparison.items()), tags_all=every, tags_any=some
                )
                by_row = await keys(
                    invoice_conditions(
                        InvoiceFilter(user_balance=balance, include_recovered_from=True),
                        workspace_id=workspace_id,
                        dialect=dialect,
                    )
                )
                ids = user_balance_invoice_ids(balance, workspace_id=workspace_id, dialect=dialect)
                by_index = await keys(
                    invoice_conditions(
                        InvoiceFilter(include_recovered_from=True),
                        workspace_id=workspace_id,
                        dialect=dialect,
                        id_sets=[ids],
                    )
                )
                assert by_row == by_index, (user_tags, comparison)
    assert SELECTIVE > 6


async def test_user_tag_and_balance_refuses_an_empty_comparison(api: Api) -> None:
    result = await api.query(LIST, filter={"userTagAndBalance": {"netRemainingBalance": {}}})
    assert result.codes == ["BAD_USER_INPUT"]
    assert "netRemainingBalance" in result.errors[0]["message"]  # type: ignore[index]
    for bad in ({"gt": 5}, {"gt": "5.5"}, {"gt": "1" + "0" * 30}):
        refused = await api.query(LIST, filter={"userTagAndBalance": {"netRemainingBalance": bad}})
        assert refused.errors is not None, bad


async def test_users_any_and_all(api: Api, other_api: Api) -> None:
    await build(api)
    await other_api.ok(CREATE_INVOICE, input=invoice_input("theirs", line_item(user="gold")))
    theirs = (await other_api.ok('{ user(user: {externalId: "gold"}) { id } }'))["user"]
    gold = (await api.ok('{ user(user: {externalId: "gold"}) { id } }'))["user"]
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"all": [{"externalId": "gold"}]}, {"i-1", "i-2", "i-4", "i-5"}),
        ({"all": [{"id": gold["id"]}, {"externalId": "silver"}]}, {"i-2"}),
        (
            {"any": [{"externalId": "silver"}, {"externalId": "plain"}]},
            {"i-2", "i-3", "i-4", "i-6"},
        ),
        ({"any": [{"externalId": "plain"}], "all": [{"externalId": "gold"}]}, {"i-4"}),
        ({"all": [{"externalId": "nobody"}]}, set()),
        ({"all": [{"id": theirs["id"]}]}, set()),
        ({"any": [{"id": theirs["id"]}, {"externalId": "plain"}]}, {"i-4", "i-6"}),
        ({"any": [{"externalId": "nobody"}]}, set()),
        ({"any": []}, set()),
        ({"all": []}, {f"i-{n}" for n in range(1, 7)}),
    ]
    got = [
        (users, await listed(api, {"users": users, "includeStaking": True})) for users, _ in cases
    ]
    assert got == cases
    # users named by a filter are never created
    assert (await api.ok('{ user(user: {externalId: "nobody"}) { id } }'))["user"] is None


async def test_users_filter_caps_its_lists(api: Api) -> None:
    many = [{"externalId": f"u{n}"} for n in range(21)]
    for part in ("all", "any"):
        result = await api.query(LIST, filter={"users": {part: many}})
        assert result.codes == ["BAD_USER_INPUT"], part
