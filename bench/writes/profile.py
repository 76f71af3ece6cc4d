"""Where a single write's time goes inside invoicegraph: a fresh database, the whole app in this
process (ASGI, no sockets), one mutation of bench/writes' shapes repeated under pyinstrument.

    python -m bench.writes.profile createInvoice [--store sqlite|postgresql] [--repeat 200]

Ops: createInvoice, updateInvoice (each request on another invoice made beforehand, at its
version 1), recordTransaction (1 cent to one of the invoices made beforehand). Prints the
profile, the CPU milliseconds per request (profiled and not, the client's share included: the
ASGI client runs in this process) and the SQL statements per request, split between the write
transaction and the rest of the request.
"""

import argparse
import asyncio
import itertools
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from pyinstrument import Profiler
from sqlalchemy import event

from bench.cpu import cpu_ms_each, summary
from bench.peers.data import Postgres, drop_database, recreate_database
from bench.writes.shapes import (
    BATCH,
    CREATE_INVOICE,
    ITEMS,
    PRECREATE_INVOICES,
    RECORD_TRANSACTION,
    UPDATE_INVOICE,
    UPDATED_ITEM,
    customer,
    invoice_input,
)
from invoicegraph.admin.workspaces import create_client, create_workspace
from invoicegraph.http.app import create_app
from invoicegraph.http.runtime import tune_gc
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.store.migrate import upgrade

OPS = ("createInvoice", "updateInvoice", "recordTransaction")
PG_DATABASE = "invoicegraph_profile_writes"
WARMUP = 5


def run(op: str, store: str, repeat: int, *, profiled: bool = True) -> None:
    """A fresh database of `store`, migrated (synchronously: Alembic runs a loop of its own)."""
    if store == "sqlite":
        with tempfile.TemporaryDirectory(prefix="profile-writes-") as work:
            url = f"sqlite+aiosqlite:///{Path(work) / 'profile.db'}"
            upgrade(url)
            asyncio.run(profile(op, url, repeat, profiled))
        return
    pg = Postgres()
    asyncio.run(recreate_database(pg, PG_DATABASE))
    try:
        upgrade(pg.sqlalchemy_url(PG_DATABASE))
        asyncio.run(profile(op, pg.sqlalchemy_url(PG_DATABASE), repeat, profiled))
    finally:
        asyncio.run(drop_database(pg, PG_DATABASE))


async def profile(op: str, url: str, repeat: int, profiled: bool) -> None:
    settings = Settings(database_url=url, signing_key="profile" * 8, demo=False)
    app = create_app(settings)
    tune_gc()  # as `invoicegraph serve` does
    async with app.router.lifespan_context(app):
        db: Database = app.state.db
        workspace = await create_workspace(db, name="profile writes")
        client = await create_client(db, workspace_public_id=workspace.public_id)
        assert client is not None
        statements = {"total": 0}
        shown: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            statements["total"] += 1
            shown.append(" ".join(statement.split())[:150])

        for engine in db.engines:  # SQLite writes have an engine of their own
            event.listen(engine.sync_engine, "before_cursor_execute", count)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://profile") as http:
            token = (
                await http.post(
                    "/oauth2/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client.client_id, client.client_secret),
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            once = await request_of(op, http, headers, repeat)
            for _ in range(WARMUP):
                await once()
            shown.clear()
            await once()
            print(f"the statements of one {op}:", *shown, sep="\n  ")
            if profiled:
                profiler = Profiler(interval=0.001, async_mode="disabled")
                profiler.start()
                for _ in range(repeat):
                    await once()
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False, show_all=False))
                print(f"{op}: self time by layer, share of the profiled samples:")
                for layer, share in layer_shares(profiler):
                    print(f"  {layer:<34} {share:6.1%}")
            statements["total"] = 0
            each = await cpu_ms_each(once, repeat)
            print(
                f"{op}: CPU ms per request unprofiled, the client's share included: "
                f"{summary(each)}; {statements['total'] / repeat:.1f} statements per request"
            )


