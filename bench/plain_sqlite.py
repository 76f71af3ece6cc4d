"""The plain executor's speed on SQLite, in this process: a page of 100 invoices (the q100 of
bench/peers) executed through the schema directly, without HTTP, so that the time is mostly
execution. Needs no PostgreSQL.

    python -m bench.plain_sqlite [--repeat 200] [--standard]

`--standard` runs strawberry's own execution context instead of the plain one (for a ratio).
Prints CPU milliseconds per request: median, p90 and mean.
"""

import argparse
import asyncio
import gc
import inspect
import tempfile
from pathlib import Path
from typing import Any

from bench.cpu import cpu_ms_each, summary
from bench.peers.queries import OURS_Q100
from invoicegraph.admin.workspaces import create_client, create_workspace
from invoicegraph.auth.principal import Principal
from invoicegraph.events import EventBus
from invoicegraph.http.runtime import tune_gc
from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.invoices import CreateInvoice, LineItemDraft, UserRef
from invoicegraph.ledger.prices import PriceSpec
from invoicegraph.ledger.tags import Tag
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.invoices import create_invoice
from invoicegraph.schema import build_schema
from invoicegraph.store.engine import Database
from invoicegraph.store.migrate import upgrade


def invoice(index: int) -> CreateInvoice:
    items = tuple(
        LineItemDraft(
            description=f"Item {n} of invoice {index}",
            product_id=f"prod_{n}",
            type=FlowType.PAYIN if n % 2 == 0 else FlowType.PAYOUT,
            user=UserRef(external_id=f"user_{index % 7}_{n % 2}"),
            currency="USD" if n < 3 else "EUR",
            price=PriceSpec(amount=100 + n) if n % 2 else PriceSpec(unit_price=50, quantity=n + 1),
        )
        for n in range(4)
    )
    return CreateInvoice(
        invoice_id=f"bench-{index:04d}", line_items=items, tags=(Tag("n", str(index)),)
    )


async def run(url: str, repeat: int, standard: bool) -> None:
    db = Database(url)
    try:
        workspace = await create_workspace(db, name="bench")
        client = await create_client(db, workspace_public_id=workspace.public_id)
        assert client is not None
        assert workspace.id is not None
        principal = Principal(
            client_id=client.client_id,
            workspace_id=workspace.id,
            workspace_public_id=workspace.public_id,
        )
        events = EventBus()
        for index in range(100):
            await create_invoice(Context.open(db, principal, events), invoice(index))
        # Before this change build_schema had no switch: `--standard` needs the new one.
        options: dict[str, Any] = {}
        if standard:
            assert "plain_execution" in inspect.signature(build_schema).parameters
            options["plain_execution"] = False
        schema = build_schema(**options)

        async def once() -> None:
            context = Context.open(db, principal, events)
            try:
                result = await schema.execute(OURS_Q100, context_value=context)
            finally:
                await context.reader.close()
            assert result.errors is None, result.errors
            assert len(result.data["invoices"]["nodes"]) == 100  # type: ignore[index]

        for _ in range(5):
            await once()
        gc.collect()
        tune_gc()  # as `invoicegraph serve` does
        each = await cpu_ms_each(once, repeat)
        print(
            f"q100 on SQLite, {'standard' if standard else 'plain'} execution: CPU ms per "
            f"request {summary(each)}"
        )
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--standard", action="store_true", help="strawberry's execution context")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)  # Alembic runs its own event loop: before ours starts
        asyncio.run(run(url, arguments.repeat, arguments.standard))


if __name__ == "__main__":
    main()
