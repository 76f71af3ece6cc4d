"""Hostile requests against a live `invoicegraph serve`: each gets a clear answer, never a 5xx.

A clear answer is a 4xx, or, where GraphQL-over-HTTP serves a request error with 200 (the client
accepts application/json), a JSON body whose top-level errors all carry a known extensions.code.
No answer shows stack text, SQL, driver names or file paths, and the server stays healthy after
every request. The last test reads the server's log for tracebacks: the server logs one only for
an unexpected failure, so any is a bug.
"""

import json
import re
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.server import Deployment, http_client
from tests.operations import CREATE_INVOICE, INVOICE_BY_KEY, invoice_input, line_item

pytestmark = pytest.mark.e2e

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
REQUEST_ERROR_CODES = ALLOWED_CODES - {"INTERNAL_SERVER_ERROR", "UNAUTHENTICATED"}
JSON_TYPES = ("application/json", "application/graphql-response+json")
LEAK_MARKERS = (
    "Traceback",
    'File "',
    "sqlite",
    "sqlalchemy",
    "asyncpg",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
    " FROM ",
    "IntegrityError",
    "OperationalError",
    "/work/",
    "/tmp/",
    "site-packages",
    '.py"',
    ".py,",
)

MAX_BODY = 1024 * 1024
WORKSPACE = "{ workspace { id } }"
CREATE_MINIMAL = """
mutation Create($input: CreateInvoiceInput!) {
  createInvoice(input: $input) {
    __typename
    ... on CreateInvoiceResult {
      invoice { invoiceId tags { key value } lineItems { description } }
    }
    ... on BadRequestError { fieldErrors { field message } }
    ... on Error { code message }
  }
}
"""
RECORD_MINIMAL = """
mutation Record($input: RecordTransactionInput!) {
  recordTransaction(input: $input) {
    __typename
    ... on BadRequestError { fieldErrors { field message } }
    ... on Error { code message }
  }
}
"""
UNICODE_STRINGS = {
    "emoji": "😀🧾💸 👨‍👩‍👧‍👦",
    "rtl": "\u202eevil\u202c שלום مرحبا",
    "combining": "e\u0301\u0301 Z\u0351\u0334",
    "bom-and-zero-width": "\ufeff\u200b\u200d",
    "astral": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0010fffd",
}


# --- sending and judging ------------------------------------------------------------------------


def encode(body: Any) -> bytes:
    """JSON with every non-ASCII character escaped, so lone surrogates travel as \\udXXX."""
    return json.dumps(body).encode("ascii")


