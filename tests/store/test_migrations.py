"""Alembic migrations: they build exactly the tables the models describe, and history is locked."""

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from invoicegraph.store.engine import Database
from invoicegraph.store.migrate import alembic_config, include_name, upgrade
from tests.backends import ON_POSTGRES, sqlite_url
from tests.operations import CREATE_INVOICE, invoice_input
from tests.support import Api


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"include_name": include_name})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrated_database_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's connection settings")
async def test_connections_use_wal_foreign_keys_and_a_busy_timeout(db: Database) -> None:
    async with db.read() as session:
        connection = await session.connection()
        assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
        timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
        assert isinstance(timeout, int)
        assert timeout >= 5000


def test_upgrade_is_idempotent_and_downgrade_round_trips(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "fresh.db")
    upgrade(url)
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE invoice_versions SET status = 'VOID'", "DELETE FROM invoice_versions"],
)
async def test_stored_versions_cannot_be_rewritten(
    api: Api, app_db: Database, statement: str
) -> None:
    await api.ok(CREATE_INVOICE, input=invoice_input("locked"))
    with pytest.raises(DBAPIError, match="invoice versions are immutable"):
        async with app_db.write() as session:
            await (await session.connection()).execute(text(statement))
    async with app_db.read() as session:
        connection = await session.connection()
        rows = (await connection.execute(text("SELECT status FROM invoice_versions"))).all()
    assert [tuple(row) for row in rows] == [("OPEN",)]
