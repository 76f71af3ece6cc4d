"""Tenancy: another workspace's IDs behave exactly like unknown IDs, at every entry point."""

from typing import Any

import pytest

from tests.operations import CREATE_INVOICE, invoice_input, line_item
from tests.support import Api


@pytest.fixture
async def theirs(other_api: Api) -> dict[str, Any]:
    """An invoice of the other workspace, with its line item and user."""
    data = await other_api.ok(
        CREATE_INVOICE, input=invoice_input("shared-key", line_item(user="their_user"))
    )
    invoice: dict[str, Any] = data["createInvoice"]["invoice"]
    return invoice


def unknown_ids(theirs: dict[str, Any]) -> list[str]:
    item = theirs["lineItems"][0]
    return [theirs["id"], item["id"], item["user"]["id"], theirs["workspaceId"]]


async def test_node_and_nodes_answer_null_for_foreign_ids(api: Api, theirs: dict[str, Any]) -> None:
    ids = unknown_ids(theirs)
    for foreign in ids:
        data = await api.ok("query N($id: ID!) { node(id: $id) { id } }", id=foreign)
        assert data == {"node": None}
    data = await api.ok("query N($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=ids)
    assert data == {"nodes": [None] * len(ids)}


async def test_node_answers_null_for_unknown_ids_the_same_way(api: Api) -> None:
    for unknown in ["inv_doesnotexist", "li_x", "usr_x", "ws_x", "nonsense", "", "txn_x"]:
        data = await api.ok("query N($id: ID!) { node(id: $id) { id } }", id=unknown)
        assert data == {"node": None}


async def test_own_objects_resolve_through_node(api: Api) -> None:
    data = await api.ok(CREATE_INVOICE, input=invoice_input("mine"))
    invoice = data["createInvoice"]["invoice"]
    query = """query N($ids: [ID!]!) { nodes(ids: $ids) {
        __typename id
        ... on Invoice { invoiceId }
        ... on LineItem { description }
        ... on User { externalId }
        ... on Workspace { name } } }"""
    got = await api.ok(query, ids=unknown_ids(invoice))
    assert got["nodes"][0]["invoiceId"] == "mine"
    assert [node["__typename"] for node in got["nodes"]] == [
        "Invoice",
        "LineItem",
        "User",
        "Workspace",
    ]
    assert got["nodes"][3] == {
        "__typename": "Workspace",
        "id": api.workspace_id,
        "name": "Acme billing",
    }


async def test_lookups_by_our_id_and_by_the_callers_keys_find_nothing(
    api: Api, theirs: dict[str, Any]
) -> None:
    user = theirs["lineItems"][0]["user"]
    data = await api.ok(
        """query Q($id: ID!, $userId: ID!) {
          byId: invoice(invoice: {id: $id}) { id }
          byKey: invoice(invoice: {invoiceId: "shared-key"}) { id }
          userById: user(user: {id: $userId}) { id }
          userByExternalId: user(user: {externalId: "their_user"}) { id }
          invoices { edges { node { id } } }
          workspace { id }
        }""",
        id=theirs["id"],
        userId=user["id"],
    )
    assert data == {
        "byId": None,
        "byKey": None,
        "userById": None,
        "userByExternalId": None,
        "invoices": {"edges": []},
        "workspace": {"id": api.workspace_id},
    }


async def test_a_foreign_user_id_in_create_invoice_is_unknown(
    api: Api, theirs: dict[str, Any]
) -> None:
    foreign_user = theirs["lineItems"][0]["user"]["id"]
    request = invoice_input("x", {**line_item(), "user": {"id": foreign_user}})
    result = (await api.ok(CREATE_INVOICE, input=request))["createInvoice"]
    assert result["__typename"] == "BadRequestError"
    assert result["fieldErrors"][0]["field"] == ["lineItems", "0", "user", "id"]


async def test_the_same_invoice_id_and_external_id_are_independent_per_workspace(
    api: Api, theirs: dict[str, Any]
) -> None:
    mine = await api.ok(
        CREATE_INVOICE, input=invoice_input("shared-key", line_item(user="their_user"))
    )
    result = mine["createInvoice"]
    assert result["isIkReplay"] is False
    assert result["invoice"]["id"] != theirs["id"]
    assert result["invoice"]["workspaceId"] == api.workspace_id
    assert result["invoice"]["lineItems"][0]["user"]["id"] != theirs["lineItems"][0]["user"]["id"]
