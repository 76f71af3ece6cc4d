"""The three queries, as invoicegraph and as PostGraphile v4 and v5 are asked them, and one
normal form of their answers, so that the benchmark can check that every server answers the same
data.

- q1: one invoice by its key, two scalars: the cost of a request itself (HTTP, parsing,
  validation, auth on our side, one indexed lookup).
- q100: the newest 100 invoices of the workspace with their line items (price, currency, flow,
  user's external id) and balances per currency.
- q1000: the same for the newest 1,000.

invoicegraph pages hold at most 200 invoices, so its q1000 is one request of five aliased pages
of 200 (`after` the cursors of invoices 200, 400, 600 and 800, read once before the run; the
data does not change). PostGraphile has no such cap and is asked `allInvoicesList(first: 1000)`.

Balances are not a table, and PostGraphile serves tables. Its queries ask for what a client
needs to compute the same balances itself: every line item's amount, currency and flow (which
the query selects anyway) and the invoice's payments (flow, currency, amount). The check sums
those per currency and flow and compares with invoicegraph's expected / actual / remaining. A
SQL function exposed as a computed column would move that sum into PostgreSQL instead; the raw
rows keep PostGraphile as it comes, with no schema written for it.

PostGraphile v5 (bench/peers/v5/graphile.config.mjs: the Amber preset, lists only) names the
fields and relations as v4 does; its one difference here is that a table's `id` column is
`rowId`, so it orders by ROW_ID_* where v4 orders by ID_*. Both answer the same JSON shape, and
one normalisation (`peer_q1`, `peer_page`) serves both.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

INVOICE_FIELDS = """
fragment Fields on Invoice {
  invoiceId
  status
  lineItems {
    description type currency
    price { amount quantity unitPrice }
    user { externalId }
  }
  balances {
    currency
    payins { expected actual remaining }
    payouts { expected actual remaining }
  }
}
"""
OURS_Q1 = """
query Q1($key: String!) {
  invoice(invoice: {invoiceId: $key}) { invoiceId status }
}
"""
OURS_Q100 = (
    """
query Q100 {
  invoices(first: 100) { nodes { ...Fields } }
}
"""
    + INVOICE_FIELDS
)
OURS_Q1000 = (
    """