def post(
    http: httpx.Client,
    token: str,
    content: bytes | None,
    *,
    content_type: str | None = "application/json",
    accept: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if accept is not None:
        headers["Accept"] = accept
    return http.post("/graphql", content=content, headers=headers)


def post_json(http: httpx.Client, token: str, body: Any, **kwargs: Any) -> httpx.Response:
    return post(http, token, encode(body), **kwargs)


def describe(response: httpx.Response) -> str:
    return (
        f"{response.request.method} {response.request.url} -> {response.status_code} "
        f"{response.headers.get('content-type')}\n{response.text[:3000]}"
    )


def assert_no_leak(response: httpx.Response, sent: bytes | None = None) -> None:
    """No marker of stack text, SQL or paths, unless the request itself carried it."""
    request = (sent or b"").decode("utf-8", "replace")
    found = [m for m in LEAK_MARKERS if m in response.text and m not in request]
    assert not found, f"response leaks {found}\n{describe(response)}"


def errors_of(response: httpx.Response) -> list[dict[str, Any]]:
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith(JSON_TYPES), describe(response)
    body = response.json()
    assert isinstance(body, dict), describe(response)
    errors = body.get("errors")
    assert isinstance(errors, list), describe(response)
    assert errors, describe(response)
    return errors


def codes_of(response: httpx.Response) -> list[str]:
    codes = []
    for error in errors_of(response):
        extensions = error.get("extensions")
        code = extensions.get("code") if isinstance(extensions, dict) else None
        assert code in ALLOWED_CODES, f"error without a known code\n{describe(response)}"
        codes.append(code)
    return codes


def assert_typed(response: httpx.Response, *codes: str, sent: bytes | None = None) -> None:
    """200 with top-level errors, every one of them with one of `codes`, and nothing executed."""
    assert response.status_code == 200, describe(response)
    found = codes_of(response)
    assert set(found) <= set(codes), f"expected {codes}, got {found}\n{describe(response)}"
    assert response.json().get("data") is None, describe(response)
    assert_no_leak(response, sent)


def assert_refused(response: httpx.Response, *statuses: int, sent: bytes | None = None) -> None:
    """A 4xx (one of `statuses` when given); a JSON body must hold typed errors."""
    assert 400 <= response.status_code < 500, describe(response)
    if statuses:
        assert response.status_code in statuses, describe(response)
    if response.headers.get("content-type", "").startswith(JSON_TYPES):
        assert set(codes_of(response)) <= REQUEST_ERROR_CODES, describe(response)
    assert_no_leak(response, sent)


def assert_answered_cleanly(response: httpx.Response, sent: bytes | None = None) -> None:
    """A 4xx, or 200 whose top-level errors are request errors: no unexpected failure."""
    if response.status_code == 200:
        assert set(codes_of(response)) <= REQUEST_ERROR_CODES, describe(response)
        assert_no_leak(response, sent)
    else:
        assert_refused(response, sent=sent)


def assert_no_internal_failure(response: httpx.Response, sent: bytes | None = None) -> None:
    """Whatever the outcome, it is not an unexpected failure, top-level or as InternalError."""
    assert response.status_code < 500, describe(response)
    body = response.json()
    codes = [(error.get("extensions") or {}).get("code") for error in body.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, describe(response)
    assert set(codes) <= REQUEST_ERROR_CODES, describe(response)
    assert "InternalError" not in json.dumps(body.get("data")), describe(response)
    assert_no_leak(response, sent)


@pytest.fixture(autouse=True)
def still_healthy(deployed: Deployment) -> Iterator[None]:
    """After every hostile request the server still answers /healthz."""
    yield
    assert deployed.server.process.poll() is None, deployed.server.output()
    with http_client(deployed.base_url) as fresh:
        assert fresh.get("/healthz").status_code == 200, deployed.server.output()


# --- huge numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "literal", ["99999999999999999999", str(2**31), str(-(2**31) - 1), "1" + "0" * 40]
)
def test_an_int_literal_beyond_32_bits_fails_validation(
    http: httpx.Client, token: str, literal: str
) -> None:
    body = encode({"query": f"{{ invoices(first: {literal}) {{ totalCount }} }}"})
    assert_typed(post(http, token, body), "GRAPHQL_VALIDATION_FAILED", sent=body)


@pytest.mark.parametrize("value", [99999999999999999999, 2**31, -(2**31) - 1, 1.5, "20", 1e300])
def test_an_int_variable_beyond_32_bits_is_bad_user_input(
    http: httpx.Client, token: str, value: Any
) -> None:
    """Not QUERY_TOO_COMPLEX: the value is not an Int at all, whatever the query would cost."""
    body = encode(
        {
            "query": "query($n: Int) { invoices(first: $n) { totalCount } }",
            "variables": {"n": value},
        }
    )
    assert_typed(post(http, token, body), "BAD_USER_INPUT", sent=body)


@pytest.mark.parametrize("first", [201, -1])
def test_first_out_of_range_is_bad_user_input(http: httpx.Client, token: str, first: int) -> None:
    body = encode({"query": f"{{ invoices(first: {first}) {{ totalCount }} }}"})
    assert_typed(post(http, token, body), "BAD_USER_INPUT", sent=body)


def test_more_than_200_ids_is_bad_user_input(http: httpx.Client, token: str) -> None:
    body = encode(
        {
            "query": "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            "variables": {"ids": [f"inv_{n}" for n in range(201)]},
        }
    )
    assert_typed(post(http, token, body), "BAD_USER_INPUT", sent=body)


def test_a_json_number_too_long_for_python_int_is_refused(http: httpx.Client, token: str) -> None:
    """5,000 digits: more than Python's int() takes from a string by default (4,300)."""
    body = (
        b'{"query": "query($n: Int) { invoices(first: $n) { totalCount } }", '
        b'"variables": {"n": ' + b"9" * 5000 + b"}}"
    )
    assert_answered_cleanly(post(http, token, body), sent=body)


@pytest.mark.parametrize(
    "amount",
    [
        "1" + "0" * 40,
        str(2**96),
        str(-(2**96)),
        "99999999999999999999999999999999",
        "١٢٣",
        "１２３",
        "1e3",
        " 1",
        "",
    ],
)
def test_an_amount_outside_int96_is_bad_user_input(
    http: httpx.Client, token: str, amount: str
) -> None:
    item = line_item(amount=amount)
    body = encode({"query": CREATE_MINIMAL, "variables": {"input": invoice_input("big", item)}})
    response = post(http, token, body)
    if response.json().get("errors") is None:
        # An amount that is a well-formed string may also be refused by the resolver.
        result = response.json()["data"]["createInvoice"]
        assert result["__typename"] == "BadRequestError", describe(response)
        assert_no_leak(response, body)
    else:
        assert_typed(response, "BAD_USER_INPUT", sent=body)


def test_an_amount_as_a_json_number_is_bad_user_input(http: httpx.Client, token: str) -> None:
    item = line_item(amount=None)
    item["price"] = {"amount": 10**40}
    body = encode({"query": CREATE_MINIMAL, "variables": {"input": invoice_input("num", item)}})
    assert_typed(post(http, token, body), "BAD_USER_INPUT", sent=body)


def test_an_amount_as_an_int_literal_fails_validation(http: httpx.Client, token: str) -> None:
    query = (
        'mutation { createInvoice(input: {invoiceId: "lit", lineItems: [{description: "d", '
        'productId: "p", type: PAYIN, user: {externalId: "u"}, price: {amount: '
        + "1"
        + "0" * 40
        + "}}]}) { __typename } }"
    )
    body = encode({"query": query})
    assert_typed(post(http, token, body), "GRAPHQL_VALIDATION_FAILED", sent=body)


def test_a_price_whose_product_overflows_int96_is_a_bad_request(
    http: httpx.Client, token: str
) -> None:
    item = line_item(amount=None, unitPrice=str(2**95), quantity=2**31 - 1)
    body = encode({"query": CREATE_MINIMAL, "variables": {"input": invoice_input("ovf", item)}})
    response = post(http, token, body)
    assert response.status_code == 200, describe(response)
    result = response.json()["data"]["createInvoice"]
    assert result["__typename"] == "BadRequestError", describe(response)
    assert_no_leak(response, body)


def test_a_quantity_beyond_32_bits_is_bad_user_input(http: httpx.Client, token: str) -> None:
    item = line_item(amount=None, unitPrice="5", quantity=2**31)
    body = encode({"query": CREATE_MINIMAL, "variables": {"input": invoice_input("qty", item)}})
    assert_typed(post(http, token, body), "BAD_USER_INPUT", sent=body)


# --- limits -------------------------------------------------------------------------------------


def nested(levels: list[str], leaf: str) -> str:
    selection = leaf
    for level in reversed(levels):
        selection = f"{level} {{ {selection} }}"
    return "{ " + selection + " }"


def test_nesting_beyond_the_depth_limit_is_too_complex(http: httpx.Client, token: str) -> None:
    query = nested(["invoices(first: 1)", "nodes", *["lineItems", "invoice"] * 4], "id")
    assert_typed(post_json(http, token, {"query": query}), "QUERY_TOO_COMPLEX")


def test_31_aliases_are_too_complex(http: httpx.Client, token: str) -> None:
    query = "{ " + " ".join(f"a{n}: workspace {{ id }}" for n in range(31)) + " }"
    assert_typed(post_json(http, token, {"query": query}), "QUERY_TOO_COMPLEX")


def test_31_aliases_of_an_introspection_field_are_too_complex(
    http: httpx.Client, token: str
) -> None:
    """The contract's limit is 'more than 30 aliases', whatever they name.

    Aliased `__schema` selections otherwise multiply the work of one request without bound.
    """
    query = "{ " + " ".join(f"a{n}: __typename" for n in range(31)) + " }"
    assert_typed(post_json(http, token, {"query": query}), "QUERY_TOO_COMPLEX")


def test_more_than_5000_tokens_are_too_complex(http: httpx.Client, token: str) -> None:
    query = "{ " + "workspace { id } " * 2000 + "}"
    assert_typed(post_json(http, token, {"query": query}), "QUERY_TOO_COMPLEX")


def test_a_cost_hidden_in_variable_defaults_is_counted(http: httpx.Client, token: str) -> None:
    """`first: $n` with `$n: Int = 200` costs what `first: 200` costs (40,200 here)."""
    literal = "{ invoices(first: 200) { nodes { history(first: 200) { nodes { version } } } } }"
    assert_typed(post_json(http, token, {"query": literal}), "QUERY_TOO_COMPLEX")
    hidden = (
        "query($n: Int = 200) "
        "{ invoices(first: $n) { nodes { history(first: $n) { nodes { version } } } } }"
    )
    assert_typed(post_json(http, token, {"query": hidden}), "QUERY_TOO_COMPLEX")


# --- unicode in every string --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(UNICODE_STRINGS))
def test_unicode_in_every_string_round_trips(http: httpx.Client, token: str, name: str) -> None:
    text = UNICODE_STRINGS[name]
    key = f"uni-{name}-{text}"
    items = [line_item(description=text, product_id=text, user=f"user {text}")]
    items[0]["tags"] = [{"key": text[:50], "value": text}]
    document = invoice_input(key, *items, tags=[{"key": f"k{text}"[:50], "value": text}])
    body = encode({"query": CREATE_INVOICE, "variables": {"input": document}})
    response = post(http, token, body)
    assert response.status_code == 200, describe(response)
    assert "errors" not in response.json(), describe(response)
    result = response.json()["data"]["createInvoice"]
    assert result["__typename"] == "CreateInvoiceResult", describe(response)
    read = post_json(http, token, {"query": INVOICE_BY_KEY, "variables": {"invoiceId": key}})
    invoice = read.json()["data"]["invoice"]
    assert invoice["invoiceId"] == key
    assert invoice["tags"] == [{"key": f"k{text}"[:50], "value": text}]
    assert invoice["lineItems"][0]["description"] == text
    assert invoice["lineItems"][0]["productId"] == text
    assert invoice["lineItems"][0]["user"]["externalId"] == f"user {text}"
    assert invoice["lineItems"][0]["tags"] == [{"key": text[:50], "value": text}]


@pytest.mark.parametrize("where", ["invoiceId", "description", "tag key", "tag value", "user"])
def test_a_nul_character_is_stored_exactly_or_refused(
    http: httpx.Client, token: str, where: str
) -> None:
    text = "nul\u0000inside"
    item = line_item(
        description=text if where == "description" else "d",
        user=text if where == "user" else "nul-user",
    )
    tags = [{"key": text if where == "tag key" else "k", "value": text}]
    key = text + where if where == "invoiceId" else f"nul-{where}"
    body = encode(
        {"query": CREATE_MINIMAL, "variables": {"input": invoice_input(key, item, tags=tags)}}
    )
    response = post(http, token, body)
    assert_no_internal_failure(response, body)
    if response.status_code == 400:  # refused with the request: PostgreSQL cannot store NUL
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", describe(response)
        return
    result = response.json()["data"]["createInvoice"]
    assert result["__typename"] in ("CreateInvoiceResult", "BadRequestError"), describe(response)
    if result["__typename"] == "CreateInvoiceResult":
        assert result["invoice"]["invoiceId"] == key
        assert result["invoice"]["tags"] == tags
        assert result["invoice"]["lineItems"][0]["description"] == item["description"]


# A high one, a low one inside text, and a pair in the wrong order.
LONE_SURROGATES = ("\ud800", "a\udfffb", "\udc00\ud800")
SURROGATE_PLACES = ("invoiceId", "description", "productId", "tag key", "tag value", "user")


@pytest.mark.parametrize("where", SURROGATE_PLACES)
def test_a_lone_surrogate_in_a_mutation_is_refused_not_a_failure(
    http: httpx.Client, token: str, where: str
) -> None:
    """JSON can carry an unpaired surrogate (\\ud800) that no UTF-8 column can store."""
    surrogate = LONE_SURROGATES[SURROGATE_PLACES.index(where) % len(LONE_SURROGATES)]
    item = line_item(
        description=surrogate if where == "description" else "d",
        product_id=surrogate if where == "productId" else "p",
        user=surrogate if where == "user" else "surrogate-user",
    )
    tags = [
        {
            "key": surrogate if where == "tag key" else "k",
            "value": surrogate if where == "tag value" else "v",
        }
    ]
    key = surrogate if where == "invoiceId" else f"surrogate-{where}"
    body = encode(
        {"query": CREATE_MINIMAL, "variables": {"input": invoice_input(key, item, tags=tags)}}
    )
    response = post(http, token, body)
    assert_no_internal_failure(response, body)
    if "errors" not in response.json():
        result = response.json()["data"]["createInvoice"]
        assert result["__typename"] == "BadRequestError", describe(response)


def test_a_lone_surrogate_in_a_transaction_is_refused_not_a_failure(
    http: httpx.Client, token: str
) -> None:
    document = {
        "externalId": "txn-\ud800",
        "amount": "5",
        "currency": "USD",
        "posted": "2026-01-13T00:00:00.000Z",
    }
    body = encode({"query": RECORD_MINIMAL, "variables": {"input": document}})
    assert_no_internal_failure(post(http, token, body), body)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query($k: String!) { invoice(invoice: {invoiceId: $k}) { id } }", {"k": "\ud800"}),
        ("query($k: ID!) { node(id: $k) { id } }", {"k": "inv_\ud800"}),
        ("query($k: String!) { user(user: {externalId: $k}) { id } }", {"k": "\udfff"}),
        (
            "query($k: String!) { invoices(filter: {tags: {any: [{key: $k, value: $k}]}}) "
            "{ totalCount } }",
            {"k": "a\ud800"},
        ),
        ("query($k: String) { invoices(filter: {search: $k}) { totalCount } }", {"k": "\ud800"}),
        ("query($k: String) { invoices(after: $k) { totalCount } }", {"k": "\ud800"}),
    ],
    ids=["invoice", "node", "user", "tag-filter", "search", "cursor"],
)
def test_a_lone_surrogate_in_a_query_is_not_a_failure(
    http: httpx.Client, token: str, query: str, variables: dict[str, Any]
) -> None:
    body = encode({"query": query, "variables": variables})
    assert_no_internal_failure(post(http, token, body), body)


