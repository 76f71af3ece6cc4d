"""Every request refused before GraphQL runs gets the same JSON error body, byte for byte."""

import httpx

from invoicegraph.http.errors import error_response
from tests.support import Api


def test_the_body_is_one_error_with_its_message_and_code() -> None:
    response = error_response("Nope.", code="BAD_USER_INPUT", status=400)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert (
        response.body == b'{"errors":[{"message":"Nope.","extensions":{"code":"BAD_USER_INPUT"}}]}'
    )


async def test_a_request_without_a_token_gets_401_with_a_bearer_challenge(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post("/graphql", json={"query": "{ workspace { id } }"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="invoicegraph"'
    assert response.content == (
        b'{"errors":[{"message":"Unauthenticated: send Authorization: Bearer <access_token>.",'
        b'"extensions":{"code":"UNAUTHENTICATED"}}]}'
    )


async def test_a_body_that_is_not_a_json_object_gets_400(api: Api) -> None:
    response = await api.http.post(
        "/graphql",
        content=b"[1, 2]",
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.content == (
        b'{"errors":[{"message":"The request body (and variables) must be a JSON object",'
        b'"extensions":{"code":"BAD_USER_INPUT"}}]}'
    )


async def test_a_body_over_the_limit_gets_413(api: Api) -> None:
    response = await api.http.post(
        "/graphql",
        content=b"x" * (1024 * 1024 + 1),
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.content == (
        b'{"errors":[{"message":"Request body over 1048576 bytes.",'
        b'"extensions":{"code":"BAD_USER_INPUT"}}]}'
    )
