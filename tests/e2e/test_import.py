"""`invoicegraph import`: JSON Lines through createInvoices, refusals reported, resumable."""

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.e2e.server import (
    INVOICEGRAPH,
    clean_environment,
    create_workspace,
    deployment,
    fresh_database,
    get_token,
    graphql_ok,
    http_client,
    run_cli,
)

COUNT = """query Count($first: Int) { invoices(first: $first) { totalCount } }"""


def invoice_line(index: int) -> dict[str, Any]:
    return {
        "invoiceId": f"import-{index:05d}",
        "tags": [{"key": "batch", "value": "month-end"}],
        "lineItems": [
            {
                "description": f"Usage {index}",
                "productId": "usage",
                "type": "PAYIN",
                "user": {"externalId": f"customer-{index % 40}"},
                "price": {"unitPrice": "250", "quantity": 4},
            }
        ],
    }


def write_lines(path: Path, count: int, *extra: str) -> None:
    with path.open("w") as file:
        for index in range(count):
            file.write(json.dumps(invoice_line(index)) + "\n")
        for line in extra:
            file.write(line + "\n")


def summary_of(stdout: str) -> str:
    return stdout.strip().splitlines()[-1]


def test_an_import_writes_every_good_line_and_names_each_refusal(workdir: Path) -> None:
    # given 700 good lines (two batches) and three bad ones
    bad_amount = {**invoice_line(0), "invoiceId": "bad-amount"}
    bad_amount["lineItems"] = [{**bad_amount["lineItems"][0], "price": {"amount": 100}}]
    bad_rules = {**invoice_line(1), "invoiceId": "bad-rules"}
    bad_rules["lineItems"] = [{**bad_rules["lineItems"][0], "description": ""}]
    source = workdir / "invoices.jsonl"
    write_lines(source, 700, "{not json", json.dumps(bad_amount), json.dumps(bad_rules))
    with fresh_database(workdir) as url:
        workspace = create_workspace("Imports", cwd=workdir, database_url=url)
        # when
        result = run_cli(
            "import", str(source), "--workspace", workspace, cwd=workdir, database_url=url
        )
        again = run_cli(
            "import", str(source), "--workspace", workspace, cwd=workdir, database_url=url
        )
    # then
    assert result.returncode == 1, result.stderr
    assert summary_of(result.stdout) == (
        "created 700, replayed 0, refused 3 (reasons in refused.jsonl)"
    )
    refused = [json.loads(line) for line in (workdir / "refused.jsonl").read_text().splitlines()]
    assert [(r["line"], r["invoiceId"], r["code"]) for r in refused] == [
        (701, None, "BAD_LINE"),
        (702, "bad-amount", "BAD_USER_INPUT"),
        (703, "bad-rules", "BAD_REQUEST"),
    ]
    assert refused[2]["fieldErrors"][0]["field"] == ["lineItems", "0", "description"]
    assert summary_of(again.stdout).startswith("created 0, replayed 700, refused 3")
    assert "it/s" in result.stderr or "invoice/s" in result.stderr  # the progress bar's rate


def test_an_import_killed_half_way_runs_again_without_duplicates(workdir: Path) -> None:
    # given an import of 3,000 invoices into a running server's database
    source = workdir / "month-end.jsonl"
    write_lines(source, 3_000)
    with deployment(workdir) as running:
        command = [
            str(INVOICEGRAPH), "import", str(source), "--server", running.base_url,
            "--client-id", running.client_id, f"--client-secret={running.client_secret}",
        ]  # fmt: skip
        with http_client(running.base_url) as http:
            token = get_token(http, running.client_id, running.client_secret)
            first = subprocess.Popen(
                command, cwd=workdir, env=clean_environment(),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            # when: it is killed once some invoices are in, and started again
            deadline = time.monotonic() + 120
            while graphql_ok(http, COUNT, token)["invoices"]["totalCount"] == 0:
                assert first.poll() is None, first.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.communicate()
            written = graphql_ok(http, COUNT, token)["invoices"]["totalCount"]
            second = subprocess.run(
                command, cwd=workdir, env=clean_environment(),
                capture_output=True, text=True, timeout=600, check=False,
            )  # fmt: skip
            # then: every invoice once, the first run's as replays
            assert second.returncode == 0, second.stderr
            assert graphql_ok(http, COUNT, token)["invoices"]["totalCount"] == 3_000
    created, replayed = (int(part.split()[1]) for part in summary_of(second.stdout).split(", ")[:2])
    assert created + replayed == 3_000
    assert 0 < written < 3_000
    assert replayed >= written
