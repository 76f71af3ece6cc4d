"""A page of invoices costs a constant number of SQL statements, whatever its size."""

from bench.peers.queries import INVOICE_FIELDS
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
    with count_statements(db) as seen:
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
    with count_statements(app_db) as seen:
        data = await api.ok("query N($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=ids[:200])
    assert [node["id"] for node in data["nodes"]] == ids[:200]
    assert seen.count <= 6, seen.statements


PEER_PAGE = (
    "query Page($first: Int!) { invoices(first: $first) { nodes { ...Fields } } }" + INVOICE_FIELDS
)
LAST_PAGE = (
    "query Page($first: Int!) { invoices(last: $first) { nodes { ...Fields } } }" + INVOICE_FIELDS
)
"""A page from the end: the standard path on both stores (SQL reads answer `first` pages)."""
PEER_PAGES = (
    "query Pages($first: Int!) {"
    " p0: invoices(first: $first) { nodes { ...Fields } }"
    " p1: invoices(last: $first) { nodes { ...Fields } }"
    " }" + INVOICE_FIELDS
)


async def test_the_peer_benchmark_queries_are_constant(api: Api, app_db: Database) -> None:
    """bench/peers' q100 and q1000 (aliased pages) shapes: statements do not grow with size."""
    await make_invoices(api, 60, line_items_each=5)
    few = await statements_for_page(api, app_db, PEER_PAGE, 3)
    many = await statements_for_page(api, app_db, PEER_PAGE, 30)
    assert len(many) == len(few), many
    standard = await statements_for_page(api, app_db, LAST_PAGE, 30)
    with count_statements(app_db) as few_pages:
        await api.ok(PEER_PAGES, first=3)
    with count_statements(app_db) as many_pages:
        await api.ok(PEER_PAGES, first=30)
    assert many_pages.count == few_pages.count, many_pages.statements
    # one more page, and the pages' loads may or may not share batches: at most twice
    assert many_pages.count <= 2 * len(standard), many_pages.statements
