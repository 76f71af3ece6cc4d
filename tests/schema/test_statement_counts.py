"""A page of invoices costs a constant number of SQL statements, whatever its size."""

from invoicegraph.store.engine import Database
from tests.operations import INVOICE_PAGE, make_invoices
from tests.support import Api, count_statements

NESTED = """
query Nested($first: Int!) {
  invoices(first: $first) {
    totalCount
    nodes {
      id invoiceId status
      tags { key value }
      lineItems { id price { amount } user { externalId } invoice { invoiceId } }
      balances { currency payins { expected actual remaining } net { remaining } }
      users { user { id externalId } balances { currency payouts { expected } } }
    }
  }
}
"""


async def statements_for_page(api: Api, db: Database, document: str, first: int) -> list[str]:
    with count_statements(db.engine) as seen:
        data = await api.ok(document, first=first)
    assert len(data["invoices"]["nodes"]) == first
    return seen.statements


async def test_fifty_invoices_take_no_more_statements_than_five(api: Api, app_db: Database) -> None:
    # given 50 invoices with 4 line items each, over two users each
    await make_invoices(api, 50, line_items_each=4)
    # when
    five = await statements_for_page(api, app_db, NESTED, 5)
    fifty = await statements_for_page(api, app_db, NESTED, 50)
    # then
    assert len(fifty) == len(five), fifty
    # auth, page, count, line items, tags, users, invoices (of line items), plus BEGIN/ROLLBACK
    assert len(fifty) <= 10, fifty


async def test_the_full_invoice_fragment_is_constant_too(api: Api, app_db: Database) -> None:
    await make_invoices(api, 30, line_items_each=3)
    few = await statements_for_page(api, app_db, INVOICE_PAGE, 3)
    many = await statements_for_page(api, app_db, INVOICE_PAGE, 30)
    assert len(many) == len(few), many


async def test_nodes_batches_ids_of_each_type(api: Api, app_db: Database) -> None:
    await make_invoices(api, 20, line_items_each=2)
    page = await api.ok("{ invoices(first: 20) { nodes { id lineItems { id user { id } } } } }")
    ids = [node["id"] for node in page["invoices"]["nodes"]]
    ids += [item["id"] for node in page["invoices"]["nodes"] for item in node["lineItems"]]
    ids += [item["user"]["id"] for node in page["invoices"]["nodes"] for item in node["lineItems"]]
    with count_statements(app_db.engine) as seen:
        data = await api.ok("query N($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=ids[:200])
    assert [node["id"] for node in data["nodes"]] == ids[:200]
    assert seen.count <= 6, seen.statements
