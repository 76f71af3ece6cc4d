"""POST /oauth2/token: the client-credentials grant, with RFC 6749 section 5.2 errors."""

import base64
import hashlib
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import event
from sqlmodel import select
from starlette.applications import Starlette

from invoicegraph.admin.workspaces import NewClient, create_client, create_workspace, revoke_client
from invoicegraph.store.engine import Database
from invoicegraph.store.tables import ApiClientRow, WorkspaceRow
from tests.backends import ON_POSTGRES
from tests.support import count_statements

GRANT = {"grant_type": "client_credentials"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


@pytest.fixture
async def client(app_db: Database) -> NewClient:
    workspace = await create_workspace(app_db, name="Acme billing")
    new = await create_client(app_db, workspace_public_id=workspace.public_id)
    assert new is not None
    return new


def assert_token_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert isinstance(body.get("error_description", ""), str)
    assert response.headers["cache-control"] == "no-store"
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic")
    return body


async def test_client_credentials_get_a_bearer_token(
    http: httpx.AsyncClient, client: NewClient, app: Starlette
) -> None:
    # when
    response = await http.post(
        "/oauth2/token", data=GRANT, headers=basic(client.client_id, client.client_secret)
    )
    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert isinstance(body["access_token"], str)
    assert body["access_token"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    # and the token names the client and its workspace, for 3600 seconds
    claims = jwt.decode(body["access_token"], app.state.signing_key, algorithms=["HS256"])
    assert claims["sub"] == client.client_id
    assert claims["ws"] == client.workspace_id
    assert claims["exp"] - claims["iat"] == 3600
    # and it opens the GraphQL endpoint
    graphql = await http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert graphql.status_code == 200
    assert graphql.json()["data"] == {"__typename": "Query"}


async def test_a_content_type_with_charset_is_still_a_form(
    http: httpx.AsyncClient, client: NewClient
) -> None:
    response = await http.post(
        "/oauth2/token",
        content=b"grant_type=client_credentials",
        headers={
            **basic(client.client_id, client.client_secret),
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        },
    )
    assert response.status_code == 200, response.text


async def test_each_request_gets_a_working_token(
    http: httpx.AsyncClient, client: NewClient
) -> None:
    for _ in range(2):
        response = await http.post(
            "/oauth2/token", data=GRANT, headers=basic(client.client_id, client.client_secret)
        )
        assert response.status_code == 200


async def test_a_wrong_secret_is_an_invalid_client(
    http: httpx.AsyncClient, client: NewClient
) -> None:
    response = await http.post(
        "/oauth2/token", data=GRANT, headers=basic(client.client_id, client.client_secret + "x")
    )
    assert_token_error(response, 401, "invalid_client")


async def test_another_clients_secret_is_an_invalid_client(
    http: httpx.AsyncClient, client: NewClient, app_db: Database
) -> None:
    # given a second client of the same workspace
    other = await create_client(app_db, workspace_public_id=client.workspace_id)
    assert other is not None
    # when the first client's id is sent with the second client's secret
    response = await http.post(
        "/oauth2/token", data=GRANT, headers=basic(client.client_id, other.client_secret)
    )
    # then
    assert_token_error(response, 401, "invalid_client")


async def test_an_unknown_client_is_an_invalid_client_like_a_wrong_secret(
    http: httpx.AsyncClient, client: NewClient
) -> None:
    # when
    unknown = await http.post(
        "/oauth2/token", data=GRANT, headers=basic("cli_doesnotexist", client.client_secret)
    )
    wrong = await http.post(
        "/oauth2/token", data=GRANT, headers=basic(client.client_id, "not-the-secret")
    )
    # then: nothing tells an unknown client from a known one
    assert assert_token_error(unknown, 401, "invalid_client") == assert_token_error(
        wrong, 401, "invalid_client"
    )


async def test_a_known_client_id_costs_the_work_of_an_unknown_one(
    http: httpx.AsyncClient, client: NewClient, app_db: Database
) -> None:
    """The same statements, and no ORM object built for the known one (building two took
    some 55 microseconds, measurable from outside: which ids exist). Work, not time."""
    built: list[object] = []

    def loaded(target: object, _context: object) -> None:
        built.append(target)

    seen = []
    for client_id in ("cli_doesnotexist", client.client_id):
        event.listen(ApiClientRow, "load", loaded)
        event.listen(WorkspaceRow, "load", loaded)
        try:
            with count_statements(app_db) as statements:
                answer = await http.post(
                    "/oauth2/token", data=GRANT, headers=basic(client_id, "not-the-secret")
                )
        finally:
            event.remove(ApiClientRow, "load", loaded)
            event.remove(WorkspaceRow, "load", loaded)
        assert answer.status_code == 401
        seen.append(statements.statements)
    unknown, known = seen
    assert known == unknown
    assert built == []


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Basic",
        "Basic ",
        "Basic !!!not-base64!!!",
        "Basic Y2xp",  # "cli": no colon
        "Basic " + base64.b64encode(b"cli_x:").decode(),  # empty secret
        "Basic " + base64.b64encode(b":secret").decode(),  # empty client id
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),  # not UTF-8
        "Bearer something",
        "Digest username=x",
    ],
)
async def test_missing_or_malformed_basic_credentials_are_an_invalid_client(
    http: httpx.AsyncClient, client: NewClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await http.post("/oauth2/token", data=GRANT, headers=headers)
    assert_token_error(response, 401, "invalid_client")


async def test_a_missing_grant_type_is_an_invalid_request(
    http: httpx.AsyncClient, client: NewClient
) -> None:
    for form in ({}, {"grant_type": ""}, {"scope": "all"}):
        response = await http.post(
            "/oauth2/token", data=form, headers=basic(client.client_id, client.client_secret)
        )
        assert_token_error(response, 400, "invalid_request")


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "refresh_token", "x"])
async def test_other_grant_types_are_unsupported(
    http: httpx.AsyncClient, client: NewClient, grant_type: str
) -> None:
    response = await http.post(
        "/oauth2/token",
        data={"grant_type": grant_type, "username": "u", "password": "p"},
        headers=basic(client.client_id, client.client_secret),
    )
    assert_token_error(response, 400, "unsupported_grant_type")


