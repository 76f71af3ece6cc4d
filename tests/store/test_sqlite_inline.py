"""SQLite writes run their statements on the event loop's thread, and never block it waiting."""

import asyncio
import sqlite3
import threading

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from invoicegraph.store.engine import Database
from invoicegraph.store.tables import WorkspaceRow
from invoicegraph.store.workspaces import insert_workspace
from tests.backends import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's driver threads")


async def test_a_writes_statements_run_on_the_loops_thread_begin_and_commit_do_not(
    db: Database,
) -> None:
    """No trip to a driver thread per statement; BEGIN IMMEDIATE (which may wait for another
    process's lock) and COMMIT (the fsync) on a worker thread, off the loop."""
    loop_thread = threading.get_ident()
    ran: list[tuple[str, bool]] = []
    async with db.write() as session:
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.set_trace_callback(
            lambda sql: ran.append((sql.split()[0].upper(), threading.get_ident() == loop_thread))
        )
        await session.exec(select(func.count()).select_from(WorkspaceRow))
        await insert_workspace(session, name="inline")
    async with db.write() as session:  # the same pooled connection: its BEGIN is traced
        await insert_workspace(session, name="inline again")
    driver.set_trace_callback(None)

    on_loop = {statement for statement, on in ran if on}
    off_loop = {statement for statement, on in ran if not on}
    assert on_loop == {"SELECT", "INSERT"}
    assert off_loop == {"BEGIN", "COMMIT"}


async def test_waiting_for_another_processs_write_lock_leaves_the_loop_running(
    database_url: str,
) -> None:
    """BEGIN IMMEDIATE waits in SQLite's busy handler while another connection (another
    process, say a CLI import) writes: on a worker thread, so the loop goes on meanwhile."""
    db = Database(database_url, sqlite_busy_timeout_ms=20_000)

    async def write(name: str) -> None:
        async with db.write() as session:
            await insert_workspace(session, name=name)

    await write("before")  # the file in WAL mode, as a server leaves it
    other = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        waiting = asyncio.create_task(write("after the other writer"))
        for _ in range(5):  # the loop still runs other tasks while the write waits
            await asyncio.sleep(0.02)
            assert not waiting.done()
        other.execute("COMMIT")
        await waiting
        async with db.read() as session:
            count = select(func.count()).select_from(WorkspaceRow)
            assert (await session.exec(count)).one() == 2
    finally:
        other.close()
        await db.dispose()


async def test_a_failed_statement_of_an_inline_write_rolls_it_all_back(db: Database) -> None:
    async def write_then_clash() -> None:
        async with db.write() as session:
            first = await insert_workspace(session, name="one")
            connection = await session.connection()
            await connection.exec_driver_sql(
                "INSERT INTO workspaces (id, public_id, name, created) "
                "SELECT id, public_id, name, created FROM workspaces WHERE id = ?",
                (first.id,),
            )

    with pytest.raises(IntegrityError, match="UNIQUE"):
        await write_then_clash()
    async with db.read() as session:
        assert (await session.exec(select(func.count()).select_from(WorkspaceRow))).one() == 0
