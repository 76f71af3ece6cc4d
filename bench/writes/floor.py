"""The storage floor: the rows of one new invoice written with the raw driver, one transaction
per invoice, one connection, with the server's durability settings, into the real schema.

Per invoice, as `insert_invoice` (invoicegraph/store/invoices.py), `index_invoice`
(store/search.py) and the unit of work's outbox (store/outbox.py) write them: the invoices row,
its 2 invoice_tags rows, its 3 line_items rows, the version-1 invoice_versions row with its JSON
snapshot, the invoice_search row (FTS5 on SQLite, a tsvector on PostgreSQL) and the CREATED
outbox_events row. What the floor leaves out is everything that is not writing these rows:
HTTP, GraphQL, validation, the idempotency lookup, the users' insert-or-ignore and lookup (its
users exist beforehand, as they soon do on the server), and the outbox publisher's later
transaction that marks the event published.

SQLite: Python's sqlite3, `journal_mode=WAL`, `synchronous=FULL`, foreign keys on, `BEGIN
IMMEDIATE` ... `COMMIT` per invoice. PostgreSQL: asyncpg, `synchronous_commit=on`, a
transaction per invoice.
"""

import asyncio
import hashlib
import json
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from bench.writes.shapes import CUSTOMERS, ITEMS, PARTNERS, TAGS, customer, partner
from invoicegraph.ledger.enums import EventType, InvoiceStatus
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.migrate import upgrade
from invoicegraph.store.search import search_words


@dataclass(frozen=True, slots=True)
class FloorRun:
    invoices: int
    seconds: float
    latencies_s: list[float]

    @property
    def rps(self) -> float:
        return self.invoices / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_s) * 1000 if self.latencies_s else 0.0

    @property
    def p99_ms(self) -> float:
        if len(self.latencies_s) < 2:
            return self.p50_ms
        return statistics.quantiles(self.latencies_s, n=100)[98] * 1000


@dataclass(frozen=True, slots=True)
class Rows:
    """One invoice's rows, in the column order of the INSERTs below (without the invoice's
    row id, which the first INSERT returns)."""

    invoice: tuple[Any, ...]
    tags: list[tuple[Any, ...]]
    line_items: list[tuple[Any, ...]]
    version: tuple[Any, ...]
    search_body: str


