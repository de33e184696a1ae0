from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from tests.audit.insider import triggers_dropped
from vanban.audit.models import AppendOnlyError, AuditEvent
from vanban.audit.seal import seal_pending
from vanban.audit.services import record_event, verify_chain

pytestmark = pytest.mark.django_db


def _three_events() -> list[AuditEvent]:
    """Three events, sealed by the sequencer (the test's transaction never commits, so the
    on-commit wake-up does not run: seal as the worker would)."""
    written = [record_event("test.one", actor="alice", agency_code="000.00.00.H16",
                            details={"n": 1, "tên": "Đắk Lắk"}),
               record_event("test.two", actor="bob", object_type="x", object_id="7"),
               record_event("test.three", details={"nested": {"b": [1, 2], "a": None}})]
    assert seal_pending() == 3
    return [AuditEvent.objects.get(pk=e.pk) for e in written]


def test_events_chain_and_verify() -> None:
    events = _three_events()
    assert [e.position for e in events] == [1, 2, 3]
    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    report = verify_chain()
    assert report.ok
    assert report.checked == 3


def test_raw_sql_edit_is_detected_and_named() -> None:
    events = _three_events()
    with triggers_dropped(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s",
                    ["test.forged", events[1].id])
    report = verify_chain()
    assert not report.ok
    assert report.problem is not None
    assert report.problem.event_id == events[1].id
    assert report.checked == 1


def test_deleting_the_last_event_is_detected() -> None:
    events = _three_events()
    with triggers_dropped(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[2].id])
    report = verify_chain()
    assert not report.ok


def test_deleting_a_middle_event_is_detected() -> None:
    events = _three_events()
    with triggers_dropped(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    report = verify_chain()
    assert report.problem is not None
    assert report.problem.event_id == events[2].id


def test_events_cannot_be_changed_or_deleted_through_the_orm() -> None:
    event = record_event("test.one")
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.one"


def test_command_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    events = _three_events()
    call_command("audit", "verify")
    assert "3 sự kiện" in capsys.readouterr().out
    with triggers_dropped(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET details = %s WHERE id = %s",
                    ['{"n": 2}', events[0].id])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert f"#{events[0].id}" in capsys.readouterr().err
