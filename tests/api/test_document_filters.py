"""Lists by document: overdue, subscription, kinds and recovery chains with Blocklet's defaults."""

from typing import Any

from tests.operations import CREATE_INVOICE_MINIMAL, invoice_input, line_item
from tests.support import Api

LIST = """
query List($filter: InvoicesFilter) {
  invoices(first: 50, filter: $filter, orderBy: {field: INVOICE_ID, direction: ASC}) {
    totalCount
    nodes { invoiceId }
  }
}
"""

USER_OVERDUE = """
query Overdue($externalId: String!) {
  user(user: {externalId: $externalId}) {
    overdue { invoiceCount balances { currency payins { expected actual remaining } } }
    invoices(filter: {overdue: true}) { nodes { invoiceId overdue } }
  }
}
"""

PAST, FUTURE = "2020-01-01T00:00:00.000Z", "2100-01-01T00:00:00.000Z"


async def create(api: Api, key: str, *items: dict[str, Any], **extra: Any) -> None:
    data = await api.ok(CREATE_INVOICE_MINIMAL, input=invoice_input(key, *items, **extra))
    assert data["createInvoice"]["__typename"] == "CreateInvoiceResult", data


async def listed(api: Api, **filter: Any) -> list[str]:
    data = (await api.ok(LIST, filter=filter))["invoices"]
    keys = [node["invoiceId"] for node in data["nodes"]]
    assert data["totalCount"] == len(keys)
    return keys


async def test_overdue_is_open_and_past_its_due_date(api: Api) -> None:
    await create(api, "late", dueDate=PAST)
    await create(api, "early", dueDate=FUTURE)
    await create(api, "undated")
    await create(api, "late-draft", dueDate=PAST, draft=True)
    assert await listed(api, overdue=True) == ["late"]
    assert await listed(api, overdue=False) == ["early", "late-draft", "undated"]


async def test_a_users_overdue_invoices_and_what_remains_on_them(api: Api) -> None:
    await create(api, "o-1", line_item(amount="100", user="cust"), dueDate=PAST)
    await create(
        api,
        "o-2",
        line_item(amount="250", user="cust"),
        line_item(amount="900", user="someone-else"),
        line_item(amount="70", user="cust", currency="EUR"),
        dueDate=PAST,
    )
    await create(api, "o-3", line_item(amount="999", user="cust"), dueDate=FUTURE)
    user = (await api.ok(USER_OVERDUE, externalId="cust"))["user"]
    assert user["overdue"] == {
        "invoiceCount": 2,
        "balances": [
            {"currency": "EUR", "payins": {"expected": "70", "actual": "0", "remaining": "70"}},
            {"currency": "USD", "payins": {"expected": "350", "actual": "0", "remaining": "350"}},
        ],
    }
    nodes = user["invoices"]["nodes"]
    assert sorted(node["invoiceId"] for node in nodes) == ["o-1", "o-2"]
    assert all(node["overdue"] for node in nodes)


async def test_stakes_follow_blockets_list_defaults(api: Api) -> None:
    await create(api, "k-standard")
    await create(api, "k-stake", kind="STAKE")
    await create(api, "k-overdraft", kind="STAKE_OVERDRAFT_PROTECTION")
    assert await listed(api) == ["k-overdraft", "k-standard"]
    assert await listed(api, includeStaking=True) == ["k-overdraft", "k-stake", "k-standard"]
    assert await listed(api, includeOverdraftProtection=False) == ["k-standard"]


async def test_invoices_recovered_from_are_left_out_unless_asked_for(api: Api) -> None:
    await create(api, "rec-1")
    await create(api, "rec-2", recoveredFrom={"invoiceId": "rec-1"})
    await create(api, "rec-3", recoveredFrom={"invoiceId": "rec-2"})
    assert await listed(api) == ["rec-3"]
    assert await listed(api, includeRecoveredFrom=True) == ["rec-1", "rec-2", "rec-3"]


async def test_subscription_and_status_lists(api: Api) -> None:
    await create(api, "s-1", subscriptionId="sub_a")
    await create(api, "s-2", subscriptionId="sub_b", draft=True)
    await create(api, "s-3", subscriptionId="sub_a", draft=True)
    await create(api, "s-4")
    assert await listed(api, subscriptionId={"equalTo": "sub_a"}) == ["s-1", "s-3"]
    assert await listed(
        api, subscriptionId={"in": ["sub_a", "sub_b"]}, status={"in": ["DRAFT"]}
    ) == [
        "s-2",
        "s-3",
    ]