def fingerprint(invoice_id: str, users: list[str]) -> str:
    """As ValidInvoice.fingerprint: a sha256 of the canonical input."""
    canonical = {
        "invoiceId": invoice_id,
        "draft": False,
        "tags": [list(tag) for tag in TAGS],
        "lineItems": [
            {
                "description": item.description,
                "productId": item.product_id,
                "type": item.type,
                "user": [None, user],
                "currency": "USD",
                "price": [str(item.amount), str(item.unit_price), item.quantity],
                "tags": [],
            }
            for item, user in zip(ITEMS, users, strict=True)
        ],
    }
    encoded = json.dumps(canonical, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(encoded.encode()).hexdigest()


def rows_of(
    number: int,
    *,
    workspace_id: int,
    user_ids: dict[str, int],
    now: Any,
    money: Callable[[int], Any],
) -> Rows:
    """Invoice `number`'s rows; `now` and `money` in the driver's form of the column types."""
    invoice_id = f"floor-{number}"
    users = [customer(number) if item.customer else partner(number) for item in ITEMS]
    invoice = (
        new_public_id("inv"), workspace_id, invoice_id, InvoiceStatus.OPEN.value, 1, now, now,
        fingerprint(invoice_id, users), True, True,
    )  # fmt: skip
    tags = [(workspace_id, key, value, position) for position, (key, value) in enumerate(TAGS)]
    line_items = []
    snapshot = []
    words = [invoice_id, *(value for _, value in TAGS)]
    for item, user in zip(ITEMS, users, strict=True):
        public_id = new_public_id("li")
        user_id = user_ids[user]
        line_items.append(
            (
                public_id, workspace_id, user_id, item.description, item.product_id, item.type,
                "USD", money(item.amount), money(item.unit_price), item.quantity, "[]",
            )
        )  # fmt: skip
        snapshot.append(
            {
                "lineItemId": public_id,
                "description": item.description,
                "productId": item.product_id,
                "type": item.type,
                "currency": "USD",
                "amount": str(item.amount),
                "unitPrice": str(item.unit_price),
                "quantity": item.quantity,
                "userId": user_id,
                "tags": [],
            }
        )
        words += [item.description, item.product_id, user]
    version = (
        workspace_id, now, InvoiceStatus.OPEN.value, json.dumps([list(tag) for tag in TAGS]),
        json.dumps(snapshot), "[]",
    )  # fmt: skip
    return Rows(invoice, tags, line_items, version, " ".join(words))


def all_users() -> list[str]:
    return [customer(n) for n in range(CUSTOMERS)] + [partner(n) for n in range(PARTNERS)]


INSERT_INVOICE = (
    "INSERT INTO invoices (public_id, workspace_id, invoice_id, status, version, created, "
    "modified, request_hash, has_charge, has_remaining) VALUES ({})"
)
INSERT_TAG = "INSERT INTO invoice_tags (invoice_id, workspace_id, key, value, position) VALUES ({})"
INSERT_LINE_ITEM = (
    "INSERT INTO line_items (invoice_id, public_id, workspace_id, user_id, description, "
    "product_id, type, currency, amount, unit_price, quantity, tags) VALUES ({})"
)
INSERT_VERSION = (
    "INSERT INTO invoice_versions (invoice_id, version, workspace_id, modified, status, tags, "
    "line_items, changes) VALUES ({})"
)
INSERT_OUTBOX = (
    "INSERT INTO outbox_events (workspace_id, invoice_id, type, version, created, published) "
    "VALUES ({})"
)


def _marks(count: int, style: str) -> str:
    return ", ".join("?" if style == "qmark" else f"${n}" for n in range(1, count + 1))


def _timed(loop_body: Callable[[int], None], seconds: float, warmup: float) -> FloorRun:
    number = 0
    deadline = time.perf_counter() + warmup
    while time.perf_counter() < deadline:
        number += 1
        loop_body(number)
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + seconds
    while (begun := time.perf_counter()) < deadline:
        number += 1
        loop_body(number)
        latencies.append(time.perf_counter() - begun)
    return FloorRun(len(latencies), time.perf_counter() - started, latencies)


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_floor(path: Path, *, seconds: float, warmup: float) -> FloorRun:
    """A fresh, migrated file at `path`, then invoices one transaction each for `seconds`."""
    upgrade(f"sqlite+aiosqlite:///{path}")
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON",
                       "synchronous=FULL"):  # fmt: skip
            db.execute(f"PRAGMA {pragma}")
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        stamp = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        db.execute("BEGIN IMMEDIATE")
        workspace_id = db.execute(
            "INSERT INTO workspaces (public_id, name, created) VALUES (?, ?, ?)",
            (new_public_id("ws"), "floor", stamp),
        ).lastrowid
        assert workspace_id is not None
        user_ids: dict[str, int] = {}
        for external_id in all_users():
            row_id = db.execute(
                "INSERT INTO users (public_id, workspace_id, external_id) VALUES (?, ?, ?)",
                (new_public_id("usr"), workspace_id, external_id),
            ).lastrowid
            assert row_id is not None
            user_ids[external_id] = row_id
        db.execute("COMMIT")
        invoice_sql = INSERT_INVOICE.format(_marks(10, "qmark"))
        tag_sql = INSERT_TAG.format(_marks(5, "qmark"))
        item_sql = INSERT_LINE_ITEM.format(_marks(12, "qmark"))
        version_sql = INSERT_VERSION.format(_marks(8, "qmark"))
        outbox_sql = INSERT_OUTBOX.format(_marks(6, "qmark"))
        search_sql = "INSERT INTO invoice_search (rowid, workspace_id, body) VALUES (?, ?, ?)"

        def one(number: int) -> None:
            now = datetime.now(UTC).replace(tzinfo=None)
            stamp = now.isoformat(sep=" ", timespec="microseconds")
            rows = rows_of(number, workspace_id=ws, user_ids=user_ids, now=stamp, money=str)
            db.execute("BEGIN IMMEDIATE")
            try:
                invoice = db.execute(invoice_sql, rows.invoice).lastrowid
                db.executemany(tag_sql, [(invoice, *tag) for tag in rows.tags])
                db.executemany(item_sql, [(invoice, *item) for item in rows.line_items])
                db.execute(version_sql, (invoice, 1, *rows.version))
                db.execute(search_sql, (invoice, ws, rows.search_body))
                db.execute(outbox_sql, (ws, invoice, EventType.CREATED.value, 1, stamp, False))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

        ws = workspace_id
        run = _timed(one, seconds, warmup)
        written = db.execute("SELECT count(*) FROM invoices").fetchone()[0]
        assert written >= run.invoices, (written, run.invoices)
        return run
    finally:
        db.close()


