"""The invoice-list benchmark: latency and SQL statements of the queries front ends make.

For each N it fills (or reuses) bench/data/invoices-N.vV.db (V: the generator's version), or
with `--backend postgresql` the PostgreSQL database invoicegraph_bench_N
(bench/generate_postgres.py: the same rows, with COPY), serves it with the real app
in-process, and times each query through the whole GraphQL stack (parse, validate, resolve,
loaders, SQL, JSON): median and p95 milliseconds, the median
milliseconds of it spent in SQL (from each statement's send to its rows) and the statement
count. `--explain-over MS` adds EXPLAIN ANALYZE of the statements of every query whose median
is above MS. The last line is for scripts:
    invoices=N slowest_median_ms=X deep_over_first=Y
(with ` backend=postgresql` at the end on PostgreSQL).
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bench import generate_postgres
from bench.generate import RARE_SEGMENT, RARE_TAG, RARE_WORD, VERSION, generate
from bench.peers.data import Postgres
from bench.statements import explain, recording
from invoicegraph.admin.workspaces import create_client
from invoicegraph.http.app import create_app
from invoicegraph.http.runtime import tune_gc
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from tests.support import count_statements, fetch_token

DATA = Path(__file__).parent / "data"
PAGE = """
query Page($first: Int!, $after: String, $filter: InvoicesFilter) {
  invoices(first: $first, after: $after, filter: $filter) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id invoiceId status version created
      tags { key value }
      lineItems { id description productId price { amount quantity unitPrice } user { externalId } }
      balances { currency payins { expected actual remaining } }
    }
  }
}
"""
CURSORS = """
query Cursors($after: String) {
  invoices(first: 200, after: $after) { pageInfo { endCursor } }
}
"""
DEEP = 20_000


async def measure(
    name: str, run: Callable[[], Awaitable[int]], rounds: int, db: Database
) -> dict[str, Any]:
    await run()  # warm caches once, as a server that has been up a while would be
    timings = []
    sql = []
    statements = 0
    for _ in range(rounds):
        with count_statements(db) as seen, recording(db.engine) as recorded:
            started = time.perf_counter()
            rows = await run()
            timings.append((time.perf_counter() - started) * 1000)
        statements = seen.count
        sql.append(recorded.sql_ms)
    timings.sort()
    return {
        "query": name,
        "rows": rows,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[min(len(timings) - 1, int(len(timings) * 0.95))],
        "sql_ms": statistics.median(sql),
        "statements": statements,
    }


async def plans(name: str, run: Callable[[], Awaitable[int]], engine: Any) -> None:
    """The query once more, then EXPLAIN ANALYZE of each statement it sent."""
    with recording(engine) as recorded:
        await run()
    print(f"\n# EXPLAIN ANALYZE of the statements of {name!r}:")
    for plan in await explain(engine, recorded):
        print(plan)


def user_tag_and_balance(key: str, value: str, comparison: dict[str, str]) -> dict[str, Any]:
    """FRAGMENT's userTagAndBalance: some user with the tag has that net remaining."""
    return {
        "userTagAndBalance": {
            "userTags": {"all": [{"key": key, "value": value}]},
            "netRemainingBalance": comparison,
        }
    }


