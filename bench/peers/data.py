"""The peer benchmark's data set: a fresh PostgreSQL database, migrated by invoicegraph, filled
deterministically with bulk COPYs below the API.

2,000 invoices of 5 line items each over 200 users, in USD and EUR (a few mix both), mostly
payins with some payouts, a few amounts above 2^64; about a third fully paid (status PAID,
one payment per user, currency and flow), some partly paid, some DRAFT, VOID or UNCOLLECTIBLE.
Every row that createInvoice / recordTransaction would write is written (tags, the version-1
snapshot, the search row, the has_charge / has_remaining flags), so invoicegraph's reads behave
as on data that came in through the API.
"""

import json
import random
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

USERS = 200
INVOICES = 2_000
ITEMS_PER_INVOICE = 5
SEED = 9
PRODUCTS = [
    ("plan_pro", "Pro plan, monthly"),
    ("seat", "Additional seats"),
    ("support", "Premium support"),
    ("storage", "Extra storage, 100 GB"),
    ("api", "API calls over quota"),
    ("consulting", "Consulting hours"),
    ("licence", "Annual licence"),
    ("refund", "Partner revenue share"),
]
REGIONS = ["us-east", "us-west", "eu-west", "eu-central", "ap-south"]
PLANS = ["starter", "pro", "enterprise"]
HUGE_UNIT_PRICE = 123_456_789_012_345_678_901_234  # above 2^64, below 2^96


@dataclass(frozen=True, slots=True)
class Postgres:
    """Where the server is and who we are on it (a superuser: we create and drop databases)."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "invoicegraph"
    password: str = "invoicegraph"

    def dsn(self, database: str) -> str:
        return f"postgres://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def sqlalchemy_url(self, database: str) -> str:
        return (
            f"postgresql+asyncpg://{self.user}:{self.password}@{self.host}:{self.port}/{database}"
        )


@dataclass(slots=True)
class Loaded:
    workspace_public_id: str
    workspace_id: int
    client_id: str
    client_secret: str
    invoice_keys: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


async def recreate_database(pg: Postgres, database: str) -> None:
    connection = await asyncpg.connect(pg.dsn("postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()


async def drop_database(pg: Postgres, database: str) -> None:
    connection = await asyncpg.connect(pg.dsn("postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()


def invoicegraph_command(*args: str) -> dict[str, Any]:
    """Run the installed `invoicegraph` command (next to this Python) and parse its JSON."""
    command = Path(sys.executable).with_name("invoicegraph")
    done = subprocess.run([str(command), *args], check=True, capture_output=True, text=True)
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def public_id(prefix: str, number: int) -> str:
    return f"{prefix}_{number:020d}"


def search_body(words: Iterable[str]) -> str:
    """The words queries are split into, as the migration's backfill writes them."""
    return " ".join(re.findall(r"[^\W_]+", " ".join(words)))


