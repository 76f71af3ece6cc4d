"""The real `invoicegraph` console script: a uvicorn server in a subprocess, and CLI commands.

Every process gets a clean environment (no INVOICEGRAPH_* variables leak in from the shell) and a
working directory of its own, so that nothing lands in the repository. Output is left buffered as
a user's would be: what `serve` prints must reach a file or pipe while the server runs.
"""

import base64
import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backends import (
    ON_POSTGRES,
    create_database,
    drop_database,
    postgres_url,
    require_postgres,
    sqlite_url,
)
from tests.support import GraphQLResponse

INVOICEGRAPH = Path(sys.executable).parent / "invoicegraph"
STARTUP_TIMEOUT_SECONDS = 20.0
POSTGRES_WORKERS = 4
STOP_TIMEOUT_SECONDS = 5.0
CLI_TIMEOUT_SECONDS = 60.0
RACING_ONE_CLIENT = {"INVOICEGRAPH_MAX_REQUESTS_PER_CLIENT": "64"}
"""The concurrency tests race up to 25 requests of one client at one server process: more
than a client's default share (16), which tests/http/test_connections.py tests."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("INVOICEGRAPH_") and key != "PYTHONUNBUFFERED"
    }


# --- CLI ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The JSON the command printed; the command must have succeeded."""
        assert self.returncode == 0, f"exit {self.returncode}\n{self.stdout}\n{self.stderr}"
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: Path, database_url: str | None = None) -> CliResult:
    """Run `invoicegraph ARGS... [--database-url URL]` to completion."""
    command = [str(INVOICEGRAPH), *args]
    if database_url is not None:
        command += ["--database-url", database_url]
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


def create_workspace(name: str, *, cwd: Path, database_url: str) -> str:
    printed = run_cli("workspace", "create", name, "--json", cwd=cwd, database_url=database_url)
    workspace_id: str = printed.json()["id"]
    return workspace_id


def create_client(workspace_id: str, *, cwd: Path, database_url: str) -> tuple[str, str]:
    printed = run_cli(
        "client", "create", "--workspace", workspace_id, "--json",
        cwd=cwd, database_url=database_url,
    )  # fmt: skip
    created = printed.json()
    return created["client_id"], created["client_secret"]


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Server:
    """A running `invoicegraph serve`; its stdout and stderr go to files."""

    process: "subprocess.Popen[bytes]"
    base_url: str
    stdout_path: Path
    stderr_path: Path

    def stdout(self) -> str:
        return self.stdout_path.read_text()

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def output(self) -> str:
        return f"--- stdout ---\n{self.stdout()}\n--- stderr ---\n{self.stderr()}"

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        with httpx.Client(base_url=self.base_url, trust_env=False, timeout=2.0) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    pytest.fail(
                        f"invoicegraph serve exited with {self.process.returncode} before it "
                        f"answered /healthz\n{self.output()}"
                    )
                try:
                    if http.get("/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        pytest.fail(
            f"invoicegraph serve did not answer /healthz within "
            f"{STARTUP_TIMEOUT_SECONDS:.0f} s\n{self.output()}"
        )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within a few seconds."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def running_server(
    database_url: str,
    *,
    demo: bool,
    workdir: Path,
    workers: int = 1,
    environment: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Start `invoicegraph serve` on a free port, wait until it is healthy, stop it afterwards
    (`environment`: INVOICEGRAPH_* settings for it)."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    runs = len(list(workdir.glob("serve-*.stdout")))
    stdout_path = workdir / f"serve-{runs}.stdout"
    stderr_path = workdir / f"serve-{runs}.stderr"
    command = [
        str(INVOICEGRAPH), "serve",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--database-url", database_url,
        "--demo" if demo else "--no-demo",
        "--workers", str(workers),
    ]  # fmt: skip
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env={**clean_environment(), **(environment or {})},
            stdout=out,
            stderr=err,
        )
    server = Server(process, f"http://127.0.0.1:{port}", stdout_path, stderr_path)
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Deployment:
    """A running server with one workspace and one API client made through the CLI."""

    server: Server
    database_url: str
    workdir: Path
    workspace_id: str
    client_id: str
    client_secret: str

    @property
    def base_url(self) -> str:
        return self.server.base_url


@contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    """An empty database of the suite's backend: a SQLite file, or a new PostgreSQL database."""
    if not ON_POSTGRES:
        yield sqlite_url(workdir / "invoicegraph.db")
        return
    require_postgres()
    name = create_database()
    try:
        yield postgres_url(name)
    finally:
        drop_database(name)


@contextmanager
def deployment(workdir: Path) -> Iterator[Deployment]:
    """A fresh database, a workspace and a client made by the CLI, and a server without demo.

    On PostgreSQL the server runs four worker processes, as deployments that outgrow one
    machine do, so every concurrency test also runs across processes.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    with fresh_database(workdir) as database_url:
        workspace_id = create_workspace("E2E billing", cwd=workdir, database_url=database_url)
        client_id, client_secret = create_client(
            workspace_id, cwd=workdir, database_url=database_url
        )
        workers = POSTGRES_WORKERS if ON_POSTGRES else 1
        with running_server(
            database_url,
            demo=False,
            workdir=workdir,
            workers=workers,
            environment=RACING_ONE_CLIENT,
        ) as server:
            yield Deployment(server, database_url, workdir, workspace_id, client_id, client_secret)


@dataclass(frozen=True)
class DemoCredentials:
    client_id: str
    client_secret: str
    token: str


def printed_demo_credentials(stdout: str) -> DemoCredentials:
    """The client id, secret and bearer token that `serve --demo` prints on its first run."""
    found = {
        label: re.search(rf"^\s*{label}:\s+(\S+)", stdout, re.MULTILINE)
        for label in ("client_id", "client_secret", "bearer token")
    }
    missing = [label for label, match in found.items() if match is None]
    assert not missing, f"serve printed no {missing}:\n{stdout}"
    values = {label: match.group(1) for label, match in found.items() if match is not None}
    return DemoCredentials(values["client_id"], values["client_secret"], values["bearer token"])


TRUSTED_MANIFESTS = (
    Path(__file__).resolve().parents[2]
    / "clients/typescript/src/generated/persisted-documents.json",
    Path(__file__).resolve().parents[2] / "clients/python/persisted-documents.json",
)
"""The typed clients' manifests of the documents they send."""


@contextmanager
def trusted_only(deployed: Deployment) -> Iterator[Deployment]:
    """A second server on the deployment's database that runs only the typed clients' documents
    (INVOICEGRAPH_TRUSTED_DOCUMENTS_ONLY), as the deployment's own clients see it."""
    environment = {
        "INVOICEGRAPH_TRUSTED_DOCUMENTS": ",".join(str(path) for path in TRUSTED_MANIFESTS),
        "INVOICEGRAPH_TRUSTED_DOCUMENTS_ONLY": "true",
    }
    workdir = deployed.workdir / "trusted"
    with running_server(
        deployed.database_url, demo=False, workdir=workdir, environment=environment
    ) as server:
        yield dataclasses.replace(deployed, server=server)


# --- HTTP ---------------------------------------------------------------------------------------


def http_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, trust_env=False, timeout=30.0)


def async_http_client(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=60.0)


def basic_auth(client_id: str, client_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


def token_response(http: httpx.Client, client_id: str, client_secret: str) -> httpx.Response:
    return http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic_auth(client_id, client_secret)},
    )


def get_token(http: httpx.Client, client_id: str, client_secret: str) -> str:
    """An access token from POST /oauth2/token (client credentials); the grant must succeed."""
    response = token_response(http, client_id, client_secret)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    token: str = body["access_token"]
    return token


def graphql(
    http: httpx.Client, document: str, token: str | None, **variables: Any
) -> GraphQLResponse:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = http.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers
    )
    return GraphQLResponse(status=response.status_code, body=response.json())


def graphql_ok(http: httpx.Client, document: str, token: str, **variables: Any) -> Any:
    """Run a query that must succeed; return its data."""
    result = graphql(http, document, token, **variables)
    assert result.status == 200, result.body
    assert result.errors is None, result.errors
    return result.data


def assert_clean_log(server: Server) -> None:
    """No lock failures and no tracebacks in what the server wrote to stderr."""
    log = server.stderr()
    assert "database is locked" not in log, log
    assert "traceback" not in log.lower(), log
