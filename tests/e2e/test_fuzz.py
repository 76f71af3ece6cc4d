"""Fuzz the live server's GraphQL endpoint with schemathesis in GraphQL mode.

schemathesis builds queries and mutations for every root field from the schema the server
introspects, in positive mode (documents the schema accepts) and negative mode (documents that
break it). The scalar strategies below add hostile values: IDs of real objects made before the
run and fake ones, boundary Ints, amounts far beyond 2^96, malformed instants, strings with
emoji, RTL marks, NUL, lone surrogates and LIKE wildcards. Each case goes out as schemathesis
printed it (arguments inline), or with its root field's arguments lifted into variables (the only
way a lone surrogate reaches a resolver: the GraphQL lexer refuses one in a document), over POST
or, for queries, GET. Every response must be a JSON GraphQL response without a 5xx, whose
top-level errors carry a known extensions.code and leak nothing of the server.
"""

import dataclasses
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import graphql
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from schemathesis import GenerationMode
from schemathesis.generation.case import Case

from tests.e2e.server import Deployment, graphql_ok, http_client
from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)

pytestmark = pytest.mark.e2e

FUZZ_EXAMPLES = 1200
MIN_REQUESTS = 1000

ALLOWED_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "BAD_USER_INPUT",
        "QUERY_TOO_COMPLEX",
        "RESPONSE_TOO_LARGE",
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "INTERNAL_SERVER_ERROR",
    }
)
JSON_TYPES = ("application/json", "application/graphql-response+json")
TRANSPORTS = ("inline", "variables", "get")

# What a message must not show: stack text, SQL, driver names, file paths. A marker that the
# request itself contains is not a leak (validation messages quote the offending value).
LEAK_MARKERS = (
    "Traceback",
    'File "',
    "sqlite",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "psycopg",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
    "DELETE ",
    " FROM ",
    " WHERE ",
    "IntegrityError",
    "OperationalError",
    "/work/",
    "/tmp/",
    "site-packages",
    ".py",
)

INT32_MAX = 2**31 - 1
INT96 = 2**96

# Lone surrogates cannot go through a printed document, so the strategies use private-use
# stand-ins and each request swaps in the real thing when it is encoded.
LONE_SURROGATES = {"\ue000": "\ud800", "\ue001": "\udfff"}

WITH_LONE_SURROGATES = ("\ue000", "a\ue001b", "\ue001\ue000", "fuzz-open\ue000")

HOSTILE_STRINGS = (
    "",
    " ",
    "\u0000",
    "nul\u0000inside",
    "😀🧾💸",
    "👨‍👩‍👧‍👦",
    "\u202eRTL override\u202c",
    "שלום עולם",
    "مرحبا",
    "e\u0301",
    "\ufeffbom",
    "tab\tnew\nline\r",
    "%",
    "_",
    "%_%",
    "\\",
    "\\%",
    "*",
    "?",
    "a*b?c",
    "#",
    "/",
    ":",
    "' or '1'='1",
    '"; drop table invoices; --',
    "${jndi:x}",
    "{{7*7}}",
    "x" * 129,
    "x" * 1001,
    "k" * 51,
    "v" * 201,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
)

AMOUNTS = (
    "0",
    "1",
    "-1",
    "-0",
    "+1",
    "007",
    str(INT96 - 1),
    str(INT96),
    str(-(INT96 - 1)),
    str(-INT96),
    "1" + "0" * 40,
    "9" * 100,
    "99999999999999999999",
    "",
    " ",
    "1.5",
    "1e3",
    "0x10",
    " 12",
    "12 ",
    "1_000",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() and int() accept them
    "１２３",  # full-width digits
    "NaN",
    "abc",
)

INSTANTS = (
    "2026-01-13T00:00:00.000Z",
    "2026-01-13T00:00:00Z",
    "2026-01-13T00:00:00+05:30",
    "2026-01-13T00:00:00",
    "2026-01-13",
    "2026-02-30T00:00:00.000Z",
    "2026-13-01T00:00:00.000Z",
    "0001-01-01T00:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
    "+275760-09-13T00:00:00.000Z",
    "-000001-01-01T00:00:00.000Z",
    "1970-01-01T00:00:00.000Z",
    "2026-01-13T24:00:00.000Z",
    "2026-01-13T00:00:60.000Z",
    "now",
    "",
    "\u0000",
    "2026-01-13T00:00:00.000000000000000000001Z",
)

