"""SQL reads' own connections (store/read_pool.py): bounded, counted, PostgreSQL's plans."""

import asyncio

import pytest

from invoicegraph.store.engine import Database
from tests.backends import ON_POSTGRES
from tests.support import count_statements

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="SQL reads are PostgreSQL's")


@on_postgres
async def test_a_read_is_counted_and_answers_its_value(db: Database) -> None:
    with count_statements(db) as log:
        value = await db.read_value("SELECT $1::int + $2::int", (40, 2))
    assert value == 42
    assert log.statements == ["SELECT $1::int + $2::int"]


@on_postgres
async def test_reads_may_keep_generic_plans_while_the_engine_plans_every_run(db: Database) -> None:
    assert await db.read_value("SELECT current_setting('plan_cache_mode')", ()) == "auto"
    async with db.read() as session:
        connection = await session.connection()
        engine_mode = (await connection.exec_driver_sql("SHOW plan_cache_mode")).scalar()
    assert engine_mode == "force_custom_plan"


@on_postgres
async def test_more_reads_than_connections_wait_for_one(database_url: str) -> None:
    database = Database(database_url, pool_size=2)
    try:
        pids = await asyncio.gather(
            *(
                database.read_value("SELECT pg_backend_pid() FROM pg_sleep(0.05)", ())
                for _ in range(8)
            )
        )
    finally:
        await database.dispose()
    assert len(pids) == 8
    assert len(set(pids)) <= 2


@on_postgres
def test_a_read_from_another_event_loop_is_refused_clearly(database_url: str) -> None:
    """The pool's connections belong to the loop that opened them, as the engine's do."""
    database = Database(database_url)
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(database.read_value("SELECT 1", ())) == 1
        with pytest.raises(RuntimeError, match="another event loop"):
            asyncio.run(database.read_value("SELECT 2", ()))
        loop.run_until_complete(database.dispose())
    finally:
        loop.close()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite has no SQL reads")
async def test_sqlite_has_no_sql_reads(db: Database) -> None:
    with pytest.raises(RuntimeError, match="for PostgreSQL"):
        await db.read_value("SELECT 1", ())
