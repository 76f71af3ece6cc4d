"""Invoices are built with the parts their selection reads, however the selection is written.

Each document below reaches the same invoice fields another way (named and inline fragments,
fragments on the Node interface, aliases, @include and @skip with variables, nesting through
line items and payments) and must answer exactly what the plain selection answers: a part the
selection analysis missed would surface as an internal error, never as an empty list.
"""

from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse
from graphql.pyutils import Path

from invoicegraph.schema.selection import selected_names
from tests.api.test_limits import doubling_fragments
from tests.operations import CREATE_INVOICE_MINIMAL, INVOICE_BY_KEY, invoice_input, line_item
from tests.support import Api

RECORD = """
mutation Record($input: RecordTransactionInput!) {
  recordTransaction(input: $input) { __typename }
}
"""

PARTS = """
  lineItems { description user { externalId } tags { key value } }
  payments { amount user { externalId } }
  balances { currency payins { expected actual remaining } }
  users { user { externalId } balances { currency payins { actual } } }
  tags { key value }
"""

PLAIN = "query($key: String!) { invoice(invoice: {invoiceId: $key}) { invoiceId " + PARTS + "} }"

DOCUMENTS = {
    "named fragment": (
        "query($key: String!) { invoice(invoice: {invoiceId: $key}) { invoiceId ...P } }"
        " fragment P on Invoice {" + PARTS + "}"
    ),
    "nested fragments": (
        "query($key: String!) { invoice(invoice: {invoiceId: $key}) { ...A } }"
        " fragment A on Invoice { invoiceId ...B }"
        " fragment B on Invoice {" + PARTS + "}"
    ),
    "inline fragment": (
        "query($key: String!) { invoice(invoice: {invoiceId: $key}) {"
        " ... on Invoice { invoiceId " + PARTS + "} } }"
    ),
    "included by a variable": (
        "query($key: String!, $yes: Boolean = true, $no: Boolean = false) {"
        " invoice(invoice: {invoiceId: $key}) { invoiceId"
        " ... @include(if: $yes) {" + PARTS + "}"
        " ... @skip(if: $no) { tags { key } } } }"
    ),
}


async def make_paid_invoice(api: Api) -> None:
    items = [line_item(amount="700", user="ann"), line_item(amount="300", user="bob")]
    data = await api.ok(
        CREATE_INVOICE_MINIMAL,
        input=invoice_input("inv-parts", *items, tags=[{"key": "plan", "value": "pro"}]),
    )
    assert data["createInvoice"]["__typename"] == "CreateInvoiceResult"
    paid = await api.ok(
        RECORD,
        input={
            "externalId": "txn-parts",
            "amount": "500",
            "currency": "USD",
            "posted": "2026-01-13T00:00:00.000Z",
            "allocations": [
                {
                    "invoice": {"invoiceId": "inv-parts"},
                    "type": "PAYIN",
                    "user": {"externalId": "ann"},
                    "amount": "500",
                }
            ],
        },
    )
    assert paid["recordTransaction"]["__typename"] == "RecordTransactionResult"


@pytest.mark.parametrize("name", list(DOCUMENTS))
async def test_every_way_of_selecting_parts_answers_alike(api: Api, name: str) -> None:
    await make_paid_invoice(api)
    expected = await api.ok(PLAIN, key="inv-parts")
    assert expected["invoice"]["payments"][0]["amount"] == "500"  # the data has every part
    assert await api.ok(DOCUMENTS[name], key="inv-parts") == expected


async def test_parts_selected_through_the_node_interface_and_nested_objects(api: Api) -> None:
    await make_paid_invoice(api)
    plain = await api.ok(PLAIN, key="inv-parts")
    invoice_id = (await api.ok(INVOICE_BY_KEY, invoiceId="inv-parts"))["invoice"]["id"]
    through_node = await api.ok(
        "query($id: ID!) { node(id: $id) { ... on Invoice { invoiceId " + PARTS + "} } }",
        id=invoice_id,
    )
    assert through_node["node"] == plain["invoice"]
    # an invoice reached again from its own line item and payment, under aliases
    nested = await api.ok(
        "query($key: String!) { invoice(invoice: {invoiceId: $key}) {"
        " first: lineItems { again: invoice { invoiceId " + PARTS + "} }"
        " payments { invoice { balances { currency payins { actual } } } } } }",
        key="inv-parts",
    )
    for item in nested["invoice"]["first"]:
        assert item["again"] == plain["invoice"]
    assert nested["invoice"]["payments"][0]["invoice"]["balances"] == [
        {"currency": "USD", "payins": {"actual": "500"}}
    ]


async def test_one_list_of_nodes_of_two_types_selecting_differently(api: Api) -> None:
    """`invoice` under a LineItem and under a Payment, in the same list, select different
    parts: each gets its own."""
    await make_paid_invoice(api)
    found = await api.ok(
        "query($key: String!) { invoice(invoice: {invoiceId: $key}) {"
        " lineItems { id } payments { id } } }",
        key="inv-parts",
    )
    ids = [found["invoice"]["lineItems"][0]["id"], found["invoice"]["payments"][0]["id"]]
    data = await api.ok(
        "query($ids: [ID!]!) { nodes(ids: $ids) {"
        " ... on LineItem { invoice { lineItems { description } } }"
        " ... on Payment { invoice { payments { amount } } } } }",
        ids=ids,
    )
    item, payment = data["nodes"]
    assert len(item["invoice"]["lineItems"]) == 2
    assert payment["invoice"]["payments"] == [{"amount": "500"}]


class CountingFragments(dict[str, FragmentDefinitionNode]):
    """The document's fragments, counting each look-up; past 10,000 the walk is too much
    work, and the test fails instead of waiting for it."""

    looked_up = 0

    def _count(self) -> None:
        self.looked_up += 1
        if self.looked_up > 10_000:
            raise AssertionError("more than 10,000 fragment look-ups")

    def __getitem__(self, name: str) -> FragmentDefinitionNode:
        self._count()
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        self._count()
        return super().get(name, default)


def test_what_is_selected_is_found_with_each_fragment_read_once() -> None:
    # given `...F0` where each of 40 fragments spreads the next twice (2**40 copies in place)
    document = parse(doubling_fragments(40))
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = CountingFragments(
        (d.name.value, d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    )
    (invoices,) = operation.selection_set.selections
    assert isinstance(invoices, FieldNode)
    assert invoices.selection_set is not None
    nodes_field = invoices.selection_set.selections[0]
    raw = SimpleNamespace(
        field_nodes=[nodes_field],
        fragments=fragments,
        path=Path(None, "invoices", "Query").add_key("nodes", "InvoiceConnection"),
        operation=operation,
        context=SimpleNamespace(selections={}),
    )
    info = strawberry.Info(_raw_info=raw, _field=None)  # type: ignore[arg-type]
    # when a resolver asks what is selected below `nodes`
    names = selected_names(info)
    # then every name is there, and each fragment was read about once
    assert names == {"nodes", "lineItems", "id"}
    assert fragments.looked_up <= 2 * 40