def test_a_lone_surrogate_inside_the_document_is_refused(http: httpx.Client, token: str) -> None:
    """Raw in the JSON string, the body itself is refused (400); escaped inside the GraphQL
    string, the document fails to parse."""
    raw = encode({"query": '{ invoice(invoice: {invoiceId: "\ud800"}) { id } }'})
    response = post(http, token, raw)
    assert response.status_code == 400, describe(response)
    assert codes_of(response) == ["BAD_USER_INPUT"]
    escaped = encode({"query": '{ invoice(invoice: {invoiceId: "\\ud800"}) { id } }'})
    assert_typed(post(http, token, escaped), "GRAPHQL_PARSE_FAILED", sent=escaped)


def test_a_lone_surrogate_as_operation_name_is_refused(http: httpx.Client, token: str) -> None:
    body = encode({"query": "query A { workspace { id } }", "operationName": "\ud800"})
    assert_answered_cleanly(post(http, token, body), body)


def test_a_surrogate_encoded_as_utf8_bytes_is_not_a_failure(http: httpx.Client, token: str) -> None:
    """Bytes ED A0 80 (U+D800 encoded as if it were a character) are not UTF-8, but Python's
    json.loads decodes bytes with 'surrogatepass': the lone surrogate gets through."""
    in_document = b'{"query": "{ invoice(invoice: {invoiceId: \\"\xed\xa0\x80\\"}) { id } }"}'
    assert_answered_cleanly(post(http, token, in_document), in_document)
    in_variable = (
        b'{"query": "query($k: String!) { invoice(invoice: {invoiceId: $k}) { id } }", '
        b'"variables": {"k": "\xed\xa0\x80"}}'
    )
    assert_no_internal_failure(post(http, token, in_variable), in_variable)


