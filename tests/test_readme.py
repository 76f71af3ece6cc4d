"""The README's example query, run against the demo data, answers what the README shows."""

import json
import re
from pathlib import Path

import httpx
from graphql import parse, validate
from starlette.applications import Starlette

from invoicegraph.admin.demo import seed_demo
from invoicegraph.schema import schema
from tests.readme import other_documents
from tests.support import fetch_token

README = (Path(__file__).parents[1] / "README.md").read_text()


def readme_example() -> tuple[dict[str, object], dict[str, object]]:
    payload = re.search(r"^curl .*/graphql .* -d '(.+)'$", README, re.MULTILINE)
    answer = re.search(r"^answers .*?\n```json\n(.*?)\n```", README, re.MULTILINE | re.DOTALL)
    assert payload is not None, "the README's example curl command is missing"
    assert answer is not None, "the README's example answer is missing"
    return json.loads(payload.group(1)), json.loads(answer.group(1))


async def test_readme_query_returns_the_readme_answer(
    app: Starlette, http: httpx.AsyncClient
) -> None:
    request, expected = readme_example()
    client = await seed_demo(app.state.db)
    assert client is not None
    token = await fetch_token(http, client.client_id, client.client_secret)
    response = await http.post(
        "/graphql", json=request, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.json() == expected


async def test_demo_is_seeded_only_into_an_empty_database(app: Starlette) -> None:
    assert await seed_demo(app.state.db) is not None
    assert await seed_demo(app.state.db) is None


def test_every_other_graphql_block_of_the_readme_is_valid_against_the_schema() -> None:
    documents = other_documents()
    assert documents, "the README's other sections show GraphQL"
    for document in documents:
        assert validate(schema._schema, parse(document)) == [], document
