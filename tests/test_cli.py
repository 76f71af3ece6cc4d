"""`invoicegraph serve`, run in-process on a real SQLite file up to the point where it serves.

uvicorn's `run` is replaced by a recorder (it would block); everything before it is real.
"""

import gc
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from starlette.applications import Starlette

from invoicegraph.cli import main
from invoicegraph.http.runtime import GC_THRESHOLD
from tests.backends import sqlite_url


@dataclass
class Served:
    """What `serve` handed to uvicorn."""

    calls: list[tuple[object, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, app: object, **options: Any) -> None:
        self.calls.append((app, options))


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Served:
    recorder = Served()
    monkeypatch.setattr(uvicorn, "run", recorder)
    return recorder


@pytest.fixture(autouse=True)
def process_left_as_found(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`serve` configures logging and tunes the collector for its process: undo both here."""
    for name in list(os.environ):
        if name.startswith("INVOICEGRAPH_"):
            monkeypatch.delenv(name)
    logger = logging.getLogger("invoicegraph")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


def serve(database: Path, *flags: str) -> str:
    result = CliRunner().invoke(
        main,
        ["serve", "--database-url", sqlite_url(database), "--port", "8123", *flags],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def migrations_run(caplog: pytest.LogCaptureFixture) -> int:
    """Alembic opens one migration context per upgrade, and says so."""
    return sum(
        1
        for record in caplog.records
        if record.name == "alembic.runtime.migration"
        and record.getMessage().startswith("Context impl")
    )


def test_serve_migrates_a_new_database_once_seeds_the_demo_and_serves(
    tmp_path: Path, served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    # given a database file that does not exist yet
    caplog.set_level(logging.INFO, logger="alembic")
    # when
    output = serve(tmp_path / "new.db", "--demo")
    # then
    assert migrations_run(caplog) == 1
    assert "Demo workspace created" in output
    [(app, options)] = served.calls
    assert isinstance(app, Starlette)
    assert options["port"] == 8123


def test_serve_on_a_migrated_database_checks_the_migrations_once(
    tmp_path: Path, served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    # given a database that `serve` already migrated
    database = tmp_path / "again.db"
    serve(database, "--no-demo")
    caplog.clear()
    caplog.set_level(logging.INFO, logger="alembic")
    # when
    serve(database, "--no-demo")
    # then
    assert migrations_run(caplog) == 1
    assert len(served.calls) == 2


def test_serve_tunes_the_collector_of_its_process(tmp_path: Path, served: Served) -> None:
    # given
    gc.unfreeze()
    # when
    serve(tmp_path / "gc.db", "--no-demo")
    # then
    assert gc.get_threshold() == GC_THRESHOLD
    assert gc.get_freeze_count() > 0
