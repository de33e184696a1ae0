"""Django's `flush`, able to empty the append-only tables.

Flush empties every table (tests between transactional cases, a full reset). On SQLite it
is a DELETE per table, which the append-only triggers refuse; so the triggers are lifted
for the flush and put back in the same transaction. PostgreSQL flushes with TRUNCATE, which
row triggers do not see. Running it needs shell access and the database credentials — the
same as dropping a trigger by hand; the checkpoints witnessed by the hub still tell.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction

from vanban.audit import guard


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias):
            lifted = guard.existing(connection)
            guard.remove(connection, lifted)
            super().handle(**options)
            guard.install(connection, lifted)
