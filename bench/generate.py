"""Fill a database with N realistic invoices, fast: bulk inserts below the API.

Each invoice has three line items over a pool of users, two tags, a version-1 snapshot and a
search row; about a quarter are paid by transactions. Five invoices carry a rare word and a
rare tag, so that searching or filtering for them has a small answer. Users have tiers (a
tenth `tier: gold`, three tenths `silver`) and a few a rare `segment`; every invoice has its
users' net remaining rows (invoice_user_balances), as the writers keep them. The rows are written
with plain sqlite3 in large batches (the schema itself comes from the Alembic migrations),
about a hundred times faster than going through createInvoice. bench/generate_postgres.py writes
the same rows (`chunks`) into a PostgreSQL database with COPY.
"""

import argparse
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from invoicegraph.store.migrate import upgrade
from invoicegraph.store.types import SortableInt96Type

RARE_WORD = "zebracorn"
RARE_TAG = "black-friday-2025"
RARE_SEGMENT = "enterprise-pilot"
REGIONS = ["us-east", "us-west", "eu-west", "eu-central", "ap-south", "sa-east"]
PLANS = ["free", "starter", "pro", "enterprise"]
PRODUCTS = [
    ("plan_pro", "Pro plan, monthly"),
    ("seat", "Additional seats"),
    ("support", "Premium support"),
    ("storage", "Extra storage, 100 GB"),
    ("api", "API calls over quota"),
    ("consulting", "Consulting hours"),
    ("licence", "Annual licence"),
    ("shipping", "Shipping and handling"),
]
STATUSES = ["OPEN"] * 12 + ["PAID"] * 5 + ["DRAFT", "VOID", "UNCOLLECTIBLE"]
BATCH = 5_000
VERSION = 2
"""Of the rows written: a data set of another version is generated again, not reused (2: user
tags and users' nets)."""


def public_id(prefix: str, number: int) -> str:
    return f"{prefix}_{number:020d}"


def ts(instant: datetime) -> str:
    """SQLAlchemy's SQLite text form of an instant, so that ORM reads and ordering agree."""
    return instant.strftime("%Y-%m-%d %H:%M:%S.%f")


def sortable(amount: int) -> str:
    """SortableInt96Type's SQLite form: offset and zero-padded, so text order is number order."""
    return str(amount + SortableInt96Type.OFFSET).zfill(31)


def batches(total: int) -> Iterator[range]:
    for start in range(0, total, BATCH):
        yield range(start, min(start + BATCH, total))


@dataclass(slots=True)
class Chunk:
    """The rows of up to BATCH invoices, store-neutral: instants as datetimes, money as ints,
    flags as bools, search rows as plain text (each writer puts them in its store's form)."""

    invoices: list[tuple[Any, ...]] = field(default_factory=list)
    """id, public_id, invoice_id, status, version, created, modified, request_hash,
    has_charge, has_remaining"""
    items: list[tuple[Any, ...]] = field(default_factory=list)
    """id, public_id, invoice_id, user_id, description, product_id, type, currency, amount,
    unit_price, quantity, tags, due"""
    tags: list[tuple[Any, ...]] = field(default_factory=list)
    """invoice_id, key, value, position"""
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    """invoice_id, version, modified, status, tags, line_items, changes"""
    search: list[tuple[Any, ...]] = field(default_factory=list)
    """invoice_id, workspace_id, the invoice's words"""
    transactions: list[tuple[Any, ...]] = field(default_factory=list)
    """id, public_id, external_id, amount, currency, posted, created, request_hash"""
    payments: list[tuple[Any, ...]] = field(default_factory=list)
    """id, public_id, transaction_id, invoice_id, user_id, type, amount, currency, posted"""
    nets: list[tuple[int, int, int]] = field(default_factory=list)
    """invoice_id, user_id, the user's net remaining on it (USD)"""


NOW = datetime(2026, 11, 1, tzinfo=UTC)
"""The workspace's creation; invoices span the two years before it."""


