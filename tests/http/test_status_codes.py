"""GraphQL over HTTP: the status code of every kind of failure, under both media types.

With `application/json` a document the server cannot run still answers 200 (the spec allows
it, and older clients expect it); with `application/graphql-response+json` it answers 400.
Failures of the request itself (its body) are 4xx under both; execution errors are 200.
"""

from typing import Any

import httpx
import pytest

from tests.support import Api

JSON, GRAPHQL = "application/json", "application/graphql-response+json"
ALIASES = "{" + " ".join(f"a{i}: workspace {{ id }}" for i in range(40)) + "}"

CASES: dict[str, tuple[dict[str, Any], int, int, str]] = {
    # kind: (request, status with JSON, status with GRAPHQL, code)
    "parse error": ({"json": {"query": "{ workspace { id "}}, 200, 400, "GRAPHQL_PARSE_FAILED"),
    "validation": ({"json": {"query": "{ nope }"}}, 200, 400, "GRAPHQL_VALIDATION_FAILED"),
    "bad variable": (
        {"json": {"query": "query($f: Int!) { invoices(first: $f) { totalCount } }",
                  "variables": {"f": "x"}}},
        200, 400, "BAD_USER_INPUT",
    ),
    "too complex": ({"json": {"query": ALIASES}}, 200, 400, "QUERY_TOO_COMPLEX"),
    "execution error": (
        {"json": {"query": "{ invoices(first: 500) { totalCount } }"}}, 200, 200, "BAD_USER_INPUT"
    ),
    "no query": ({"json": {}}, 400, 400, "BAD_USER_INPUT"),
    "not an object": (
        {"content": b"[1]", "headers": {"content-type": "application/json"}}, 400, 400,
        "BAD_USER_INPUT",
    ),
    "not JSON": (
        {"content": b"{", "headers": {"content-type": "application/json"}}, 400, 400,
        "BAD_USER_INPUT",
    ),
    "unsupported body type": (
        {"content": b"x", "headers": {"content-type": "text/plain"}}, 400, 400, "BAD_USER_INPUT"
    ),
    "no token": ({"json": {"query": "{ workspace { id } }"}, "token": None}, 401, 401,
                 "UNAUTHENTICATED"),
}  # fmt: skip


@pytest.mark.parametrize("accept", [JSON, GRAPHQL])
@pytest.mark.parametrize("kind", list(CASES))
async def test_each_failure_has_its_status_and_code(
    http: httpx.AsyncClient, api: Api, kind: str, accept: str
) -> None:
    request, with_json, with_graphql, code = CASES[kind]
    request = dict(request)
    token = request.pop("token", api.token)
    headers = {**request.pop("headers", {}), "Accept": accept}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = await http.post("/graphql", headers=headers, **request)
    assert response.status_code == (with_json if accept == JSON else with_graphql), response.text
    body = response.json()
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]
    if accept == GRAPHQL and response.status_code == 400 and "data" in body:
        pytest.fail(f"a request error carries no data: {body}")
