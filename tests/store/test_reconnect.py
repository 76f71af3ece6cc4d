"""Without pool_pre_ping, a server-side disconnect costs at most one failed request.

The engine does not ping on every checkout (a round trip per request); when PostgreSQL drops
its connections (a restart, a failover, an administrator), the first statement on a stale
connection fails and SQLAlchemy discards the whole pool, so the next request works again.
"""

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from invoicegraph.store.engine import Database
from tests.backends import ON_POSTGRES, run_admin

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no server to drop us")


async def read_one(db: Database) -> int:
    async with db.read() as session:
        connection = await session.connection()
        return int((await connection.execute(text("SELECT 1"))).scalar_one())


async def test_after_the_server_drops_every_connection_one_request_fails_at_most(
    db: Database,
) -> None:
    # given a pool with several idle connections
    async def warm() -> None:
        async with db.read() as first, db.read() as second:
            for session in (first, second):
                await (await session.connection()).execute(text("SELECT 1"))

    await warm()
    # when the server terminates every connection to the database
    database = make_url(db.url).database
    run_admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    )
    # then at most the first read fails, and every read after it works
    failures: list[DBAPIError] = []
    answers = []
    for _ in range(4):
        try:
            answers.append(await read_one(db))
        except DBAPIError as error:
            failures.append(error)
    assert len(failures) <= 1, failures
    assert all(error.connection_invalidated for error in failures), failures
    assert answers[-3:] == [1, 1, 1]
