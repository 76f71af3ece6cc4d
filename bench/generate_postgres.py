"""The invoice-list benchmark's data set on PostgreSQL: the rows of bench/generate.py (`chunks`,
the same invoices the SQLite files hold) in a database of its own, written with COPY.

The database is made fresh and migrated by invoicegraph's own migrations; then, in one
transaction, the secondary indexes the migrations made are dropped, every table is filled with
binary COPYs (foreign keys are not checked row by row: `session_replication_role = replica`,
the rows are consistent by construction), the indexes are built again once over all the rows,
the sequences are moved past the ids written, and the database is analyzed. At the end the
database's comment records what it holds, so a later run reuses it (`complete`) instead of
loading it again. About 10 times faster than the row-by-row inserts the SQLite writer makes.
"""

import argparse
import asyncio
import time
from decimal import Decimal
from typing import Any

import asyncpg

from bench.generate import NOW, chunks, public_id, user_tags, users
from bench.peers.data import Postgres, recreate_database, search_body
from invoicegraph.store.migrate import upgrade

WORKSPACE = 1
COLUMNS = {
    "invoices": [
        "id",
        "public_id",
        "invoice_id",
        "status",
        "version",
        "created",
        "modified",
        "request_hash",
        "has_charge",
        "has_remaining",
        "workspace_id",
    ],
    "line_items": [
        "id",
        "public_id",
        "invoice_id",
        "user_id",
        "description",
        "product_id",
        "type",
        "currency",
        "amount",
        "unit_price",
        "quantity",
        "tags",
        "due",
        "workspace_id",
    ],
    "invoice_tags": ["invoice_id", "key", "value", "position", "workspace_id"],
    "invoice_versions": [
        "invoice_id",
        "version",
        "modified",
        "status",
        "tags",
        "line_items",
        "changes",
        "workspace_id",
    ],
    "transactions": [
        "id",
        "public_id",
        "external_id",
        "amount",
        "currency",
        "posted",
        "created",
        "request_hash",
        "workspace_id",
        "version",
        "unallocated",
    ],
    "payments": [
        "id",
        "public_id",
        "transaction_id",
        "invoice_id",
        "user_id",
        "type",
        "amount",
        "currency",
        "posted",
        "workspace_id",
    ],
    "invoice_user_balances": ["invoice_id", "user_id", "currency", "workspace_id", "net_remaining"],
}
SEQUENCES = ["users", "invoices", "line_items", "transactions", "payments"]
TABLES = ["users", "user_tags", *COLUMNS, "invoice_search"]


def marker(invoices: int) -> str:
    """The database comment of a complete data set of `invoices` invoices (with user tags and
    users' nets: a data set loaded before them is loaded again)."""
    return f"invoicegraph bench data set: {invoices} invoices, user tags and nets, complete"


async def complete(pg: Postgres, database: str, invoices: int) -> bool:
    """Whether `database` exists and holds the whole data set of `invoices` invoices."""
    connection = await asyncpg.connect(pg.dsn("postgres"))
    try:
        comment = await connection.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            database,
        )
    finally:
        await connection.close()
    return bool(comment == marker(invoices))


def _records(chunk: Any) -> dict[str, list[tuple[Any, ...]]]:
    """A chunk's rows in the order of COLUMNS, numerics as Decimal (asyncpg's numeric type)."""
    ws = WORKSPACE
    return {
        "invoices": [(*row, ws) for row in chunk.invoices],
        "line_items": [
            (*row[:8], Decimal(row[8]), Decimal(row[9]), row[10], row[11], Decimal(row[12]), ws)
            for row in chunk.items
        ],
        "invoice_tags": [(*row, ws) for row in chunk.tags],
        "invoice_versions": [(*row, ws) for row in chunk.versions],
        "transactions": [
            (*row[:3], Decimal(row[3]), *row[4:], ws, 1, Decimal(0)) for row in chunk.transactions
        ],
        "payments": [(*row[:6], Decimal(row[6]), *row[7:], ws) for row in chunk.payments],
        "invoice_user_balances": [
            (invoice, user, "USD", ws, Decimal(net)) for invoice, user, net in chunk.nets
        ],
    }


async def _secondary_indexes(connection: asyncpg.Connection) -> list[tuple[str, str]]:
    """Name and definition of every index on the data tables that no constraint owns."""
    rows = await connection.fetch(
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition "
        "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE t.relname = ANY($1::text[]) AND t.relnamespace = 'public'::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        TABLES,
    )
    return [(row["name"], row["definition"]) for row in rows]


async def fill(pg: Postgres, database: str, invoices: int) -> dict[str, int]:
    """COPY the data set into the migrated, empty `database`; returns rows per table."""
    counts = dict.fromkeys(TABLES, 0)
    connection = await asyncpg.connect(pg.dsn(database))
    try:
        await connection.execute("SET session_replication_role = replica")
        await connection.execute("SET maintenance_work_mem = '512MB'")
        async with connection.transaction():
            indexes = await _secondary_indexes(connection)
            for name, _ in indexes:
                await connection.execute(f"DROP INDEX {name}")
            await connection.execute(
                "INSERT INTO workspaces (id, public_id, name, created) VALUES ($1, $2, $3, $4)",
                WORKSPACE,
                public_id("ws", WORKSPACE),
                "Benchmark workspace",
                NOW,
            )
            pool = [(*row, WORKSPACE) for row in users(invoices)]
            await connection.copy_records_to_table(
                "users", records=pool, columns=["id", "public_id", "external_id", "workspace_id"]
            )
            counts["users"] = len(pool)
            tagged = [(*row, WORKSPACE) for row in user_tags(invoices)]
            await connection.copy_records_to_table(
                "user_tags",
                records=tagged,
                columns=["user_id", "key", "value", "position", "workspace_id"],
            )
            counts["user_tags"] = len(tagged)
            await connection.execute(
                "CREATE TEMPORARY TABLE search_words "
                "(invoice_id integer, workspace_id integer, words text) ON COMMIT DROP"
            )
            for chunk in chunks(invoices):
                for table, records in _records(chunk).items():
                    await connection.copy_records_to_table(
                        table, records=records, columns=COLUMNS[table]
                    )
                    counts[table] += len(records)
                words = [(n, ws, search_body([text])) for n, ws, text in chunk.search]
                await connection.copy_records_to_table("search_words", records=words)
                counts["invoice_search"] += len(words)
            await connection.execute(
                "INSERT INTO invoice_search (invoice_id, workspace_id, body) "
                "SELECT invoice_id, workspace_id, to_tsvector('simple', words) FROM search_words"
            )
            for _, definition in indexes:
                await connection.execute(definition)
            for table in SEQUENCES:
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        await connection.execute("SET session_replication_role = DEFAULT")
        await connection.execute("VACUUM ANALYZE")
        await connection.execute(f"COMMENT ON DATABASE \"{database}\" IS '{marker(invoices)}'")
    finally:
        await connection.close()
    return counts


def generate(pg: Postgres, database: str, invoices: int) -> dict[str, int]:
    """A fresh `database`, migrated, holding the data set of `invoices` invoices."""
    asyncio.run(recreate_database(pg, database))
    upgrade(pg.sqlalchemy_url(database))  # synchronous: Alembic runs its own event loop
    return asyncio.run(fill(pg, database, invoices))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, required=True)
    parser.add_argument("--database", default="invoicegraph_bench")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(Postgres(), args.database, args.invoices)
    print(
        f"loaded {', '.join(f'{n:,} {table}' for table, n in counts.items())} into "
        f"{args.database} in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
