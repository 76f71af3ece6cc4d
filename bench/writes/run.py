"""Write throughput through HTTP against a real `invoicegraph serve`, beside the raw storage
floor for the same rows, on SQLite and on PostgreSQL, driven by wrk.

    python -m bench.writes.run [--store sqlite|postgresql|both] [--seconds 5] [--warmup 1]

Per store:
- the floor (bench/writes/floor.py): one new invoice's rows (invoice, 2 tags, 3 line items, the
  version-1 snapshot, the search row, the outbox event) written with the raw driver, one
  transaction per invoice, one connection, with the server's durability settings, into a
  fresh migrated database;
- a fresh database, a workspace and a client made with the CLI, and `invoicegraph serve
  --no-demo --no-access-log` (SQLite: one process, its default; PostgreSQL: `--workers 2`),
  with a token from /oauth2/token;
- with wrk (bench/writes/writes.lua; a different body on every request), each after an
  unrecorded warm-up: `createInvoice` (3 line items, 2 tags, a new invoiceId each) at 1 and 8
  connections; `createInvoices` of 500 such invoices at 1 connection (rps is invoices/s);
  `updateInvoice` of one line item's price, each request on another invoice made beforehand
  (createInvoices) at its version 1, at 1 and 8 connections; `recordTransaction` of 1 cent
  allocated to one of 2,000 invoices made beforehand, cycling, at 1 and 8 connections.

rps = successful answers / (time from wrk's start to the last successful answer): wrk drops the
requests still in flight at its deadline. A success is HTTP 200 without "errors" and with the
operation's success type (a new invoice, version 2, a new transaction). Any other answer, any
socket error or timeout, and rows written that do not match (between the successes counted and
the requests sent: the dropped ones may still commit) fail the run, as does "database is
locked" or a traceback in the server's log; the figures are printed all the same, marked.

over_floor = rps / the floor's invoices/s on the same store. The server's CPU (its process
tree) and, on PostgreSQL, the benchmark database's backends' CPU, per write (per invoice for
the create operations), are in the table: wrk runs on the same machine and takes CPU too.

Ends with one line per (store, op, conns):

    writes store=sqlite op=createInvoice conns=8 rps=612.0 over_floor=0.087
"""

import argparse
import asyncio
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.peers.data import Postgres, drop_database, recreate_database
from bench.peers.run import (
    TICKS,
    Ticks,
    backend_cpu_ticks,
    free_port,
    load_average,
    ticks_since,
    tree_cpu_ticks,
)
from bench.processes import stop_process_group
from bench.writes.floor import FloorRun, postgres_floor, sqlite_floor
from bench.writes.shapes import (
    BATCH,
    CREATE_INVOICE,
    CREATE_INVOICES,
    ITEMS,
    PRECREATE_INVOICES,
    RECORD_TRANSACTION,
    UPDATE_INVOICE,
    UPDATED_ITEM,
    customer,
    invoice_input,
    invoice_template,
)

HERE = Path(__file__).parent
LUA = HERE / "writes.lua"
INVOICEGRAPH = Path(sys.executable).with_name("invoicegraph")
PG_WORKERS = 2
CONNECTIONS = (1, 8)
TRANSACTION_INVOICES = 2_000
"""Invoices recordTransaction cycles over."""
POOL_FACTOR = 3
"""Invoices made for an update run: this many times what the createInvoice rate suggests."""

DOCUMENTS = {
    "createInvoice": CREATE_INVOICE,
    "createInvoices": CREATE_INVOICES,
    "updateInvoice": UPDATE_INVOICE,
    "recordTransaction": RECORD_TRANSACTION,
}


def clean_environment() -> dict[str, str]:
    """No INVOICEGRAPH_* variable of the caller's shell changes the server's settings."""
    return {key: value for key, value in os.environ.items() if not key.startswith("INVOICEGRAPH_")}


