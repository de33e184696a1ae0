"""Start Django for a benchmark on a throwaway data dir and database.

SQLite by default; with `DATABASE_URL` set, a throwaway database `vanban_bench_<pid>` is
created on that PostgreSQL server and dropped at exit (the named database is never touched).
"""

from __future__ import annotations

import atexit
import os
import tempfile
from urllib.parse import urlsplit, urlunsplit


def _throwaway_pg(url: str) -> str:
    import psycopg

    name = f"vanban_bench_{os.getpid()}"
    admin = url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup() -> str:
    data_dir = tempfile.mkdtemp(prefix="vanban-bench-")
    os.environ["VANBAN_DATA_DIR"] = data_dir
    if url := os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _throwaway_pg(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
    os.environ.setdefault("VANBAN_QUEUE_IMMEDIATE", "1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return data_dir
