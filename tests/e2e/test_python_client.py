"""The generated Python client in clients/python, in its own virtualenv (clients/python/.venv).

Regenerating it with ariadne-codegen from schema.graphql and playground/operations gives exactly
the committed package, and its demo, run by that virtualenv's Python against a real server,
prints a summary that matches what the API itself says afterwards.

The client's virtualenv is separate from this one (ariadne-codegen 0.19 needs graphql-core < 3.3,
the server 3.3): `.ci/install-clients-py` makes it. Without it these tests are skipped, except
under CI=true, where a missing client virtualenv is a failure.
"""

import difflib
import importlib.util
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.e2e.server import (
    Deployment,
    assert_clean_log,
    clean_environment,
    graphql,
    graphql_ok,
    trusted_only,
)

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CLIENT_DIR = REPO / "clients" / "python"
CLIENT_VENV = CLIENT_DIR / ".venv"
CLIENT_PYTHON = CLIENT_VENV / "bin" / "python"
CODEGEN = CLIENT_VENV / "bin" / "ariadne-codegen"
PACKAGE = "invoicegraph_client"
# What ariadne-codegen reads besides the schema and the operations.
CLIENT_CONFIG_FILES = ("pyproject.toml", "scalars.py")
SUBPROCESS_TIMEOUT_SECONDS = 120.0

# The demo's invoice: 4 x 12500 + (2**53 + 1) + 7500, all paid.
DEMO_TOTAL = str(4 * 12_500 + 2**53 + 1 + 7_500)

INVOICE = """
query DemoInvoice($id: ID!) {
  invoice(invoice: {id: $id}) {
    id
    invoiceId
    status
    version
    balances {
      currency
      payins { expected actual remaining }
      payouts { expected actual remaining }
      net { expected actual remaining }
    }
    payments { amount transaction { id externalId amount } }
    history(first: 20) { totalCount nodes { version } }
  }
}
"""


