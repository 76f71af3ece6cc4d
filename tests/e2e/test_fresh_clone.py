"""The README's two commands in a fresh clone with nothing beside it, as a newcomer runs them.

The clone is of the last commit (uncommitted changes are not in it). `make serve` must install
only what serving needs and print working demo credentials; the test set-up (`make lint
typecheck`) must install the rest, and every test must collect and read only files inside the
repository (the contract test included).
"""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import ON_POSTGRES
from tests.e2e.server import (
    STARTUP_TIMEOUT_SECONDS,
    clean_environment,
    free_port,
    get_token,
    graphql_ok,
    http_client,
    printed_demo_credentials,
)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    ON_POSTGRES, reason="the same on both stores (it serves SQLite): runs in the SQLite pass"
)
INSTALL_TIMEOUT_SECONDS = 900


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository's last commit in a folder of its own."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    target = tmp_path_factory.mktemp("alone") / "invoicegraph"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    assert [path.name for path in target.parent.iterdir()] == ["invoicegraph"]
    return target


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_SECONDS,
    )
    assert completed.returncode == 0, f"{command}\n{completed.stdout}\n{completed.stderr}"
    return completed


@pytest.fixture(scope="module")
def served(clone: Path) -> Iterator[tuple[str, str]]:
    """`make serve` in the clone, on a free port: its base URL and what it printed."""
    port = free_port()
    output = clone / "serve.out"
    with output.open("wb") as out:
        process = subprocess.Popen(
            ["make", "serve"],
            cwd=clone,
            env={**clean_environment(), "INVOICEGRAPH_PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + INSTALL_TIMEOUT_SECONDS + STARTUP_TIMEOUT_SECONDS
        with http_client(base_url) as http:
            while process.poll() is None and time.monotonic() < deadline:
                started = "Uvicorn running" in output.read_text(errors="replace")
                if started and http.get("/healthz").status_code == 200:
                    break
                time.sleep(0.2)
        assert process.poll() is None, output.read_text()
        yield base_url, output.read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_make_serve_in_a_fresh_clone_serves_the_demo(served: tuple[str, str]) -> None:
    base_url, printed = served
    credentials = printed_demo_credentials(printed)
    with http_client(base_url) as http:
        token = get_token(http, credentials.client_id, credentials.client_secret)
        data = graphql_ok(http, "{ invoices(first: 10) { totalCount } }", token)
    assert data["invoices"]["totalCount"] == 5


def test_make_serve_installs_no_development_tools(clone: Path, served: tuple[str, str]) -> None:
    for tool in ("pytest", "mypy", "ruff", "playwright", "schemathesis"):
        assert not (clone / ".venv" / "bin" / tool).exists(), tool


def test_the_suite_needs_nothing_outside_the_clone(clone: Path, served: tuple[str, str]) -> None:
    # given the test set-up, run as `make test` starts it
    run(["make", "lint", "typecheck"], clone)
    # then every test collects, and the ones that read the repository's own files pass
    run([".venv/bin/pytest", "--collect-only", "-q"], clone)
    passed = run(
        [
            ".venv/bin/pytest", "-q", "-rs", "-p", "no:cacheprovider",
            "tests/api/test_contract.py", "tests/test_architecture.py", "tests/test_readme.py",
        ],
        clone,
    )  # fmt: skip
    assert " passed" in passed.stdout, passed.stdout
    skips = [line for line in passed.stdout.splitlines() if line.startswith("SKIPPED")]
    # Only the check that keeps contract/ equal to the development setup's upstream copy.
    assert all("no upstream contract" in line for line in skips), skips