def test_invalid_utf8_is_refused(http: httpx.Client, token: str) -> None:
    body = b'{"query": "{ workspace { id } }\xff\xfe"}'
    assert_refused(post(http, token, body), 400, sent=body)


# --- oneOf --------------------------------------------------------------------------------------


def test_two_members_of_a_one_of_literal_fail_validation(http: httpx.Client, token: str) -> None:
    for query in (
        '{ invoice(invoice: {id: "inv_x", invoiceId: "y"}) { id } }',
        'mutation { updateInvoice(input: {id: "inv_x", expectedVersion: 1, lineItems: '
        '[{delete: {id: "li_x"}, update: {id: "li_x"}}]}) { __typename } }',
        "{ invoice(invoice: {}) { id } }",
    ):
        response = post_json(http, token, {"query": query})
        assert_typed(response, "GRAPHQL_VALIDATION_FAILED")


@pytest.mark.parametrize(
    "match",
    [{"id": "inv_x", "invoiceId": "y"}, {}, {"id": None}, {"id": "inv_x", "invoiceId": None}],
    ids=["two", "none", "null", "one-and-null"],
)
def test_a_one_of_variable_without_exactly_one_member_is_refused(
    http: httpx.Client, token: str, match: dict[str, Any]
) -> None:
    body = encode(
        {
            "query": "query($m: InvoiceMatchInput!) { invoice(invoice: $m) { id } }",
            "variables": {"m": match},
        }
    )
    assert_typed(post(http, token, body), "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", sent=body)