def build_rows(workspace_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data set, deterministic for SEED, ready for COPY."""
    rng = random.Random(SEED)
    ws = workspace_id
    rows: dict[str, list[tuple[Any, ...]]] = {
        name: []
        for name in (
            "users",
            "invoices",
            "line_items",
            "invoice_tags",
            "invoice_versions",
            "invoice_search",
            "transactions",
            "payments",
        )
    }
    externals = {n: f"cust_{n:04d}" for n in range(1, USERS + 1)}
    rows["users"] = [(n, public_id("usr", n), ws, externals[n]) for n in externals]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    line_item_id = payment_id = 0
    for n in range(1, INVOICES + 1):
        created = start + timedelta(minutes=7 * n, microseconds=n)
        key = f"inv-{n:06d}"
        main_currency = "EUR" if rng.random() < 0.2 else "USD"
        owner, other = rng.sample(range(1, USERS + 1), 2)
        kind = rng.choices(["unpaid", "paid", "partly", "other"], weights=[45, 30, 15, 10])[0]
        status = {"unpaid": "OPEN", "paid": "PAID", "partly": "OPEN"}.get(kind) or rng.choice(
            ["DRAFT", "VOID", "UNCOLLECTIBLE"]
        )
        snapshot: list[dict[str, Any]] = []
        words = [key]
        sums: dict[tuple[int, str, str], int] = {}  # (user, currency, flow) -> expected
        for position in range(ITEMS_PER_INVOICE):
            line_item_id += 1
            product, description = rng.choice(PRODUCTS)
            flow = "PAYOUT" if position == 4 and rng.random() < 0.3 else "PAYIN"
            currency = main_currency
            if position == 3 and rng.random() < 0.1:
                currency = "EUR" if main_currency == "USD" else "USD"
            user = owner if position < 3 else other
            quantity = rng.randint(1, 5)
            unit = HUGE_UNIT_PRICE if rng.random() < 0.002 else rng.randint(100, 50_000)
            amount = unit * quantity
            sums[(user, currency, flow)] = sums.get((user, currency, flow), 0) + amount
            item_tags = [["cost_center", f"cc-{rng.randint(1, 9)}"]] if position == 0 else []
            rows["line_items"].append(
                (
                    line_item_id,
                    public_id("li", line_item_id),
                    ws,
                    n,
                    user,
                    description,
                    product,
                    flow,
                    currency,
                    Decimal(amount),
                    Decimal(unit),
                    quantity,
                    json.dumps(item_tags),
                    Decimal(amount),  # due: no discount, no tax
                )
            )
            snapshot.append(
                {
                    "lineItemId": public_id("li", line_item_id),
                    "description": description,
                    "productId": product,
                    "type": flow,
                    "currency": currency,
                    "amount": str(amount),
                    "unitPrice": str(unit),
                    "quantity": quantity,
                    "userId": user,
                    "tags": item_tags,
                }
            )
            words += [description, product, externals[user], *(v for _, v in item_tags)]
        tags = [["region", rng.choice(REGIONS)], ["plan", rng.choice(PLANS)]]
        for position, (tag_key, value) in enumerate(tags):
            rows["invoice_tags"].append((n, tag_key, ws, value, position))
        words += [value for _, value in tags]
        paid_groups: list[tuple[int, str, str, int]] = []
        if kind == "paid":
            paid_groups = [(u, c, f, total) for (u, c, f), total in sums.items()]
        elif kind == "partly":
            (u, c, f), total = next(iter(sums.items()))
            paid_groups = [(u, c, f, max(1, total // rng.randint(2, 4)))]
        posted = created + timedelta(days=rng.randint(1, 30))
        for user, currency, flow, paid in paid_groups:
            payment_id += 1
            signed = paid if flow == "PAYIN" else -paid
            rows["transactions"].append(
                (
                    payment_id,
                    public_id("txn", payment_id),
                    ws,
                    f"bank-{payment_id:06d}",
                    Decimal(signed),
                    currency,
                    posted,
                    1,
                    Decimal(0),
                    posted,
                    "0" * 64,
                )
            )
            rows["payments"].append(
                (
                    payment_id,
                    public_id("pay", payment_id),
                    ws,
                    payment_id,
                    n,
                    user,
                    flow,
                    Decimal(paid),
                    currency,
                    posted,
                )
            )
        rows["invoices"].append(
            (
                n,
                public_id("inv", n),
                ws,
                key,
                status,
                1,
                created,
                created,
                "0" * 64,
                True,
                kind != "paid",
            )
        )
        rows["invoice_versions"].append(
            (n, 1, ws, created, status, json.dumps(tags), json.dumps(snapshot), "[]")
        )
        rows["invoice_search"].append((n, ws, search_body(words)))
    return rows


COLUMNS = {
    "users": ["id", "public_id", "workspace_id", "external_id"],
    "invoices": [
        "id",
        "public_id",
        "workspace_id",
        "invoice_id",
        "status",
        "version",
        "created",
        "modified",
        "request_hash",
        "has_charge",
        "has_remaining",
    ],
    "line_items": [
        "id",
        "public_id",
        "workspace_id",
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
    ],
    "invoice_tags": ["invoice_id", "key", "workspace_id", "value", "position"],
    "invoice_versions": [
        "invoice_id",
        "version",
        "workspace_id",
        "modified",
        "status",
        "tags",
        "line_items",
        "changes",
    ],
    "transactions": [
        "id",
        "public_id",
        "workspace_id",
        "external_id",
        "amount",
        "currency",
        "posted",
        "version",
        "unallocated",
        "created",
        "request_hash",
    ],
    "payments": [
        "id",
        "public_id",
        "workspace_id",
        "transaction_id",
        "invoice_id",
        "user_id",
        "type",
        "amount",
        "currency",
        "posted",
    ],
}
SEQUENCES = ["users", "invoices", "line_items", "transactions", "payments"]


async def fill(pg: Postgres, database: str, workspace_public_id: str) -> tuple[int, dict[str, int]]:
    """COPY the rows in; returns the workspace's row id and the row count of each table."""
    connection = await asyncpg.connect(pg.dsn(database))
    try:
        workspace_id = await connection.fetchval(
            "SELECT id FROM workspaces WHERE public_id = $1", workspace_public_id
        )
        assert isinstance(workspace_id, int), workspace_public_id
        rows = build_rows(workspace_id)
        async with connection.transaction():
            for table, columns in COLUMNS.items():
                await connection.copy_records_to_table(table, records=rows[table], columns=columns)
            await connection.executemany(
                "INSERT INTO invoice_search (invoice_id, workspace_id, body) "
                "VALUES ($1, $2, to_tsvector('simple', $3))",
                rows["invoice_search"],
            )
            for table in SEQUENCES:
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        await connection.execute("ANALYZE")
        return workspace_id, {table: len(rows[table]) for table in rows}
    finally:
        await connection.close()


async def load(pg: Postgres, database: str) -> Loaded:
    """A fresh database with the data set, its workspace and an API client for invoicegraph."""
    await recreate_database(pg, database)
    url = pg.sqlalchemy_url(database)
    # `workspace create` runs invoicegraph's own migrations first.
    workspace = invoicegraph_command(
        "workspace", "create", "Peer benchmark", "--json", "--database-url", url
    )
    client = invoicegraph_command(
        "client", "create", "--workspace", workspace["id"], "--json", "--database-url", url
    )
    workspace_id, counts = await fill(pg, database, workspace["id"])
    return Loaded(
        workspace_public_id=workspace["id"],
        workspace_id=workspace_id,
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        invoice_keys=[f"inv-{n:06d}" for n in range(1, INVOICES + 1)],
        rows=counts,
    )
