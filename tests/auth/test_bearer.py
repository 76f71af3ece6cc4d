"""Bearer tokens at /graphql: only a valid, unexpired token of a live client gets in."""

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from invoicegraph.admin.workspaces import create_client, create_workspace, revoke_client
from invoicegraph.auth.tokens import InvalidToken, issue_token, verify_token
from invoicegraph.store.engine import Database
from tests.support import fetch_token

QUERY = {"query": "{ __typename }"}
OTHER_KEY = "another-signing-key-" + "y" * 40
FUTURE = int(time.time()) + 10**6
"""An issue time after every test run: a token cannot be issued in the future."""


@dataclass(frozen=True)
class Caller:
    client_id: str
    workspace_id: str
    token: str
    key: str

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": "invoicegraph",
            "sub": self.client_id,
            "ws": self.workspace_id,
            "iat": now,
            "exp": now + 600,
        }
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}


@pytest.fixture
async def caller(app: Starlette, app_db: Database, http: httpx.AsyncClient) -> Caller:
    workspace = await create_workspace(app_db, name="Acme billing")
    client = await create_client(app_db, workspace_public_id=workspace.public_id)
    assert client is not None
    token = await fetch_token(http, client.client_id, client.client_secret)
    key: str = app.state.signing_key
    return Caller(client.client_id, workspace.public_id, token, key)


async def graphql(http: httpx.AsyncClient, authorization: str | None) -> httpx.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    return await http.post("/graphql", json=QUERY, headers=headers)


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(claims: dict[str, Any]) -> str:
    """A JWT with alg "none" and no signature, built by hand."""
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    return f"{header}.{payload}."


