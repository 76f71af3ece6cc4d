"""GraphQL over HTTP: a mutation sent with GET is 405 Method Not Allowed, and nothing runs."""

import httpx
import pytest

from tests.operations import INVOICE_BY_KEY
from tests.support import Api

MUTATION = (
    'mutation { createInvoice(input: {invoiceId: "via-get", lineItems: [{description: "d", '
    'productId: "p", type: PAYIN, user: {externalId: "u"}, price: {amount: "5"}}]}) '
    "{ __typename } }"
)


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_a_mutation_over_get_is_method_not_allowed(
    http: httpx.AsyncClient, api: Api, accept: str
) -> None:
    # when
    response = await http.get(
        "/graphql",
        params={"query": MUTATION},
        headers={"Authorization": f"Bearer {api.token}", "Accept": accept},
    )
    # then
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "GET" in error["message"]
    assert (await api.ok(INVOICE_BY_KEY, invoiceId="via-get"))["invoice"] is None


async def test_a_query_over_get_is_still_served(http: httpx.AsyncClient, api: Api) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "{ workspace { id } }"},
        headers={"Authorization": f"Bearer {api.token}", "Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["workspace"]["id"] == api.workspace_id
