"""The generated plans of schema/execution.py answer, over the real schema and a real database,
exactly what strawberry's standard execution answers.

Each run starts from a fresh database, seeds the demo, then writes through the API (payments,
line-item edits, tag changes, transitions: history versions) and reads (every playground
operation, twice, pages, histories), once with `plain_execution=True` and once with False.
Public ids and instants are made deterministic for the test, so that both runs write the same
rows, and the two transcripts must be equal as JSON text: data and errors, key order included.
Queries that hypothesis-graphql generates over the Query type are then compared the same way.
"""

import copy
import dataclasses
import itertools
import json
import logging
import shutil
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries
from sqlmodel import select

from invoicegraph import clock
from invoicegraph.admin.demo import seed_demo
from invoicegraph.auth.principal import Principal
from invoicegraph.events import EventBus
from invoicegraph.resolvers.context import Context
from invoicegraph.schema import InvoiceSchema, build_schema
from invoicegraph.schema.execution import PLAN_CODE, PLAN_WRITER_FAILURES
from invoicegraph.store import ids
from invoicegraph.store.engine import Database
from invoicegraph.store.tables import (
    InvoiceRow,
    LineItemRow,
    PaymentRow,
    TransactionRow,
    UserRow,
    WorkspaceRow,
)
from tests.backends import ON_POSTGRES, create_database, drop_database, postgres_url, sqlite_url
from tests.operations import (
    CREATE_INVOICE,
    HISTORY,
    INVOICE_BY_KEY,
    INVOICE_PAGE,
    RECORD_TRANSACTION,
    TRANSITION,
    UPDATE_INVOICE,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)

PLAYGROUND = Path(__file__).parents[2] / "playground"
OPERATIONS = sorted((PLAYGROUND / "operations").glob("*.graphql"))
EXAMPLE_VARIABLES: dict[str, dict[str, Any]] = json.loads(
    (PLAYGROUND / "variables.json").read_text()
)
PLACEHOLDER = "paste an invoice id"

PLAIN = build_schema(plain_execution=True)
STANDARD = build_schema(plain_execution=False)

LOOKUP = "query Lookup($key: String!) { invoice(invoice: {invoiceId: $key}) { id version } }"


# -- the same rows in both runs --------------------------------------------------------------


