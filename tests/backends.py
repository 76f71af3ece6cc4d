"""Which database the suite runs on: SQLite files (default) or a real PostgreSQL server.

`INVOICEGRAPH_TEST_BACKEND=postgresql` runs every test on PostgreSQL, each in a database of its
own cloned from a migrated template. Locally, without a reachable server, that run skips with
the reason; under CI=true it fails instead, so a CI run can never pass without PostgreSQL.
"""

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

BACKEND = os.environ.get("INVOICEGRAPH_TEST_BACKEND", "sqlite")
POSTGRES_URL = os.environ.get(
    "INVOICEGRAPH_TEST_POSTGRES_URL",
    "postgresql+asyncpg://invoicegraph:invoicegraph@127.0.0.1:5432/postgres",
)
ON_POSTGRES = BACKEND == "postgresql"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _dsn(database: str) -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def postgres_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(_dsn(make_url(POSTGRES_URL).database or "postgres"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def run_admin(statement: str) -> None:
    """Run one statement as the admin, also from inside a running event loop (in a thread)."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, _admin(statement)).result()


def require_postgres() -> None:
    """Skip (or, under CI, fail) when the PostgreSQL server cannot be reached."""
    try:
        run_admin("SELECT 1")
    except (OSError, asyncpg.PostgresError) as error:
        reason = f"PostgreSQL is not reachable at {make_url(POSTGRES_URL).host}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI must run the PostgreSQL suite)")
        pytest.skip(reason)


def create_database(*, template: str | None = None) -> str:
    """A new, empty (or cloned) PostgreSQL database; returns its name."""
    name = f"ig_{uuid.uuid4().hex[:16]}"
    clone = f" TEMPLATE {template}" if template else ""
    run_admin(f"CREATE DATABASE {name}{clone}")
    return name


def drop_database(name: str) -> None:
    run_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
