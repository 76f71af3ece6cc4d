"""Query limits: depth, aliases, tokens and cost are refused before anything executes."""

from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse

from invoicegraph.http.app import create_app
from invoicegraph.ledger.invoices import MAX_LINE_ITEMS
from invoicegraph.schema import execution, limits
from invoicegraph.schema.limits import MAX_COST, measure
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from tests.operations import (
    CREATE_INVOICE_MINIMAL,
    INVOICE_PAGE,
    invoice_input,
    line_item,
    make_invoices,
)
from tests.support import Api, count_statements


def nested_depth(levels: int) -> str:
    """A valid query exactly `levels` fields deep (the leaf field counts as a level)."""
    inner = levels - 2  # invoices and nodes
    selection = "id" if inner % 2 else "lineItems { id }"
    for _ in range((inner - 1) // 2):
        selection = f"lineItems {{ invoice {{ {selection} }} }}"
    return f"{{ invoices(first: 1) {{ nodes {{ {selection} }} }} }}"


def only_credentials(statements: list[str]) -> bool:
    """Nothing but the bearer check ran: one read of api_clients, or none where the client's
    standing is kept in memory (PostgreSQL, auth/standings.py)."""
    reads = [s for s in statements if not s.startswith(("BEGIN", "ROLLBACK", "COMMIT"))]
    return len(reads) <= 1 and all("FROM api_clients" in read for read in reads)


async def refused(api: Api, db: Database, document: str, **variables: Any) -> str:
    with count_statements(db) as seen:
        result = await api.query(document, **variables)
    assert result.status == 200
    assert result.data is None
    assert result.codes == ["QUERY_TOO_COMPLEX"], result.errors
    assert only_credentials(seen.statements), seen.statements
    message: str = result.errors[0]["message"]  # type: ignore[index]
    return message


async def test_depth_ten_is_allowed_and_eleven_is_refused(api: Api, app_db: Database) -> None:
    assert measure(parse(nested_depth(10)), None, {}).depth == 10
    assert measure(parse(nested_depth(11)), None, {}).depth == 11
    ok = await api.query(nested_depth(10))
    assert ok.errors is None
    assert "11 levels deep" in await refused(api, app_db, nested_depth(11))


async def test_thirty_aliases_are_allowed_and_thirty_one_refused(
    api: Api, app_db: Database
) -> None:
    def aliased(count: int) -> str:
        return "{ " + " ".join(f"a{n}: workspace {{ id }}" for n in range(count)) + " }"

    assert (await api.query(aliased(30))).errors is None
    assert "31 aliases" in await refused(api, app_db, aliased(31))


async def test_more_than_five_thousand_tokens_is_refused_before_parsing_finishes(
    api: Api, app_db: Database
) -> None:
    document = "{ " + "workspace { id } " * 1300 + "}"
    with count_statements(app_db) as seen:
        result = await api.query(document)
    assert result.codes == ["QUERY_TOO_COMPLEX"]
    assert only_credentials(seen.statements)


async def test_cost_over_the_limit_is_refused_also_through_variables(
    api: Api, app_db: Database
) -> None:
    nested = """query Q($outer: Int!, $inner: Int!) {
      invoices(first: $outer) { nodes { history(first: $inner) { nodes { version } } } }
    }"""
    ok = await api.query(nested, outer=100, inner=100)
    assert ok.errors is None
    assert ok.body["extensions"]["cost"] == {"requested": 100 * (1 + 100), "limit": MAX_COST}
    message = await refused(api, app_db, nested, outer=200, inner=200)
    assert "costs 40200" in message


async def test_every_response_reports_its_cost(api: Api) -> None:
    await make_invoices(api, 2)
    result = await api.query("{ invoices(first: 50) { nodes { lineItems { user { id } } } } }")
    assert result.body["extensions"]["cost"]["requested"] == 50 * (1 + 2)
    default = await api.query("{ invoices { nodes { id } } }")
    assert default.body["extensions"]["cost"]["requested"] == 20
    nodes = await api.query('{ nodes(ids: ["a", "b", "c"]) { id } }')
    assert nodes.body["extensions"]["cost"]["requested"] == 3


async def test_introspection_is_free_and_never_refused(api: Api) -> None:
    result = await api.query(get_introspection_query(descriptions=True))
    assert result.errors is None
    assert result.body["extensions"]["cost"]["requested"] == 0


@pytest.mark.parametrize("count", [201, 500])
async def test_nodes_takes_at_most_two_hundred_ids(api: Api, app_db: Database, count: int) -> None:
    ids = [f"inv_{n}" for n in range(count)]
    with count_statements(app_db) as seen:
        result = await api.query("query N($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=ids)
    assert result.codes == ["BAD_USER_INPUT"]
    assert only_credentials(seen.statements)


def doubling_fragments(count: int) -> str:
    """`...F0`, where each Fi spreads Fi+1 twice: 2**count expansions if spreads are expanded
    in place, some 60 bytes a fragment."""
    fragments = [
        f"fragment F{n} on Invoice {{ lineItems {{ id }} ...F{n + 1} ...F{n + 1} }}"
        for n in range(count - 1)
    ]
    fragments.append(f"fragment F{count - 1} on Invoice {{ lineItems {{ id }} }}")
    return "query { invoices(first: 1) { nodes { ...F0 } } }\n" + "\n".join(fragments)


class TooMuchWork(Exception):
    pass


@pytest.fixture
def walked_fields(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many fields with a selection the limits check looks at (the walker's
    `multiplier`, asked once per such field it measures); it gives up past 10,000, so that a
    walk that would take forever fails the test instead."""
    counted = [0]
    multiplier = limits._Walker.multiplier

    def counting(self: Any, field: Any) -> int:
        counted[0] += 1
        if counted[0] > 10_000:
            raise TooMuchWork
        return multiplier(self, field)

    monkeypatch.setattr(limits._Walker, "multiplier", counting)
    return counted


@pytest.mark.parametrize("count", [22, 40])
def test_fragments_are_measured_once_each(walked_fields: list[int], count: int) -> None:
    # given a 1-2 KB document whose fragments expand to 2**count copies in place
    document = parse(doubling_fragments(count))
    # when the limits check measures it
    found = measure(document, None, {})
    # then each fragment was looked at once (one invoices, one lineItems per fragment), and
    # a fragment spread twice in one selection counts once, as graphql-core collects it once
    assert walked_fields[0] == 1 + count
    assert found.cost == 1 * (1 + count)
    assert found.depth == 4


async def test_a_document_of_doubling_fragments_is_answered_after_linear_work(
    api: Api, walked_fields: list[int]
) -> None:
    await make_invoices(api, 1, line_items_each=2)
    walked_fields[0] = 0
    # the limits check, the resolvers' look at what is selected below them, and execution
    result = await api.query(doubling_fragments(40))
    assert result.errors is None, result.errors
    assert len(result.data["invoices"]["nodes"][0]["lineItems"]) == 2
    assert walked_fields[0] == 1 + 40


def test_a_fragment_counts_wherever_it_is_spread() -> None:
    document = parse(
        "{ a: invoices(first: 10) { nodes { ...F } } b: invoices(first: 5) { nodes { ...F } } }"
        " fragment F on Invoice { lineItems { id } history(first: 3) { nodes { version } } }"
    )
    found = measure(document, None, {})
    assert found.cost == 10 * (1 + 1 + 3) + 5 * (1 + 1 + 3)
    assert found.aliases == 2


def test_fragments_in_a_cycle_are_refused_not_followed() -> None:
    # validation refuses such a document first; the measure must not loop on one either
    document = parse(
        "{ workspace { ...A } } fragment A on Workspace { id ...B } "
        "fragment B on Workspace { name ...A }"
    )
    found = measure(document, None, {})
    assert limits.refusal(found) == "The fragment A spreads itself."


def test_costs_stop_growing_far_past_the_limit() -> None:
    # 30 aliases of 200**4 (9 levels deep): the count stops at CEILING, and says so
    nested = "version"
    for _ in range(3):
        nested = f"history(first: 200) {{ nodes {{ {nested} }} }}"
    document = (
        "{ "
        + " ".join(f"a{n}: invoices(first: 200) {{ nodes {{ {nested} }} }}" for n in range(30))
        + " }"
    )
    found = measure(parse(document), None, {})
    assert found.cost == limits.CEILING
    assert limits.refusal(found) == (
        f"The query costs at least {limits.CEILING}; at most {MAX_COST} is allowed."
    )


# --------------------------------------------------------------------------------------------
# Plain lists count as long as they are: objects are counted while the response is built

SQUARED = """
query Squared($key: String!) {
  invoice(invoice: {invoiceId: $key}) { lineItems { invoice { lineItems { id } } } }
}
"""


@pytest.fixture
def executors(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every executor the schema builds, to read how many objects it built."""
    built: list[Any] = []
    init = execution.CountingExecutionContext.__init__

    def keep(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(execution.CountingExecutionContext, "__init__", keep)
    return built


async def test_a_response_stops_at_the_object_limit_however_short_its_cost(
    api: Api, executors: list[Any]
) -> None:
    # given one invoice at the cap of line items
    assert MAX_LINE_ITEMS == 500
    items = [line_item(amount="1", product_id=f"p{n}") for n in range(MAX_LINE_ITEMS)]
    await api.ok(CREATE_INVOICE_MINIMAL, input=invoice_input("big", *items))
    executors.clear()
    # when a query that costs 4 before it runs asks for its 500 line items 500 times over
    result = await api.query(SQUARED, key="big")
    # then it is refused while it runs, with nothing of what was built: 250,500 objects
    # would have been built and sent (some 12 MB); no more than the limit were
    assert result.codes == ["RESPONSE_TOO_LARGE"], result.errors
    assert result.data is None
    assert result.body["extensions"]["cost"]["requested"] == 4
    # the resolvers built one invoice's 500 line items some 50 times, no more, and the
    # executor completed no more than the limit either
    (executor,) = executors
    built = limits.MAX_OBJECTS - executor.building[0]
    completed = limits.MAX_OBJECTS - executor.budget[0]
    assert limits.MAX_OBJECTS - 501 < built <= limits.MAX_OBJECTS
    assert completed <= limits.MAX_OBJECTS + 1_000
    assert len(str(result.body)) < 1_000


async def test_the_same_query_on_small_invoices_is_served(api: Api) -> None:
    items = [line_item(amount="1", product_id=f"p{n}") for n in range(3)]
    await api.ok(CREATE_INVOICE_MINIMAL, input=invoice_input("small", *items))
    data = await api.ok(SQUARED, key="small")
    assert [len(item["invoice"]["lineItems"]) for item in data["invoice"]["lineItems"]] == [3] * 3


async def test_a_response_past_the_byte_limit_is_one_typed_error(
    settings: Settings, api: Api
) -> None:
    await make_invoices(api, 3, line_items_each=5)
    small = create_app(settings.replace(max_response_bytes=2_000))
    async with small.router.lifespan_context(small):
        transport = httpx.ASGITransport(app=small)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            narrow = Api(http=http, token=api.token, workspace_id=api.workspace_id)
            fits = await narrow.query("{ invoices { nodes { invoiceId } } }")
            too_big = await narrow.query(INVOICE_PAGE, first=3)
            as_specified = await http.post(
                "/graphql",
                json={"query": INVOICE_PAGE, "variables": {"first": 3}},
                headers={
                    "Authorization": f"Bearer {api.token}",
                    "Accept": "application/graphql-response+json",
                },
            )
    assert fits.errors is None
    assert too_big.status == 200
    assert too_big.data is None
    assert too_big.codes == ["RESPONSE_TOO_LARGE"]
    assert "at most 2000 are sent" in too_big.errors[0]["message"]  # type: ignore[index]
    assert too_big.body["extensions"]["cost"]["limit"] == MAX_COST
    # a refusal like the others to a client of the GraphQL-over-HTTP media type
    assert as_specified.status_code == 400
    assert as_specified.json()["errors"][0]["extensions"]["code"] == "RESPONSE_TOO_LARGE"
