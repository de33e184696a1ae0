"""Test databases copied from a migrated template instead of migrated from nothing each time.

Migrating an empty database (103 migrations) took 12-23 s of one CPU here (07/12/2026), and
`make test` did it once per pytest process: two in each pass (pytest-xdist), and again for the
S3 pass and the exclusive step. Now the first process of a run migrates, exactly as before, and
keeps a copy; the others copy it and only check that nothing is left to apply (`migrate` still
runs, on a database that is up to date).

- SQLite: the template is a file, `migrated-<key>.sqlite3`, in `VANBAN_TEST_TEMPLATE_DIR` (set by
  scripts/test.sh for the whole run) or else in the machine's temporary directory. `<key>`
  hashes Django's version and every source file of vanban, so a changed migration (or code a
  migration imports) is never served from an older template.
- PostgreSQL: `CREATE DATABASE … TEMPLATE`, from a database named after the run's
  `VANBAN_TEST_DB_NAME` and the same key (scripts/test.sh drops it when it exits, interrupted
  or not). Without that name (pytest run by hand) each process migrates its own, as Django does.

A lock file makes the processes of one pass take turns: one builds, the others wait and copy.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
from django.db import connection
from django.test.utils import setup_databases

SOURCE = Path(__file__).resolve().parent.parent / "src" / "vanban"
PRUNE_AFTER_SECONDS = 86_400


def source_key() -> str:
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(SOURCE.rglob("*.py")):
        digest.update(str(path.relative_to(SOURCE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def template_dir() -> Path:
    """scripts/test.sh names one for its run; a pytest run by hand shares the machine's, where a
    template stays reusable until the code changes (older ones are pruned after a day)."""
    if named := os.environ.get("VANBAN_TEST_TEMPLATE_DIR"):
        return Path(named)
    return Path(tempfile.gettempdir()) / "vanban-test-templates"


def _prune(directory: Path, keep: Path) -> None:
    for old in directory.glob("migrated-*.sqlite3"):
        try:
            if old != keep and time.time() - old.stat().st_mtime > PRUNE_AFTER_SECONDS:
                old.unlink()
        except OSError:
            pass  # another run pruned it first


@contextmanager
def _turn(lock: Path) -> Iterator[None]:
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def setup_test_databases(verbosity: int, serialized_aliases: set[str]) -> Any:
    """The test database of this process, as `django.test.utils.setup_databases` leaves it."""
    if connection.vendor == "sqlite":
        return _sqlite(verbosity, serialized_aliases)
    if connection.vendor == "postgresql" and os.environ.get("VANBAN_TEST_DB_NAME"):
        return _postgresql(verbosity, serialized_aliases,
                           f"{os.environ['VANBAN_TEST_DB_NAME']}_migrated_{source_key()[:12]}")
    return _setup(verbosity, serialized_aliases, keepdb=False)


def _test_name() -> str:
    """This process's test database (pytest-django has added its xdist suffix to TEST NAME)."""
    return str(connection.settings_dict["TEST"].get("NAME") or f"test_{connection.settings_dict['NAME']}")


def _setup(verbosity: int, serialized: set[str], *, keepdb: bool) -> Any:
    return setup_databases(verbosity=verbosity, interactive=False, aliases={"default"},  # type: ignore[arg-type]  # a set, as pytest-django passes; the stubs say Mapping
                           serialized_aliases=serialized, keepdb=keepdb)


def _sqlite(verbosity: int, serialized: set[str]) -> Any:
    own = Path(_test_name())
    template = template_dir() / f"migrated-{source_key()}.sqlite3"
    with _turn(template.with_suffix(".lock")):
        for leftover in (own, Path(f"{own}-wal"), Path(f"{own}-shm")):
            leftover.unlink(missing_ok=True)
        if template.exists():
            shutil.copyfile(template, own)
            return _setup(verbosity, serialized, keepdb=True)
        config = _setup(verbosity, serialized, keepdb=False)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file
        partial = template.with_suffix(f".{os.getpid()}.partial")
        shutil.copyfile(own, partial)
        partial.replace(template)
        _prune(template.parent, template)
        return config


def _postgresql(verbosity: int, serialized: set[str], template: str) -> Any:
    own = _test_name()
    quote = connection.ops.quote_name
    with _turn(template_dir() / f"{template}.lock"):
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            exists = cursor.fetchone() is not None
            if exists:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(own)}")
                cursor.execute(f"CREATE DATABASE {quote(own)} TEMPLATE {quote(template)}")
        if exists:
            return _setup(verbosity, serialized, keepdb=True)
        config = _setup(verbosity, serialized, keepdb=False)
        connection.close()  # a template must have no session open on it
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(own)}")
        return config
