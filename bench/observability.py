"""What metrics and traces cost per request: a one-invoice lookup (q1), in process, with each
variant of the app in turn on one SQLite file, CPU milliseconds per request.

    python -m bench.observability [--repeat 400] [--rounds 3]

Prints a line per variant and round (after one uncounted round that warms the process), then
`observability variant=... cpu_ms_median=... over_off=...` per variant (the median over rounds):
metrics off, metrics on (the default), and metrics on with tracing on (spans to an in-memory
exporter, so no network in the figure).
"""

import argparse
import asyncio
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette

from bench.cpu import cpu_ms_each, summary
from invoicegraph.admin.demo import seed_demo
from invoicegraph.http.app import create_app
from invoicegraph.http.runtime import tune_gc
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.store.migrate import upgrade

Q1 = """query Q1($key: String!) { invoice(invoice: {invoiceId: $key}) { invoiceId status version
  balances { currency payins { expected actual remaining } } } }"""


def traced() -> TracerProvider:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


VARIANTS: dict[str, Callable[[Settings], Starlette]] = {
    "metrics-off": lambda settings: create_app(settings.replace(metrics="off")),
    "metrics-on": lambda settings: create_app(settings),
    "metrics-and-tracing-on": lambda settings: create_app(settings, tracer_provider=traced()),
}


async def measure(app: Starlette, repeat: int, client: tuple[str, str]) -> list[float]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            token = (
                await http.post(
                    "/oauth2/token", data={"grant_type": "client_credentials"}, auth=client
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            body = {"query": Q1, "variables": {"key": "acme-2026-0001"}}

            async def once() -> None:
                response = await http.post("/graphql", json=body, headers=headers)
                assert response.json()["data"]["invoice"] is not None

            await cpu_ms_each(once, 50)  # warm: parse cache, plans, statement cache
            return await cpu_ms_each(once, repeat)


async def run(url: str, repeat: int, rounds: int) -> None:
    db = Database(url)
    created = await seed_demo(db)
    await db.dispose()
    assert created is not None
    settings = Settings(database_url=url, signing_key="observability" * 4)
    tune_gc()
    medians: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for round_ in range(rounds):
        for name, make in VARIANTS.items():
            each = await measure(make(settings), repeat, (created.client_id, created.client_secret))
            medians[name].append(statistics.median(each))
            print(f"round {round_ + 1} {name}: cpu ms {summary(each)}")
    off = statistics.median(medians["metrics-off"])
    for name, figures in medians.items():
        median = statistics.median(figures)
        ratio = median / off
        print(f"observability variant={name} cpu_ms_median={median:.3f} over_off={ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)  # before the loop: the migrations run one of their own
        asyncio.run(run(url, arguments.repeat, arguments.rounds))


if __name__ == "__main__":
    main()
