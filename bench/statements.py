"""The SQL a benchmark query sends, with its parameters and its time, and the plans of it:
bench/run.py prints the SQL share of each query's time, and with `--explain` the
EXPLAIN ANALYZE of every statement a query sent, so that a slow query says where it spends.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


@dataclass(slots=True)
class Sent:
    statement: str
    parameters: Any
    seconds: float = 0.0


@dataclass(slots=True)
class Recorded:
    sent: list[Sent] = field(default_factory=list)

    @property
    def sql_ms(self) -> float:
        """Wall time from each statement's send to its rows, summed."""
        return sum(item.seconds for item in self.sent) * 1000


_recording: ContextVar[Recorded | None] = ContextVar("bench_recording", default=None)


@contextmanager
def recording(engine: AsyncEngine) -> Iterator[Recorded]:
    """Every statement the engine runs for the code in the block, timed from send to rows; not
    those of background tasks (the outbox publisher), which run in a context of their own."""
    recorded = Recorded()
    token = _recording.set(recorded)
    started: dict[int, tuple[float, Sent]] = {}

    def before(_c: Any, cursor: Any, statement: str, parameters: Any, *_a: Any) -> None:
        if _recording.get() is not recorded:
            return
        sent = Sent(statement, parameters)
        recorded.sent.append(sent)
        started[id(cursor)] = (time.perf_counter(), sent)

    def after(_c: Any, cursor: Any, *_a: Any) -> None:
        begun = started.pop(id(cursor), None)
        if begun is not None:
            begun[1].seconds = time.perf_counter() - begun[0]

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", before)
    event.listen(sync, "after_cursor_execute", after)
    try:
        yield recorded
    finally:
        event.remove(sync, "before_cursor_execute", before)
        event.remove(sync, "after_cursor_execute", after)
        _recording.reset(token)


def literal(value: Any) -> str | None:
    """`value` as a PostgreSQL literal, for the kinds of parameter the reads send; None for
    any other kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, list) and all(isinstance(item, int) for item in value):
        return "'{" + ",".join(str(item) for item in value) + "}'"
    return None


async def generic_plan(connection: AsyncConnection, sent: Sent) -> str:
    """EXPLAIN ANALYZE of the generic plan PostgreSQL gives a prepared statement from its sixth
    run on when it costs no more than the custom plans did (asyncpg prepares and reuses every
    statement). PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN): this is PREPARE under
    plan_cache_mode = force_generic_plan, then EXPLAIN EXECUTE with the parameters as literals."""
    values = [literal(value) for value in sent.parameters or ()]
    if any(value is None for value in values):
        return "    (a parameter has no literal form here)"
    await connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
    try:
        await connection.exec_driver_sql(f"PREPARE bench_generic AS {sent.statement}")
        arguments = f"({', '.join(str(value) for value in values)})" if values else ""
        result = await connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic{arguments}"
        )
        return "\n".join(f"    {row[0]}" for row in result)
    finally:
        await connection.exec_driver_sql("DEALLOCATE bench_generic")
        await connection.exec_driver_sql("RESET plan_cache_mode")


async def explain(engine: AsyncEngine, recorded: Recorded) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT recorded, each with its statement, run again
    with the same parameters, and on PostgreSQL the same of its generic plan; on SQLite, which
    has no ANALYZE form, EXPLAIN QUERY PLAN."""
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS)" if postgres else "EXPLAIN QUERY PLAN"
    out: list[str] = []
    async with engine.connect() as connection:
        for sent in recorded.sent:
            if not sent.statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            result = await connection.exec_driver_sql(f"{prefix} {sent.statement}", sent.parameters)
            plan = "\n".join(f"    {row[0] if postgres else row[-1]}" for row in result)
            if postgres:
                plan = (
                    f"    custom plan (these parameters):\n{plan}\n    generic plan (a "
                    "prepared statement's from its sixth run, if it costs no more):\n"
                    f"{await generic_plan(connection, sent)}"
                )
            parameters = str(sent.parameters)
            if len(parameters) > 160:
                parameters = f"{parameters[:160]}... ({len(sent.parameters)} in all)"
            out.append(
                f"  -- {sent.seconds * 1000:.1f} ms from send to rows in the run\n"
                f"  {' '.join(sent.statement.split())}\n  parameters: {parameters}\n{plan}"
            )
        await connection.rollback()
    return out
