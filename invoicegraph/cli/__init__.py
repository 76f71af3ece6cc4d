"""The `invoicegraph` command: serve, workspace, client, import, backup, export-schema."""

import asyncio
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import click
import httpx
import uvicorn
from sqlalchemy.engine import make_url
from tqdm import tqdm

from invoicegraph.admin.demo import demo_workspace, seed_demo
from invoicegraph.admin.workspaces import (
    clients_of,
    create_client,
    create_workspace,
    invoice_prefix_problem,
    revoke_client,
    set_invoice_prefix,
    workspaces,
)
from invoicegraph.auth.keys import signing_key
from invoicegraph.auth.tokens import issue_token
from invoicegraph.cli import importer
from invoicegraph.http.app import DEMO_TOKEN_VARIABLE, create_app
from invoicegraph.http.headers import MAX_HEADER_BYTES
from invoicegraph.http.runtime import tune_gc
from invoicegraph.logs import configure_logging
from invoicegraph.metrics import MULTIPROCESS_VARIABLE
from invoicegraph.schema.persisted import ManifestError, TrustedDocuments
from invoicegraph.settings import Settings, SettingsError
from invoicegraph.store.backup import BackupRefused, backup_sqlite
from invoicegraph.store.engine import Database
from invoicegraph.store.migrate import upgrade

T = TypeVar("T")

database_url_option = click.option(
    "--database-url",
    envvar="INVOICEGRAPH_DATABASE_URL",
    default=None,
    help="SQLAlchemy URL; default sqlite+aiosqlite:///invoicegraph.db in the working directory.",
)


def _with_database(
    url: str | None, action: Callable[[Database], Awaitable[T]], *, create: bool = False
) -> T:
    """Migrate the database, then run one action against it and close it.

    The one place the CLI migrates: every command but `backup` (which only copies) goes
    through here once.
    Only the commands that start a database (`create`) make a SQLite file that is not there:
    the others, run from the wrong folder, would otherwise answer from a new, empty one.
    """
    settings = Settings().replace(database_url=url)
    sqlite_file = _sqlite_file(settings.database_url)
    if sqlite_file is not None and not sqlite_file.exists():
        if not create:
            raise click.ClickException(
                f"no database at {sqlite_file}: run this in the folder where `invoicegraph serve` "
                "ran (the one with invoicegraph.db), or pass --database-url"
            )
        click.echo(f"new database at {sqlite_file}", err=True)
    upgrade(settings.database_url)

    async def run() -> T:
        db = Database(settings.database_url, sqlite_synchronous=settings.synchronous_mode())
        try:
            return await action(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _sqlite_file(database_url: str) -> Path | None:
    """The file a SQLite URL names, resolved; None for other databases and in-memory ones."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


class _Commands(click.Group):
    """Every command: a setting that cannot be read is a one-line error, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SettingsError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=_Commands, context_settings={"max_content_width": 100})
@click.version_option(version("invoicegraph"), prog_name="invoicegraph")
def main() -> None:
    """invoicegraph: a GraphQL gateway over invoice data."""


