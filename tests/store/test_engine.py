"""Write transactions: all or nothing, and concurrent writers wait instead of failing."""

import asyncio

import pytest
from sqlmodel import func, select

from invoicegraph.store.engine import Database
from invoicegraph.store.tables import WorkspaceRow
from invoicegraph.store.workspaces import insert_workspace
from tests.backends import ON_POSTGRES


async def workspace_count(db: Database) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(WorkspaceRow))).one()


async def test_a_failing_write_leaves_nothing_behind(db: Database) -> None:
    async def write_then_fail() -> None:
        async with db.write() as session:
            await insert_workspace(session, name="half written")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await write_then_fail()
    assert await workspace_count(db) == 0


async def test_concurrent_read_then_write_transactions_all_commit(db: Database) -> None:
    """Each writer reads, yields to the others, then writes: the pattern that deadlocks under
    BEGIN DEFERRED ("database is locked") and queues under BEGIN IMMEDIATE."""

    async def read_then_write(index: int) -> None:
        async with db.write() as session:
            await session.exec(select(func.count()).select_from(WorkspaceRow))
            await asyncio.sleep(0.01)
            await insert_workspace(session, name=f"w{index}")

    await asyncio.gather(*(read_then_write(index) for index in range(20)))
    assert await workspace_count(db) == 20


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's durability setting")
async def test_sqlite_is_durable_unless_told_otherwise(database_url: str) -> None:
    for database, expected in (
        (Database(database_url), 2),  # FULL: an acknowledged write survives a power loss
        (Database(database_url, sqlite_synchronous="NORMAL"), 1),
    ):
        async with database.write() as session:  # what the writes run with
            connection = await session.connection()
            synchronous = (await connection.exec_driver_sql("PRAGMA synchronous")).scalar()
        await database.dispose()
        assert synchronous == expected


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's durability setting")
async def test_only_repeatable_writes_skip_the_fsync(database_url: str) -> None:
    """The outbox publisher's marks commit with NORMAL, every other write with FULL, and both
    queue for the one write lock (no busy handler: a clash would fail at once)."""
    db = Database(database_url, sqlite_busy_timeout_ms=0)

    async def synchronous(repeatable: bool, index: int) -> int:
        async with db.write(repeatable=repeatable) as session:
            connection = await session.connection()
            found = (await connection.exec_driver_sql("PRAGMA synchronous")).scalar_one()
            await asyncio.sleep(0.01)
            await insert_workspace(session, name=f"w{index}")
        return int(found)

    try:
        settings = await asyncio.gather(
            *(synchronous(repeatable=index % 2 == 1, index=index) for index in range(8))
        )
        assert settings == [2, 1] * 4  # FULL, NORMAL
        assert await workspace_count(db) == 8
    finally:
        await db.dispose()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's single write lock")
async def test_writers_of_one_process_queue_without_the_busy_handler(database_url: str) -> None:
    """With no busy timeout at all, eight writers that read, yield and write still all commit:
    they wait their turn in the process's queue and never meet SQLite's lock held by another."""
    db = Database(database_url, sqlite_busy_timeout_ms=0)

    async def read_then_write(index: int) -> None:
        async with db.write() as session:
            await session.exec(select(func.count()).select_from(WorkspaceRow))
            await asyncio.sleep(0.01)
            await insert_workspace(session, name=f"w{index}")

    try:
        await asyncio.gather(*(read_then_write(index) for index in range(8)))
        assert await workspace_count(db) == 8
    finally:
        await db.dispose()


async def test_a_write_inside_another_write_is_refused(db: Database) -> None:
    async def nested() -> None:
        async with db.write(), db.write():
            pass

    with pytest.raises(RuntimeError, match="inside another"):
        await nested()