# --- malformed bodies, content types, methods ---------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"query": ',
        b"{'query': '{ workspace { id } }'}",
        b"not json at all",
        b'{"query": "{ workspace { id } }"} trailing',
    ],
    ids=["empty", "open-brace", "truncated", "single-quotes", "text", "trailing-garbage"],
)
def test_malformed_json_is_refused(http: httpx.Client, token: str, body: bytes) -> None:
    assert_refused(post(http, token, body), 400, sent=body)


@pytest.mark.parametrize(
    "body",
    [b"null", b'"{ workspace { id } }"', b"5", b"true"],
    ids=["null", "string", "number", "boolean"],
)
def test_a_json_body_that_is_not_an_object_is_refused(
    http: httpx.Client, token: str, body: bytes
) -> None:
    assert_refused(post(http, token, body), 400, sent=body)


@pytest.mark.parametrize("kind", ["arrays", "objects"])
def test_deeply_nested_json_is_refused(http: httpx.Client, token: str, kind: str) -> None:
    """Python's json module raises RecursionError, not JSONDecodeError, on deep nesting."""
    depth = 10_000
    head = b'{"query": "{ workspace { id } }", "variables": '
    if kind == "arrays":
        body = head + b'{"a": ' + b"[" * depth + b"]" * depth + b"}}"
    else:
        body = head + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"
    assert_refused(post(http, token, body), 400, sent=body)