INTS = (0, 1, -1, 2, 20, 199, 200, 201, 500, 501, 10_000, INT32_MAX, -(2**31))


@dataclass
class Seeded:
    """Objects made before fuzzing, so that generated IDs and keys sometimes name real ones."""

    ids: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


@dataclass
class Findings:
    requests: int = 0
    served: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def problem(self, kind: str, request: str, response: httpx.Response) -> None:
        if len(self.problems) < 50:
            self.problems.append(
                f"{kind}\n  request: {response.request.method} {request[:2000]}\n"
                f"  response {response.status_code}: {response.text[:2000]}"
            )


def seed(http: httpx.Client, token: str) -> Seeded:
    """Invoices in several states, users, a transaction with allocations; their IDs and keys."""
    seeded = Seeded()
    created = []
    for key, extra in (
        ("fuzz-open", {}),
        ("fuzz-draft", {"draft": True}),
        ("fuzz-😀-unicode", {"tags": [{"key": "team", "value": "ops"}]}),
    ):
        items = [
            line_item(amount="1000", user="fuzz-user-1"),
            line_item(amount="250", user="fuzz-user-2", type="PAYOUT"),
            line_item(amount=None, user="fuzz-user-1", unitPrice="7", quantity=3),
        ]
        data = graphql_ok(http, CREATE_INVOICE, token, input=invoice_input(key, *items, **extra))
        result = data["createInvoice"]
        assert result["__typename"] == "CreateInvoiceResult", result
        created.append(result["invoice"])
        seeded.keys.append(key)
    data = graphql_ok(
        http,
        RECORD_TRANSACTION,
        token,
        input=transaction_input(
            "fuzz-txn-1", "600", allocation("fuzz-open", "400", user="fuzz-user-1")
        ),
    )
    transaction = data["recordTransaction"]
    assert transaction["__typename"] == "RecordTransactionResult", transaction
    seeded.keys += ["fuzz-txn-1", "fuzz-user-1", "fuzz-user-2", "ops", "team"]
    seeded.ids.append(transaction["transaction"]["id"])
    seeded.ids += [payment["id"] for payment in transaction["transaction"]["allocations"]]
    for invoice in created:
        seeded.ids.append(invoice["id"])
        seeded.ids.append(invoice["workspaceId"])
        seeded.ids += [item["id"] for item in invoice["lineItems"]]
    users = graphql_ok(
        http,
        '{ a: user(user: {externalId: "fuzz-user-1"}) { id }'
        ' b: user(user: {externalId: "fuzz-user-2"}) { id } }',
        token,
    )
    seeded.ids += [users["a"]["id"], users["b"]["id"]]
    return seeded


def register_scalars(seeded: Seeded) -> None:
    """Strategies for the custom scalars, and hostile values mixed into the built-in ones.

    schemathesis keeps them in a process-wide registry; only this module uses schemathesis.
    """
    text = st.text(max_size=40)
    ids = st.one_of(
        st.sampled_from(seeded.ids),
        st.sampled_from(("inv_", "li_", "usr_", "txn_", "pay_", "ws_")).flatmap(
            lambda prefix: st.text(alphabet="abcdefghijklmnopqrstuvwxyz0-9", max_size=24).map(
                prefix.__add__
            )
        ),
        st.sampled_from(HOSTILE_STRINGS),
        st.sampled_from(WITH_LONE_SURROGATES),
        text,
    )
    schemathesis.graphql.scalar("ID", ids.map(nodes.String))
    schemathesis.graphql.scalar(
        "String",
        st.one_of(
            text,
            st.sampled_from(HOSTILE_STRINGS),
            st.sampled_from(WITH_LONE_SURROGATES),
            st.sampled_from(seeded.keys),
        ).map(nodes.String),
    )
    schemathesis.graphql.scalar(
        "Int",
        st.one_of(st.sampled_from(INTS), st.integers(-(2**31), INT32_MAX)).map(nodes.Int),
    )
    schemathesis.graphql.scalar(
        "Int96",
        st.one_of(
            st.sampled_from(AMOUNTS).map(nodes.String),
            st.integers(-(2**100), 2**100).map(str).map(nodes.String),
            st.integers(0, 10_000).map(str).map(nodes.String),
            # A literal Int or Float where the scalar takes a string.
            st.integers(-(2**70), 2**70).map(nodes.Int),
            st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        ),
    )
    schemathesis.graphql.scalar(
        "DateTime",
        st.one_of(
            st.sampled_from(INSTANTS).map(nodes.String),
            st.datetimes().map(lambda moment: moment.isoformat() + "Z").map(nodes.String),
            st.integers().map(nodes.Int),
        ),
    )


