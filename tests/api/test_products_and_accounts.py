"""Products (create idempotent on code, look up by code, list, a product's invoices) and
external accounts (create idempotent on externalId, look up, list, transactions posted on
them, transactions and invoices filtered by account)."""

from typing import Any

from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api

CREATE_PRODUCT = """
mutation Create($input: CreateProductInput!) {
  createProduct(input: $input) {
    __typename
    ... on CreateProductResult { isIkReplay product { id code description created } }
    ... on BadRequestError { fieldErrors { field message } }
    ... on Error { code message }
  }
}
"""

PRODUCT = """
query Product($code: String!, $first: Int, $after: String) {
  product(code: $code) {
    id code description
    invoices(first: $first, after: $after) {
      nodes { invoiceId }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

PRODUCTS = """
query Products($first: Int, $after: String) {
  products(first: $first, after: $after) {
    nodes { code description }
    edges { cursor }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""

CREATE_ACCOUNT = """
mutation Create($input: CreateExternalAccountInput!) {
  createExternalAccount(input: $input) {
    __typename
    ... on CreateExternalAccountResult { isIkReplay account { id externalId name } }
    ... on BadRequestError { fieldErrors { field message } }
    ... on Error { code message }
  }
}
"""

ACCOUNT = """
query Account($account: ExternalAccountMatchInput!) {
  externalAccount(account: $account) { id externalId name }
}
"""

ACCOUNTS = """
query Accounts($first: Int, $after: String) {
  externalAccounts(first: $first, after: $after) {
    nodes { externalId name }
    pageInfo { hasNextPage endCursor }
  }
}
"""

TRANSACTIONS = """
query Transactions($filter: TransactionsFilter) {
  transactions(filter: $filter) {
    totalCount
    nodes { externalId account { externalId name } }
  }
}
"""

INVOICES = """
query Invoices($filter: InvoicesFilter) {
  invoices(filter: $filter) { totalCount nodes { invoiceId } }
}
"""


def fields(result: dict[str, Any]) -> set[str]:
    return {".".join(error["field"]) for error in result["fieldErrors"]}


async def create_product(api: Api, code: str, description: str | None = None) -> Any:
    data = await api.ok(CREATE_PRODUCT, input={"code": code, "description": description})
    return data["createProduct"]


async def create_account(api: Api, external_id: str, name: str) -> Any:
    data = await api.ok(CREATE_ACCOUNT, input={"externalId": external_id, "name": name})
    return data["createExternalAccount"]


async def test_create_product_is_idempotent_on_code(api: Api) -> None:
    created = await create_product(api, "pro", "Pro plan")
    replay = await create_product(api, "pro", "Pro plan")
    conflict = await create_product(api, "pro", "Another plan")
    assert created["isIkReplay"] is False
    assert created["product"]["code"] == "pro"
    assert created["product"]["description"] == "Pro plan"
    assert replay == {**created, "isIkReplay": True}
    assert conflict["__typename"] == "IkConflictError"
    found = await api.ok(PRODUCT, code="pro")
    assert found["product"]["id"] == created["product"]["id"]
    assert (await api.ok(PRODUCT, code="missing"))["product"] is None


async def test_create_product_refuses_bad_input_and_writes_nothing(api: Api) -> None:
    for code, description, expected in [
        ("", None, {"code"}),
        ("a/b", None, {"code"}),
        ("x" * 129, "", {"code", "description"}),
        ("ok", "d" * 1001, {"description"}),
    ]:
        result = await create_product(api, code, description)
        assert result["__typename"] == "BadRequestError"
        assert fields(result) == expected
    assert (await api.ok(PRODUCTS))["products"]["nodes"] == []


async def test_products_page_oldest_first(api: Api) -> None:
    for code in ("a", "b", "c"):
        await create_product(api, code)
    first = await api.ok(PRODUCTS, first=2)
    assert [n["code"] for n in first["products"]["nodes"]] == ["a", "b"]
    rest = await api.ok(PRODUCTS, first=2, after=first["products"]["pageInfo"]["endCursor"])
    assert [n["code"] for n in rest["products"]["nodes"]] == ["c"]
    assert rest["products"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest["products"]["edges"][0]["cursor"],
    }
    bad = await api.query(PRODUCTS, after=first["products"]["pageInfo"]["endCursor"][:-2] + "xx")
    assert bad.codes == ["BAD_USER_INPUT"]


async def test_a_products_invoices_and_free_product_ids(api: Api) -> None:
    await create_product(api, "pro")
    for index, product in enumerate(["pro", "pro", "unlisted", "pro"]):
        await api.ok(
            CREATE_INVOICE, input=invoice_input(f"i-{index}", line_item(product_id=product))
        )
    page = await api.ok(PRODUCT, code="pro", first=2)
    invoices = page["product"]["invoices"]
    assert [n["invoiceId"] for n in invoices["nodes"]] == ["i-3", "i-1"]
    more = await api.ok(PRODUCT, code="pro", first=2, after=invoices["pageInfo"]["endCursor"])
    assert [n["invoiceId"] for n in more["product"]["invoices"]["nodes"]] == ["i-0"]
    # a productId that names no product stays valid, and lists as before
    listed = await api.ok(INVOICES, filter={"productId": {"equalTo": "unlisted"}})
    assert listed["invoices"]["nodes"] == [{"invoiceId": "i-2"}]
    # Product.invoices narrowed further by a filter's productId: the codes both allow
    narrowed = """query { product(code: "pro") {
      none: invoices(filter: {productId: {equalTo: "unlisted"}}) { nodes { invoiceId } }
      same: invoices(filter: {productId: {in: ["pro", "unlisted"]}}) { nodes { invoiceId } }
    } }"""
    got = await api.ok(narrowed)
    assert got["product"]["none"]["nodes"] == []
    assert len(got["product"]["same"]["nodes"]) == 3


async def test_external_accounts_create_look_up_list(api: Api, other_api: Api) -> None:
    created = await create_account(api, "bank-1", "Operating account")
    assert created["isIkReplay"] is False
    assert (await create_account(api, "bank-1", "Operating account"))["isIkReplay"] is True
    conflict = await create_account(api, "bank-1", "Renamed")
    assert conflict["__typename"] == "IkConflictError"
    await create_account(api, "bank-2", "Payouts")
    refused = await create_account(api, "bank:3", "")
    assert fields(refused) == {"externalId", "name"}
    account = created["account"]
    for match in ({"id": account["id"]}, {"externalId": "bank-1"}):
        assert (await api.ok(ACCOUNT, account=match))["externalAccount"] == account
    listed = await api.ok(ACCOUNTS, first=1)
    assert listed["externalAccounts"]["nodes"] == [
        {"externalId": "bank-1", "name": "Operating account"}
    ]
    assert listed["externalAccounts"]["pageInfo"]["hasNextPage"] is True
    # another workspace sees none of it, and may use the same externalId for its own
    for match in ({"id": account["id"]}, {"externalId": "bank-1"}):
        assert (await other_api.ok(ACCOUNT, account=match))["externalAccount"] is None
    theirs = await create_account(other_api, "bank-1", "Theirs")
    assert theirs["isIkReplay"] is False
    assert theirs["account"]["id"] != account["id"]


async def test_transactions_name_their_account_and_lists_filter_by_it(
    api: Api, other_api: Api
) -> None:
    # given two accounts, and transactions on each and on none
    await create_account(api, "bank-1", "Operating")
    await create_account(api, "bank-2", "Payouts")
    theirs = (await create_account(other_api, "bank-9", "Theirs"))["account"]
    for key in ("i-1", "i-2", "i-3"):
        await api.ok(CREATE_INVOICE, input=invoice_input(key))
    posted = [
        ("t-1", {"externalId": "bank-1"}, "i-1"),
        ("t-2", {"externalId": "bank-2"}, "i-2"),
        ("t-3", None, "i-3"),
    ]
    for key, account, invoice in posted:
        recorded = transaction_input(key, "100", allocation(invoice, "100"))
        if account is not None:
            recorded["account"] = account
        data = await api.ok(RECORD_TRANSACTION, input=recorded)
        assert data["recordTransaction"]["__typename"] == "RecordTransactionResult"
    # when / then: Transaction.account
    every = await api.ok(TRANSACTIONS)
    accounts = {n["externalId"]: n["account"] for n in every["transactions"]["nodes"]}
    assert accounts == {
        "t-1": {"externalId": "bank-1", "name": "Operating"},
        "t-2": {"externalId": "bank-2", "name": "Payouts"},
        "t-3": None,
    }
    # the lists filtered by account
    on_one = await api.ok(TRANSACTIONS, filter={"account": {"externalId": "bank-1"}})
    assert [n["externalId"] for n in on_one["transactions"]["nodes"]] == ["t-1"]
    assert on_one["transactions"]["totalCount"] == 1
    invoices = await api.ok(INVOICES, filter={"account": {"externalId": "bank-2"}})
    assert invoices["invoices"] == {"totalCount": 1, "nodes": [{"invoiceId": "i-2"}]}
    for unknown in ({"externalId": "bank-9"}, {"id": theirs["id"]}, {"id": "eac_x"}):
        none = await api.ok(TRANSACTIONS, filter={"account": unknown})
        assert none["transactions"] == {"totalCount": 0, "nodes": []}
        no_invoices = await api.ok(INVOICES, filter={"account": unknown})
        assert no_invoices["invoices"] == {"totalCount": 0, "nodes": []}


async def test_record_transaction_refuses_an_unknown_account_and_writes_nothing(
    api: Api, other_api: Api
) -> None:
    theirs = (await create_account(other_api, "bank-9", "Theirs"))["account"]
    await api.ok(CREATE_INVOICE, input=invoice_input("i-1"))
    for index, account in enumerate(({"externalId": "bank-9"}, {"id": theirs["id"]})):
        data = await api.ok(
            RECORD_TRANSACTION,
            input=transaction_input(f"t-{index}", "100", allocation("i-1", "100"), account=account),
        )
        result = data["recordTransaction"]
        assert result["__typename"] == "BadRequestError"
        assert fields(result) == {"account"}
    assert (await api.ok(TRANSACTIONS))["transactions"] == {"totalCount": 0, "nodes": []}


async def test_the_account_is_part_of_the_transactions_idempotency_key(api: Api) -> None:
    await create_account(api, "bank-1", "Operating")
    await create_account(api, "bank-2", "Payouts")
    first = transaction_input("t-1", "100", account={"externalId": "bank-1"})
    assert (await api.ok(RECORD_TRANSACTION, input=first))["recordTransaction"][
        "isIkReplay"
    ] is False
    again = await api.ok(RECORD_TRANSACTION, input=first)
    assert again["recordTransaction"]["isIkReplay"] is True
    moved = {**first, "account": {"externalId": "bank-2"}}
    conflict = await api.ok(RECORD_TRANSACTION, input=moved)
    assert conflict["recordTransaction"]["__typename"] == "IkConflictError"
    without = {key: value for key, value in first.items() if key != "account"}
    assert (await api.ok(RECORD_TRANSACTION, input=without))["recordTransaction"][
        "__typename"
    ] == "IkConflictError"
