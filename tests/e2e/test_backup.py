"""`invoicegraph backup PATH` while a real server takes writes: a consistent, readable copy."""

import os
import stat
import threading
from pathlib import Path

import httpx
import pytest

from tests.backends import ON_POSTGRES, sqlite_url
from tests.e2e.server import (
    Deployment,
    graphql_ok,
    http_client,
    run_cli,
    running_server,
)
from tests.operations import CREATE_INVOICE_MINIMAL, invoice_input, line_item

COUNT = "{ invoices(first: 1) { totalCount } }"
PAGE = """
{ invoices(first: 200) { nodes { invoiceId version lineItems { id } balances { currency } } } }
"""
WRITERS = 3


class Writers:
    """Threads that create invoices (three line items each) until told to stop."""

    def __init__(self, deployed: Deployment, token: str) -> None:
        self.deployed, self.token = deployed, token
        self.stop = threading.Event()
        self.written = [0] * WRITERS
        self.threads = [threading.Thread(target=self.write, args=(n,)) for n in range(WRITERS)]

    def write(self, writer: int) -> None:
        with http_client(self.deployed.base_url) as http:
            while not self.stop.is_set():
                items = [line_item(amount=str(100 + n), product_id=f"p{n}") for n in range(3)]
                key = f"backup-{writer}-{self.written[writer]}"
                graphql_ok(
                    http, CREATE_INVOICE_MINIMAL, self.token, input=invoice_input(key, *items)
                )
                self.written[writer] += 1

    def __enter__(self) -> "Writers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def invoice_count(http: httpx.Client, token: str) -> int:
    count: int = graphql_ok(http, COUNT, token)["invoices"]["totalCount"]
    return count


@pytest.mark.skipif(ON_POSTGRES, reason="backup copies a SQLite file; PostgreSQL has pg_dump")
def test_a_backup_taken_while_writers_run_is_whole_and_serves(
    deployed: Deployment, token: str, http: httpx.Client, workdir: Path
) -> None:
    target = workdir / "copy.db"
    # given writers that keep committing invoices
    with Writers(deployed, token) as writers:
        while sum(writers.written) < 20:
            threading.Event().wait(0.05)
        before = invoice_count(http, token)
        # when the database is backed up while they write
        result = run_cli("backup", str(target), cwd=workdir, database_url=deployed.database_url)
        after = invoice_count(http, token)
    # then the command succeeded and said where the copy is; writers were not held up
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
    assert after > before
    # and the copy is the owner's only, one file, with every invoice either whole or absent
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    copied_files = sorted(path.name for path in workdir.iterdir() if "copy.db" in path.name)
    # with the signing key file beside it, so the tokens of the original stay valid on the copy
    assert copied_files == ["copy.db", "copy.db.key"]
    assert stat.S_IMODE(os.stat(workdir / "copy.db.key").st_mode) == 0o600
    with (
        running_server(sqlite_url(target), demo=False, workdir=workdir / "served") as copy,
        http_client(copy.base_url) as from_copy,
    ):
        copied = invoice_count(from_copy, token)
        pages = graphql_ok(from_copy, PAGE, token)["invoices"]["nodes"]
    assert before <= copied <= after
    assert all(len(node["lineItems"]) == 3 and node["version"] == 1 for node in pages), pages
    assert all(node["balances"] == [{"currency": "USD"}] for node in pages), pages


def test_a_backup_never_overwrites_a_file(deployed: Deployment, workdir: Path) -> None:
    target = workdir / "kept.db"
    target.write_bytes(b"something else")
    result = run_cli("backup", str(target), cwd=workdir, database_url=deployed.database_url)
    assert result.returncode == 1
    assert target.read_bytes() == b"something else"
    message = "exists" if not ON_POSTGRES else "pg_dump"
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_backup_of_a_missing_database_says_so(workdir: Path) -> None:
    result = run_cli("backup", str(workdir / "copy.db"), cwd=workdir)
    assert result.returncode == 1
    assert f"no database at {workdir.resolve() / 'invoicegraph.db'}" in result.stderr
    assert list(workdir.iterdir()) == []