query Q1000($a200: String!, $a400: String!, $a600: String!, $a800: String!) {
  p0: invoices(first: 200) { nodes { ...Fields } }
  p1: invoices(first: 200, after: $a200) { nodes { ...Fields } }
  p2: invoices(first: 200, after: $a400) { nodes { ...Fields } }
  p3: invoices(first: 200, after: $a600) { nodes { ...Fields } }
  p4: invoices(first: 200, after: $a800) { nodes { ...Fields } }
}
"""
    + INVOICE_FIELDS
)
OURS_CURSORS = """
query Cursors($after: String) {
  invoices(first: 200, after: $after) { pageInfo { endCursor } }
}
"""

PEER_Q1 = """
query Q1($workspace: Int!, $key: String!) {
  invoiceByWorkspaceIdAndInvoiceId(workspaceId: $workspace, invoiceId: $key) { invoiceId status }
}
"""
PEER_PAGE = """
query Q%(size)d($workspace: Int!) {
  allInvoicesList(
    first: %(size)d, condition: {workspaceId: $workspace}, orderBy: [CREATED_DESC, %(id)s_DESC]
  ) {
    invoiceId
    status
    lineItemsByInvoiceIdList(orderBy: %(id)s_ASC) {
      description type currency amount quantity unitPrice
      userByUserId { externalId }
    }
    paymentsByInvoiceIdList(orderBy: %(id)s_ASC) { type currency amount }
  }
}
"""
PEER_Q100 = PEER_PAGE % {"size": 100, "id": "ID"}
PEER_Q1000 = PEER_PAGE % {"size": 1000, "id": "ID"}
V5_Q1 = PEER_Q1
V5_Q100 = PEER_PAGE % {"size": 100, "id": "ROW_ID"}
V5_Q1000 = PEER_PAGE % {"size": 1000, "id": "ROW_ID"}

Normal = list[dict[str, Any]]
"""Invoices in the order served: key, status, line items, balances per currency."""


def _ours_invoice(node: dict[str, Any]) -> dict[str, Any]:
    balances = {}
    for balance in node["balances"]:
        flows = {}
        for flow in ("payins", "payouts"):
            amounts = balance[flow]
            expected, actual = int(amounts["expected"]), int(amounts["actual"])
            if int(amounts["remaining"]) != expected - actual:
                raise AssertionError(f"remaining != expected - actual in {node['invoiceId']}")
            flows[flow] = (expected, actual, expected - actual)
        balances[balance["currency"]] = flows
    return {
        "invoice": node["invoiceId"],
        "status": node["status"],
        "lineItems": [
            (
                item["description"],
                item["type"],
                item["currency"],
                int(item["price"]["amount"]),
                item["price"]["quantity"],
                int(item["price"]["unitPrice"]),
                item["user"]["externalId"],
            )
            for item in node["lineItems"]
        ],
        "balances": balances,
    }


def _peer_invoice(node: dict[str, Any]) -> dict[str, Any]:
    """The balances a client of PostGraphile computes from the line items and payments."""
    items = node["lineItemsByInvoiceIdList"]
    payments = node["paymentsByInvoiceIdList"]
    expected: dict[tuple[str, str], int] = {}
    actual: dict[tuple[str, str], int] = {}
    for item in items:
        key = (item["currency"], item["type"])
        expected[key] = expected.get(key, 0) + int(item["amount"])
    for payment in payments:
        key = (payment["currency"], payment["type"])
        actual[key] = actual.get(key, 0) + int(payment["amount"])
    currencies = sorted({currency for currency, _ in (*expected, *actual)})
    balances = {}
    for currency in currencies:
        flows = {}
        for flow, name in (("PAYIN", "payins"), ("PAYOUT", "payouts")):
            owed = expected.get((currency, flow), 0)
            paid = actual.get((currency, flow), 0)
            flows[name] = (owed, paid, owed - paid)
        balances[currency] = flows
    return {
        "invoice": node["invoiceId"],
        "status": node["status"],
        "lineItems": [
            (
                item["description"],
                item["type"],
                item["currency"],
                int(item["amount"]),
                item["quantity"],
                int(item["unitPrice"]),
                item["userByUserId"]["externalId"],
            )
            for item in items
        ],
        "balances": balances,
    }


def _data(body: dict[str, Any]) -> dict[str, Any]:
    if body.get("errors") or not isinstance(body.get("data"), dict):
        raise AssertionError(f"the server answered errors: {str(body)[:2000]}")
    data: dict[str, Any] = body["data"]
    return data


def ours_q1(body: dict[str, Any]) -> Normal:
    invoice = _data(body)["invoice"]
    return [{"invoice": invoice["invoiceId"], "status": invoice["status"]}]


def peer_q1(body: dict[str, Any]) -> Normal:
    invoice = _data(body)["invoiceByWorkspaceIdAndInvoiceId"]
    return [{"invoice": invoice["invoiceId"], "status": invoice["status"]}]


def ours_page(body: dict[str, Any]) -> Normal:
    data = _data(body)
    pages = [data["invoices"]] if "invoices" in data else [data[f"p{n}"] for n in range(5)]
    return [_ours_invoice(node) for page in pages for node in page["nodes"]]


def peer_page(body: dict[str, Any]) -> Normal:
    return [_peer_invoice(node) for node in _data(body)["allInvoicesList"]]


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    invoices: int
    """How many invoices the answer must hold."""
    ours: str
    peer: str
    """As PostGraphile v4 is asked it."""
    v5: str
    """As PostGraphile v5 is asked it."""
    normalize_ours: Callable[[dict[str, Any]], Normal]
    normalize_peer: Callable[[dict[str, Any]], Normal]
    """For both PostGraphile versions: they answer the same shape."""


QUERIES = [
    Query("q1", 1, OURS_Q1, PEER_Q1, V5_Q1, ours_q1, peer_q1),
    Query("q100", 100, OURS_Q100, PEER_Q100, V5_Q100, ours_page, peer_page),
    Query("q1000", 1000, OURS_Q1000, PEER_Q1000, V5_Q1000, ours_page, peer_page),
]