def with_surrogates(text: str) -> str:
    for stand_in, surrogate in LONE_SURROGATES.items():
        text = text.replace(stand_in, surrogate)
    return text


def encode(payload: Any) -> str:
    """JSON with non-ASCII escaped: lone surrogates travel as \\udXXX, as any JSON client may."""
    return json.dumps(payload)


def with_surrogates_in(value: Any) -> Any:
    if isinstance(value, str):
        return with_surrogates(value)
    if isinstance(value, list):
        return [with_surrogates_in(item) for item in value]
    if isinstance(value, dict):
        return {key: with_surrogates_in(item) for key, item in value.items()}
    return value


def lift_arguments(query: str, schema: graphql.GraphQLSchema) -> tuple[str, dict[str, Any]] | None:
    """The document with its root fields' arguments as variables, and their values."""
    document = graphql.parse(query)
    operation = document.definitions[0]
    if not isinstance(operation, graphql.OperationDefinitionNode):
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    variables: dict[str, Any] = {}
    definitions: list[graphql.VariableDefinitionNode] = []
    selections: list[graphql.SelectionNode] = []
    for selection in operation.selection_set.selections:
        field_def = (
            root.fields.get(selection.name.value)
            if isinstance(selection, graphql.FieldNode)
            else None
        )
        if not isinstance(selection, graphql.FieldNode) or field_def is None:
            selections.append(selection)
            continue
        arguments: list[graphql.ArgumentNode] = []
        for argument in selection.arguments or ():
            argument_def = field_def.args.get(argument.name.value)
            if argument_def is None:
                arguments.append(argument)
                continue
            name = graphql.NameNode(value=f"v{len(variables)}")
            variables[name.value] = graphql.value_from_ast_untyped(argument.value)
            definitions.append(
                graphql.VariableDefinitionNode(
                    variable=graphql.VariableNode(name=name),
                    type=graphql.parse_type(str(argument_def.type)),
                    directives=(),
                )
            )
            arguments.append(
                graphql.ArgumentNode(name=argument.name, value=graphql.VariableNode(name=name))
            )
        selections.append(dataclasses.replace(selection, arguments=tuple(arguments)))
    if not variables:
        return None
    operation = dataclasses.replace(
        operation,
        variable_definitions=tuple(definitions),
        selection_set=graphql.SelectionSetNode(selections=tuple(selections)),
    )
    return graphql.print_ast(graphql.DocumentNode(definitions=(operation,))), variables


def leaks(text: str, request: str) -> list[str]:
    return [marker for marker in LEAK_MARKERS if marker in text and marker not in request]


def check(findings: Findings, query: str, response: httpx.Response) -> None:
    """Judge one response; `query` is what was sent (document and variables), for the report."""
    findings.requests += 1
    findings.statuses[response.status_code] += 1
    if response.status_code >= 500:
        findings.problem(f"HTTP {response.status_code}", query, response)
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith(JSON_TYPES):
        findings.problem(f"content-type {content_type!r}", query, response)
    try:
        body = response.json()
    except ValueError:
        findings.problem("body is not JSON", query, response)
        return
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        findings.problem("not a GraphQL response", query, response)
        return
    if not body.get("errors"):
        findings.served += 1
    for error in body.get("errors") or []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        findings.codes[str(code)] += 1
        if code not in ALLOWED_CODES:
            findings.problem(f"error without a known extensions.code: {code!r}", query, response)
        elif code == "INTERNAL_SERVER_ERROR":
            findings.problem("unexpected failure (INTERNAL_SERVER_ERROR)", query, response)
        found = leaks(json.dumps(error, ensure_ascii=False), query)
        if found:
            findings.problem(f"error leaks {found}", query, response)
    # Expected failures of mutations are union members; INTERNAL means a fault was caught there.
    data_text = json.dumps(body.get("data"), ensure_ascii=False)
    if '"code": "INTERNAL"' in data_text:
        findings.problem("a mutation answered InternalError", query, response)