@pytest.fixture(scope="module", autouse=True)
def client_python() -> Path:
    """The client virtualenv's Python; checked before the module's server starts."""
    needed = (CLIENT_PYTHON, CODEGEN)
    missing = [str(path.relative_to(REPO)) for path in needed if not path.exists()]
    if missing:
        reason = (
            f"the Python client's virtualenv is not installed ({', '.join(missing)} missing): "
            "run .ci/install-clients-py"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    return CLIENT_PYTHON


def client_environment() -> dict[str, str]:
    """A clean environment that writes no bytecode into the repository."""
    environment = clean_environment()
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        environment.pop(name, None)
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return environment


def run(
    command: list[str], cwd: Path, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env={**client_environment(), **(environment or {})},
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        check=False,
    )


def package_files(package: Path) -> dict[str, str]:
    """Every file of a generated package by its path inside it, bytecode left out."""
    return {
        path.relative_to(package).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_regenerating_the_client_gives_the_committed_package(tmp_path: Path) -> None:
    # The same layout as the repository, so that the config's relative paths hold.
    (tmp_path / "playground").mkdir()
    shutil.copy(REPO / "schema.graphql", tmp_path / "schema.graphql")
    shutil.copytree(REPO / "playground" / "operations", tmp_path / "playground" / "operations")
    generated_in = tmp_path / "clients" / "python"
    generated_in.mkdir(parents=True)
    for name in CLIENT_CONFIG_FILES:
        shutil.copy(CLIENT_DIR / name, generated_in / name)

    completed = run([str(CODEGEN), "client"], cwd=generated_in)
    assert completed.returncode == 0, f"{completed.stdout}\n{completed.stderr}"

    committed = package_files(CLIENT_DIR / PACKAGE)
    regenerated = package_files(generated_in / PACKAGE)
    regenerate = f"cd clients/python && .venv/bin/ariadne-codegen client, then commit {PACKAGE}/"
    assert sorted(regenerated) == sorted(committed), f"files differ; run: {regenerate}"
    differences = [
        "".join(
            difflib.unified_diff(
                committed[name].splitlines(keepends=True),
                regenerated[name].splitlines(keepends=True),
                fromfile=f"committed/{name}",
                tofile=f"regenerated/{name}",
            )
        )
        for name in sorted(committed)
        if committed[name] != regenerated[name]
    ]
    assert not differences, f"run: {regenerate}\n" + "\n".join(differences)


def amounts_in(balances: list[dict[str, Any]]) -> list[Any]:
    return [
        balance[side][field]
        for balance in balances
        for side in ("payins", "payouts", "net")
        for field in ("expected", "actual", "remaining")
    ]


def script(name: str) -> ModuleType:
    """One of the client folder's scripts, loaded from its file (it is not a package)."""
    spec = importlib.util.spec_from_file_location(name, CLIENT_DIR / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def trusted(deployed: Deployment) -> Iterator[Deployment]:
    """The deployment's database behind a server that runs only the clients' documents."""
    with trusted_only(deployed) as server:
        yield server


def test_the_manifest_is_what_the_committed_client_sends() -> None:
    committed = json.loads((CLIENT_DIR / "persisted-documents.json").read_text())
    source = (CLIENT_DIR / PACKAGE / "client.py").read_text()
    regenerated = script("trusted_documents").manifest(source)
    assert committed == regenerated, (
        "run: cd clients/python && .venv/bin/python trusted_documents.py"
    )


def test_the_trusted_server_runs_nothing_else(trusted: Deployment, token: str) -> None:
    with httpx.Client(base_url=trusted.base_url, trust_env=False) as http:
        refused = graphql(http, "{ invoices(first: 1) { totalCount } }", token)
    assert refused.errors is not None
    assert [error["extensions"]["code"] for error in refused.errors] == [
        "PERSISTED_QUERY_NOT_IN_LIST"
    ]


def test_demo_runs_against_a_live_server(
    client_python: Path,
    deployed: Deployment,
    trusted: Deployment,
    token: str,
    http: httpx.Client,
    workdir: Path,
) -> None:
    invoice_id = f"py-client-{uuid.uuid4().hex[:12]}"
    completed = run(
        [
            str(client_python), str(CLIENT_DIR / "demo.py"),
            # `=` form: a secret may start with "-", which argparse would take for an option.
            f"--client-id={deployed.client_id}",
            f"--client-secret={deployed.client_secret}",
            "--invoice-id", invoice_id,
        ],
        cwd=workdir,
        # The variable the README and the TypeScript demo name too; a server that runs only
        # the clients' trusted documents, so every document the client sends is in its manifest.
        environment={"INVOICEGRAPH_BASE_URL": trusted.base_url},
    )  # fmt: skip
    assert completed.returncode == 0, (
        f"demo exited {completed.returncode}\n{completed.stdout}\n{completed.stderr}\n"
        f"{deployed.server.output()}"
    )
    summary = json.loads(completed.stdout)

    invoice = graphql_ok(http, INVOICE, token, id=summary["id"])["invoice"]
    assert invoice is not None, summary
    assert invoice["invoiceId"] == summary["invoiceId"] == invoice_id
    assert (summary["status"], summary["version"]) == (invoice["status"], invoice["version"])
    # created (1), tagged by "another writer" (2), the retried update (3), PAID by the payment (4)
    assert (invoice["status"], invoice["version"]) == ("PAID", 4)
    assert summary["versionConflict"] == {"expectedVersion": 1, "currentVersion": 2}
    # The update refused for its stale version wrote nothing: one history entry per version.
    history = invoice["history"]
    assert history["totalCount"] == 4
    assert [node["version"] for node in history["nodes"]] == [4, 3, 2, 1]

    # Balances as the API serves them, decimal strings beyond float precision, unchanged.
    assert summary["balances"] == invoice["balances"]
    assert all(isinstance(amount, str) for amount in amounts_in(summary["balances"]))
    (usd,) = invoice["balances"]
    assert usd["currency"] == "USD"
    assert usd["payins"] == {"expected": DEMO_TOTAL, "actual": DEMO_TOTAL, "remaining": "0"}
    assert usd["net"] == usd["payins"]

    (payment,) = invoice["payments"]
    assert payment["amount"] == DEMO_TOTAL
    assert payment["transaction"] == {
        "id": summary["transaction"]["id"],
        "externalId": summary["transaction"]["externalId"],
        "amount": summary["transaction"]["amount"],
    }
    assert summary["transaction"]["amount"] == DEMO_TOTAL
    assert_clean_log(deployed.server)
    assert_clean_log(trusted.server)