@pytest.fixture
def deterministic(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Public ids and instants from counters instead of the clock and the random source;
    calling the answer restarts the counters, so that a second run makes the same ones."""
    counters: dict[str, Iterator[int]] = {}
    epoch = datetime(2026, 1, 13, tzinfo=UTC)

    def reset() -> None:
        counters["ms"], counters["bytes"], counters["now"] = (
            itertools.count(1_768_000_000_000),
            itertools.count(1),
            itertools.count(),
        )

    def now() -> datetime:
        return epoch + timedelta(milliseconds=next(counters["now"]))

    reset()
    monkeypatch.setattr(ids, "time", SimpleNamespace(time_ns=lambda: next(counters["ms"]) * 10**6))
    monkeypatch.setattr(
        ids, "secrets", SimpleNamespace(token_bytes=lambda n: next(counters["bytes"]).to_bytes(n))
    )
    # `from invoicegraph.clock import now` binds the name in each module that reads the clock
    real_now = clock.now
    for name, module in list(sys.modules.items()):
        if name.startswith("invoicegraph") and getattr(module, "now", None) is real_now:
            monkeypatch.setattr(module, "now", now)
    return reset


@asynccontextmanager
async def fresh_database(tmp_path: Path, template: str, name: str) -> AsyncIterator[Database]:
    """A migrated database of its own (a copy of the session's template), like conftest's."""
    if ON_POSTGRES:
        database_name = create_database(template=template)
        url = postgres_url(database_name)
    else:
        path = tmp_path / f"{name}.db"
        shutil.copyfile(template, path)
        url = sqlite_url(path)
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()
        if ON_POSTGRES:
            drop_database(database_name)


# -- a transcript of requests ----------------------------------------------------------------


def response_text(result: Any) -> str:
    """The response as JSON text: ordering (of keys too) is part of the comparison."""
    errors = [error.formatted for error in result.errors] if result.errors else None
    return json.dumps({"data": result.data, "errors": errors}, default=repr)


class Client:
    """Executes documents on one schema as the demo workspace, recording each response."""

    def __init__(self, db: Database, principal: Principal, schema: InvoiceSchema) -> None:
        self.db, self.principal, self.schema = db, principal, schema
        self.events = EventBus()
        self.transcript: list[tuple[str, str]] = []

    async def run(self, label: str, document: str, **variables: Any) -> Any:
        context = Context.open(self.db, self.principal, self.events)
        context.request_id = "equivalence"  # masked errors name it
        try:
            result = await self.schema.execute(
                document, variable_values=variables, context_value=context
            )
        finally:
            await context.reader.close()
        self.transcript.append((label, response_text(result)))
        return result.data

    async def invoice(self, key: str) -> dict[str, Any]:
        data = await self.run(f"lookup {key}", LOOKUP, key=key)
        found: dict[str, Any] = data["invoice"]
        return found

    async def playground(self, round: int) -> None:
        """Every example operation with its example variables, the placeholders filled in."""
        for path in OPERATIONS:
            target = await self.invoice("acme-2026-0001")
            variables = filled(copy.deepcopy(EXAMPLE_VARIABLES.get(path.stem, {})), target)
            await self.run(f"{path.stem} #{round}", path.read_text(), **variables)


def filled(value: Any, invoice: dict[str, Any]) -> Any:
    """The example variables with the invoice's id and its current version."""
    if isinstance(value, dict):
        return {
            key: invoice["version"] if key == "expectedVersion" else filled(item, invoice)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [filled(item, invoice) for item in value]
    if isinstance(value, str) and value.startswith(PLACEHOLDER):
        return invoice["id"]
    return value


async def demo(db: Database) -> Principal:
    await seed_demo(db)
    async with db.read() as session:
        workspace = (await session.exec(select(WorkspaceRow))).one()
    assert workspace.id is not None
    return Principal(
        client_id="equivalence", workspace_id=workspace.id, workspace_public_id=workspace.public_id
    )


async def transcript(db: Database, schema: InvoiceSchema) -> list[tuple[str, str]]:
    """Seed, then write and read through `schema`: (label, response text) in order."""
    client = Client(db, await demo(db), schema)
    await client.playground(1)

    # payments: one in full, one in part, one payout
    await client.run(
        "pay acme",
        RECORD_TRANSACTION,
        input=transaction_input(
            "bank-1", "7000", allocation("acme-2026-0001", "7000", user="cust_acme")
        ),
    )
    await client.run(
        "pay market in part",
        RECORD_TRANSACTION,
        input=transaction_input(
            "bank-2", "5000", allocation("market-2026-0003", "5000", user="buyer_lena")
        ),
    )
    await client.run(
        "pay out globex",
        RECORD_TRANSACTION,
        input=transaction_input(
            "bank-3",
            "-12000",
            allocation("globex-2026-0002", "12000", user="partner_17", type="PAYOUT"),
            currency="EUR",
        ),
    )
    # history versions: line items added, updated and deleted, tags changed
    market = (await client.run("market", INVOICE_BY_KEY, invoiceId="market-2026-0003"))["invoice"]
    first, _, shipping = market["lineItems"]
    await client.run(
        "edit market",
        UPDATE_INVOICE,
        input={
            "id": market["id"],
            "expectedVersion": market["version"],
            "lineItems": [
                {"add": line_item(amount="1200", user="buyer_lena", description="Gift wrap")},
                {"update": {"id": first["id"], "description": "Mugs", "price": {"amount": "7000"}}},
                {"delete": {"id": shipping["id"]}},
            ],
            "tags": {"set": [{"key": "channel", "value": "direct"}], "remove": ["region"]},
        },
    )
    await client.run(
        "stale edit",
        UPDATE_INVOICE,
        input={"id": market["id"], "expectedVersion": market["version"], "lineItems": []},
    )
    draft = await client.invoice("acme-2026-0002-draft")
    await client.run("finalize draft", TRANSITION, input={"id": draft["id"]}, finalize=True)
    licence = await client.invoice("globex-2026-0002")
    await client.run("void globex", TRANSITION, input={"id": licence["id"]}, void=True)
    await client.run(
        "create",
        CREATE_INVOICE,
        input=invoice_input(
            "equivalence-0001",
            line_item(amount="250", user="cust_acme"),
            line_item(amount=None, unitPrice="125", quantity=3, user="user_new", type="PAYOUT"),
            tags=[{"key": "region", "value": "us-west"}],
        ),
    )
    await client.run("bad create", CREATE_INVOICE, input=invoice_input("x", line_item(amount="-")))

    # reads of what was written
    await client.run("page", INVOICE_PAGE, first=50)
    await client.run("page backwards", INVOICE_PAGE, last=2)
    for key in ("acme-2026-0001", "market-2026-0003", "globex-2026-0002"):
        invoice = await client.invoice(key)
        await client.run(f"history {key}", HISTORY, id=invoice["id"], first=10)
    await client.playground(2)
    return client.transcript


# -- the tests -------------------------------------------------------------------------------


async def test_plain_and_standard_execution_answer_every_operation_alike(
    tmp_path: Path, migrated_template: str, deterministic: Callable[[], None]
) -> None:
    # given / when: the same requests on two databases that start alike
    runs: dict[bool, list[tuple[str, str]]] = {}
    for plain, schema in ((True, PLAIN), (False, STANDARD)):
        deterministic()
        async with fresh_database(tmp_path, migrated_template, f"plain-{plain}") as db:
            runs[plain] = await transcript(db, schema)
    # then
    labels = [label for label, _ in runs[True]]
    assert labels == [label for label, _ in runs[False]]
    assert {f"{path.stem} #2" for path in OPERATIONS} <= set(labels)
    for (label, plain_text), (_, standard_text) in zip(runs[True], runs[False], strict=True):
        assert plain_text == standard_text, label
    # the comparison is not of two failures: only the one request meant to fail has errors
    failed = [label for label, text in runs[False] if json.loads(text)["errors"]]
    assert failed == ["bad create"]
    assert '"__typename": "UpdateInvoiceResult"' in dict(runs[True])["UpdateInvoice #2"]


async def test_no_plan_fails_to_be_written_for_any_playground_operation(
    tmp_path: Path, migrated_template: str, log_records: list[logging.LogRecord]
) -> None:
    before = PLAN_WRITER_FAILURES.count
    async with fresh_database(tmp_path, migrated_template, "plain") as db:
        await transcript(db, PLAIN)
    assert PLAN_WRITER_FAILURES.count - before == 0
    assert log_records == []
    # plans were written at all: the counter cannot stay 0 by never trying
    planned = {code.co_filename.split("#")[0] for code in PLAN_CODE.codes.values()}
    assert {"<plan Price", "<plan Tag", "<plan Balance"} <= planned, planned


# -- generated queries -----------------------------------------------------------------------

MAX_DEPTH = 5


TYPENAME = graphql.SelectionSetNode(
    selections=(graphql.FieldNode(name=graphql.NameNode(value="__typename")),)
)


def limited(document: graphql.DocumentNode) -> str:
    """The document with every selection below MAX_DEPTH replaced by `__typename`, which
    any object, interface or union answers: generated documents stay valid and bounded."""

    def cut(selection_set: graphql.SelectionSetNode, depth: int) -> graphql.SelectionSetNode:
        selections: list[graphql.SelectionNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, graphql.FieldNode) and selection.selection_set is not None:
                inner = selection.selection_set
                inner = TYPENAME if depth >= MAX_DEPTH else cut(inner, depth + 1)
                selection = dataclasses.replace(selection, selection_set=inner)
            elif isinstance(selection, graphql.InlineFragmentNode):
                selection = dataclasses.replace(
                    selection, selection_set=cut(selection.selection_set, depth)
                )
            selections.append(selection)
        return dataclasses.replace(selection_set, selections=tuple(selections))

    definitions = tuple(
        dataclasses.replace(definition, selection_set=cut(definition.selection_set, 0))
        if isinstance(definition, graphql.OperationDefinitionNode)
        else definition
        for definition in document.definitions
    )
    return graphql.print_ast(dataclasses.replace(document, definitions=definitions))


SEEDED_IDS: list[str] = []
"""The public ids of the seeded database's rows, filled in by its fixture before the first
example draws one (st.deferred reads it then): generated lookups find real objects."""

SCALARS = {
    "ID": st.one_of(st.deferred(lambda: st.sampled_from(SEEDED_IDS)), st.text(max_size=24)).map(
        nodes.String
    ),
    "Int96": st.integers(-(2**100), 2**100).map(str).map(nodes.String),
    "DateTime": st.datetimes(timezones=st.just(UTC))
    .map(lambda instant: instant.isoformat(timespec="milliseconds").replace("+00:00", "Z"))
    .map(nodes.String),
}
SDL = PLAIN.as_str()
QUERY_TYPE = graphql.build_schema(SDL).query_type
assert QUERY_TYPE is not None
# One root field a document: an argument the field refuses then fails that document only,
# not the rest of what it would have read (the root fields are non-null or fail together).
GENERATED = st.one_of(
    [
        queries(SDL, fields=[name], custom_scalars=SCALARS, print_ast=limited)
        for name in sorted(QUERY_TYPE.fields)
    ]
)


@pytest.fixture
async def seeded(
    tmp_path: Path, migrated_template: str, deterministic: Callable[[], None]
) -> AsyncIterator[tuple[Database, Principal]]:
    deterministic()
    async with fresh_database(tmp_path, migrated_template, "generated") as db:
        await transcript(db, PLAIN)
        async with db.read() as session:
            workspace = (await session.exec(select(WorkspaceRow))).one()
            SEEDED_IDS[:] = [workspace.public_id]
            for table in (InvoiceRow, LineItemRow, UserRow, TransactionRow, PaymentRow):
                SEEDED_IDS.extend((await session.exec(select(table.public_id))).all())
        assert workspace.id is not None
        yield db, Principal("equivalence", workspace.id, workspace.public_id)


@settings(
    max_examples=50,
    deadline=None,
    # one seeded database for all examples: they only read
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=GENERATED)
async def test_generated_queries_answer_alike(
    seeded: tuple[Database, Principal], document: str
) -> None:
    db, principal = seeded
    answers = []
    for schema in (PLAIN, STANDARD):
        client = Client(db, principal, schema)
        await client.run("generated", document)
        answers.append(client.transcript[0][1])
    assert answers[0] == answers[1], document
