"""The typed TypeScript client in clients/typescript, against a real `invoicegraph serve`.

- `npm run generate` (graphql-codegen's client preset over schema.graphql and
  playground/operations) in a copy of the client reproduces the committed src/generated exactly;
- `npm run typecheck` (tsc --strict) passes, and the hand-written sources declare no `any`;
- `npm run demo` runs its whole flow (token, create, an update under a stale version that
  conflicts, refetch and retry, a payment, read back) and the JSON summary it prints matches what
  the API reads back afterwards; on an unexpected outcome it exits non-zero and prints no summary.

Needs node >= 20, npm and clients/typescript/node_modules (`.ci/install-clients-ts`). Without them
the tests are skipped, except on CI (CI=true), where they fail.
"""

import difflib
import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from tests.e2e.server import (
    Deployment,
    assert_clean_log,
    clean_environment,
    graphql_ok,
    trusted_only,
)

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CLIENT_DIR = REPO / "clients" / "typescript"
GENERATED = Path("src") / "generated"
# What `npm run generate` reads besides the client's own files, relative to the repository.
CODEGEN_INPUTS = ("schema.graphql", "playground/operations")
CLIENT_CONFIG_FILES = ("package.json", "codegen.ts", "tsconfig.json")
REQUIRED_BINARIES = ("graphql-codegen", "tsc")
MIN_NODE_MAJOR = 20
NPM_TIMEOUT_SECONDS = 180.0

# The demo's invoice: 5 x 125.00 of work (4 at creation, 5 after the retried update), 49.00 of
# hosting and 75.00 of support added by the retried update, all PAYIN in USD.
EXPECTED_PAYINS = 62500 + 4900 + 7500

# Any type annotation or assertion that uses `any`, in the hand-written TypeScript.
ANY_TYPE = re.compile(r"(?::|\bas|<|,|\||&|=>)\s*any\b|\bany\s*(?:\[\]|>)")

READ_BACK = """
query ReadBack($invoiceId: String!) {
  invoice(invoice: {invoiceId: $invoiceId}) {
    id
    invoiceId
    status
    version
    tags { key value }
    lineItems { description price { amount quantity unitPrice } }
    balances {
      currency
      payins { expected actual remaining }
      payouts { expected actual remaining }
      net { expected actual remaining }
    }
    payments { type amount currency transaction { externalId amount } }
    history(first: 20) { totalCount nodes { version status } }
  }
}
"""


def unavailable(reason: str) -> NoReturn:
    """Skip locally; on CI the TypeScript client must be checked, so fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"{reason} (CI=true, so the TypeScript client may not be skipped)",
            pytrace=False,
        )
    pytest.skip(reason)


@dataclass(frozen=True)
class Npm:
    executable: str

    def run(
        self, *args: str, cwd: Path, env: dict[str, str] | None = None
    ) -> "subprocess.CompletedProcess[str]":
        """`npm run --silent ARGS...`: stdout holds only what the script itself prints."""
        return subprocess.run(
            [self.executable, "run", "--silent", *args],
            cwd=cwd,
            env=clean_environment() if env is None else env,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
            check=False,
        )


def output(completed: "subprocess.CompletedProcess[str]") -> str:
    return (
        f"exit {completed.returncode}\n--- stdout ---\n{completed.stdout}\n"
        f"--- stderr ---\n{completed.stderr}"
    )


@pytest.fixture(scope="module")
def npm() -> Npm:
    """npm with the client's packages installed; skips (or fails on CI) when any is missing."""
    node = shutil.which("node")
    npm_executable = shutil.which("npm")
    if node is None or npm_executable is None:
        unavailable("node and npm must be on PATH to build and run the TypeScript client")
    printed = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    major = re.match(r"v(\d+)\.", printed)
    if major is None or int(major.group(1)) < MIN_NODE_MAJOR:
        unavailable(f"node {printed.strip()!r} is older than {MIN_NODE_MAJOR}")
    for binary in REQUIRED_BINARIES:
        if not (CLIENT_DIR / "node_modules" / ".bin" / binary).exists():
            unavailable(
                f"clients/typescript/node_modules/.bin/{binary} is missing; "
                "run .ci/install-clients-ts"
            )
    return Npm(npm_executable)


# --- generated code and types -------------------------------------------------------------------


def tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_regenerating_gives_the_committed_code(npm: Npm, tmp_path: Path) -> None:
    """graphql-codegen, run on a copy of the client with the same inputs, writes the same files."""
    for name in CODEGEN_INPUTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / name)
    copy = tmp_path / "clients" / "typescript"
    copy.mkdir(parents=True)
    for name in CLIENT_CONFIG_FILES:
        shutil.copy2(CLIENT_DIR / name, copy / name)
    (copy / "node_modules").symlink_to(CLIENT_DIR / "node_modules", target_is_directory=True)

    completed = npm.run("generate", cwd=copy)
    assert completed.returncode == 0, output(completed)

    committed = tree(CLIENT_DIR / GENERATED)
    regenerated = tree(copy / GENERATED)
    assert committed, f"nothing committed in clients/typescript/{GENERATED}"
    assert sorted(regenerated) == sorted(committed), "run `npm run generate` in clients/typescript"
    stale = {
        name: "".join(
            difflib.unified_diff(
                committed[name].splitlines(keepends=True),
                regenerated[name].splitlines(keepends=True),
                f"committed/{name}",
                f"regenerated/{name}",
            )
        )
        for name in committed
        if committed[name] != regenerated[name]
    }
    assert not stale, "run `npm run generate` in clients/typescript:\n" + "\n".join(stale.values())


