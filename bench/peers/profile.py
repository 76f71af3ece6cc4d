"""Where a benchmark query's time goes inside invoicegraph: the peer data set in PostgreSQL,
the whole app in this process (ASGI, no sockets), one query repeated under pyinstrument.

    python -m bench.peers.profile q100 --repeat 30 [--load]

Prints the CPU milliseconds per request, the SQL statements per request, and the profile.
"""

import argparse
import asyncio
import time
from typing import Any

import httpx
from pyinstrument import Profiler
from sqlalchemy import event, text

from bench.cpu import cpu_ms_each, summary
from bench.peers.data import Postgres, load
from bench.peers.queries import OURS_CURSORS, QUERIES
from invoicegraph.admin.workspaces import create_client
from invoicegraph.http.app import create_app
from invoicegraph.http.runtime import tune_gc
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database

DATABASE = "invoicegraph_profile"


async def run(name: str, repeat: int, reload: bool) -> None:
    pg = Postgres()
    loaded = await load(pg, DATABASE) if reload else None
    settings = Settings(database_url=pg.sqlalchemy_url(DATABASE), signing_key="profile" * 8)
    app = create_app(settings)
    tune_gc()  # as `invoicegraph serve` does
    async with app.router.lifespan_context(app):
        db: Database = app.state.db
        if loaded is None:  # a data set loaded by an earlier run: a new client for it
            client = await create_client(db, workspace_public_id=await db_workspace(db))
            assert client is not None
            client_id, secret = client.client_id, client.client_secret
        else:
            client_id, secret = loaded.client_id, loaded.client_secret
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://profile") as http:
            token = (
                await http.post(
                    "/oauth2/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client_id, secret),
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            query = next(q for q in QUERIES if q.name == name)
            variables: dict[str, Any] = {}
            if name == "q1":
                variables = {"key": "inv-000001"}
            elif name == "q1000":
                after = None
                for n in (200, 400, 600, 800):
                    body = await http.post(
                        "/graphql",
                        json={"query": OURS_CURSORS, "variables": {"after": after}},
                        headers=headers,
                    )
                    after = body.json()["data"]["invoices"]["pageInfo"]["endCursor"]
                    variables[f"a{n}"] = after

            async def once() -> None:
                response = await http.post(
                    "/graphql", json={"query": query.ours, "variables": variables}, headers=headers
                )
                body = response.json()
                assert "errors" not in body, str(body)[:500]

            for _ in range(3):
                await once()
            statements = 0
            profiler = Profiler(interval=0.0005, async_mode="disabled")
            started = time.process_time()
            profiler.start()
            for _ in range(repeat):
                await once()
            profiler.stop()
            cpu = (time.process_time() - started) / repeat * 1000
            print(profiler.output_text(unicode=False, color=False, show_all=False))
            print(
                f"{name}: {cpu:.2f} CPU ms per request (profiled), "
                f"{statements / repeat:.1f} statements per request"
            )
            each = await cpu_ms_each(once, repeat)
            print(
                f"{name}: CPU ms per request unprofiled, the client's share included: "
                f"{summary(each)}"
            )


async def db_workspace(db: Database) -> str:
    async with db.read() as session:
        connection = await session.connection()
        result = await connection.execute(text("SELECT public_id FROM workspaces LIMIT 1"))
        return str(result.scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("query", choices=[q.name for q in QUERIES])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--load", action="store_true", help="(re)load the data set first (once)")
    arguments = parser.parse_args()
    asyncio.run(run(arguments.query, arguments.repeat, arguments.load))


if __name__ == "__main__":
    main()