def user_count(invoices: int) -> int:
    return max(100, invoices // 10)


def users(invoices: int) -> list[tuple[int, str, str]]:
    """id, public_id, external_id of the pool of users the invoices bill."""
    return [(n, public_id("usr", n), f"cust_{n:07d}") for n in range(1, user_count(invoices) + 1)]


def user_tags(invoices: int, *, seed: int = 11) -> Iterator[tuple[int, str, str, int]]:
    """user_id, key, value, position: a tier for four users in ten (gold one in ten), and the
    rare segment for about one user in two thousand (at least three). A random sequence of its
    own, so the invoices are the same with or without it."""
    rng = random.Random(seed)
    count = user_count(invoices)
    rare = set(rng.sample(range(1, count + 1), k=max(3, count // 2_000)))
    for user in range(1, count + 1):
        roll = rng.random()
        position = 0
        if roll < 0.4:
            yield (user, "tier", "gold" if roll < 0.1 else "silver", position)
            position += 1
        if user in rare:
            yield (user, "segment", RARE_SEGMENT, position)


def chunks(invoices: int, *, seed: int = 7) -> Iterator[Chunk]:
    """Every invoice's rows, BATCH invoices at a time, deterministic for the seed."""
    rng = random.Random(seed)
    pool = user_count(invoices)
    start = NOW - timedelta(days=730)
    step = timedelta(days=730) / invoices
    line_item_id = transaction_id = 0
    rare = set(rng.sample(range(invoices), k=min(5, invoices)))
    for batch in batches(invoices):
        chunk = Chunk()
        for n in batch:
            invoice = n + 1
            created = start + step * n
            status = rng.choice(STATUSES)
            user = rng.randint(1, pool)
            other = rng.randint(1, pool)
            snapshot = []
            words = [f"inv-{invoice:07d}"]
            amounts = []
            for position in range(3):
                line_item_id += 1
                product, description = rng.choice(PRODUCTS)
                if n in rare and position == 0:
                    description = f"{description} {RARE_WORD}"
                owner = user if position < 2 else other
                quantity = rng.randint(1, 5)
                unit = rng.randint(100, 50_000)
                amounts.append(unit * quantity)
                chunk.items.append(
                    (
                        line_item_id,
                        public_id("li", line_item_id),
                        invoice,
                        owner,
                        description,
                        product,
                        "PAYIN",
                        "USD",
                        unit * quantity,
                        unit,
                        quantity,
                        "[]",
                        unit * quantity,  # due: no discount, no tax
                    )
                )
                snapshot.append(
                    {
                        "lineItemId": public_id("li", line_item_id),
                        "description": description,
                        "productId": product,
                        "type": "PAYIN",
                        "currency": "USD",
                        "amount": str(unit * quantity),
                        "unitPrice": str(unit),
                        "quantity": quantity,
                        "userId": owner,
                        "tags": [],
                    }
                )
                words += [description, product, f"cust_{owner:07d}"]
            region, plan = rng.choice(REGIONS), rng.choice(PLANS)
            chunk.tags += [(invoice, "region", region, 0), (invoice, "plan", plan, 1)]
            words += [region, plan]
            if n in rare:
                chunk.tags.append((invoice, "campaign", RARE_TAG, 2))
                words.append(RARE_TAG)
            paid = status == "PAID"
            chunk.invoices.append(
                (
                    invoice,
                    public_id("inv", invoice),
                    f"inv-{invoice:07d}",
                    status,
                    2 if paid else 1,
                    created,
                    created + timedelta(hours=paid * 24),
                    "0" * 64,
                    True,
                    not paid,
                )
            )
            chunk.versions.append(
                (
                    invoice,
                    1,
                    created,
                    "OPEN" if paid else status,
                    json.dumps([["region", region], ["plan", plan]]),
                    json.dumps(snapshot),
                    "[]",
                )
            )
            chunk.search.append((invoice, 1, " ".join(words)))
            owed = dict.fromkeys((user, other), 0)
            owed[user] += amounts[0] + amounts[1]
            owed[other] += amounts[2]
            chunk.nets += [(invoice, owner, 0 if paid else net) for owner, net in owed.items()]
            if paid:
                for owner, amount in ((user, amounts[0] + amounts[1]), (other, amounts[2])):
                    transaction_id += 1
                    posted = created + timedelta(hours=24)
                    chunk.transactions.append(
                        (
                            transaction_id,
                            public_id("txn", transaction_id),
                            f"bank-{transaction_id:07d}",
                            amount,
                            "USD",
                            posted,
                            created,
                            "0" * 64,
                        )
                    )
                    chunk.payments.append(
                        (
                            transaction_id,
                            public_id("pay", transaction_id),
                            transaction_id,
                            invoice,
                            owner,
                            "PAYIN",
                            amount,
                            "USD",
                            posted,
                        )
                    )
        yield chunk


def generate(path: Path, invoices: int, *, seed: int = 7) -> None:
    """The SQLite file at `path`: migrated, then filled with plain sqlite3 in one transaction."""
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    db.execute(
        "INSERT INTO workspaces (id, public_id, name, created) VALUES (1, ?, ?, ?)",
        (public_id("ws", 1), "Benchmark workspace", ts(NOW)),
    )
    db.executemany(
        "INSERT INTO users (id, public_id, workspace_id, external_id) VALUES (?, ?, 1, ?)",
        users(invoices),
    )
    db.executemany(
        "INSERT INTO user_tags (user_id, workspace_id, key, value, position) "
        "VALUES (?, 1, ?, ?, ?)",
        user_tags(invoices),
    )
    for chunk in chunks(invoices, seed=seed):
        db.executemany(
            "INSERT INTO invoices (id, workspace_id, public_id, invoice_id, status, version, "
            "created, modified, request_hash, has_charge, has_remaining) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (*row[:5], ts(row[5]), ts(row[6]), row[7], int(row[8]), int(row[9]))
                for row in chunk.invoices
            ),
        )
        db.executemany(
            "INSERT INTO line_items (id, workspace_id, public_id, invoice_id, user_id, "
            "description, product_id, type, currency, amount, unit_price, quantity, tags, due) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (*row[:8], str(row[8]), str(row[9]), row[10], row[11], str(row[12]))
                for row in chunk.items
            ),
        )
        db.executemany(
            "INSERT INTO invoice_tags (invoice_id, workspace_id, key, value, position) "
            "VALUES (?, 1, ?, ?, ?)",
            chunk.tags,
        )
        db.executemany(
            "INSERT INTO invoice_versions (invoice_id, version, workspace_id, modified, status, "
            "tags, line_items, changes) VALUES (?, ?, 1, ?, ?, ?, ?, ?)",
            ((row[0], row[1], ts(row[2]), *row[3:]) for row in chunk.versions),
        )
        db.executemany(
            "INSERT INTO invoice_search (rowid, workspace_id, body) VALUES (?, ?, ?)", chunk.search
        )
        db.executemany(
            "INSERT INTO transactions (id, workspace_id, public_id, external_id, amount, "
            "currency, posted, version, unallocated, created, request_hash) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, 1, '0', ?, ?)",
            (
                (*row[:3], str(row[3]), row[4], ts(row[5]), ts(row[6]), row[7])
                for row in chunk.transactions
            ),
        )
        db.executemany(
            "INSERT INTO payments (id, workspace_id, public_id, transaction_id, invoice_id, "
            "user_id, type, amount, currency, posted) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((*row[:6], str(row[6]), row[7], ts(row[8])) for row in chunk.payments),
        )
        db.executemany(
            "INSERT INTO invoice_user_balances (invoice_id, user_id, currency, workspace_id, "
            "net_remaining) VALUES (?, ?, 'USD', 1, ?)",
            ((invoice, user, sortable(net)) for invoice, user, net in chunk.nets),
        )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--invoices", type=int, required=True)
    args = parser.parse_args()
    args.path.unlink(missing_ok=True)
    started = time.perf_counter()
    generate(args.path, args.invoices)
    print(f"generated {args.invoices} invoices in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