async def test_a_json_body_is_an_invalid_request(
    http: httpx.AsyncClient, client: NewClient
) -> None:
    response = await http.post(
        "/oauth2/token", json=GRANT, headers=basic(client.client_id, client.client_secret)
    )
    assert_token_error(response, 400, "invalid_request")


async def test_a_body_without_content_type_is_an_invalid_request(
    http: httpx.AsyncClient, client: NewClient
) -> None:
    response = await http.post(
        "/oauth2/token",
        content=b"grant_type=client_credentials",
        headers=basic(client.client_id, client.client_secret),
    )
    assert_token_error(response, 400, "invalid_request")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_other_methods_are_refused_with_how_to_ask(
    http: httpx.AsyncClient, client: NewClient, method: str
) -> None:
    # when `curl -u id:secret URL` sends GET (or another method) with the credentials
    response = await http.request(
        method, "/oauth2/token", headers=basic(client.client_id, client.client_secret)
    )
    # then 405, and an RFC 6749 error that says how to ask for a token
    assert_token_error(response, 405, "invalid_request")
    assert response.headers["allow"] == "POST"
    assert "-d grant_type=client_credentials" in response.json()["error_description"]


async def test_a_revoked_client_gets_no_token(
    http: httpx.AsyncClient, client: NewClient, app_db: Database
) -> None:
    # given
    assert await revoke_client(app_db, client_id=client.client_id) is True
    # when
    response = await http.post(
        "/oauth2/token", data=GRANT, headers=basic(client.client_id, client.client_secret)
    )
    # then
    assert_token_error(response, 401, "invalid_client")
    assert await revoke_client(app_db, client_id=client.client_id) is False


async def test_revoking_one_client_leaves_the_others_working(
    http: httpx.AsyncClient, client: NewClient, app_db: Database
) -> None:
    other = await create_client(app_db, workspace_public_id=client.workspace_id)
    assert other is not None
    await revoke_client(app_db, client_id=client.client_id)
    response = await http.post(
        "/oauth2/token", data=GRANT, headers=basic(other.client_id, other.client_secret)
    )
    assert response.status_code == 200


async def test_no_client_for_an_unknown_workspace(app_db: Database) -> None:
    assert await create_client(app_db, workspace_public_id="ws_doesnotexist") is None


def database_files(directory: Path) -> dict[str, bytes]:
    """The bytes of the test's SQLite database and its WAL and shared-memory files."""
    return {file.name: file.read_bytes() for file in directory.glob("invoicegraph.db*")}


async def test_the_secret_is_stored_only_as_a_hash(
    client: NewClient, app_db: Database, tmp_path: Path
) -> None:
    # when
    async with app_db.read() as session:
        row = (
            await session.exec(
                select(ApiClientRow).where(ApiClientRow.public_id == client.client_id)
            )
        ).one()
    # then: the row holds a SHA-256 digest, never the secret
    assert row.secret_hash == hashlib.sha256(client.client_secret.encode()).hexdigest()
    assert all(client.client_secret not in str(value) for value in row.model_dump().values())
    # and no byte of the database files (WAL included) spells the secret
    if ON_POSTGRES:
        return  # the server's files are not ours to read; the row check above holds there
    files = database_files(tmp_path)
    assert files
    for name, content in files.items():
        assert client.client_secret.encode() not in content, name


async def test_secrets_are_long_and_distinct(app_db: Database, client: NewClient) -> None:
    other = await create_client(app_db, workspace_public_id=client.workspace_id)
    assert other is not None
    assert other.client_secret != client.client_secret
    assert other.client_id != client.client_id
    assert len(client.client_secret) >= 43  # 256 random bits, url-safe base64
