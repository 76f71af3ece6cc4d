"""Automatic persisted queries, and a server that runs only trusted documents."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from invoicegraph.http.app import create_app
from invoicegraph.schema.persisted import ManifestError, sha256_of
from invoicegraph.settings import Settings
from tests.operations import CREATE_INVOICE_MINIMAL, invoice_input
from tests.support import Api, served_api

COUNT = "query CountForApq { invoices(first: 1) { totalCount } }"


def by_hash(document: str, *, with_text: bool = False, version: int = 1) -> dict[str, Any]:
    body: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": version, "sha256Hash": sha256_of(document)}}
    }
    if with_text:
        body["query"] = document
    return body


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors") or []]


async def post(api: Api, body: dict[str, Any]) -> httpx.Response:
    return await api.http.post(
        "/graphql", json=body, headers={"Authorization": f"Bearer {api.token}"}
    )


async def test_a_hash_runs_once_its_text_was_sent(api: Api) -> None:
    document = COUNT + " # apq-first-run"
    # an unknown hash: not found, in the words Apollo clients look for
    unknown = await post(api, by_hash(document))
    assert codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    # the hash with the text runs it and keeps it; then the hash alone runs it
    registered = await post(api, by_hash(document, with_text=True))
    again = await post(api, by_hash(document))
    assert registered.json()["data"] == again.json()["data"] == {"invoices": {"totalCount": 0}}


async def test_a_hash_that_is_not_the_text_s_runs_nothing(api: Api) -> None:
    body = by_hash(CREATE_INVOICE_MINIMAL) | {
        "query": CREATE_INVOICE_MINIMAL + " ",
        "variables": {"input": invoice_input("apq-mismatch")},
    }
    response = await post(api, body)
    assert codes(response) == ["BAD_USER_INPUT"]
    count = await api.ok(COUNT)
    assert count["invoices"]["totalCount"] == 0


@pytest.mark.parametrize("version", [0, 2])
async def test_other_protocol_versions_are_not_supported(api: Api, version: int) -> None:
    response = await post(api, by_hash(COUNT, with_text=True, version=version))
    assert codes(response) == ["PERSISTED_QUERY_NOT_SUPPORTED"]


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    documents = [COUNT, CREATE_INVOICE_MINIMAL]
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({sha256_of(document): document for document in documents}))
    return path


@pytest.fixture
async def trusted_only(settings: Settings, manifest: Path) -> AsyncIterator[Api]:
    only = settings.replace(trusted_documents=str(manifest), trusted_documents_only=True)
    async with served_api(create_app(only), workspace="Trusted") as api:
        yield api


async def test_only_trusted_documents_run_by_hash_or_exact_text(trusted_only: Api) -> None:
    # the manifest's documents run, by hash (a write included) or as their exact text
    created = await post(
        trusted_only,
        by_hash(CREATE_INVOICE_MINIMAL) | {"variables": {"input": invoice_input("trusted-1")}},
    )
    assert created.json()["data"]["createInvoice"]["__typename"] == "CreateInvoiceResult"
    counted = await post(trusted_only, {"query": COUNT})
    assert counted.json()["data"] == {"invoices": {"totalCount": 1}}
    # anything else is refused, however it comes, and nothing runs
    others = [
        {"query": COUNT + " "},
        {"query": "{ __schema { types { name } } }"},
        by_hash(COUNT + " # not listed", with_text=True),
        by_hash(COUNT + " # not listed"),
        {
            "query": CREATE_INVOICE_MINIMAL.replace("__typename", "__typename "),
            "variables": {"input": invoice_input("trusted-2")},
        },
    ]
    for body in others:
        response = await post(trusted_only, body)
        assert codes(response) == ["PERSISTED_QUERY_NOT_IN_LIST"], body
        assert response.json().get("data") is None
    counted = await post(trusted_only, by_hash(COUNT))
    assert counted.json()["data"] == {"invoices": {"totalCount": 1}}


def test_a_manifest_whose_hash_is_not_its_document_s_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "forged.json"
    path.write_text(json.dumps({"0" * 64: COUNT}))
    with pytest.raises(ManifestError, match="not the SHA-256 of its document"):
        create_app(settings.replace(trusted_documents=str(path)))