@main.command(
    epilog="Every setting is also a variable (a flag wins over its variable): "
    + ", ".join(Settings.variables())
    + ". The README's Configuration section says what each does, and its default.",
)
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to bind (default 8000).")
@database_url_option
@click.option("--demo/--no-demo", default=None, help="Seed demo data into an empty database.")
@click.option(
    "--workers", type=int, default=None, help="Server processes (above 1 needs PostgreSQL)."
)
@click.option("--access-log/--no-access-log", default=None, help="A log line per request.")
def serve(
    host: str | None,
    port: int | None,
    database_url: str | None,
    demo: bool | None,
    workers: int | None,
    access_log: bool | None,
) -> None:
    """Migrate the database, seed the demo on first run, and serve the API."""
    settings = Settings().replace(
        host=host,
        port=port,
        database_url=database_url,
        demo=demo,
        workers=workers,
        access_log=access_log,
    )
    try:  # a manifest that cannot be read stops the server before it starts, in one line
        TrustedDocuments.load(
            settings.trusted_document_paths(), only=settings.trusted_documents_only
        )
    except ManifestError as error:
        raise click.ClickException(str(error)) from None
    if settings.workers > 1 and settings.database_url.startswith("sqlite"):
        raise click.ClickException(
            "--workers above 1 needs PostgreSQL: subscriptions reach clients of every process "
            "through LISTEN/NOTIFY, which SQLite has no counterpart of"
        )
    configure_logging()

    base = f"http://{settings.host}:{settings.port}"

    async def prepare(db: Database) -> str | None:
        """Seed the demo on first run; return its client's bearer token (None if not seeded)."""
        if not settings.demo:
            return None
        client = await seed_demo(db)
        if client is None:
            workspace = await demo_workspace(db)
            if workspace is not None:
                click.echo(_demo_again(workspace.public_id, base, settings.database_url))
            return None
        token = issue_token(
            key=await signing_key(db, configured=settings.signing_key),
            client_id=client.client_id,
            workspace_id=client.workspace_id,
            ttl_seconds=settings.token_ttl_seconds,
        )
        click.echo(
            "\nDemo workspace created with sample invoices.\n"
            f"  client_id:     {client.client_id}\n"
            f"  client_secret: {client.client_secret}   (shown once)\n"
            f"  bearer token:  {token}\n"
            f"  (valid {settings.token_ttl_seconds // 60} minutes; a new one from the client id "
            "and secret:\n"
            f"   curl -s -u {client.client_id}:{client.client_secret} "
            f"-d grant_type=client_credentials {base}/oauth2/token)\n\n"
            f"  curl -s {base}/graphql -H 'Authorization: Bearer {token}' \\\n"
            "    -H 'Content-Type: application/json' \\\n"
            '    -d \'{"query": "{ invoices(first: 3) { nodes { invoiceId status } } }"}\'\n'
            + (
                f"\n  playground:    {base}/graphql in a browser, with this token filled in\n"
                if settings.playground
                else ""
            )
        )
        return token

    demo_token = _with_database(settings.database_url, prepare, create=True)
    server: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "access_log": settings.access_log,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "ws_max_size": settings.max_body_bytes,
    }
    # Only in the run that seeded the demo does the playground embed the demo token.
    if settings.workers <= 1:
        app = create_app(settings.replace(demo_token=demo_token))
        tune_gc()
        uvicorn.run(app, **server)
        return
    # Worker processes import the app themselves and read these settings back, and keep their
    # metrics in files of one folder that a scrape of any of them adds up.
    os.environ.update(settings.environment())
    metrics_folder = tempfile.mkdtemp(prefix="invoicegraph-metrics-")
    os.environ[MULTIPROCESS_VARIABLE] = metrics_folder
    try:
        if demo_token is not None:
            os.environ[DEMO_TOKEN_VARIABLE] = demo_token
        uvicorn.run(
            "invoicegraph.http.app:app_from_environment",
            factory=True,
            workers=settings.workers,
            **server,
        )
    finally:
        shutil.rmtree(metrics_folder, ignore_errors=True)


def _demo_again(workspace_id: str, base: str, database_url: str) -> str:
    """What a later run on the demo database prints: the secret was shown once, so how to get
    a client and a token again."""
    command = Path(sys.argv[0]).name if not sys.argv[0].startswith(".") else sys.argv[0]
    url = make_url(database_url)
    default = _sqlite_file(database_url) == Path("invoicegraph.db").resolve()
    where = "" if default else f" --database-url {url.render_as_string(hide_password=True)}"
    return (
        f"\nDemo workspace {workspace_id}: its client secret was shown on the first run only.\n"
        "For a new client and a token:\n"
        f"  {command} client create --workspace {workspace_id}{where}\n"
        "  curl -s -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials "
        f"{base}/oauth2/token\n"
    )


