"""Django's `flush`, able to empty the append-only tables.

Flush empties every table (tests between transactional cases, a full reset). A DELETE is
refused by the append-only triggers, so the triggers are lifted for the flush and put back in
the same transaction. Running it needs shell access and the database credentials — the same as
dropping a trigger by hand; the checkpoints witnessed by the hub still tell.

The flush between transactional tests (sequences kept: `reset_sequences=False`) deletes the
rows of the tables that have any, found by one query. Django's way, a TRUNCATE of every table
on PostgreSQL, took 0.55-0.8 s each time for the ~100 tables (measured 07/12/2026), whatever
they held: about 4 of the PostgreSQL pass's 14 minutes. A full reset by hand (`vanban flush`,
sequences restarted) stays Django's: TRUNCATE … RESTART IDENTITY on PostgreSQL, which row
triggers do not see.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.audit import guard

PROBES_PER_STATEMENT = 400  # SQLite allows 500 terms in one compound SELECT


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if not options.get("reset_sequences", True) and not options.get("allow_cascade", False):
            self._delete_rows(connection, options)
            return
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias):
            lifted = guard.existing(connection)
            guard.remove(connection, lifted)
            super().handle(**options)
            guard.install(connection, lifted)

    def _delete_rows(self, connection: BaseDatabaseWrapper, options: dict[str, Any]) -> None:
        """Every row of every table gone, sequences kept, as Django's flush does for tests (only
        Django's test cases ask this way, never interactively: `reset_sequences` is no CLI option)."""
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        with transaction.atomic(using=connection.alias):
            filled = tables_with_rows(connection, tables)
            lifted = [g for g in guard.ALL if g.table in filled]
            guard.remove(connection, lifted)
            quote = connection.ops.quote_name
            with connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    cur.execute("SET CONSTRAINTS ALL DEFERRED")  # rows deleted in any order
                for table in filled:
                    cur.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - Django's own table names
            guard.install(connection, lifted)
        if tables and not options.get("inhibit_post_migrate", False):
            emit_post_migrate_signal(options["verbosity"], options["interactive"], options["database"])


def tables_with_rows(connection: BaseDatabaseWrapper, tables: list[str]) -> list[str]:
    """The tables of `tables` that hold at least one row, in one statement."""
    quote = connection.ops.quote_name
    filled: list[str] = []
    with connection.cursor() as cur:
        for start in range(0, len(tables), PROBES_PER_STATEMENT):
            cur.execute(" UNION ALL ".join(
                f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {quote(tables[i])})"  # noqa: S608 - Django's table names
                for i in range(start, min(start + PROBES_PER_STATEMENT, len(tables)))))
            filled += [tables[row[0]] for row in cur.fetchall()]
    return filled