def invoicegraph(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [str(INVOICEGRAPH), *args], env=clean_environment(), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"invoicegraph {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


# --- the stores -------------------------------------------------------------------------------


@dataclass
class Store:
    name: str
    server_url: str
    """The server's database, as --database-url takes it."""
    workers: int
    count: Callable[[], dict[str, int]]
    """Rows written so far, read beside the server."""
    backend_ticks: Callable[[], Ticks]
    """CPU of the database's own processes (PostgreSQL backends; nothing for SQLite)."""
    floor: Callable[[], FloorRun]
    settings: str


COUNTS = {
    "invoices": "SELECT count(*) FROM invoices",
    "updates": "SELECT count(*) FROM invoice_versions WHERE version = 2",
    "transactions": "SELECT count(*) FROM transactions",
    "payments": "SELECT count(*) FROM payments",
}


@contextmanager
def sqlite_store(work: Path, seconds: int, warmup: int) -> Iterator[Store]:
    server_file = work / "server.db"
    floor_file = work / "floor.db"

    def count() -> dict[str, int]:
        db = sqlite3.connect(f"file:{server_file}?mode=ro", uri=True)
        try:
            return {name: db.execute(sql).fetchone()[0] for name, sql in COUNTS.items()}
        finally:
            db.close()

    yield Store(
        name="sqlite",
        server_url=f"sqlite+aiosqlite:///{server_file}",
        workers=1,
        count=count,
        backend_ticks=dict,
        floor=lambda: sqlite_floor(floor_file, seconds=seconds, warmup=warmup),
        settings=f"SQLite {sqlite3.sqlite_version}, journal_mode=WAL, synchronous=FULL "
        f"(the server's default), files in {work}",
    )


@contextmanager
def postgres_store(seconds: int, warmup: int, keep: bool) -> Iterator[Store]:
    pg = Postgres()
    server_db, floor_db = "bench_writes_server", "bench_writes_floor"

    async def prepare() -> str:
        await recreate_database(pg, server_db)
        await recreate_database(pg, floor_db)
        connection = await asyncpg.connect(pg.dsn(server_db))
        try:
            shown = [
                f"{name}={await connection.fetchval(f'SHOW {name}')}"
                for name in ("fsync", "synchronous_commit", "wal_sync_method", "shared_buffers")
            ]
            version = str(await connection.fetchval("SHOW server_version")).split()[0]
        finally:
            await connection.close()
        return f"PostgreSQL {version}, {', '.join(shown)}"

    async def count_async() -> dict[str, int]:
        connection = await asyncpg.connect(pg.dsn(server_db))
        try:
            return {name: int(await connection.fetchval(sql)) for name, sql in COUNTS.items()}
        finally:
            await connection.close()

    settings = asyncio.run(prepare())
    try:
        yield Store(
            name="postgresql",
            server_url=pg.sqlalchemy_url(server_db),
            workers=PG_WORKERS,
            count=lambda: asyncio.run(count_async()),
            backend_ticks=lambda: backend_cpu_ticks(server_db),
            floor=lambda: postgres_floor(
                pg.sqlalchemy_url(floor_db), pg.dsn(floor_db), seconds=seconds, warmup=warmup
            ),
            settings=settings,
        )
    finally:
        if not keep:
            asyncio.run(drop_database(pg, server_db))
            asyncio.run(drop_database(pg, floor_db))


# --- the server -------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    authorization: str = ""

    def stop(self) -> None:
        stop_process_group(self.process)

    def log_problems(self) -> tuple[list[str], int]:
        """Lines of the server's log that make the run fail ("database is locked", errors and
        tracebacks), and the number of tracebacks left out because they are only wrk hanging
        up at its deadline on a request whose body the server was still reading
        (starlette's ClientDisconnect: no write was refused)."""
        problems: list[str] = []
        hang_ups = 0
        lines = self.log.read_text(errors="replace").splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            if line.startswith("Traceback"):
                end = index + 1
                while end < len(lines) and (lines[end][:1].isspace() or not lines[end]):
                    end += 1
                last = lines[end] if end < len(lines) else "(end of log)"
                if last.startswith("starlette.requests.ClientDisconnect"):
                    hang_ups += 1
                else:
                    problems.append(f"traceback ending in {last}")
                index = end + 1
                continue
            before_traceback = index + 1 < len(lines) and lines[index + 1].startswith("Traceback")
            if "database is locked" in line or ("ERROR" in line and not before_traceback):
                problems.append(line)
            index += 1
        return problems, hang_ups


def start_server(store: Store, work: Path) -> Server:
    workspace = invoicegraph(
        "workspace", "create", "bench writes", "--json", "--database-url", store.server_url
    )
    client = invoicegraph(
        "client", "create", "--workspace", workspace["id"], "--json",
        "--database-url", store.server_url,
    )  # fmt: skip
    port = free_port()
    log = work / f"serve-{store.name}.log"
    command = [
        str(INVOICEGRAPH), "serve", "--no-demo", "--no-access-log",
        "--database-url", store.server_url, "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    if store.workers > 1:
        command += ["--workers", str(store.workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=clean_environment(), cwd=work, start_new_session=True,
        )  # fmt: skip
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise SystemExit(f"invoicegraph serve exited with {process.returncode}:\n"
                             + log.read_text())  # fmt: skip
        try:
            if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise SystemExit(f"invoicegraph serve did not answer within 90 s; see {log}")
        time.sleep(0.2)
    answer = httpx.post(
        f"{server.base}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(client["client_id"], client["client_secret"]),
    )
    answer.raise_for_status()
    server.authorization = f"Bearer {answer.json()['access_token']}"
    return server


def settle(server: Server, store: Store) -> None:
    """Until the server and the database are idle: requests in flight when wrk stopped are
    finished, and the outbox publisher has caught up."""
    deadline = time.monotonic() + 120

    def sample() -> Ticks:
        found = store.backend_ticks()
        found.update(tree_cpu_ticks(server.process.pid))
        return found

    while time.monotonic() < deadline:
        before = sample()
        time.sleep(0.3)
        if ticks_since(before, sample()) <= 2:
            return
    print("# warning: the server was still busy after 120 s", flush=True)


@dataclass(frozen=True, slots=True)
class Made:
    """An invoice made beforehand: its id, the id of the line item updates change, its
    customer (whom a transaction's allocation names)."""

    invoice: str
    line_item: str
    customer: str


def precreate(server: Server, purpose: str, count: int) -> list[Made]:
    """`count` invoices of the benchmark's shape through createInvoices, 500 a request."""
    made: list[Made] = []
    batches = math.ceil(count / BATCH)
    with httpx.Client(base_url=server.base, timeout=300) as http:
        for batch in range(batches):
            numbers = range(batch * BATCH, min(count, (batch + 1) * BATCH))
            invoices = [invoice_input(f"pre-{purpose}-{n}", n) for n in numbers]
            answer = http.post(
                "/graphql",
                json={"query": PRECREATE_INVOICES, "variables": {"input": {"invoices": invoices}}},
                headers={"Authorization": server.authorization},
            )
            body = answer.json()
            result = (body.get("data") or {}).get("createInvoices") or {}
            if (
                answer.status_code != 200
                or "errors" in body
                or (result.get("createdCount") != len(invoices))
            ):
                raise SystemExit(f"pre-creating invoices failed: {answer.text[:1000]}")
            for n, item in zip(numbers, result["results"], strict=True):
                invoice = item["invoice"]
                seats = [
                    li["id"]
                    for li in invoice["lineItems"]
                    if li["description"] == ITEMS[UPDATED_ITEM].description
                ]
                assert len(seats) == 1, invoice
                made.append(Made(invoice["id"], seats[0], customer(n)))
    return made


# --- wrk --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Wrk:
    ok: int
    bad: int
    sent: int
    exhausted: int
    window_s: float
    p50_ms: float
    p99_ms: float
    socket_errors: dict[str, int]
    sample: str


def wrk(server: Server, op: str, conns: int, seconds: int, tag: str, data: Path, work: Path) -> Wrk:
    query = work / f"{op}.query.json"
    query.write_text(json.dumps(" ".join(DOCUMENTS[op].split())))
    threads = min(conns, 2)
    command = [
        "wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "--timeout", "60s",
        "-s", str(LUA), f"{server.base}/graphql",
        "--", op, str(query), str(data), tag, str(threads), server.authorization, str(BATCH),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRITES ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    head, _, sample = line.partition(" sample=")
    fields = dict(part.split("=", 1) for part in head.split()[1:])
    number = {key: int(value) for key, value in fields.items()}
    return Wrk(
        ok=number["ok"],
        bad=number["bad"],
        sent=number["sent"],
        exhausted=number["exhausted"],
        window_s=number["window_us"] / 1e6,
        p50_ms=number["p50_us"] / 1000,
        p99_ms=number["p99_us"] / 1000,
        socket_errors={
            key: number[key] for key in ("connect", "read", "write", "timeout") if number[key]
        },
        sample=sample.strip(),
    )


# --- one measurement --------------------------------------------------------------------------


@dataclass
class Result:
    op: str
    conns: int
    rps: float
    p50_ms: float
    p99_ms: float
    ok: int
    written: int
    server_ms: float
    """Server CPU ms per write unit (invoice, update, transaction)."""
    db_ms: float
    problems: list[str] = field(default_factory=list)


UNIT = {"createInvoice": 1, "createInvoices": BATCH, "updateInvoice": 1, "recordTransaction": 1}
COUNTED = {
    "createInvoice": "invoices",
    "createInvoices": "invoices",
    "updateInvoice": "updates",
    "recordTransaction": "transactions",
}


@dataclass(frozen=True, slots=True)
class Recorded:
    wrk: Wrk
    written: int
    """Rows the run wrote (invoices, versions 2, transactions), counted in the database."""
    server_ms: float
    db_ms: float
    problems: list[str]


@dataclass
class Bench:
    store: Store
    server: Server
    work: Path
    seconds: int
    warmup: int
    runs: int = 0

    def data_file(self, name: str, made: list[Made] | None) -> Path:
        path = self.work / f"{self.store.name}-{name}.txt"
        if made is None:
            path.write_text(invoice_template())
        else:
            updates = name.startswith("update")
            path.write_text(
                "".join(f"{m.invoice} {m.line_item if updates else m.customer}\n" for m in made)
            )
        return path

    def run(self, op: str, conns: int, data: Path, seconds: int) -> Recorded:
        """One recorded wrk run: its figures, the rows it wrote, and CPU ms of the server and
        the database's backends over it (up to when both are idle again)."""
        self.runs += 1
        settle(self.server, self.store)
        before = self.store.count()
        server_ticks = tree_cpu_ticks(self.server.process.pid)
        db_ticks = self.store.backend_ticks()
        run = wrk(self.server, op, conns, seconds, f"{self.runs}", data, self.work)
        settle(self.server, self.store)
        server_ms = ticks_since(server_ticks, tree_cpu_ticks(self.server.process.pid))
        db_ms = ticks_since(db_ticks, self.store.backend_ticks())
        after = self.store.count()
        written = after[COUNTED[op]] - before[COUNTED[op]]
        problems = []
        if op == "recordTransaction" and after["payments"] - before["payments"] != written:
            paid = after["payments"] - before["payments"]
            problems.append(f"{written} transactions written with {paid} payments")
        to_ms = 1000 / TICKS
        return Recorded(run, written, server_ms * to_ms, db_ms * to_ms, problems)

    def measure(
        self, op: str, conns: int, pool: Callable[[str, int], Path] | None = None
    ) -> Result:
        """Warm up (not recorded), then the recorded run; an update run whose invoices ran out
        is repeated with more of them, one that completed nothing runs twice as long."""
        seconds = self.seconds
        problems: list[str] = []
        for attempt in range(3):
            warm = pool("warm", attempt) if pool else self.data_file("template", None)
            self.runs += 1
            settle(self.server, self.store)
            warming = wrk(self.server, op, conns, self.warmup, f"{self.runs}w", warm, self.work)
            if warming.bad:
                problems.append(
                    f"warm-up: {warming.bad} answers were not successes; first: {warming.sample}"
                )
            data = pool("run", attempt) if pool else warm
            recorded = self.run(op, conns, data, seconds)
            run = recorded.wrk
            if run.exhausted:
                print(f"# {op} conns={conns}: ran out of invoices at version 1; again with more")
                continue
            if run.ok == 0 and run.bad == 0:
                seconds *= 2
                print(f"# {op} conns={conns}: nothing completed; again for {seconds} s")
                continue
            break
        unit, written = UNIT[op], recorded.written
        problems += recorded.problems
        if run.exhausted:
            problems.append("ran out of pre-created invoices three times")
        if run.bad:
            problems.append(f"{run.bad} answers were not successes; first: {run.sample}")
        if run.socket_errors:
            problems.append(f"socket errors {run.socket_errors}")
        if run.ok == 0:
            problems.append("no request succeeded")
        if not run.ok * unit <= written <= run.sent * unit:
            problems.append(
                f"{written} rows written for {run.ok} successes counted of {run.sent} sent "
                f"(x{unit})"
            )
        units = max(written, 1)
        return Result(
            op=op,
            conns=conns,
            rps=run.ok * unit / run.window_s if run.window_s > 0 else 0.0,
            p50_ms=run.p50_ms,
            p99_ms=run.p99_ms,
            ok=run.ok,
            written=written,
            server_ms=recorded.server_ms / units,
            db_ms=recorded.db_ms / units,
            problems=problems,
        )


def bench_store(
    store: Store, work: Path, seconds: int, warmup: int
) -> tuple[FloorRun, list[Result]]:
    print(f"\n# {store.name}: {store.settings}", flush=True)
    floor = store.floor()
    print(
        f"# {store.name} floor: {floor.invoices} invoices in {floor.seconds:.1f} s, "
        f"{floor.rps:.1f}/s; load average {load_average()}",
        flush=True,
    )
    server = start_server(store, work)
    workers = f" --workers {store.workers}" if store.workers > 1 else ""
    print(f"# invoicegraph serve --no-demo --no-access-log{workers} on {store.server_url}")
    bench = Bench(store, server, work, seconds, warmup)
    results: list[Result] = []

    def report(result: Result) -> None:
        results.append(result)
        flag = "" if not result.problems else "  FAILED: " + "; ".join(result.problems)
        print(
            f"# {store.name} {result.op} conns={result.conns}: {result.rps:.1f}/s, "
            f"{result.written} written; load average {load_average()}{flag}",
            flush=True,
        )

    try:
        for conns in CONNECTIONS:
            report(bench.measure("createInvoice", conns))
        report(bench.measure("createInvoices", 1))
        created = {r.conns: r.rps for r in results if r.op == "createInvoice"}
        for conns in CONNECTIONS:

            def updates(phase: str, attempt: int, conns: int = conns) -> Path:
                span = warmup if phase == "warm" else seconds
                need = int(created[conns] * span * POOL_FACTOR * 2**attempt) + 100
                made = precreate(server, f"u{conns}-{phase}-{attempt}", need)
                return bench.data_file(f"update-{conns}-{phase}-{attempt}", made)

            report(bench.measure("updateInvoice", conns, updates))
        made = precreate(server, "txn", TRANSACTION_INVOICES)
        pool = bench.data_file("transactions", made)
        for conns in CONNECTIONS:
            report(bench.measure("recordTransaction", conns, lambda _phase, _attempt: pool))
        settle(server, store)
    finally:
        server.stop()
    problems, hang_ups = server.log_problems()
    if hang_ups:
        print(f"# {store.name} server log: {hang_ups} tracebacks of ClientDisconnect (wrk hanging "
              "up at its deadline on requests not yet read), not counted as failures")  # fmt: skip
    for line in problems[:20]:
        results[-1].problems.append(f"server log: {line}")
    return floor, results


# --- the report -------------------------------------------------------------------------------


def table(store: str, floor: FloorRun, results: list[Result]) -> None:
    print(
        f"\n{store}: rps = invoices/s for the floor and createInvoices; ms/op = CPU ms per write "
        "(per invoice for creates) of the server processes (srv) and PostgreSQL backends (db)"
    )
    header = (
        f"{'op':<19}{'conns':>6}{'rps':>10}{'p50 ms':>9}{'p99 ms':>9}{'over_floor':>12}"
        f"{'written':>9}{'srv ms/op':>11}{'db ms/op':>10}"
    )
    print(header)
    print("-" * len(header))
    print(
        f"{'floor':<19}{1:>6}{floor.rps:>10.1f}{floor.p50_ms:>9.2f}{floor.p99_ms:>9.2f}"
        f"{1.0:>12.3f}{floor.invoices:>9}"
    )
    for r in results:
        mark = "  FAILED" if r.problems else ""
        print(
            f"{r.op:<19}{r.conns:>6}{r.rps:>10.1f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
            f"{r.rps / floor.rps:>12.3f}{r.written:>9}{r.server_ms:>11.2f}{r.db_ms:>10.2f}{mark}"
        )


def versions() -> str:
    banner = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    wrk_version = (banner.stdout or banner.stderr).split("[")[0].strip()
    return f"Python {sys.version.split()[0]}, {wrk_version}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per recorded wrk run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up before each")
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and the scratch directory"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: run bench/writes/install first")
    stores = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    started = time.monotonic()
    print(
        f"# machine: {os.cpu_count()} CPUs, load average at start {load_average()}; {versions()}",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    measured: dict[str, tuple[FloorRun, list[Result]]] = {}
    try:
        for name in stores:
            if name == "sqlite":
                with sqlite_store(work, args.seconds, args.warmup) as store:
                    measured[name] = bench_store(store, work, args.seconds, args.warmup)
            else:
                with postgres_store(args.seconds, args.warmup, args.keep) as store:
                    measured[name] = bench_store(store, work, args.seconds, args.warmup)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"\n# load average at end: {load_average()}; took {time.monotonic() - started:.0f} s",
    )
    for name, (floor, results) in measured.items():
        table(name, floor, results)
    print()
    problems: list[str] = []
    for name, (floor, results) in measured.items():
        print(f"writes store={name} op=floor conns=1 rps={floor.rps:.1f} over_floor=1.000")
        for r in results:
            print(
                f"writes store={name} op={r.op} conns={r.conns} rps={r.rps:.1f} "
                f"over_floor={r.rps / floor.rps:.3f}"
            )
            problems += [f"{name} {r.op} conns={r.conns}: {p}" for p in r.problems]
    if problems:
        print("\nFAILED: these figures are not honest until the following are fixed:")
        for problem in problems:
            print(f"  {problem}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