@main.group()
def workspace() -> None:
    """Manage workspaces."""


@workspace.command("create")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@database_url_option
def workspace_create(name: str, as_json: bool, database_url: str | None) -> None:
    """Create a workspace and print its id."""
    row = _with_database(database_url, lambda db: create_workspace(db, name=name), create=True)
    click.echo(json.dumps({"id": row.public_id, "name": row.name}) if as_json else row.public_id)


@workspace.command("invoice-prefix")
@click.argument("workspace_id")
@click.argument("prefix")
@database_url_option
def workspace_invoice_prefix(workspace_id: str, prefix: str, database_url: str | None) -> None:
    """Start the workspace's invoice numbers with PREFIX from now on (default INV-)."""
    if (problem := invoice_prefix_problem(prefix)) is not None:
        raise click.ClickException(problem)
    found = _with_database(
        database_url,
        lambda db: set_invoice_prefix(db, workspace_public_id=workspace_id, prefix=prefix),
    )
    if not found:
        raise click.ClickException(f"no workspace has the id {workspace_id!r}")
    click.echo(f"invoices of {workspace_id} are numbered {prefix}000001, {prefix}000002, ...")


@workspace.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines.")
@database_url_option
def workspace_list(as_json: bool, database_url: str | None) -> None:
    """List the workspaces: id, created, name."""
    for row in _with_database(database_url, workspaces):
        if as_json:
            created = row.created.isoformat()
            click.echo(json.dumps({"id": row.public_id, "name": row.name, "created": created}))
        else:
            click.echo(f"{row.public_id}  {row.created:%Y-%m-%d %H:%M}  {row.name}")


@main.group()
def client() -> None:
    """Manage API clients (OAuth2 client credentials)."""


@client.command("create")
@click.option("--workspace", "workspace_id", required=True, help="The workspace's id (ws_...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@database_url_option
def client_create(workspace_id: str, as_json: bool, database_url: str | None) -> None:
    """Create an API client; its secret is printed once and stored only as a hash."""
    created = _with_database(
        database_url, lambda db: create_client(db, workspace_public_id=workspace_id)
    )
    if created is None:
        raise click.ClickException(f"no workspace has the id {workspace_id!r}")
    if as_json:
        click.echo(
            json.dumps({"client_id": created.client_id, "client_secret": created.client_secret})
        )
    else:
        click.echo(f"client_id:     {created.client_id}\nclient_secret: {created.client_secret}")


@client.command("list")
@click.option("--workspace", "workspace_id", required=True, help="The workspace's id (ws_...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines.")
@database_url_option
def client_list(workspace_id: str, as_json: bool, database_url: str | None) -> None:
    """List a workspace's API clients (their secrets are not kept: a lost one needs a new
    client, `client create`)."""
    found = _with_database(
        database_url, lambda db: clients_of(db, workspace_public_id=workspace_id)
    )
    if found is None:
        raise click.ClickException(f"no workspace has the id {workspace_id!r}")
    for entry in found:
        revoked = None if entry.revoked is None else entry.revoked.isoformat()
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "client_id": entry.client_id,
                        "created": entry.created.isoformat(),
                        "revoked": revoked,
                    }
                )
            )
        else:
            state = "active" if revoked is None else f"revoked {revoked}"
            click.echo(f"{entry.client_id}  {entry.created:%Y-%m-%d %H:%M}  {state}")


@client.command("revoke")
@click.argument("client_id")
@database_url_option
def client_revoke(client_id: str, database_url: str | None) -> None:
    """Revoke a client: its tokens are refused from the next request on."""
    if not _with_database(database_url, lambda db: revoke_client(db, client_id=client_id)):
        raise click.ClickException(f"no active client has the id {client_id!r}")
    click.echo(f"revoked {client_id}")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@database_url_option
