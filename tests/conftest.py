"""Fixtures: a fresh, migrated SQLite file per test, the real app, and authenticated clients."""

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from invoicegraph.admin.workspaces import create_client, create_workspace
from invoicegraph.http.app import create_app
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.store.migrate import upgrade
from tests.backends import (
    ON_POSTGRES,
    create_database,
    drop_database,
    postgres_url,
    require_postgres,
    sqlite_url,
)
from tests.support import Api, fetch_token


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once; every test copies the result instead of migrating again.

    On SQLite the template is a file; on PostgreSQL it is a database that tests clone.
    """
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade(sqlite_url(path))
        yield str(path)
        return
    require_postgres()
    template = create_database()
    upgrade(postgres_url(template))
    yield template
    drop_database(template)


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: str) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    if not ON_POSTGRES:
        path = tmp_path / "invoicegraph.db"
        shutil.copyfile(migrated_template, path)
        yield sqlite_url(path)
        return
    name = create_database(template=migrated_template)
    yield postgres_url(name)
    drop_database(name)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, signing_key="test-signing-key-" + "x" * 32)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


MakeApi = Callable[[str], Awaitable[Api]]


@pytest.fixture
def make_api(app: Starlette, http: httpx.AsyncClient) -> MakeApi:
    """A client of a new workspace, with a token from the real token endpoint."""

    async def make(name: str) -> Api:
        db: Database = app.state.db
        workspace = await create_workspace(db, name=name)
        client = await create_client(db, workspace_public_id=workspace.public_id)
        assert client is not None
        token = await fetch_token(http, client.client_id, client.client_secret)
        return Api(http=http, token=token, workspace_id=workspace.public_id)

    return make


@pytest.fixture
async def api(make_api: MakeApi) -> Api:
    return await make_api("Acme billing")


@pytest.fixture
async def other_api(make_api: MakeApi) -> Api:
    """A second workspace's client, for isolation tests."""
    return await make_api("Globex billing")


@pytest.fixture
def app_db(app: Starlette) -> Database:
    """The Database the running app uses, for looking at rows directly."""
    database: Database = app.state.db
    return database