def test_a_json_array_is_refused_because_batching_is_off(http: httpx.Client, token: str) -> None:
    for body in (
        encode([{"query": WORKSPACE}, {"query": WORKSPACE}]),
        encode([{"query": WORKSPACE}]),
        b"[]",
    ):
        assert_refused(post(http, token, body), 400, sent=body)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/graphql",
        "application/octet-stream",
        None,
    ],
)
def test_a_body_that_is_not_json_is_refused(
    http: httpx.Client, token: str, content_type: str | None
) -> None:
    body = encode({"query": WORKSPACE})
    assert_refused(post(http, token, body, content_type=content_type), 400, 415, sent=body)


def test_multipart_without_file_uploads_is_refused(http: httpx.Client, token: str) -> None:
    operations = encode({"query": WORKSPACE, "variables": {}}).decode()
    body = (
        "--X\r\n"
        'Content-Disposition: form-data; name="operations"\r\n\r\n'
        f"{operations}\r\n"
        "--X\r\n"
        'Content-Disposition: form-data; name="map"\r\n\r\n'
        "{}\r\n"
        "--X--\r\n"
    ).encode()
    for content_type in ("multipart/form-data; boundary=X", "multipart/form-data"):
        response = post(http, token, body, content_type=content_type)
        assert_refused(response, 400, 415, sent=body)
    garbage = b"--nothing like a multipart body"
    response = post(http, token, garbage, content_type="multipart/form-data; boundary=X")
    assert_refused(response, 400, 415, sent=garbage)


@pytest.mark.parametrize("query", [5, 1.5, True, {"query": WORKSPACE}, [WORKSPACE]], ids=repr)
def test_a_query_that_is_not_a_string_is_refused(
    http: httpx.Client, token: str, query: Any
) -> None:
    body = encode({"query": query})
    assert_refused(post(http, token, body), 400, sent=body)


@pytest.mark.parametrize("query", [None, "", "   ", "\u0000"], ids=repr)
def test_a_missing_or_empty_query_is_refused(
    http: httpx.Client, token: str, query: str | None
) -> None:
    body = encode({"query": query})
    response = post(http, token, body)
    if response.status_code == 200:
        assert_typed(response, "GRAPHQL_PARSE_FAILED", sent=body)
    else:
        assert_refused(response, 400, sent=body)


def test_a_body_without_query_is_refused(http: httpx.Client, token: str) -> None:
    for body in (b"{}", encode({"variables": {}}), encode({"operationName": "A"})):
        assert_refused(post(http, token, body), 400, sent=body)


@pytest.mark.parametrize("variables", [[1], "{}", 5, True], ids=repr)
def test_variables_that_are_not_an_object_are_refused(
    http: httpx.Client, token: str, variables: Any
) -> None:
    body = encode({"query": WORKSPACE, "variables": variables})
    assert_refused(post(http, token, body), 400, sent=body)


@pytest.mark.parametrize("extensions", [5, "x", [1]], ids=repr)
def test_extensions_that_are_not_an_object_are_refused(
    http: httpx.Client, token: str, extensions: Any
) -> None:
    body = encode({"query": WORKSPACE, "extensions": extensions})
    assert_refused(post(http, token, body), 400, sent=body)


