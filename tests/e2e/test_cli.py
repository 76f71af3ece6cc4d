"""The operator commands of `invoicegraph`, run as processes on real database files."""

import json
from pathlib import Path

import httpx
import pytest

from tests.backends import sqlite_url
from tests.e2e.server import (
    Deployment,
    assert_clean_log,
    create_client,
    create_workspace,
    get_token,
    graphql,
    graphql_ok,
    http_client,
    run_cli,
    token_response,
)

pytestmark = pytest.mark.e2e

WHO_AM_I = "{ invoices(first: 1) { nodes { invoiceId } } }"


def test_workspace_and_client_create_print_json_on_an_empty_database_file(workdir: Path) -> None:
    # given a zero-byte database file that was never migrated
    path = workdir / "empty.db"
    path.touch()
    url = sqlite_url(path)
    # when
    workspace = run_cli(
        "workspace", "create", "Acme billing", "--json", cwd=workdir, database_url=url
    )
    workspace_id = workspace.json()["id"]
    client = run_cli(
        "client", "create", "--workspace", workspace_id, "--json", cwd=workdir, database_url=url
    )
    # then
    assert isinstance(workspace_id, str)
    assert workspace_id.startswith("ws_")
    assert workspace.json()["name"] == "Acme billing"
    credentials = client.json()
    assert set(credentials) == {"client_id", "client_secret"}
    assert all(isinstance(value, str) and value for value in credentials.values())
    stored = b"".join(file.read_bytes() for file in workdir.glob("empty.db*"))
    assert credentials["client_secret"].encode() not in stored


def test_client_create_for_an_unknown_workspace_fails_with_a_message(workdir: Path) -> None:
    # given a database with another workspace
    url = sqlite_url(workdir / "new.db")
    create_workspace("Other", cwd=workdir, database_url=url)
    # when
    result = run_cli(
        "client",
        "create",
        "--workspace",
        "ws_doesnotexist",
        "--json",
        cwd=workdir,
        database_url=url,
    )
    # then
    assert result.returncode != 0
    assert result.stdout == ""
    assert "ws_doesnotexist" in result.stderr
    assert "Traceback" not in result.stderr


def test_invoice_prefix_is_set_for_a_workspace_and_refused_when_malformed(
    workdir: Path,
) -> None:
    url = sqlite_url(workdir / "prefix.db")
    workspace_id = create_workspace("Acme", cwd=workdir, database_url=url)
    set_prefix = run_cli(
        "workspace", "invoice-prefix", workspace_id, "ACME-", cwd=workdir, database_url=url
    )
    assert set_prefix.returncode == 0, set_prefix.stderr
    assert "ACME-000001" in set_prefix.stdout
    for args, message in (
        ((workspace_id, "A B"), "without spaces"),
        (("ws_doesnotexist", "X-"), "ws_doesnotexist"),
    ):
        refused = run_cli("workspace", "invoice-prefix", *args, cwd=workdir, database_url=url)
        assert refused.returncode != 0
        assert message in refused.stderr
        assert "Traceback" not in refused.stderr


def test_revoking_an_unknown_client_fails_with_a_message(workdir: Path) -> None:
    url = sqlite_url(workdir / "x.db")
    create_workspace("Other", cwd=workdir, database_url=url)
    result = run_cli("client", "revoke", "cli_nosuchclient", cwd=workdir, database_url=url)
    assert result.returncode != 0
    assert "cli_nosuchclient" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("workspace", "list"),
        ("client", "list", "--workspace", "ws_x"),
        ("client", "create", "--workspace", "ws_x"),
        ("client", "revoke", "cli_x"),
    ],
    ids=" ".join,
)
def test_commands_run_from_another_folder_say_there_is_no_database_there(
    workdir: Path, command: tuple[str, ...]
) -> None:
    # given a folder without invoicegraph.db (the default database of every command)
    # when a command that reads the database runs there
    result = run_cli(*command, cwd=workdir)
    # then it says where it looked and how to point it elsewhere, and creates nothing
    assert result.returncode == 1
    assert f"no database at {workdir.resolve() / 'invoicegraph.db'}" in result.stderr
    assert "--database-url" in result.stderr
    assert list(workdir.iterdir()) == []


