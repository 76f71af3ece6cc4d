"""The invoice-list benchmark: latency and SQL statements of the queries front ends make.

For each N it fills (or reuses) bench/data/invoices-N.db, serves it with the real app
in-process, and times each query through the whole GraphQL stack (parse, validate, resolve,
loaders, SQL, JSON). The last line is for scripts:
    invoices=N slowest_median_ms=X deep_over_first=Y
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bench.generate import RARE_SEGMENT, RARE_TAG, RARE_WORD, generate
from invoicegraph.admin.workspaces import create_client
from invoicegraph.http.app import create_app
from invoicegraph.http.runtime import tune_gc
from invoicegraph.settings import Settings
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
    name: str, run: Callable[[], Awaitable[int]], rounds: int, engine: Any
) -> dict[str, Any]:
    await run()  # warm caches once, as a server that has been up a while would be
    timings = []
    statements = 0
    for _ in range(rounds):
        with count_statements(engine) as seen:
            started = time.perf_counter()
            rows = await run()
            timings.append((time.perf_counter() - started) * 1000)
        statements = seen.count
    timings.sort()
    return {
        "query": name,
        "rows": rows,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[min(len(timings) - 1, int(len(timings) * 0.95))],
        "statements": statements,
    }


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
    path = DATA / f"invoices-{invoices}.db"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        generate(partial, invoices)
        partial.rename(path)
        print(f"# generated {path.name} in {time.perf_counter() - started:.0f} s")
    return path


async def bench(path: Path, invoices: int, rounds: int) -> list[dict[str, Any]]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", signing_key="bench" * 8)
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
            return [await measure(name, run, rounds, db.engine) for name, run in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    for invoices in args.invoices:
        results = asyncio.run(bench(dataset(invoices), invoices, args.rounds))
        print(f"\ninvoices={invoices:,}")
        print(f"{'query':<30}{'rows':>6}{'median ms':>11}{'p95 ms':>9}{'statements':>12}")
        for r in results:
            print(
                f"{r['query']:<30}{r['rows']:>6}{r['median_ms']:>11.1f}{r['p95_ms']:>9.1f}"
                f"{r['statements']:>12}"
            )
        slowest = max(r["median_ms"] for r in results)
        deep_over_first = results[1]["median_ms"] / results[0]["median_ms"]
        summary = f"invoices={invoices} slowest_median_ms={slowest:.1f}"
        print(f"{summary} deep_over_first={deep_over_first:.2f}")


if __name__ == "__main__":
    main()