@pytest.mark.parametrize("name", ["Missing", "", 5, ["A"]], ids=repr)
def test_an_unknown_operation_name_is_refused(http: httpx.Client, token: str, name: Any) -> None:
    body = encode({"query": "query A { workspace { id } }", "operationName": name})
    response = post(http, token, body)
    if response.status_code == 200:
        assert_typed(response, "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", sent=body)
    else:
        assert_refused(response, 400, sent=body)


def test_a_mutation_over_get_is_refused_and_not_run(http: httpx.Client, token: str) -> None:
    """GraphQL-over-HTTP: a mutation over GET gets 405, and nothing is written."""
    mutation = (
        'mutation { createInvoice(input: {invoiceId: "via-get", lineItems: [{description: "d", '
        'productId: "p", type: PAYIN, user: {externalId: "u"}, price: {amount: "5"}}]}) '
        "{ __typename } }"
    )
    response = http.get(
        "/graphql",
        params={"query": mutation},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert_refused(response, 405)
    read = post_json(http, token, {"query": INVOICE_BY_KEY, "variables": {"invoiceId": "via-get"}})
    assert read.json()["data"]["invoice"] is None, describe(read)


def test_a_query_over_get_is_served(http: httpx.Client, token: str) -> None:
    response = http.get(
        "/graphql",
        params={"query": WORKSPACE},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert response.status_code == 200, describe(response)
    assert response.json()["data"]["workspace"]["id"].startswith("ws_")


@pytest.mark.parametrize(
    "params",
    [{}, {"query": WORKSPACE, "variables": "not json"}, {"query": WORKSPACE, "variables": "[1]"}],
    ids=["no-query", "variables-not-json", "variables-array"],
)
def test_a_malformed_get_is_refused(http: httpx.Client, token: str, params: dict[str, str]) -> None:
    response = http.get(
        "/graphql",
        params=params,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert_refused(response, 400)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_not_allowed(http: httpx.Client, token: str, method: str) -> None:
    response = http.request(
        method,
        "/graphql",
        content=encode({"query": WORKSPACE}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert_refused(response, 405)


def test_a_subscription_over_post_is_refused_not_a_failure(http: httpx.Client, token: str) -> None:
    """Subscriptions run over graphql-transport-ws; over plain POST they are a request error."""
    body = encode({"query": "subscription { invoiceEvents { type version } }"})
    assert_answered_cleanly(post(http, token, body), body)


def test_a_client_accepting_graphql_response_json_gets_it(http: httpx.Client, token: str) -> None:
    """The contract: application/graphql-response+json when the client accepts it. With that
    media type GraphQL-over-HTTP answers a parse error with a 4xx."""
    served = post_json(
        http, token, {"query": WORKSPACE}, accept="application/graphql-response+json"
    )
    assert served.status_code == 200, describe(served)
    assert served.headers["content-type"].startswith("application/graphql-response+json"), describe(
        served
    )
    broken = post_json(http, token, {"query": "{"}, accept="application/graphql-response+json")
    assert broken.headers["content-type"].startswith("application/graphql-response+json"), describe(
        broken
    )
    assert 400 <= broken.status_code < 500, describe(broken)
    assert codes_of(broken) == ["GRAPHQL_PARSE_FAILED"]


def test_hostile_bodies_without_a_token_get_401_first(http: httpx.Client) -> None:
    for body in (b"{", b"null", b"[]", encode({"query": WORKSPACE})):
        response = http.post("/graphql", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 401, describe(response)
        assert codes_of(response) == ["UNAUTHENTICATED"]


# --- very long strings and the body limit -------------------------------------------------------


def padded_to(size: int, make: Callable[[str], bytes]) -> bytes:
    """The body `make(padding)` grown with a padding string until it is `size` bytes long."""
    body: bytes = make("")
    body = make("x" * (size - len(body)))
    assert len(body) == size
    return body


@pytest.mark.parametrize(
    "where", ["invoiceId", "description", "tag value", "search", "unused variable"]
)
def test_a_string_just_under_the_body_limit_gets_an_answer(
    http: httpx.Client, token: str, where: str
) -> None:
    def make(padding: str) -> bytes:
        if where == "search":
            query = "query($s: String) { invoices(filter: {search: $s}) { totalCount } }"
            return encode({"query": query, "variables": {"s": padding}})
        if where == "unused variable":
            return encode({"query": WORKSPACE, "variables": {"padding": padding}})
        item = line_item(description=padding if where == "description" else "d")
        tags = [{"key": "k", "value": padding if where == "tag value" else "v"}]
        key = padding if where == "invoiceId" else f"long-{where}"
        document = invoice_input(key, item, tags=tags)
        return encode({"query": CREATE_MINIMAL, "variables": {"input": document}})

    body = padded_to(MAX_BODY - 16, make)
    response = post(http, token, body)
    assert response.status_code == 200, describe(response)
    assert_no_internal_failure(response)
    data = response.json()["data"]
    if where in ("invoiceId", "description", "tag value"):
        assert data["createInvoice"]["__typename"] == "BadRequestError", describe(response)
    else:
        assert data is not None, describe(response)


def test_a_long_emoji_string_just_under_the_limit_gets_an_answer(
    http: httpx.Client, token: str
) -> None:
    """Raw UTF-8 (4 bytes a character), not escaped: about 262,000 emoji as a description."""

    def make(description: str) -> bytes:
        document = invoice_input("emoji", line_item(description=description))
        return json.dumps(
            {"query": CREATE_MINIMAL, "variables": {"input": document}}, ensure_ascii=False
        ).encode()

    room = MAX_BODY - 16 - len(make(""))
    body = make("😀" * (room // 4))
    assert MAX_BODY - 20 < len(body) <= MAX_BODY
    response = post(http, token, body)
    assert_no_internal_failure(response)
    result = response.json()["data"]["createInvoice"]
    assert result["__typename"] == "BadRequestError", describe(response)


def test_a_document_just_under_the_limit_gets_an_answer(http: httpx.Client, token: str) -> None:
    """One string literal of almost 1 MiB inside the document itself."""
    body = padded_to(
        MAX_BODY - 16,
        lambda padding: encode(
            {"query": f'{{ invoices(filter: {{search: "{padding}"}}) {{ totalCount }} }}'}
        ),
    )
    response = post(http, token, body)
    assert response.status_code == 200, describe(response)
    assert response.json()["data"]["invoices"]["totalCount"] == 0


def test_a_body_over_the_limit_gets_413(http: httpx.Client, token: str) -> None:
    body = padded_to(
        MAX_BODY + 1, lambda padding: encode({"query": WORKSPACE, "variables": {"p": padding}})
    )
    response = post(http, token, body)
    assert response.status_code == 413, describe(response)
    assert codes_of(response) == ["BAD_USER_INPUT"]


def test_a_streamed_body_over_the_limit_gets_413(http: httpx.Client, token: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ workspace { id } }", "variables": {"p": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}}'

    response = http.post(
        "/graphql",
        content=chunks(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413, describe(response)


@pytest.mark.parametrize("declared", ["abc", "-1", "99999999999999999999"])
def test_a_bogus_content_length_is_refused(deployed: Deployment, token: str, declared: str) -> None:
    """Sent raw: httpx would correct the header."""
    host, port = deployed.base_url.removeprefix("http://").split(":")
    request = (
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {declared}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + encode({"query": WORKSPACE})
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0].decode()
    status = int(status_line.split()[1])
    assert 400 <= status < 500, answer[:2000]


# --- the log ------------------------------------------------------------------------------------


def logged_failures(log: str) -> list[str]:
    """The exception that ended each traceback: plain ones, and those in JSON log records."""
    failures = []
    for line in log.splitlines():
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            traceback = record.get("traceback") if isinstance(record, dict) else None
            if isinstance(traceback, str) and traceback.strip():
                last = traceback.strip().splitlines()[-1]
                failures.append(f"{record.get('message')}: {last}")
        elif re.match(r"^[\w.]+(Error|Exception)(: |$)", line):
            failures.append(line)
    return failures


def test_the_server_log_has_no_traceback(deployed: Deployment) -> None:
    """Runs last. The server logs a traceback only for an unexpected failure (a 5xx, or a
    resolver error masked as INTERNAL_SERVER_ERROR / InternalError); request errors log nothing."""
    log = deployed.server.stderr()
    locked = log.count("database is locked")
    assert locked == 0, f"{locked} lock failures"
    tracebacks = log.count("Traceback")
    ended_in = Counter(logged_failures(log))
    assert tracebacks == 0, f"{tracebacks} tracebacks; they ended in:\n" + "\n".join(
        f"{count} x {line}" for line, count in ended_in.most_common()
    )
