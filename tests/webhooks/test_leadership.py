"""One deliverer per database: on PostgreSQL the holder of a session advisory lock; the turn
passes on when the holder's connection goes (as when its process is killed)."""

import pytest

from invoicegraph.store.engine import Database
from invoicegraph.webhooks.worker import Leadership
from tests.backends import ON_POSTGRES


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one server process: always its turn")
async def test_one_process_holds_the_turn_until_its_connection_goes(database_url: str) -> None:
    processes = [Database(database_url, pool_size=1) for _ in range(3)]
    turns = [Leadership(db) for db in processes]
    try:
        assert [await turn.hold() for turn in turns] == [True, False, False]
        assert [await turn.hold() for turn in turns] == [True, False, False]
        # the holder's connection is gone (its process died): one of the others takes over
        await processes[0].dispose()
        connection = turns[0]._connection
        assert connection is not None
        await connection.invalidate()
        assert [await turn.hold() for turn in turns[1:]] == [True, False]
    finally:
        for turn in turns:
            await turn.release()
        for db in processes:
            await db.dispose()


async def test_on_sqlite_the_server_process_always_delivers(database_url: str) -> None:
    if ON_POSTGRES:
        pytest.skip("PostgreSQL takes turns")
    db = Database(database_url)
    try:
        assert await Leadership(db).hold()
    finally:
        await db.dispose()
