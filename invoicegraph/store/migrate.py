"""Apply the Alembic migrations: `invoicegraph serve` and the CLI call this before anything else."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from invoicegraph.store.engine import make_private
from invoicegraph.store.search import SEARCH_TABLE

MIGRATIONS = Path(__file__).parent / "migrations"


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Leave the search index to the migrations: it is no plain table (FTS5 makes several)."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema; a no-op when it is already there.

    Synchronous, since Alembic runs its own event loop: call it before the server's loop starts.
    A SQLite file is made owner-only first.
    """
    make_private(url)
    command.upgrade(alembic_config(url), "head")