def test_workspace_create_says_it_made_a_new_database(workdir: Path) -> None:
    result = run_cli("workspace", "create", "First", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert f"new database at {workdir.resolve() / 'invoicegraph.db'}" in result.stderr
    assert (workdir / "invoicegraph.db").exists()


SPREAD = 16
"""Requests on connections of their own: on PostgreSQL the server runs four workers, and every
one of them should have kept the client's standing before the revocation."""


def on_fresh_connections(deployed: Deployment, token: str) -> list[int]:
    """The status of SPREAD requests, each on a new connection (so a new worker may take it)."""
    statuses = []
    for _ in range(SPREAD):
        with http_client(deployed.base_url) as fresh:
            statuses.append(graphql(fresh, WHO_AM_I, token).status)
    return statuses


def test_a_revoked_client_is_refused_on_its_next_request(
    deployed: Deployment, http: httpx.Client, token: str
) -> None:
    # given a second client, made while the server runs, whose token works on every worker
    client_id, client_secret = create_client(
        deployed.workspace_id, cwd=deployed.workdir, database_url=deployed.database_url
    )
    doomed_token = get_token(http, client_id, client_secret)
    assert on_fresh_connections(deployed, doomed_token) == [200] * SPREAD
    assert graphql(http, WHO_AM_I, doomed_token).status == 200
    # when it is revoked through the CLI
    revoked = run_cli(
        "client", "revoke", client_id, cwd=deployed.workdir, database_url=deployed.database_url
    )
    # then its token and its secret are refused from the next request on, by every worker
    assert revoked.returncode == 0, revoked.stderr
    refused = graphql(http, WHO_AM_I, doomed_token)
    assert refused.status == 401
    assert refused.codes == ["UNAUTHENTICATED"]
    assert on_fresh_connections(deployed, doomed_token) == [401] * SPREAD
    assert token_response(http, client_id, client_secret).status_code == 401
    # and the workspace's other client goes on working
    graphql_ok(http, WHO_AM_I, token)
    # and revoking it again fails
    again = run_cli(
        "client", "revoke", client_id, cwd=deployed.workdir, database_url=deployed.database_url
    )
    assert again.returncode != 0
    assert_clean_log(deployed.server)


def test_export_schema_prints_the_sdl(workdir: Path) -> None:
    result = run_cli("export-schema", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "type Invoice implements Node" in result.stdout
    assert "type Query" in result.stdout
    assert list(workdir.iterdir()) == []


def test_workspaces_and_their_clients_can_be_listed_but_never_their_secrets(
    workdir: Path,
) -> None:
    # given a workspace with two clients, one of them revoked
    url = sqlite_url(workdir / "listed.db")
    workspace = run_cli("workspace", "create", "Acme billing", cwd=workdir, database_url=url)
    workspace_id = workspace.stdout.strip()
    kept = run_cli(
        "client", "create", "--workspace", workspace_id, "--json", cwd=workdir, database_url=url
    ).json()
    gone = run_cli(
        "client", "create", "--workspace", workspace_id, "--json", cwd=workdir, database_url=url
    ).json()
    run_cli("client", "revoke", gone["client_id"], cwd=workdir, database_url=url)
    # when
    workspaces = run_cli("workspace", "list", "--json", cwd=workdir, database_url=url)
    clients = run_cli(
        "client", "list", "--workspace", workspace_id, "--json", cwd=workdir, database_url=url
    )
    unknown = run_cli("client", "list", "--workspace", "ws_nope", cwd=workdir, database_url=url)
    # then
    assert [line["id"] for line in map(json.loads, workspaces.stdout.splitlines())] == [
        workspace_id
    ]
    listed = [json.loads(line) for line in clients.stdout.splitlines()]
    assert [(c["client_id"], c["revoked"] is None) for c in listed] == [
        (kept["client_id"], True),
        (gone["client_id"], False),
    ]
    assert kept["client_secret"] not in clients.stdout
    assert unknown.returncode != 0
    assert "ws_nope" in unknown.stderr


def test_the_command_says_its_version(workdir: Path) -> None:
    result = run_cli("--version", cwd=workdir)
    assert result.returncode == 0
    assert result.stdout.startswith("invoicegraph, version ")
