"""The database itself refuses UPDATE and DELETE on audit rows (triggers from a migration)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tests.audit.conftest import AnchoredOffice
from vanban.audit import guard
from vanban.audit.anchor import create_checkpoint
from vanban.audit.models import AppendOnlyError, AuditEvent, Checkpoint
from vanban.audit.services import record_event, verify_chain

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: list[object]) -> str:
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(info.value)


def test_raw_update_and_delete_of_events_are_refused_by_the_database() -> None:
    first = record_event("test.one", actor="alice", details={"n": 1})
    record_event("test.two")
    assert "AUDIT_APPEND_ONLY" in _refused("UPDATE audit_auditevent SET action = %s WHERE id = %s",
                                           ["test.forged", first.id])
    assert "AUDIT_APPEND_ONLY" in _refused("DELETE FROM audit_auditevent WHERE id = %s", [first.id])
    assert "AUDIT_APPEND_ONLY" in _refused("DELETE FROM audit_auditevent", [])
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["test.one", "test.two"]
    assert verify_chain().ok
    assert guard.installed(connection, guard.AUDIT_EVENTS)


def test_orm_queryset_update_and_delete_are_refused() -> None:
    event = record_event("test.one")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_name="mallory")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_name == ""


def test_checkpoint_signed_columns_are_frozen_but_witness_columns_move(anchored_office: AnchoredOffice) -> None:
    record_event("test.one")
    cp = create_checkpoint()
    assert cp is not None
    for column, value in (("head_hash", "f" * 64), ("event_count", 99), ("payload", "{}"),
                          ("signature", "AAAA"), ("timestamp_token", "")):
        assert "AUDIT_APPEND_ONLY" in _refused(f"UPDATE audit_checkpoint SET {column} = %s WHERE id = %s",
                                               [value, cp.pk])
    assert "AUDIT_APPEND_ONLY" in _refused("DELETE FROM audit_checkpoint WHERE id = %s", [cp.pk])
    with pytest.raises(AppendOnlyError):
        cp.delete()
    now = timezone.now()
    Checkpoint.objects.filter(pk=cp.pk).update(witnessed_at=now, witness_error="")
    fresh = Checkpoint.objects.get(pk=cp.pk)
    assert fresh.witnessed_at == now
    assert fresh.payload == cp.payload


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("between_tests", [False, True], ids=["vanban flush", "between transactional tests"])
def test_flush_empties_the_guarded_tables_and_keeps_the_triggers(between_tests: bool) -> None:
    """Transactional tests (and `vanban flush`) empty every table: the guard is lifted only then."""
    from django.core.management import call_command

    record_event("test.one")
    # Django's TransactionTestCase asks for this (the deleting way); `vanban flush` for a full reset
    options = {"reset_sequences": False, "allow_cascade": False} if between_tests else {}
    call_command("flush", verbosity=0, interactive=False, **options)
    assert AuditEvent.objects.count() == 0
    assert guard.installed(connection, guard.AUDIT_EVENTS)
    assert guard.installed(connection, guard.AUDIT_CHECKPOINTS)
    assert guard.installed(connection, guard.HUB_WITNESSED)
    record_event("test.two")
    assert "AUDIT_APPEND_ONLY" in _refused("DELETE FROM audit_auditevent", [])


@pytest.mark.django_db(transaction=True)
def test_the_flush_between_tests_deletes_every_row_and_keeps_the_sequences() -> None:
    """It deletes only where there are rows (one probe), so a table it misses would keep its rows."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from tests.factories import make_agency
    from vanban.agencies.models import Agency
    from vanban.audit.management.commands.flush import tables_with_rows

    make_agency("000.00.09.H16", "Sở Thử nghiệm")
    last = record_event("test.one")
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    filled = set(tables_with_rows(connection, tables))
    assert {"agencies_agency", "audit_auditevent", "django_content_type"} <= filled
    assert "audit_checkpoint" not in filled
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False)
    # what is left is what post_migrate makes again, as after Django's own flush
    assert set(tables_with_rows(connection, tables)) == {"django_content_type", "auth_permission"}
    assert Agency.objects.count() == 0 and AuditEvent.objects.count() == 0
    assert ContentType.objects.filter(app_label="documents").exists()
    assert record_event("test.two").id > last.id  # the sequence was not restarted
    assert "AUDIT_APPEND_ONLY" in _refused("DELETE FROM audit_auditevent", [])
