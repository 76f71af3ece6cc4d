"""Fixtures for end-to-end tests: a real `invoicegraph serve` per module, made through the CLI."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import Deployment, deployment, get_token, http_client

E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is marked e2e, so `pytest -m "not e2e"` leaves them all out.

    The hook sees the whole session's items, hence the path check.
    """
    for item in items:
        if item.path.resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


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