def test_fuzzed_queries_and_mutations_get_typed_answers(
    deployed: Deployment, token: str, http: httpx.Client
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    seeded = seed(http, token)
    register_scalars(seeded)
    introspection = http.post(
        "/graphql", json={"query": graphql.get_introspection_query()}, headers=headers
    )
    assert introspection.status_code == 200, introspection.text
    schema = schemathesis.graphql.from_dict(introspection.json())
    assert {"Query", "Mutation"} <= set(schema)
    operations = [f"{root}.{name}" for root in ("Query", "Mutation") for name in schema[root]]
    assert "Mutation.createInvoice" in operations, operations

    positive = schema.as_strategy(GenerationMode.POSITIVE)
    negative = schema.as_strategy(GenerationMode.NEGATIVE)
    # Three positive cases for each negative one: positive ones reach the resolvers.
    cases = st.integers(0, 3).flatmap(lambda n: negative if n == 0 else positive)
    accepts = st.sampled_from((None, "application/json", "application/graphql-response+json"))
    findings = Findings()
    seen_operations: Counter[str] = Counter()
    transports: Counter[str] = Counter()
    client_schema = graphql.build_client_schema(introspection.json()["data"])

    @settings(
        max_examples=FUZZ_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, accept=accepts, transport=st.sampled_from(TRANSPORTS))
    def send(case: Case[Any], accept: str | None, transport: str) -> None:
        query = case.body
        assert isinstance(query, str)
        label = case.operation.label
        seen_operations[label] += 1
        request_headers = dict(headers)
        if accept is not None:
            request_headers["Accept"] = accept
        lifted = lift_arguments(query, client_schema) if transport != "inline" else None
        if lifted is None:
            payload: dict[str, Any] = {"query": with_surrogates(query)}
            transport = "inline"
        else:
            payload = {"query": lifted[0], "variables": with_surrogates_in(lifted[1])}
        if transport == "get" and not label.startswith("Query."):
            transport = "variables"  # a mutation over GET is refused before it is fuzzed
        if transport == "get":
            # GET carries the variables as a JSON string; a browser's Accept would get HTML.
            request_headers.setdefault("Accept", "application/json")
            params = {"query": payload["query"], "variables": encode(payload["variables"])}
            response = fuzz_http.get("/graphql", params=params, headers=request_headers)
        else:
            request_headers["Content-Type"] = "application/json"
            response = fuzz_http.post("/graphql", content=encode(payload), headers=request_headers)
        transports[transport] += 1
        check(findings, encode(payload), response)

    started = time.monotonic()
    with http_client(deployed.base_url) as fuzz_http:
        send()
    elapsed = time.monotonic() - started

    print(
        f"\nfuzz: {findings.requests} requests in {elapsed:.1f} s, {findings.served} served "
        "without errors, "
        f"over {len(seen_operations)} operations; transports {dict(transports)}; "
        f"statuses {dict(findings.statuses)}; "
        f"error codes {dict(findings.codes)}"
    )
    assert findings.requests >= MIN_REQUESTS, findings.requests
    assert len(seen_operations) >= len(operations) // 2, seen_operations
    with http_client(deployed.base_url) as after:
        assert after.get("/healthz").status_code == 200, deployed.server.output()
    locked = deployed.server.stderr().count("database is locked")
    assert locked == 0, f"the server logged 'database is locked' {locked} times"
    kinds = Counter(problem.split("\n", 1)[0] for problem in findings.problems)
    assert not findings.problems, (
        f"{len(findings.problems)} bad responses (at most 50 kept): {dict(kinds)}\n\n"
        + "\n\n".join(findings.problems)
    )
