"""Property test: random updates, valid and not, against the real schema and a real database.

After every step: balances equal a recomputation from the line items, and a refused update
changed nothing. At the end: replaying each version's recorded changes onto the previous
snapshot gives exactly that version's snapshot, all the way from version 1.
"""

import itertools
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.operations import CREATE_INVOICE, UPDATE_INVOICE, invoice_input, line_item
from tests.support import Api

SNAPSHOT_FIELDS = """
  lineItemId description productId type currency
  price { amount quantity unitPrice } user { externalId } tags { key value }
"""
FULL_HISTORY = f"""
query History($id: ID!) {{
  invoice(invoice: {{id: $id}}) {{
    version status tags {{ key value }}
    lineItems {{ id description type currency price {{ amount }} }}
    balances {{
      currency payins {{ expected actual remaining }} payouts {{ expected actual remaining }}
      net {{ expected actual remaining }}
    }}
    history(first: 200) {{
      nodes {{
        version status tags {{ key value }}
        lineItems {{ {SNAPSHOT_FIELDS} }}
        changes {{
          __typename
          ... on LineItemAdded {{ lineItem {{ {SNAPSHOT_FIELDS} }} }}
          ... on LineItemDeleted {{ lineItem {{ lineItemId }} }}
          ... on LineItemUpdated {{
            lineItemId newDescription
            newPrice {{ amount quantity unitPrice }} newTags {{ key value }}
          }}
          ... on TagsChanged {{ newTags {{ key value }} }}
          ... on StatusChanged {{ from to }}
        }}
      }}
    }}
  }}
}}
"""