# --- PostgreSQL -------------------------------------------------------------------------------


async def _postgres_floor(dsn: str, seconds: float, warmup: float) -> FloorRun:
    db = await asyncpg.connect(dsn)
    try:
        await db.execute("SET synchronous_commit = on")
        ws = await db.fetchval(
            "INSERT INTO workspaces (public_id, name, created) VALUES ($1, $2, $3) RETURNING id",
            new_public_id("ws"), "floor", datetime.now(UTC),
        )  # fmt: skip
        user_ids: dict[str, int] = {}
        for external_id in all_users():
            user_ids[external_id] = await db.fetchval(
                "INSERT INTO users (public_id, workspace_id, external_id) VALUES ($1, $2, $3) "
                "RETURNING id",
                new_public_id("usr"), ws, external_id,
            )  # fmt: skip
        invoice_sql = INSERT_INVOICE.format(_marks(10, "numeric")) + " RETURNING id"
        tag_sql = INSERT_TAG.format(_marks(5, "numeric"))
        item_sql = INSERT_LINE_ITEM.format(_marks(12, "numeric"))
        version_sql = INSERT_VERSION.format(_marks(8, "numeric"))
        outbox_sql = INSERT_OUTBOX.format(_marks(6, "numeric"))
        search_sql = (
            "INSERT INTO invoice_search (invoice_id, workspace_id, body) "
            "VALUES ($1, $2, to_tsvector('simple', $3)) ON CONFLICT (invoice_id) "
            "DO UPDATE SET body = excluded.body"
        )

        async def one(number: int) -> None:
            now = datetime.now(UTC)
            rows = rows_of(number, workspace_id=ws, user_ids=user_ids, now=now, money=Decimal)
            async with db.transaction():
                invoice = await db.fetchval(invoice_sql, *rows.invoice)
                await db.executemany(tag_sql, [(invoice, *tag) for tag in rows.tags])
                await db.executemany(item_sql, [(invoice, *item) for item in rows.line_items])
                await db.execute(version_sql, invoice, 1, *rows.version)
                await db.execute(search_sql, invoice, ws, " ".join(search_words(rows.search_body)))
                await db.execute(outbox_sql, ws, invoice, EventType.CREATED.value, 1, now, False)

        number = 0
        deadline = time.perf_counter() + warmup
        while time.perf_counter() < deadline:
            number += 1
            await one(number)
        latencies: list[float] = []
        started = time.perf_counter()
        deadline = started + seconds
        while (begun := time.perf_counter()) < deadline:
            number += 1
            await one(number)
            latencies.append(time.perf_counter() - begun)
        run = FloorRun(len(latencies), time.perf_counter() - started, latencies)
        written = await db.fetchval("SELECT count(*) FROM invoices")
        assert written >= run.invoices, (written, run.invoices)
        return run
    finally:
        await db.close()


def postgres_floor(sqlalchemy_url: str, dsn: str, *, seconds: float, warmup: float) -> FloorRun:
    """Migrate the (fresh) database, then invoices one transaction each for `seconds`."""
    upgrade(sqlalchemy_url)
    return asyncio.run(_postgres_floor(dsn, seconds, warmup))
