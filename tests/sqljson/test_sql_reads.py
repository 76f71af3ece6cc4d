"""SQL reads (invoicegraph/sqljson) answer exactly what the standard path answers, in one
statement, and leave to it every request they do not know."""

import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from bench.peers.queries import OURS_Q1, OURS_Q100, OURS_Q1000
from invoicegraph.http.app import create_app
from invoicegraph.schema import build_schema
from invoicegraph.settings import Settings
from invoicegraph.sqljson.plans import Plans
from tests.backends import ON_POSTGRES
from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api, count_statements

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="SQL reads are PostgreSQL's")

EVERY_FIELD = """
fragment Amounts on BalanceAmounts { __typename expected actual remaining }
fragment Full on Invoice {
  __typename id invoiceId status version number description footer subscriptionId
  lineItems {
    __typename id description productId type currency discount total
    price { __typename amount quantity unitPrice }
    user { __typename id externalId }
  }
  balances { __typename currency payins { ...Amounts } payouts { ...Amounts } net { ...Amounts } }
}
"""
PAGE = (
    """
query Page($first: Int, $after: String) {
  __typename
  invoices(first: $first, after: $after) {
    __typename
    nodes { ...Full }
    edges { __typename cursor node { invoiceId ... on Invoice { status } } }
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
  }
  again: invoices(first: 1) { nodes { key: invoiceId invoiceId } }
}
"""
    + EVERY_FIELD
)
BY_KEY = (
    """
query ByKey($key: String!) {
  invoice(invoice: {invoiceId: $key}) { ...Full }
  missing: invoice(invoice: {invoiceId: "no-such-invoice"}) { invoiceId }
}
"""
    + EVERY_FIELD
)


