"""The signing key out of the database, owner-only database files, and a lifetime that
verification enforces whatever a token claims."""

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import text

from invoicegraph.auth.keys import SIGNING_KEY_NAME, key_file, signing_key
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.store.workspaces import get_or_create_server_secret, get_server_secret
from tests.backends import ON_POSTGRES, sqlite_url
from tests.support import Api

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="files beside the database are SQLite's")


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most systems give a process: files 0644
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@sqlite_only
@pytest.mark.usefixtures("usual_umask")
async def test_a_new_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    db = Database(sqlite_url(path))
    try:
        async with db.write() as session:
            await (await session.connection()).execute(text("CREATE TABLE t (x INTEGER)"))
        async with db.read() as session:
            await (await session.connection()).execute(text("SELECT 1"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(part.exists() for part in files)
        assert {part.name: mode(part) for part in files} == {part.name: 0o600 for part in files}
    finally:
        await db.dispose()


@sqlite_only
@pytest.mark.usefixtures("usual_umask")
async def test_an_existing_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    db = Database(sqlite_url(path))
    await db.dispose()
    assert mode(path) == 0o600


@sqlite_only
@pytest.mark.usefixtures("usual_umask")
async def test_a_new_install_keeps_its_key_in_an_owner_only_file(db: Database) -> None:
    key = await signing_key(db, configured=None)
    path = key_file(db)
    assert path is not None
    assert path.read_text().strip() == key
    assert mode(path) == 0o600
    async with db.read() as session:
        assert await get_server_secret(session, name=SIGNING_KEY_NAME) is None
    assert await signing_key(db, configured=None) == key  # the next start reads it back


@sqlite_only
async def test_an_old_install_has_its_key_moved_out_of_the_database(db: Database) -> None:
    # given: a key kept in the database, as every install made it before
    async with db.write() as session:
        old_key = await get_or_create_server_secret(session, name=SIGNING_KEY_NAME)
    # when
    key = await signing_key(db, configured=None)
    # then: the same key (tokens issued with it stay valid), now only in the file
    assert key == old_key
    path = key_file(db)
    assert path is not None
    assert path.read_text().strip() == old_key
    async with db.read() as session:
        assert await get_server_secret(session, name=SIGNING_KEY_NAME) is None


async def test_a_configured_key_wins_and_nothing_is_stored(db: Database) -> None:
    assert await signing_key(db, configured="from-the-environment-" + "k" * 32) == (
        "from-the-environment-" + "k" * 32
    )
    path = key_file(db)
    assert path is None or not path.exists()
    async with db.read() as session:
        assert await get_server_secret(session, name=SIGNING_KEY_NAME) is None


async def test_a_token_claiming_to_live_for_ever_is_refused(
    api: Api, http: httpx.AsyncClient, settings: Settings
) -> None:
    # given: a token signed with the server's own key, valid until the year 9999
    key = settings.signing_key
    assert key is not None
    good = jwt.decode(api.token, key, algorithms=["HS256"], options={"verify_exp": False})
    forever = jwt.encode({**good, "exp": 253_402_300_799}, key, algorithm="HS256")
    longer = jwt.encode({**good, "exp": int(time.time()) + 2 * 86_400}, key, algorithm="HS256")
    # when
    for token in (forever, longer):
        answer = await http.post(
            "/graphql",
            json={"query": "{ workspace { id } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        # then
        assert answer.status_code == 401
        assert "longer than this server allows" in answer.json()["errors"][0]["message"]
    # and the token the endpoint issued still works
    assert (await api.query("{ workspace { id } }")).status == 200
