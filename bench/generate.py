"""Fill a database with N realistic invoices, fast: bulk inserts below the API.

Each invoice has three line items over a pool of users, two tags, a version-1 snapshot and a
search row; about a quarter are paid by transactions. Five invoices carry a rare word and a
rare tag, so that searching or filtering for them has a small answer. Users have tiers (a
tenth `tier: gold`, three tenths `silver`) and a few a rare `segment`; every invoice has its
users' net remaining rows (invoice_user_balances), as the writers keep them. The rows are written
with plain sqlite3 in large batches (the schema itself comes from the Alembic migrations),
about a hundred times faster than going through createInvoice.
"""

import argparse
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from invoicegraph.store.migrate import upgrade

RARE_WORD = "zebracorn"
RARE_TAG = "black-friday-2025"
RARE_SEGMENT = "enterprise-pilot"
SORTABLE_OFFSET = 10**30
"""SortableInt96Type's SQLite form: the value plus 10^30, zero-padded to 31 digits."""
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


def public_id(prefix: str, number: int) -> str:
    return f"{prefix}_{number:020d}"


def ts(instant: datetime) -> str:
    """SQLAlchemy's SQLite text form of an instant, so that ORM reads and ordering agree."""
    return instant.strftime("%Y-%m-%d %H:%M:%S.%f")


def batches(total: int) -> Iterator[range]:
    for start in range(0, total, BATCH):
        yield range(start, min(start + BATCH, total))


def user_tags(rng: random.Random, user_count: int) -> Iterator[tuple[int, str, str, int]]:
    """A tier for four users in ten (gold one in ten), and the rare segment for about one
    user in two thousand (at least three)."""
    rare = set(rng.sample(range(1, user_count + 1), k=max(3, user_count // 2_000)))
    for user in range(1, user_count + 1):
        roll = rng.random()
        position = 0
        if roll < 0.4:
            yield (user, "tier", "gold" if roll < 0.1 else "silver", position)
            position += 1
        if user in rare:
            yield (user, "segment", RARE_SEGMENT, position)


def generate(path: Path, invoices: int, *, seed: int = 7) -> None:
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    rng = random.Random(seed)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    db.execute(
        "INSERT INTO workspaces (id, public_id, name, created) VALUES (1, ?, ?, ?)",
        (public_id("ws", 1), "Benchmark workspace", ts(now)),
    )
    user_count = max(100, invoices // 10)
    db.executemany(
        "INSERT INTO users (id, public_id, workspace_id, external_id) VALUES (?, ?, 1, ?)",
        ((n, public_id("usr", n), f"cust_{n:07d}") for n in range(1, user_count + 1)),
    )
    db.executemany(
        "INSERT INTO user_tags (user_id, workspace_id, key, value, position) "
        "VALUES (?, 1, ?, ?, ?)",
        user_tags(rng, user_count),
    )
    start = now - timedelta(days=730)
    step = timedelta(days=730) / invoices
    line_item_id = transaction_id = 0
    rare = set(rng.sample(range(invoices), k=min(5, invoices)))
    for chunk in batches(invoices):
        invoice_rows, items, tags, versions, search, txns, payments = [], [], [], [], [], [], []
        nets: list[tuple[int, int, str]] = []
        for n in chunk:
            invoice = n + 1
            created = start + step * n
            status = rng.choice(STATUSES)
            user = rng.randint(1, user_count)
            other = rng.randint(1, user_count)
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
                items.append(
                    (
                        line_item_id,
                        public_id("li", line_item_id),
                        invoice,
                        owner,
                        description,
                        product,
                        "PAYIN",
                        "USD",
                        str(unit * quantity),
                        str(unit),
                        quantity,
                        "[]",
                        str(unit * quantity),  # due: no discount, no tax
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
            tags += [(invoice, "region", region, 0), (invoice, "plan", plan, 1)]
            words += [region, plan]
            if n in rare:
                tags.append((invoice, "campaign", RARE_TAG, 2))
                words.append(RARE_TAG)
            paid = status == "PAID"
            invoice_rows.append(
                (
                    invoice,
                    public_id("inv", invoice),
                    f"inv-{invoice:07d}",
                    status,
                    2 if paid else 1,
                    ts(created),
                    ts(created + timedelta(hours=paid * 24)),
                    "0" * 64,
                    1,
                    0 if paid else 1,
                )
            )
            versions.append(
                (
                    invoice,
                    1,
                    ts(created),
                    "OPEN" if paid else status,
                    json.dumps([["region", region], ["plan", plan]]),
                    json.dumps(snapshot),
                    "[]",
                )
            )
            search.append((invoice, 1, " ".join(words)))
            owed = dict.fromkeys((user, other), 0)
            owed[user] += amounts[0] + amounts[1]
            owed[other] += amounts[2]
            nets += [
                (invoice, owner, str((0 if paid else net) + SORTABLE_OFFSET).zfill(31))
                for owner, net in owed.items()
            ]
            if paid:
                for owner, amount in ((user, amounts[0] + amounts[1]), (other, amounts[2])):
                    transaction_id += 1
                    txns.append(
                        (
                            transaction_id,
                            public_id("txn", transaction_id),
                            f"bank-{transaction_id:07d}",
                            str(amount),
                            "USD",
                            ts(created + timedelta(hours=24)),
                            ts(created),
                            "0" * 64,
                        )
                    )
                    payments.append(
                        (
                            transaction_id,
                            public_id("pay", transaction_id),
                            transaction_id,
                            invoice,
                            owner,
                            "PAYIN",
                            str(amount),
                            "USD",
                            ts(created + timedelta(hours=24)),
                        )
                    )
        db.executemany(
            "INSERT INTO invoices (id, workspace_id, public_id, invoice_id, status, version, "
            "created, modified, request_hash, has_charge, has_remaining) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((r[0], *r[1:]) for r in invoice_rows),
        )
        db.executemany(
            "INSERT INTO line_items (id, workspace_id, public_id, invoice_id, user_id, "
            "description, product_id, type, currency, amount, unit_price, quantity, tags, due) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            items,
        )
        db.executemany(
            "INSERT INTO invoice_tags (invoice_id, workspace_id, key, value, position) "
            "VALUES (?, 1, ?, ?, ?)",
            tags,
        )
        db.executemany(
            "INSERT INTO invoice_versions (invoice_id, version, workspace_id, modified, status, "
            "tags, line_items, changes) VALUES (?, ?, 1, ?, ?, ?, ?, ?)",
            versions,
        )
        db.executemany(
            "INSERT INTO invoice_search (rowid, workspace_id, body) VALUES (?, ?, ?)", search
        )
        db.executemany(
            "INSERT INTO transactions (id, workspace_id, public_id, external_id, amount, "
            "currency, posted, version, unallocated, created, request_hash) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, 1, '0', ?, ?)",
            txns,
        )
        db.executemany(
            "INSERT INTO payments (id, workspace_id, public_id, transaction_id, invoice_id, "
            "user_id, type, amount, currency, posted) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
            payments,
        )
        db.executemany(
            "INSERT INTO invoice_user_balances (invoice_id, user_id, currency, workspace_id, "
            "net_remaining) VALUES (?, ?, 'USD', 1, ?)",
            nets,
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
