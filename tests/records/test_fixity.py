from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tests.s3server import tamper
from vanban.audit.models import AuditEvent
from vanban.blobs import get_store
from vanban.records import fixity
from vanban.records.models import FixityMismatch, FixityRun
from vanban.records.tasks import fixity_slice

pytestmark = pytest.mark.django_db


def flip_byte(sha: str) -> None:
    """One bit changed where the blob lives (disk or bucket), behind the store's back."""
    store = get_store()
    data = bytearray(store.get(sha))
    data[len(data) // 2] ^= 0x01
    tamper(store, sha, bytes(data))


def blobs(n: int) -> list[str]:
    return sorted(get_store().put(f"tệp số {i}".encode()) for i in range(n))


def test_clean_store_then_a_flipped_byte_is_reported(capsys) -> None:
    shas = blobs(5)
    result = fixity.run_fixity()
    assert (result.finished, result.checked, result.mismatches) == (True, 5, [])
    flip_byte(shas[2])
    result = fixity.run_fixity()
    assert [(m.sha256, m.kind) for m in result.mismatches] == [(shas[2], "corrupt")]
    assert result.run.failures == 1 and result.run.state == "finished"
    finished = AuditEvent.objects.filter(action="records.fixity_finished").last()
    assert finished.details["failures"] == 1
    assert finished.details["mismatches"] == [[shas[2], "corrupt"]]
    with pytest.raises(CommandError, match="1 tệp không còn nguyên vẹn"):
        call_command("fixity", "check")
    assert f"LỖI {shas[2]}: Nội dung đã bị thay đổi" in capsys.readouterr().err


def test_resumes_where_it_stopped() -> None:
    shas = blobs(5)
    first = fixity.run_fixity(limit=2)
    assert (first.finished, first.checked, first.run.cursor) == (False, 2, shas[1])
    assert FixityRun.objects.get().state == "running"
    second = fixity.run_fixity()  # a new process would do the same: the cursor is in the table
    assert second.run.pk == first.run.pk
    assert (second.finished, second.checked, second.run.checked) == (True, 3, 5)
    fresh = fixity.run_fixity(resume=False)
    assert fresh.run.pk != first.run.pk and fresh.checked == 5


def test_a_run_is_walked_by_one_process_at_a_time(capsys) -> None:
    """The hourly slice and the archivist's button (two worker threads, or two workers of a
    cluster) never walk the same run at once; a run left by a dead process is taken up again
    when its lease runs out."""
    from datetime import timedelta

    from django.utils import timezone

    shas = blobs(4)
    first = fixity.run_fixity(limit=1)
    assert FixityRun.objects.get().lease_until is None  # released when the call ends
    FixityRun.objects.update(lease_until=timezone.now() + timedelta(minutes=5))  # another process holds it
    busy = fixity.run_fixity()
    assert (busy.busy, busy.checked, busy.finished) == (True, 0, False)
    assert FixityRun.objects.get().cursor == shas[0]  # nothing walked twice
    call_command("fixity", "check")
    assert "đang được một tiến trình khác kiểm tra" in capsys.readouterr().out
    FixityRun.objects.update(lease_until=timezone.now() - timedelta(seconds=1))  # that process died
    resumed = fixity.run_fixity()
    assert (resumed.busy, resumed.run.pk, resumed.checked, resumed.finished) == (False, first.run.pk, 3, True)
    assert resumed.run.checked == 4 and FixityRun.objects.get().lease_until is None


def test_referenced_but_missing_blob_is_reported(archive, pdf_bytes) -> None:
    from tests.records.conftest import closed_dossier

    dossier = closed_dossier(archive, pdf_bytes)
    sha = dossier.items.get().files.get(role="main").sha256
    tamper(get_store(), sha, None)
    result = fixity.run_fixity()
    assert (sha, "missing") in [(m.sha256, m.kind) for m in result.mismatches]


def test_background_slice_runs_when_due(settings) -> None:
    settings.VANBAN_FIXITY_SLICE = 3
    blobs(4)
    run_id = fixity_slice()
    assert FixityRun.objects.get(pk=run_id).checked == 3
    assert fixity_slice() == run_id
    assert FixityRun.objects.get(pk=run_id).state == "finished"
    assert fixity_slice() is None  # finished less than a day ago: not due
    assert FixityMismatch.objects.count() == 0
