"""Alembic migrations: they build exactly the tables the models describe, and history is locked."""

import asyncio
import json
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
from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    UPDATE_ALLOCATIONS,
    allocation,
    invoice_input,
    transaction_input,
)
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


async def test_0007_backfills_users_net_remaining_as_the_writers_keep_it(
    api: Api, app_db: Database, database_url: str
) -> None:
    """Invoices written before 0007 get the rows every writer keeps since: the same rows."""
    from tests.operations import RECORD_TRANSACTION, allocation, line_item, transaction_input

    items = [
        line_item(user="a", amount="1000"),
        line_item(user="a", amount="300", type="PAYOUT"),
        line_item(user="b", amount="250", currency="EUR"),
    ]
    await api.ok(CREATE_INVOICE, input=invoice_input("before", *items))
    await api.ok(
        RECORD_TRANSACTION,
        input=transaction_input("t", "400", allocation("before", "400", user="a")),
    )
    query = text(
        "SELECT u.external_id, b.currency, b.net_remaining FROM invoice_user_balances b "
        "JOIN users u ON u.id = b.user_id ORDER BY 1, 2"
    )

    async def rows() -> list[tuple[Any, ...]]:
        async with app_db.read() as session:
            return [tuple(row) for row in (await (await session.connection()).execute(query))]

    kept = await rows()
    assert [(user, currency) for user, currency, _ in kept] == [("a", "USD"), ("b", "EUR")]
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0006")
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "0007")
    assert await rows() == kept


async def test_0008_gives_every_transaction_a_snapshot_of_its_version(
    api: Api, app_db: Database, database_url: str
) -> None:
    """Transactions written before 0008 (here: its downgrade and upgrade again) get one
    version at the version they have, with their tags and allocations and no changes."""
    await api.ok(CREATE_INVOICE, input=invoice_input("inv-7"))
    data = await api.ok(
        RECORD_TRANSACTION,
        input=transaction_input(
            "bank-7", "400", allocation("inv-7", "150"), tags=[{"key": "k", "value": "v"}]
        ),
    )
    payment = data["recordTransaction"]["transaction"]["allocations"][0]["id"]
    await api.ok(
        UPDATE_ALLOCATIONS,
        input={
            "transaction": {"externalId": "bank-7"},
            "expectedVersion": 1,
            "allocations": [{"update": {"id": payment, "amount": "120"}}],
        },
    )
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0006")
    await asyncio.to_thread(command.upgrade, config, "head")
    async with app_db.read() as session:
        connection = await session.connection()
        rows = (
            await connection.execute(
                text(
                    "SELECT version, tags, allocations, unallocated, changes "
                    "FROM transaction_versions"
                )
            )
        ).all()
    assert len(rows) == 1
    version, tags, allocations, unallocated, changes = rows[0]

    def decode(value: Any) -> Any:
        """JSON columns read back as text on SQLite and as values on PostgreSQL."""
        return json.loads(value) if isinstance(value, str) else value

    assert version == 2
    assert decode(tags) == [["k", "v"]]
    assert [(a["paymentId"], a["amount"], a["type"]) for a in decode(allocations)] == [
        (payment, "120", "PAYIN")
    ]
    assert int(unallocated) == 280
    assert decode(changes) == []
    history = await api.ok(
        '{ transaction(transaction: {externalId: "bank-7"}) { history { totalCount '
        "nodes { version allocations { amount invoice { invoiceId } } } } } }"
    )
    assert history["transaction"]["history"] == {
        "totalCount": 1,
        "nodes": [
            {"version": 2, "allocations": [{"amount": "120", "invoice": {"invoiceId": "inv-7"}}]}
        ],
    }