async def request_of(
    op: str, http: httpx.AsyncClient, headers: dict[str, str], repeat: int
) -> Callable[[], Awaitable[None]]:
    """One request of `op`, a new one at every call (new keys; updates on fresh invoices)."""
    numbers = itertools.count()

    async def post(document: str, variables: dict[str, Any], expect: str) -> dict[str, Any]:
        response = await http.post(
            "/graphql", json={"query": document, "variables": variables}, headers=headers
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, response.text[:1000]
        assert expect in response.text, response.text[:1000]
        return body

    if op == "createInvoice":

        async def create() -> None:
            n = next(numbers)
            await post(CREATE_INVOICE, {"input": invoice_input(f"p-{n}", n)}, "CreateInvoiceResult")

        return create
    made = await precreate(post, (WARMUP + repeat) * 2)
    if op == "updateInvoice":
        picks = iter(made)

        async def update() -> None:
            invoice, line_item, _ = next(picks)
            change = {"update": {"id": line_item, "price": {"unitPrice": "1600", "quantity": 2}}}
            variables = {"input": {"id": invoice, "expectedVersion": 1, "lineItems": [change]}}
            await post(UPDATE_INVOICE, variables, '"version":2')

        return update

    async def record() -> None:
        n = next(numbers)
        invoice, _, user = made[n % len(made)]
        transaction = {
            "externalId": f"tx-{n}",
            "amount": "1",
            "currency": "USD",
            "posted": "2026-01-13T00:00:00Z",
            "allocations": [
                {
                    "invoice": {"id": invoice},
                    "type": "PAYIN",
                    "user": {"externalId": user},
                    "amount": "1",
                }
            ],
        }
        await post(RECORD_TRANSACTION, {"input": transaction}, "RecordTransactionResult")

    return record


async def precreate(
    post: Callable[[str, dict[str, Any], str], Awaitable[dict[str, Any]]], count: int
) -> list[tuple[str, str, str]]:
    """(invoice id, the updated line item's id, the customer) of `count` new invoices."""
    made = []
    for start in range(0, count, BATCH):
        numbers = range(start, min(count, start + BATCH))
        invoices = [invoice_input(f"pre-{n}", n) for n in numbers]
        body = await post(PRECREATE_INVOICES, {"input": {"invoices": invoices}}, "createdCount")
        for n, item in zip(numbers, body["data"]["createInvoices"]["results"], strict=True):
            invoice = item["invoice"]
            (seat,) = [
                li["id"]
                for li in invoice["lineItems"]
                if li["description"] == ITEMS[UPDATED_ITEM].description
            ]
            made.append((invoice["id"], seat, customer(n)))
    return made


LAYERS = (
    ("invoicegraph/resolvers", "our resolvers (write logic)"),
    ("invoicegraph/store", "our store functions"),
    ("invoicegraph/webhooks", "webhook deliverer (background)"),
    ("invoicegraph/events", "outbox publisher (background)"),
    ("invoicegraph/", "our HTTP, auth, schema layers"),
    ("sqlalchemy", "SQLAlchemy"),
    ("sqlmodel", "SQLAlchemy"),
    ("aiosqlite", "driver (aiosqlite, asyncpg)"),
    ("asyncpg", "driver (aiosqlite, asyncpg)"),
    ("strawberry", "strawberry, graphql-core"),
    ("graphql", "strawberry, graphql-core"),
    ("starlette", "starlette, httpx client"),
    ("httpx", "starlette, httpx client"),
    ("httpcore", "starlette, httpx client"),
    ("asyncio", "asyncio event loop"),
    ("selectors", "asyncio event loop"),
    ("pydantic", "pydantic"),
    ("bench/", "this script"),
)


def layer_shares(profiler: Profiler) -> list[tuple[str, float]]:
    """Each frame's self time, summed by the library (or our layer) its code is in; time
    waiting in epoll (idle, or for the driver's thread) left out."""
    totals: dict[str, float] = {}
    root = profiler.last_session.root_frame() if profiler.last_session else None
    stack = [root] if root is not None else []
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        own = frame.total_self_time
        owner = frame.parent if frame.is_synthetic and frame.parent is not None else frame
        if not own or owner.function.endswith(("poll", "select")):
            continue
        path = owner.file_path or ""
        if any(name in owner.function for name in ("put_nowait", "AsyncIoGreenlet", "recv")):
            # the hand-off to the driver's thread (its queue, the loop's wake-up socket) or a
            # statement's greenlet
            path = "aiosqlite"
        layer = next((name for part, name in LAYERS if part in path), "other (stdlib, C)")
        totals[layer] = totals.get(layer, 0.0) + own
    busy = sum(totals.values()) or 1.0
    return sorted(((k, v / busy) for k, v in totals.items()), key=lambda kv: -kv[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("op", choices=OPS)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument(
        "--cpu-only", action="store_true", help="no profile: the unprofiled CPU figures only"
    )
    arguments = parser.parse_args()
    run(arguments.op, arguments.store, arguments.repeat, profiled=not arguments.cpu_only)


if __name__ == "__main__":
    main()