def backup(path: Path, database_url: str | None) -> None:
    """Copy the SQLite database to PATH while it serves (SQLite's online backup API).

    The copy holds every write committed before it began; writers are not stopped. PostgreSQL
    has its own tools for this: pg_dump, or a base backup with WAL archiving.
    """
    url = Settings().replace(database_url=database_url).database_url
    source = _sqlite_file(url)
    if source is None:
        raise click.ClickException(
            "backup copies a SQLite file; for PostgreSQL use pg_dump (pg_dump -Fc -f PATH "
            "DBNAME) or a base backup with WAL archiving"
        )
    try:
        made = backup_sqlite(source, path.resolve())
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"backed up {source} to {made.target} ({made.bytes} bytes, checked)")


@main.command("export-schema")
def export_schema() -> None:
    """Print the served GraphQL schema (SDL)."""
    from invoicegraph.schema import schema

    click.echo(schema.as_str())


@main.command("seed-demo")
@database_url_option
def seed_demo_command(database_url: str | None) -> None:
    """Create the demo workspace, client and invoices in an empty database."""
    created = _with_database(database_url, seed_demo, create=True)
    if created is None:
        raise click.ClickException("the database already has a workspace; nothing seeded")
    click.echo(
        json.dumps(
            {
                "workspace_id": created.workspace_id,
                "client_id": created.client_id,
                "client_secret": created.client_secret,
            }
        )
    )


@main.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--server", default=None, help="A running server's base URL (else: straight into the database)."
)
@click.option("--client-id", envvar="INVOICEGRAPH_CLIENT_ID", default=None, help="With --server.")
@click.option(
    "--client-secret", envvar="INVOICEGRAPH_CLIENT_SECRET", default=None, help="With --server."
)
@click.option("--workspace", "workspace_id", default=None, help="Without --server: ws_...")
@database_url_option
@click.option(
    "--refused",
    "refused_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("refused.jsonl"),
    show_default=True,
    help="Where each refused line goes, with its reasons (JSON Lines).",
)
def import_command(
    file: Path,
    server: str | None,
    client_id: str | None,
    client_secret: str | None,
    workspace_id: str | None,
    database_url: str | None,
    refused_path: Path,
) -> None:
    """Create the invoices of FILE (JSON Lines of CreateInvoiceInput; - for standard input).

    Safe to stop and run again: invoices already written answer as replays.
    """
    if server is None and workspace_id is None:
        raise click.UsageError("give --workspace (into the database) or --server (to a server)")
    if server is not None and not (client_id and client_secret):
        raise click.UsageError("--server needs --client-id and --client-secret")
    total = None if str(file) == "-" else importer.count_lines(file)

    async def run(destination: importer.Destination) -> importer.Summary:
        with (
            click.open_file(str(file), encoding="utf-8") as stream,
            tqdm(total=total, unit="invoice", dynamic_ncols=True, file=sys.stderr) as progress,
        ):
            return await importer.import_lines(destination, stream, progress)

    async def into_database(db: Database) -> importer.Summary:
        assert workspace_id is not None
        return await run(await importer.InDatabase.open(db, workspace_id))

    async def to_server() -> importer.Summary:
        assert server is not None
        async with httpx.AsyncClient(base_url=server, timeout=120) as http:
            return await run(importer.OnServer(http, str(client_id), str(client_secret)))

    try:
        if server is None:
            summary = _with_database(database_url, into_database)
        else:
            summary = asyncio.run(to_server())
    except importer.ImportFailed as error:
        raise click.ClickException(f"{error} (run the import again to go on)") from None
    importer.write_refusals(refused_path, summary)
    click.echo(
        f"created {summary.created}, replayed {summary.replayed}, refused {summary.refused}"
        + (f" (reasons in {refused_path})" if summary.refused else "")
    )
    if summary.refused:
        sys.exit(1)
