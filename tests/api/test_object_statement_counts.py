"""The new lists cost a constant number of SQL statements, whatever their page size: users
(with their tags and balances), products, external accounts, and transactions with their
accounts; and the new invoice filters add none per invoice. (A connection below each node,
User.invoices or Product.invoices, is a list of its own: a page query per node, as
User.invoices under line items has always been.)"""

from typing import Any

from invoicegraph.store.engine import Database
from tests.api.test_users import CREATE_USER, tags
from tests.operations import RECORD_TRANSACTION, make_invoices, transaction_input
from tests.support import Api, count_statements

USERS = """
query Users($first: Int!) {
  allUsers(first: $first, filter: {tags: {all: [{key: "tier", value: "g*"}]}}) {
    nodes { id externalId tags { key value } balances { currency payins { expected } } }
    edges { cursor }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PRODUCTS = """
query Products($first: Int!) {
  products(first: $first) {
    nodes { id code description created }
    edges { cursor }
  }
}
"""

ACCOUNTS = """
query Accounts($first: Int!) {
  externalAccounts(first: $first) { nodes { id externalId name } edges { cursor } }
}
"""

TRANSACTIONS = """
query Transactions($first: Int!) {
  transactions(first: $first, filter: {account: {externalId: "bank-0"}}) {
    nodes { externalId account { externalId name } }
  }
}
"""

FILTERED = """
query Filtered($first: Int!) {
  invoices(first: $first, filter: {
    users: {any: [{externalId: "user-0-0"}, {externalId: "user-1-0"}], all: []}
    userTagAndBalance: {userTags: {all: [{key: "tier", value: "gold"}]},
                        netRemainingBalance: {gte: "0"}}
  }) { nodes { invoiceId lineItems { user { externalId tags { key value } } } } }
}
"""


async def counted(api: Api, db: Database, document: str, first: int, field: str) -> int:
    with count_statements(db) as seen:
        data = await api.ok(document, first=first)
    assert len(data[field]["nodes"]) == first, data
    return seen.count


async def test_the_users_list_is_constant(api: Api, app_db: Database) -> None:
    for index in range(30):
        await api.ok(
            CREATE_USER,
            input={"externalId": f"u{index}", "tags": tags(("tier", "gold"), ("n", str(index)))},
        )
    few, many = [await counted(api, app_db, USERS, n, "allUsers") for n in (3, 30)]
    assert few == many


async def test_the_products_list_is_constant(api: Api, app_db: Database) -> None:
    for index in range(20):
        await api.ok(
            "mutation P($code: String!) { createProduct(input: {code: $code}) { __typename } }",
            code=f"p{index % 2}" if index < 2 else f"q{index}",
        )
    few, many = [await counted(api, app_db, PRODUCTS, n, "products") for n in (2, 20)]
    assert few == many


async def test_the_accounts_and_transactions_lists_are_constant(api: Api, app_db: Database) -> None:
    for index in range(30):
        await api.ok(
            """mutation A($id: String!) {
              createExternalAccount(input: {externalId: $id, name: "Bank"}) { __typename }
            }""",
            id=f"bank-{index}",
        )
    for index in range(30):
        extra: dict[str, Any] = {"account": {"externalId": "bank-0"}}
        await api.ok(RECORD_TRANSACTION, input=transaction_input(f"t{index}", "10", **extra))
    few, many = [await counted(api, app_db, ACCOUNTS, n, "externalAccounts") for n in (3, 30)]
    assert few == many
    few, many = [await counted(api, app_db, TRANSACTIONS, n, "transactions") for n in (3, 30)]
    assert few == many


async def test_the_new_invoice_filters_are_constant(api: Api, app_db: Database) -> None:
    await make_invoices(api, 2, line_items_each=2)
    for index in range(2):
        await api.ok(
            "mutation U($id: String!) { updateUser(input: {user: {externalId: $id}, "
            'tags: {set: [{key: "tier", value: "gold"}]}}) { __typename } }',
            id=f"user-{index}-0",
        )
    few = await counted(api, app_db, FILTERED, 1, "invoices")
    many = await counted(api, app_db, FILTERED, 2, "invoices")
    assert few == many


PRODUCT_INVOICES = """
query ProductInvoices($first: Int!) {
  product(code: "p0") {
    invoices(first: $first) {
      nodes { invoiceId lineItems { productId user { externalId tags { key value } } } }
    }
  }
}
"""


async def test_a_products_invoices_are_constant(api: Api, app_db: Database) -> None:
    await api.ok('mutation { createProduct(input: {code: "p0"}) { __typename } }')
    await make_invoices(api, 20, line_items_each=2)
    with count_statements(app_db) as few:
        small = await api.ok(PRODUCT_INVOICES, first=2)
    with count_statements(app_db) as many:
        large = await api.ok(PRODUCT_INVOICES, first=20)
    assert len(small["product"]["invoices"]["nodes"]) == 2
    assert len(large["product"]["invoices"]["nodes"]) == 20
    assert few.count == many.count, many.statements
