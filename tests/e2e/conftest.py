"""Fixtures for end-to-end tests: a real `invoicegraph serve` per module, made through the CLI."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import Deployment, deployment, get_token, http_client


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """One server per test module, on its own SQLite file, with a workspace and a client."""
    with deployment(tmp_path_factory.mktemp("deployment")) as running:
        yield running


@pytest.fixture(scope="module")
def token(deployed: Deployment) -> str:
    """A bearer token of the deployment's client, from the real token endpoint."""
    with http_client(deployed.base_url) as http:
        return get_token(http, deployed.client_id, deployed.client_secret)


@pytest.fixture
def http(deployed: Deployment) -> Iterator[httpx.Client]:
    with http_client(deployed.base_url) as client:
        yield client


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working directory for processes of one test; their database files go here too."""
    return tmp_path
