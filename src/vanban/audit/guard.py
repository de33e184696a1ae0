"""Database triggers that refuse UPDATE and DELETE on append-only tables.

The ORM refusal only stops our own code; these stop any SQL client that is not allowed to
run DDL. An insider who may drop triggers can still rewrite the rows: that is what the
signed, timestamped and hub-witnessed checkpoints are for (docs/audit.md).

Used by the migrations (audit events, audit checkpoints, the hub's witnessed checkpoints)
and by our `flush` command, which lifts them for the length of a flush on SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

MESSAGE = "AUDIT_APPEND_ONLY: bảng chỉ được ghi thêm, không được sửa hay xóa"
PG_FUNCTION = "vanban_refuse_change"


@dataclass(frozen=True)
class Guard:
    """Refuse DELETE always; refuse UPDATE of `columns` (None: of every column).

    With `sealed_by`, one UPDATE per row is allowed: the one that fills the seal column
    (`hash`) of a row that has none, changing no column of `content` (the audit events: the
    sequencer chains an event after its insert, vanban.audit.seal)."""

    table: str
    columns: tuple[str, ...] | None = None
    sealed_by: str = ""
    content: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.table}_append_only"

    def _when(self, vendor: str) -> str:
        """The condition under which an UPDATE is refused (sealed guards only)."""
        differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
        seal = self.sealed_by
        parts = [f"OLD.{seal} IS NOT NULL", f"NEW.{seal} IS NULL"]
        parts += [f"NEW.{c} {differs} OLD.{c}" for c in self.content]
        condition = " OR ".join(parts)
        return f" WHEN ({condition})" if vendor == "postgresql" else f" WHEN {condition}"

    def create_sql(self, vendor: str) -> list[str]:
        cols = f" OF {', '.join(self.columns)}" if self.columns else ""
        when = self._when(vendor) if self.sealed_by else ""
        if vendor == "postgresql":
            return [
                f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{MESSAGE} (% %)', TG_OP, TG_TABLE_NAME "
                "USING ERRCODE = 'insufficient_privilege'; END $$",
                f"CREATE TRIGGER {self.name}_u BEFORE UPDATE{cols} ON {self.table} "
                f"FOR EACH ROW{when} EXECUTE FUNCTION {PG_FUNCTION}()",
                f"CREATE TRIGGER {self.name}_d BEFORE DELETE ON {self.table} "
                f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
            ]
        if vendor == "sqlite":
            return [
                f"CREATE TRIGGER {self.name}_u BEFORE UPDATE{cols} ON {self.table}{when} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
                f"CREATE TRIGGER {self.name}_d BEFORE DELETE ON {self.table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            ]
        raise NotImplementedError(f"append-only triggers: no support for {vendor}")

    def drop_sql(self, vendor: str) -> list[str]:
        on = f" ON {self.table}" if vendor == "postgresql" else ""
        return [f"DROP TRIGGER IF EXISTS {self.name}_u{on}", f"DROP TRIGGER IF EXISTS {self.name}_d{on}"]


# Events: nothing may change or go, except the sequencer's one sealing UPDATE of a new event.
AUDIT_EVENTS_V1 = Guard("audit_auditevent")  # before the sequencer (migration 0002)
AUDIT_EVENTS = Guard("audit_auditevent", sealed_by="hash", content=(
    "id", "at", "actor_id", "actor_name", "agency_code", "action", "object_type", "object_id",
    "details", "ip_address"))
# Checkpoints: the signed fields never change; `witnessed_at`/`witness_error` may be filled in.
AUDIT_CHECKPOINTS = Guard("audit_checkpoint", (
    "sequence", "head_hash", "event_count", "last_event_id", "created_at", "payload",
    "signature", "certificate_pem", "certificate_fingerprint", "timestamp_token"))
HUB_WITNESSED = Guard("hub_witnessedcheckpoint")
ALL = (AUDIT_EVENTS, AUDIT_CHECKPOINTS, HUB_WITNESSED)


def existing(connection: BaseDatabaseWrapper) -> list[Guard]:
    tables = set(connection.introspection.table_names())
    return [g for g in ALL if g.table in tables]


def install(connection: BaseDatabaseWrapper, guards: list[Guard]) -> None:
    with connection.cursor() as cur:
        for guard in guards:
            for sql in guard.create_sql(connection.vendor):
                cur.execute(sql)


def remove(connection: BaseDatabaseWrapper, guards: list[Guard]) -> None:
    with connection.cursor() as cur:
        for guard in guards:
            for sql in guard.drop_sql(connection.vendor):
                cur.execute(sql)


def installed(connection: BaseDatabaseWrapper, guard: Guard) -> bool:
    """Both triggers of `guard` exist (checked by `audit verify`)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT count(*) FROM pg_trigger WHERE tgname IN (%s, %s) AND NOT tgisinternal "
                        "AND tgenabled <> 'D'", [f"{guard.name}_u", f"{guard.name}_d"])
        else:
            cur.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
                        [f"{guard.name}_u", f"{guard.name}_d"])
        row = cur.fetchone()
        return row is not None and row[0] == 2


def migration_ops(guard: Guard) -> object:
    """A RunPython operation installing `guard` (and removing it on reverse)."""
    def forward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        install(schema_editor.connection, [guard])

    def backward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        remove(schema_editor.connection, [guard])

    return migrations.RunPython(forward, backward)