async def test_a_valid_token_gets_in(http: httpx.AsyncClient, caller: Caller) -> None:
    response = await graphql(http, f"Bearer {caller.token}")
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_the_bearer_scheme_name_is_case_insensitive(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    response = await graphql(http, f"bearer {caller.token}")
    assert response.status_code == 200


async def test_a_valid_token_gets_in_by_get_too(http: httpx.AsyncClient, caller: Caller) -> None:
    response = await http.get(
        "/graphql", params=QUERY, headers={"Authorization": f"Bearer {caller.token}"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Bearer garbage",
        "Bearer a.b.c",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.",
        "Basic dXNlcjpwYXNz",
        "Token abc",
    ],
)
async def test_missing_or_malformed_credentials_are_refused(
    http: httpx.AsyncClient, caller: Caller, authorization: str | None
) -> None:
    assert_unauthenticated(await graphql(http, authorization))


async def test_the_token_endpoints_basic_credentials_do_not_open_graphql(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    basic = base64.b64encode(f"{caller.client_id}:whatever".encode()).decode()
    assert_unauthenticated(await graphql(http, f"Basic {basic}"))


async def test_a_get_without_a_token_is_refused(http: httpx.AsyncClient, caller: Caller) -> None:
    response = await http.get("/graphql", params=QUERY)
    assert_unauthenticated(response)


async def test_a_token_signed_with_another_key_is_refused(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    forged = issue_token(
        key=OTHER_KEY, client_id=caller.client_id, workspace_id=caller.workspace_id, ttl_seconds=600
    )
    assert_unauthenticated(await graphql(http, f"Bearer {forged}"))


async def test_a_token_with_alg_none_is_refused(http: httpx.AsyncClient, caller: Caller) -> None:
    # given a token that jwt.decode would read if "none" were allowed
    token = unsigned_token(caller.claims())
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == caller.client_id
    # then
    assert_unauthenticated(await graphql(http, f"Bearer {token}"))


async def test_a_token_with_another_hmac_algorithm_is_refused(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    # The algorithm is pinned to HS256: even the right key under HS384 is refused.
    token = jwt.encode(caller.claims(), caller.key, algorithm="HS384")
    assert_unauthenticated(await graphql(http, f"Bearer {token}"))


async def test_a_token_with_its_signature_altered_is_refused(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    header, payload, signature = caller.token.split(".")
    altered = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert_unauthenticated(await graphql(http, f"Bearer {header}.{payload}.{altered}"))


async def test_a_token_with_its_claims_altered_is_refused(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    header, _, signature = caller.token.split(".")
    payload = b64url(json.dumps(caller.claims(exp=int(time.time()) + 10**6)).encode())
    assert_unauthenticated(await graphql(http, f"Bearer {header}.{payload}.{signature}"))


async def test_an_expired_token_is_refused(http: httpx.AsyncClient, caller: Caller) -> None:
    expired = issue_token(
        key=caller.key,
        client_id=caller.client_id,
        workspace_id=caller.workspace_id,
        ttl_seconds=-10,
    )
    assert_unauthenticated(await graphql(http, f"Bearer {expired}"))


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": None},
        {"iat": None},
        {"sub": None},
        {"iss": None},
        {"ws": None},
        {"iss": "someone-else"},
        {"sub": 42},
        {"ws": 42},
        {"sub": "cli_doesnotexist"},
        {"iat": FUTURE},
    ],
    ids=lambda changes: ",".join(
        f"{name}={'future' if value == FUTURE else value}" for name, value in changes.items()
    ),
)
async def test_a_correctly_signed_token_with_wrong_claims_is_refused(
    http: httpx.AsyncClient, caller: Caller, changes: dict[str, Any]
) -> None:
    token = jwt.encode(caller.claims(**changes), caller.key, algorithm="HS256")
    assert_unauthenticated(await graphql(http, f"Bearer {token}"))


async def test_a_token_of_a_revoked_client_is_refused_on_the_next_request(
    http: httpx.AsyncClient, caller: Caller, app_db: Database
) -> None:
    # given a token that works
    assert (await graphql(http, f"Bearer {caller.token}")).status_code == 200
    # when its client is revoked
    await revoke_client(app_db, client_id=caller.client_id)
    # then the very next request is refused, though the token has not expired
    assert_unauthenticated(await graphql(http, f"Bearer {caller.token}"))


async def test_a_token_naming_another_workspace_than_its_clients_is_refused(
    http: httpx.AsyncClient, caller: Caller, app_db: Database
) -> None:
    # given another workspace, with a client of its own
    other = await create_workspace(app_db, name="Globex billing")
    assert await create_client(app_db, workspace_public_id=other.public_id) is not None
    # when our client's token names that workspace
    token = issue_token(
        key=caller.key, client_id=caller.client_id, workspace_id=other.public_id, ttl_seconds=600
    )
    # then
    assert_unauthenticated(await graphql(http, f"Bearer {token}"))


async def test_healthz_needs_no_token(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("not-a-jwt", "malformed"),
        ("\u00b7\u00b7.\u00b7\u00b7.\u00b7\u00b7", "malformed"),
        (
            jwt.encode(
                {"sub": "c", "ws": "w", "iss": "invoicegraph", "iat": 1, "exp": 2}, "k" * 40
            ),
            "expired",
        ),
        (
            jwt.encode(
                {"sub": "c", "ws": "w", "iss": "invoicegraph", "iat": 1, "exp": 2**40}, "x" * 40
            ),
            "signature",
        ),
        (
            jwt.encode(
                {"sub": "c", "ws": "w", "iss": "elsewhere", "iat": 1, "exp": 2**40}, "k" * 40
            ),
            "not issued",
        ),
    ],
    ids=["not-a-jwt", "not-ascii", "expired", "other-key", "other-issuer"],
)
def test_an_unusable_token_is_named_in_plain_words(token: str, says: str) -> None:
    with pytest.raises(InvalidToken) as refused:
        verify_token(token, key="k" * 40, max_ttl_seconds=3600)
    message = str(refused.value)
    assert says in message
    assert "codec" not in message
    assert "segments" not in message