def mostly(
    valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Valid values nine times in ten, so that many updates go through."""
    return st.sampled_from(range(10)).flatmap(lambda n: invalid if n == 9 else valid)


amounts = mostly(st.integers(0, 10**6).map(str), st.sampled_from(["-1", str(2**95)]))
tags = st.lists(
    st.builds(
        lambda k, v: {"key": k, "value": v},
        mostly(st.sampled_from(["a", "b", "c"]), st.just("bad:key")),
        mostly(st.sampled_from(["1", "2"]), st.just("")),
    ),
    max_size=2,
    unique_by=lambda tag: tag["key"],
)
add = st.builds(
    lambda amount, currency, flow, user: {
        "add": line_item(amount=amount, currency=currency, type=flow, user=user)
    },
    amounts,
    st.sampled_from(["USD", "EUR"]),
    st.sampled_from(["PAYIN", "PAYOUT"]),
    st.sampled_from(["u1", "u2"]),
)
update = st.builds(
    lambda target, description, price, item_tags: {
        "update": {
            "id": target,
            **({"description": description} if description is not None else {}),
            **({"price": price} if price is not None else {}),
            **({"tags": item_tags} if item_tags is not None else {}),
        }
    },
    st.integers(0, 5),
    st.one_of(st.none(), mostly(st.sampled_from(["x", "renamed"]), st.just(""))),
    st.one_of(
        st.none(),
        st.builds(lambda a: {"amount": a}, amounts),
        st.builds(
            lambda u, q: {"unitPrice": u, "quantity": q},
            amounts,
            mostly(st.integers(1, 4), st.just(0)),
        ),
    ),
    st.one_of(st.none(), tags),
)
delete = st.builds(lambda target: {"delete": {"id": target}}, st.integers(0, 5))
step = st.fixed_dictionaries(
    {
        "operations": st.lists(st.one_of(add, update, delete), max_size=4),
        "set": tags.filter(lambda t: all(tag["key"] != "b" for tag in t)),
        "remove": st.lists(st.just("b"), max_size=1),
        "stale": st.sampled_from([False, False, False, True]),
    }
)


def resolve_targets(operations: list[dict[str, Any]], ids: list[str]) -> list[dict[str, Any]]:
    """Turn drawn indexes into ids of current line items, or an unknown id when out of range."""
    resolved = []
    for operation in operations:
        ((kind, body),) = operation.items()
        if kind in ("update", "delete"):
            index = body["id"]
            body = {**body, "id": ids[index] if index < len(ids) else "li_unknown"}
        resolved.append({kind: body})
    return resolved


def as_current(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot line item in the shape FULL_HISTORY asks of the current line items."""
    return {
        "id": snapshot["lineItemId"],
        "description": snapshot["description"],
        "type": snapshot["type"],
        "currency": snapshot["currency"],
        "price": {"amount": snapshot["price"]["amount"]},
    }


def recompute(line_items: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    expected: dict[str, dict[str, int]] = defaultdict(lambda: {"PAYIN": 0, "PAYOUT": 0})
    for item in line_items:
        expected[item["currency"]][item["type"]] += int(item["price"]["amount"])
    return dict(expected)


def replay(state: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    items = list(state["lineItems"])
    tags_now = state["tags"]
    status = state["status"]
    for change in changes:
        kind = change["__typename"]
        if kind == "LineItemAdded":
            items.append(change["lineItem"])
        elif kind == "LineItemDeleted":
            items = [i for i in items if i["lineItemId"] != change["lineItem"]["lineItemId"]]
        elif kind == "LineItemUpdated":
            items = [
                {
                    **i,
                    "description": change["newDescription"],
                    "price": change["newPrice"],
                    "tags": change["newTags"],
                }
                if i["lineItemId"] == change["lineItemId"]
                else i
                for i in items
            ]
        elif kind == "TagsChanged":
            tags_now = change["newTags"]
        elif kind == "StatusChanged":
            status = change["to"]
    return {"status": status, "tags": tags_now, "lineItems": items}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=6), data=st.data())
async def test_random_updates_keep_every_rule(
    api: Api, steps: list[dict[str, Any]], data: st.DataObject
) -> None:
    key = data.draw(st.uuids()).hex
    created = await api.ok(CREATE_INVOICE, input=invoice_input(key, line_item(amount="100")))
    invoice_id = created["createInvoice"]["invoice"]["id"]

    for drawn in steps:
        before = (await api.ok(FULL_HISTORY, id=invoice_id))["invoice"]
        ids = [item["id"] for item in before["lineItems"]]
        version = (
            before["version"] - 1 if drawn["stale"] and before["version"] > 1 else before["version"]
        )
        result = (
            await api.ok(
                UPDATE_INVOICE,
                input={
                    "id": invoice_id,
                    "expectedVersion": version,
                    "lineItems": resolve_targets(drawn["operations"], ids),
                    "tags": {"set": drawn["set"], "remove": drawn["remove"]},
                },
            )
        )["updateInvoice"]
        after = (await api.ok(FULL_HISTORY, id=invoice_id))["invoice"]

        if result["__typename"] == "UpdateInvoiceResult":
            assert after["version"] in (before["version"], before["version"] + 1)
        else:
            assert result["__typename"] in (
                "BadRequestError",
                "NotFoundError",
                "VersionConflictError",
            )
            assert after == before, "a refused update changed something"

        newest = after["history"]["nodes"][0]
        assert newest["version"] == after["version"]
        assert (newest["status"], newest["tags"]) == (after["status"], after["tags"])
        assert [as_current(item) for item in newest["lineItems"]] == after["lineItems"]

        sums = recompute(after["lineItems"])
        for balance in after["balances"]:
            for flow, field in (("PAYIN", "payins"), ("PAYOUT", "payouts")):
                expected = sums[balance["currency"]][flow]
                assert balance[field] == {
                    "expected": str(expected),
                    "actual": "0",
                    "remaining": str(expected),
                }
        assert {b["currency"] for b in after["balances"]} == set(sums)

    versions = (await api.ok(FULL_HISTORY, id=invoice_id))["invoice"]["history"]["nodes"][::-1]
    assert [v["version"] for v in versions] == list(range(1, len(versions) + 1))
    for previous, current in itertools.pairwise(versions):
        snapshot = {k: current[k] for k in ("status", "tags", "lineItems")}
        assert replay(previous, current["changes"]) == snapshot
