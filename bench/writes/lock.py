"""Why 8 connections write no faster than 1 on SQLite: createInvoice in process (the whole app,
ASGI, no sockets) from 1 and from 8 concurrent clients, with the time the process's SQLite
write lock was held and waited for.

    python -m bench.writes.lock [--writes 160] [--rounds 2]

Prints, per round and number of clients: writes/s, CPU per write, the share of the time the
write lock was held, the time a write held it and the time it waited for it. When the lock is
held nearly all the time, the writes are serialized on it, and more clients only wait longer.
"""

import argparse
import asyncio
import itertools
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.writes.shapes import CREATE_INVOICE, invoice_input
from invoicegraph.admin.workspaces import create_client, create_workspace
from invoicegraph.http.app import create_app
from invoicegraph.http.runtime import tune_gc
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.store.migrate import upgrade

WARMUP = 20


@dataclass
class LockTimes:
    held: float = 0.0
    waited: float = 0.0
    turns: int = 0


TIMES = LockTimes()


def time_write_turns() -> None:
    """Time every write turn of every Database of this process (the lock each SQLite writer
    queues for, the outbox publisher's included): wraps the method the class has."""
    untimed = Database._sqlite_write_turn

    def timed_turn(self: Database) -> AbstractAsyncContextManager[None]:
        lock = untimed(self)

        @asynccontextmanager
        async def timed() -> AsyncIterator[None]:
            asked = time.perf_counter()
            async with lock:
                got = time.perf_counter()
                try:
                    yield
                finally:
                    TIMES.held += time.perf_counter() - got
                    TIMES.waited += got - asked
                    TIMES.turns += 1

        return timed()

    Database._sqlite_write_turn = timed_turn  # type: ignore[assignment, method-assign]


async def measure(url: str, writes: int, rounds: int) -> None:
    time_write_turns()
    app = create_app(Settings(database_url=url, signing_key="lock" * 16, demo=False))
    tune_gc()
    async with app.router.lifespan_context(app):
        db: Database = app.state.db
        workspace = await create_workspace(db, name="lock")
        client = await create_client(db, workspace_public_id=workspace.public_id)
        assert client is not None
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://lock") as http:
            token = (
                await http.post(
                    "/oauth2/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client.client_id, client.client_secret),
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            numbers = itertools.count()

            async def one() -> None:
                n = next(numbers)
                variables = {"input": invoice_input(f"lock-{n}", n)}
                answer = await http.post(
                    "/graphql", json={"query": CREATE_INVOICE, "variables": variables},
                    headers=headers,
                )  # fmt: skip
                assert "CreateInvoiceResult" in answer.text, answer.text[:500]

            for _ in range(WARMUP):
                await one()
            for _ in range(rounds):
                for clients in (1, 8):
                    await run_round(one, clients, writes // clients)


async def run_round(one: Callable[[], Awaitable[None]], clients: int, each: int) -> None:
    times = TIMES
    times.held = times.waited = 0.0
    times.turns = 0

    async def client() -> None:
        for _ in range(each):
            await one()

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    count = clients * each
    turns = max(1, times.turns)
    print(
        f"clients={clients}: {count / wall:.1f} writes/s, {cpu / count * 1000:.2f} CPU ms a "
        f"write, lock held {times.held / wall:.0%} of the time, "
        f"{times.held / turns * 1000:.2f} ms a turn, waited {times.waited / turns * 1000:.2f} "
        f"ms a turn ({times.turns} turns, the publisher's included)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=160)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lock-writes-") as work:
        url = f"sqlite+aiosqlite:///{Path(work) / 'lock.db'}"
        upgrade(url)
        asyncio.run(measure(url, arguments.writes, arguments.rounds))


if __name__ == "__main__":
    main()