@pytest.fixture
async def standard(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The same database served with SQL reads off: the reference answers."""
    application = create_app(settings.replace(sql_reads=False))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def answers(api: Api, standard: httpx.AsyncClient, document: str, **variables: Any) -> Any:
    """The SQL read's answer, checked equal to the standard one, and that it was one statement."""
    body = {"query": document, "variables": variables}
    headers = {"Authorization": f"Bearer {api.token}"}
    with count_statements(api_db(api)) as log:
        ours = await api.http.post("/graphql", json=body, headers=headers)
    reference = await standard.post("/graphql", json=body, headers=headers)
    assert ours.status_code == reference.status_code == 200
    assert ours.json() == reference.json()
    assert json.dumps(ours.json()) == json.dumps(reference.json())  # key order too
    assert log.count == 1, log.statements
    assert "json_build_object" in log.statements[0]
    return ours.json()["data"]


def api_db(api: Api) -> Any:
    transport = api.http._transport
    assert isinstance(transport, httpx.ASGITransport)
    app = transport.app
    assert isinstance(app, Starlette)
    return app.state.db


NUMBERS = itertools.count()
CREATED: dict[str, list[str]] = {}
CURRENCIES = st.sampled_from(["USD", "EUR", "JPY"])
LINE_ITEMS = st.lists(
    st.builds(
        lambda amount, flow, currency, user: line_item(
            amount=str(amount), type=flow, currency=currency, user=f"user-{user}"
        ),
        st.integers(min_value=1, max_value=10**20),
        st.sampled_from(["PAYIN", "PAYOUT"]),
        CURRENCIES,
        st.integers(min_value=0, max_value=2),
    ),
    min_size=1,
    max_size=4,
)


async def make(api: Api, invoices: list[list[dict[str, Any]]]) -> list[str]:
    """The invoices, each paid 1 on its first payin line; keys new to the workspace."""
    keys = []
    for items in invoices:
        index = next(NUMBERS)
        key = f"inv-{index}"
        created = await api.ok(CREATE_INVOICE, input=invoice_input(key, *items))
        assert created["createInvoice"]["__typename"] == "CreateInvoiceResult"
        keys.append(key)
        payin = next((item for item in items if item["type"] == "PAYIN"), None)
        if payin is None:
            continue
        paid = allocation(key, "1", user=payin["user"]["externalId"])
        recorded = await api.ok(
            RECORD_TRANSACTION,
            input=transaction_input(f"tx-{index}", "1", paid, currency=payin["currency"]),
        )
        assert recorded["recordTransaction"]["__typename"] == "RecordTransactionResult", recorded
    return keys


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(invoices=st.lists(LINE_ITEMS, min_size=1, max_size=3))
async def test_every_field_answers_as_the_standard_path(
    api: Api, standard: httpx.AsyncClient, invoices: list[list[dict[str, Any]]]
) -> None:
    keys = await make(api, invoices)
    for key in keys:
        found = await answers(api, standard, BY_KEY, key=key)
        assert found["invoice"]["invoiceId"] == key
        assert found["missing"] is None
    page = await answers(api, standard, PAGE, first=2)
    in_workspace = CREATED.setdefault(api.token, [])
    in_workspace += keys  # the examples share the workspace
    assert len(page["invoices"]["nodes"]) == min(2, len(in_workspace))
    after = page["invoices"]["pageInfo"]["endCursor"]
    rest = await answers(api, standard, PAGE, first=2, after=after)
    assert rest["invoices"]["pageInfo"]["hasPreviousPage"] is True
    await answers(api, standard, PAGE, first=0)
    await answers(api, standard, PAGE)


async def standard_answer(
    api: Api, standard: httpx.AsyncClient, document: str, **variables: Any
) -> Any:
    """The answer to a request SQL reads leave alone: the standard one, no SQL read sent."""
    body = {"query": document, "variables": variables}
    headers = {"Authorization": f"Bearer {api.token}"}
    with count_statements(api_db(api)) as log:
        ours = await api.http.post("/graphql", json=body, headers=headers)
    reference = await standard.post("/graphql", json=body, headers=headers)
    assert (ours.status_code, ours.json()) == (reference.status_code, reference.json())
    assert not any("json_build_object" in statement for statement in log.statements)
    return ours.json()


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ("{ invoices(first: 2) { totalCount } }", {}),
        ("{ invoices(filter: {status: {in: [OPEN]}}) { nodes { invoiceId } } }", {}),
        ("query($x: Boolean!) { invoices { nodes { invoiceId @include(if: $x) } } }", {"x": True}),
        ("{ invoices(first: 500) { nodes { invoiceId } } }", {}),
        ('{ invoices(after: "not a cursor") { nodes { invoiceId } } }', {}),
        ("query($n: Int) { invoices(first: $n) { nodes { invoiceId } } }", {"n": "two"}),
        ('{ invoice(invoice: {id: "inv_nosuch"}) { invoiceId } }', {}),
        ("{ invoices { nodes { invoiceId created } } }", {}),
        ("{ invoices { nodes { invoiceId } } ", {}),
        ("mutation { __typename }", {}),
        ("{ __typename }", {}),
    ],
)
async def test_what_plans_do_not_know_goes_the_standard_way(
    api: Api, standard: httpx.AsyncClient, document: str, variables: dict[str, Any]
) -> None:
    await make(api, [[line_item()]])
    await standard_answer(api, standard, document, **variables)


def test_the_benchmark_queries_have_plans() -> None:
    plans = Plans(build_schema()._schema)
    for query in (OURS_Q1, OURS_Q100, OURS_Q1000):
        assert plans.plan(query, None) is not None
    assert plans.plan("{ invoices { totalCount } }", None) is None


def test_a_cost_is_measured_for_each_page_size_it_is_asked_with() -> None:
    """Costs are remembered per plan by the page-size variables: a size over the limit is
    refused (the standard way answers it) even after a small one was measured, and back."""
    schema = build_schema()._schema
    node = (
        "nodes { lineItems { price { amount } user { id externalId } } "
        "balances { payins { expected } payouts { expected } net { expected } } }"
    )
    pages = " ".join(f"p{n}: invoices(first: $n) {{ {node} }}" for n in range(16))
    plan = Plans(schema).plan(f"query($n: Int) {{ {pages} }}", None)
    assert plan is not None
    assert plan.sized_by == ("n",)
    small = plan.bind(schema, {"n": 1, "key": "a"}, 1)
    assert small is not None
    assert small[1] == 16 * 8
    assert plan.bind(schema, {"n": 200}, 1) is None  # 16 * 8 * 200 > MAX_COST
    again = plan.bind(schema, {"n": 1, "key": "b"}, 1)  # only the page size is a key
    assert again is not None
    assert again[1] == small[1]
    default = plan.bind(schema, {}, 1)
    assert default is not None
    assert default[1] == 16 * 8 * 20
    assert plan.bind(schema, {"n": True}, 1) is None  # does not coerce: the standard way
