"""A consistent copy of a SQLite database while it serves, with SQLite's online backup API.

The copy is taken in one step, so it is one read transaction: in WAL mode writers go on while
it runs, and the copy holds every transaction committed before it began and nothing of any
after. It is written beside the target under a temporary name, checked, synced and renamed into
place, so a reader never finds a half-written backup at PATH; like the database it is readable
by its owner only. The signing key file beside a SQLite database (`<database>.key`, see
auth/keys.py) is copied beside the backup the same way, so tokens stay valid on a restored copy.
"""

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

BUSY_TIMEOUT_MS = 30_000


class BackupRefused(Exception):
    """The backup cannot start or did not check out; nothing is left at the target."""


@dataclass(frozen=True, slots=True)
class Backup:
    target: Path
    pages: int
    bytes: int


def backup_sqlite(source: Path, target: Path) -> Backup:
    """Copy the live database at `source` to `target`, which must not exist yet."""
    if not source.is_file():
        raise BackupRefused(f"no database at {source}")
    key, target_key = _key_of(source), _key_of(target)
    for path in (target, target_key):
        if path.exists():
            raise BackupRefused(f"{path} exists: a backup never overwrites a file")
    if not target.parent.is_dir():
        raise BackupRefused(f"no folder {target.parent} to write the backup into")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        pages = _copy(source, partial)
        _sync(partial)
        if key.is_file():
            _copy_key(key, target_key)
        os.rename(partial, target)
        _sync(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Backup(target=target, pages=pages, bytes=target.stat().st_size)


def _key_of(database: Path) -> Path:
    """The signing key file of a SQLite database (named as auth/keys.py names it)."""
    return Path(f"{database}.key")


def _copy_key(key: Path, target: Path) -> None:
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, key.read_bytes())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.rename(partial, target)


def _copy(source: Path, partial: Path) -> int:
    """The whole database in one backup step, then SQLite's own check of the copy."""
    reading = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    writing = sqlite3.connect(partial)
    try:
        reading.backup(writing)
        (check,) = writing.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupRefused(f"the copy did not check out: {check}")
        (pages,) = writing.execute("PRAGMA page_count").fetchone()
        return int(pages)
    finally:
        writing.close()
        reading.close()


def _sync(path: Path) -> None:
    """fsync a file or a folder: the backup is on disk, under its name, when we say so."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
