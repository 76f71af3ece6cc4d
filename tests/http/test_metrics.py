"""GET /metrics: who may read it, and that what it reports follows what was served."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from prometheus_client.parser import text_string_to_metric_families

from invoicegraph.http.app import create_app
from invoicegraph.metrics import MAX_OPERATION_NAMES
from invoicegraph.settings import Settings
from tests.support import Api

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

LIST = "query ListForMetrics { invoices(first: 5) { nodes { invoiceId lineItems { id } } } }"
UPDATE_MISSING = """
mutation UpdateMissing {
  updateInvoice(input: {id: "inv_aaaaaaaaaaaaaaaaaaaa", expectedVersion: 1, tags: {set: []}}) {
    __typename
  }
}
"""


def samples(text: str) -> Samples:
    """Every sample of a scrape by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def operations(
    name: str, outcome: str = "ok", kind: str = "query"
) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (
        "invoicegraph_graphql_operations_total",
        (("operation", name), ("outcome", outcome), ("type", kind)),
    )


def statements_observed(found: Samples) -> float:
    return found[("invoicegraph_sql_statements_per_operation_count", ())]


def served(
    settings: Settings, client: tuple[str, int] = ("127.0.0.1", 50000)
) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """An app with these settings, reached from `client`'s address."""

    @asynccontextmanager
    async def running() -> AsyncIterator[httpx.AsyncClient]:
        application = create_app(settings)
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application, client=client)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                yield http

    return running()


async def test_operations_are_counted_by_name_outcome_and_statements(api: Api) -> None:
    # given a scrape before
    before = await scrape(api.http)
    # when a named query runs three times, and one without a token is refused
    for _ in range(3):
        await api.ok(LIST)
    refused = await api.http.post("/graphql", json={"query": LIST})
    assert refused.status_code == 401
    # then the scrape after counts exactly those
    after = await scrape(api.http)
    key = operations("ListForMetrics")
    assert after[key] - before.get(key, 0) == 3
    assert statements_observed(after) - statements_observed(before) == 3
    unauthorized = ("invoicegraph_http_responses_total", (("route", "/graphql"), ("status", "401")))
    assert after[unauthorized] - before.get(unauthorized, 0) == 1
    assert ("invoicegraph_outbox_backlog", ()) in after


async def test_the_statements_of_an_operation_are_what_it_sent(api: Api) -> None:
    before = await scrape(api.http)
    await api.ok(LIST)
    after = await scrape(api.http)
    total = "invoicegraph_sql_statements_per_operation_sum", ()
    # a page with line items: the page, its count-free rows, the line items: a few, never zero
    assert 1 <= after[total] - before[total] <= 5
    # and its cost, as the limits computed it (5 invoices, each with its line items: 5 x 2)
    cost = "invoicegraph_query_cost_sum", ()
    assert after[cost] - before[cost] == 10


async def test_expected_failures_and_top_level_errors_are_counted_by_code(api: Api) -> None:
    before = await scrape(api.http)
    answered = await api.ok(UPDATE_MISSING)
    assert answered["updateInvoice"]["__typename"] == "NotFoundError"
    await api.query("{ invoices(first: 500) { totalCount } }")
    after = await scrape(api.http)
    for code in ("NOT_FOUND", "BAD_USER_INPUT"):
        key = "invoicegraph_graphql_errors_total", (("code", code),)
        assert after[key] - before.get(key, 0) == 1, code
    refused = operations("anonymous", outcome="BAD_USER_INPUT")
    assert after[refused] - before.get(refused, 0) == 1


async def test_operation_names_beyond_the_bound_count_as_other(api: Api) -> None:
    for index in range(MAX_OPERATION_NAMES + 5):
        await api.ok(f"query Name{index} {{ invoices(first: 1) {{ totalCount }} }}")
    found = await scrape(api.http)
    names = {dict(labels)["operation"] for name, labels in found if name == operations("x")[0]}
    assert "other" in names
    assert len(names - {"anonymous", "other"}) <= MAX_OPERATION_NAMES


async def test_by_default_only_this_machine_may_scrape(settings: Settings) -> None:
    async with served(settings, client=("203.0.113.7", 40000)) as http:
        response = await http.get("/metrics")
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_with_a_token_only_its_bearer_may_scrape(settings: Settings) -> None:
    with_token = settings.replace(metrics="token", metrics_token="scrape-" + "s" * 24)
    async with served(with_token, client=("203.0.113.7", 40000)) as http:
        missing = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await http.get(
            "/metrics", headers={"Authorization": f"Bearer {with_token.metrics_token}"}
        )
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert "invoicegraph_graphql_operations_total" in right.text


async def test_metrics_can_be_turned_off(settings: Settings) -> None:
    async with served(settings.replace(metrics="off")) as http:
        assert (await http.get("/metrics")).status_code == 404