def dataset(invoices: int) -> Path:
    """The database of N invoices, generated on first use and kept for later runs."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"invoices-{invoices}.v{VERSION}.db"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        generate(partial, invoices)
        partial.rename(path)
        print(f"# generated {path.name} in {time.perf_counter() - started:.0f} s")
    return path


def postgres_dataset(pg: Postgres, invoices: int) -> str:
    """The database URL of N invoices on PostgreSQL, loaded on first use and kept for later runs
    (a database of its own, apart from the tests' and bench-peers')."""
    database = f"invoicegraph_bench_{invoices}"
    if not asyncio.run(generate_postgres.complete(pg, database, invoices)):
        started = time.perf_counter()
        generate_postgres.generate(pg, database, invoices)
        print(f"# loaded {database} in {time.perf_counter() - started:.0f} s")
    return pg.sqlalchemy_url(database)


async def bench(
    url: str, invoices: int, rounds: int, explain_over: float | None = None
) -> list[dict[str, Any]]:
    """Each case's figures; with `explain_over`, the plans of the cases slower than that (ms)."""
    settings = Settings(database_url=url, signing_key="bench" * 8)
    app = create_app(settings)
    tune_gc()  # as `invoicegraph serve` does
    async with app.router.lifespan_context(app):
        db = app.state.db
        client = await create_client(db, workspace_public_id="ws_00000000000000000001")
        assert client is not None
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            token = await fetch_token(http, client.client_id, client.client_secret)
            headers = {"Authorization": f"Bearer {token}"}

            async def query(document: str, **variables: Any) -> dict[str, Any]:
                response = await http.post(
                    "/graphql", json={"query": document, "variables": variables}, headers=headers
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body["errors"]
                return body["data"]["invoices"]  # type: ignore[no-any-return]

            after = None
            depth = min(DEEP, invoices - 50) // 200 * 200
            for _ in range(depth // 200):
                after = (await query(CURSORS, after=after))["pageInfo"]["endCursor"]

            def page(**variables: Any) -> Callable[[], Awaitable[int]]:
                async def run() -> int:
                    return len((await query(PAGE, first=50, **variables))["nodes"])

                return run

            rare_tag = {"key": "campaign", "value": RARE_TAG}
            cases = [
                ("first page of 50", page()),
                (f"page {depth:,} rows deep", page(after=after)),
                (
                    "tag filter",
                    page(filter={"tags": {"all": [{"key": "region", "value": "eu-*"}]}}),
                ),
                ("rare tag filter", page(filter={"tags": {"all": [rare_tag]}})),
                ("search for a rare word", page(filter={"search": RARE_WORD})),
                ("user filter", page(filter={"user": {"externalId": "cust_0000042"}})),
                (
                    "user tag and net remaining",
                    page(filter=user_tag_and_balance("tier", "gold", {"gt": "100000"})),
                ),
                (
                    "rare user tag, net remaining",
                    page(filter=user_tag_and_balance("segment", RARE_SEGMENT, {"gt": "0"})),
                ),
            ]
            results = [await measure(name, run, rounds, db) for name, run in cases]
            if explain_over is not None:
                for (name, run), result in zip(cases, results, strict=True):
                    if result["median_ms"] > explain_over:
                        await plans(name, run, db.engine)
            return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--explain-over",
        type=float,
        metavar="MS",
        help="print EXPLAIN ANALYZE of every statement of each query whose median is above MS",
    )
    args = parser.parse_args()
    for invoices in args.invoices:
        if args.backend == "postgresql":
            url = postgres_dataset(Postgres(), invoices)
        else:
            url = f"sqlite+aiosqlite:///{dataset(invoices)}"
        results = asyncio.run(bench(url, invoices, args.rounds, args.explain_over))
        print(f"\ninvoices={invoices:,} backend={args.backend}")
        print(
            f"{'query':<30}{'rows':>6}{'median ms':>11}{'p95 ms':>9}{'sql ms':>9}{'statements':>12}"
        )
        for r in results:
            print(
                f"{r['query']:<30}{r['rows']:>6}{r['median_ms']:>11.1f}{r['p95_ms']:>9.1f}"
                f"{r['sql_ms']:>9.1f}{r['statements']:>12}"
            )
        slowest = max(r["median_ms"] for r in results)
        deep_over_first = results[1]["median_ms"] / results[0]["median_ms"]
        summary = f"invoices={invoices} slowest_median_ms={slowest:.1f}"
        summary += f" deep_over_first={deep_over_first:.2f}"
        print(summary if args.backend == "sqlite" else f"{summary} backend={args.backend}")


if __name__ == "__main__":
    main()
