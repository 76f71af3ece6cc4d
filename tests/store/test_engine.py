"""Write transactions: all or nothing, and concurrent writers wait instead of failing."""

import asyncio

import pytest
from sqlmodel import func, select

from invoicegraph.store.engine import Database
from invoicegraph.store.tables import WorkspaceRow
from invoicegraph.store.workspaces import insert_workspace


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
