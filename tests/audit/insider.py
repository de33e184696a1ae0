"""What an insider with database access does: lift the append-only triggers with raw DDL,
change rows with raw SQL, put the triggers back. Test helpers, not product code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

TRIGGERS = {  # table → trigger names, as the migrations create them (vanban.audit.guard)
    "audit_auditevent": ("audit_auditevent_append_only_u", "audit_auditevent_append_only_d"),
    "audit_checkpoint": ("audit_checkpoint_append_only_u", "audit_checkpoint_append_only_d"),
}


@contextmanager
def triggers_dropped(restore: bool = True) -> Iterator[None]:
    """DROP TRIGGER by hand, yield, then recreate them the way the migration did."""
    from vanban.audit import guard

    with connection.cursor() as cur:
        for table, names in TRIGGERS.items():
            for name in names:
                on = f" ON {table}" if connection.vendor == "postgresql" else ""
                cur.execute(f"DROP TRIGGER {name}{on}")
    yield
    if restore:
        guard.install(connection, [guard.AUDIT_EVENTS, guard.AUDIT_CHECKPOINTS])


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