def test_typecheck_passes_without_any(npm: Npm) -> None:
    """tsc --strict accepts the client, and its hand-written code declares no `any`."""
    completed = npm.run("typecheck", cwd=CLIENT_DIR)
    assert completed.returncode == 0, output(completed)

    generated = CLIENT_DIR / GENERATED
    sources = [
        path for path in sorted((CLIENT_DIR / "src").rglob("*.ts")) if generated not in path.parents
    ]
    assert sources, "no hand-written TypeScript in clients/typescript/src"
    uses_any = [
        f"{path.relative_to(CLIENT_DIR)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ANY_TYPE.search(line)
    ]
    assert not uses_any, "\n".join(uses_any)


# --- the demo against a live server -------------------------------------------------------------


def demo_environment(deployed: Deployment, *, client_secret: str) -> dict[str, str]:
    return {
        **clean_environment(),
        "INVOICEGRAPH_BASE_URL": deployed.base_url,
        "INVOICEGRAPH_CLIENT_ID": deployed.client_id,
        "INVOICEGRAPH_CLIENT_SECRET": client_secret,
    }


@pytest.fixture(scope="module")
def trusted(deployed: Deployment) -> Iterator[Deployment]:
    """The deployment's database behind a server that runs only the clients' trusted documents:
    the demo sends each document by the hash codegen gave it, and nothing else would run."""
    with trusted_only(deployed) as server:
        yield server


def run_demo(
    npm: Npm, deployed: Deployment, *args: str, client_secret: str | None = None
) -> "subprocess.CompletedProcess[str]":
    secret = deployed.client_secret if client_secret is None else client_secret
    return npm.run(
        "demo", "--", *args, cwd=CLIENT_DIR, env=demo_environment(deployed, client_secret=secret)
    )


@pytest.mark.parametrize(("pay", "status"), [("full", "PAID"), ("partial", "OPEN")])
def test_demo_summary_matches_the_api(
    npm: Npm,
    trusted: Deployment,
    token: str,
    http: httpx.Client,
    pay: str,
    status: str,
) -> None:
    invoice_id = f"ts-demo-{pay}-{uuid.uuid4().hex[:12]}"
    completed = run_demo(npm, trusted, "--invoice-id", invoice_id, "--pay", pay)
    assert completed.returncode == 0, output(completed)
    summary: dict[str, Any] = json.loads(completed.stdout)

    invoice: dict[str, Any] = graphql_ok(http, READ_BACK, token, invoiceId=invoice_id)["invoice"]
    assert invoice is not None, f"{invoice_id} was not created"

    # What the program printed is what the API holds.
    assert summary["invoiceId"] == invoice["invoiceId"] == invoice_id
    assert summary["id"] == invoice["id"]
    assert summary["version"] == invoice["version"]
    assert summary["status"] == invoice["status"]
    assert summary["balances"] == invoice["balances"]

    # And that is what the flow implies: version 1 at creation, 2 after the second writer's tags,
    # 3 after the retried update (the conflicting attempt wrote nothing), 4 when the payment
    # settled the invoice (a payment that leaves the status as it is does not count).
    paid = EXPECTED_PAYINS if pay == "full" else EXPECTED_PAYINS // 2
    version = 4 if status == "PAID" else 3
    assert summary["conflict"] == {"expectedVersion": 1, "currentVersion": 2}
    assert (invoice["status"], invoice["version"]) == (status, version)
    assert invoice["history"]["totalCount"] == version
    assert [node["version"] for node in invoice["history"]["nodes"]] == list(range(version, 0, -1))
    assert invoice["balances"] == [
        {
            "currency": "USD",
            "payins": {
                "expected": str(EXPECTED_PAYINS),
                "actual": str(paid),
                "remaining": str(EXPECTED_PAYINS - paid),
            },
            "payouts": {"expected": "0", "actual": "0", "remaining": "0"},
            "net": {
                "expected": str(EXPECTED_PAYINS),
                "actual": str(paid),
                "remaining": str(EXPECTED_PAYINS - paid),
            },
        }
    ]
    assert sorted(
        (item["description"], item["price"]["quantity"], item["price"]["amount"])
        for item in invoice["lineItems"]
    ) == [
        ("Hosting, one month", 1, "4900"),
        ("Implementation work", 5, "62500"),
        ("Priority support", 1, "7500"),
    ]
    assert {(tag["key"], tag["value"]) for tag in invoice["tags"]} == {
        ("source", "typescript-demo"),
        ("reviewed", "yes"),
    }
    payment = summary["payment"]
    assert payment == {
        "externalId": f"{invoice_id}-payment-1",
        "amount": str(paid),
        "currency": "USD",
    }
    assert invoice["payments"] == [
        {
            "type": "PAYIN",
            "amount": str(paid),
            "currency": "USD",
            "transaction": {"externalId": payment["externalId"], "amount": str(paid)},
        }
    ]
    assert_clean_log(trusted.server)


def test_demo_fails_on_an_unexpected_outcome(npm: Npm, deployed: Deployment) -> None:
    """A refused token is not the flow's outcome: exit status 1, a reason, and no summary."""
    completed = run_demo(npm, deployed, client_secret="not-the-secret")
    assert completed.returncode == 1, output(completed)
    assert completed.stdout == "", output(completed)
    assert "invalid_client" in completed.stderr, output(completed)
