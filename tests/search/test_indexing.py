"""What gets indexed, when: attachments, the on-commit hook, deletion, the command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.search.builders import attach, make_document
from tests.search.conftest import Two
from vanban.search.indexing import index_document, reindex_all
from vanban.search.models import SearchEntry
from vanban.search.queries import search
from vanban.search.services import schedule_index

pytestmark = pytest.mark.django_db

try:
    from vanban.textract import samples
except ImportError:  # pragma: no cover - textract is built in parallel
    samples = None

needs_textract = pytest.mark.skipif(samples is None, reason="vanban.textract not installed yet (pdf/docx text)")


def hit_ids(user, text: str) -> list[int]:
    return [h.document.pk for h in search(user, text).hits]


def test_txt_attachment_text_is_found_with_snippet(two: Two) -> None:
    doc = make_document(two.a, subject="Công văn gửi kèm")
    attach(doc, "noidung.txt", "Đề nghị các đơn vị rà soát hồ sơ đất đai trước ngày 30/6.".encode())
    index_document(doc.pk)
    page = search(two.clerk, "ho so dat dai")
    assert [h.document.pk for h in page.hits] == [doc.pk]
    assert "hồ sơ đất đai" in page.hits[0].snippet


@needs_textract
def test_docx_and_pdf_attachments(two: Two) -> None:
    docx = make_document(two.a, subject="Kèm docx")
    attach(docx, "phu-luc.docx", samples.make_docx([samples.Para.of("Danh sách cán bộ được khen thưởng")]),
           role="appendix")
    pdf = make_document(two.a, subject="Kèm pdf")
    attach(pdf, "qd.pdf", samples.make_pdf_lines([[(72, 760, "Phê duyệt phương án phòng chống lụt bão", 12)]]))
    reindex_all()
    assert hit_ids(two.clerk, "khen thuong") == [docx.pk]
    assert hit_ids(two.clerk, "Khen thưởng") == [docx.pk]
    assert hit_ids(two.clerk, "phong chong lut bao") == [pdf.pk]
    assert hit_ids(two.clerk, '"phương án phòng chống"') == [pdf.pk]


def test_unreadable_attachment_is_recorded_not_fatal(two: Two) -> None:
    doc = make_document(two.a, subject="Tệp hỏng")
    attach(doc, "hong.pdf", b"%PDF-1.7 not really")
    index_document(doc.pk)
    entry = SearchEntry.objects.get(document=doc)
    assert entry.files[0]["error"] != ""
    assert hit_ids(two.clerk, "tep hong") == [doc.pk]


@pytest.mark.django_db(transaction=True)
def test_schedule_index_runs_after_commit(two: Two) -> None:
    doc = make_document(two.a, subject="Giấy mời họp giao ban")
    SearchEntry.objects.filter(document_id=doc.pk).delete()  # its own commit indexed it
    with transaction.atomic():
        schedule_index(doc.pk)
        assert hit_ids(two.clerk, "giao ban") == []  # nothing before the commit
    assert hit_ids(two.clerk, "giao ban") == [doc.pk]


def test_deleted_document_leaves_the_index(two: Two) -> None:
    doc = make_document(two.a, subject="Sẽ bị xóa")
    index_document(doc.pk)
    pk = doc.pk
    doc.delete()  # the entry goes with it (cascade)
    assert not SearchEntry.objects.filter(document_id=pk).exists()
    assert index_document(pk) is False
    assert hit_ids(two.clerk, "se bi xoa") == []


def test_reindex_command(two: Two) -> None:
    for i in range(3):
        make_document(two.a, subject=f"Báo cáo số {i}")
    out = io.StringIO()
    call_command("search", "reindex", stdout=out)
    assert "3 văn bản" in out.getvalue()
    assert SearchEntry.objects.count() == 3
    status = io.StringIO()
    call_command("search", "status", stdout=status)
    assert "cần cập nhật: 0" in status.getvalue()


def test_two_indexers_racing_on_one_document_end_with_one_fresh_entry(two: Two) -> None:
    """Both read "no entry yet", then both write: the second insert becomes an update (issue 19's
    `UNIQUE constraint failed: search_searchentry.document_id` in the worker log)."""
    from vanban.search.indexing import build_entry, store_entry

    doc = make_document(two.a, subject="Lần đầu")
    SearchEntry.objects.filter(document_id=doc.pk).delete()
    first, second = build_entry(doc), build_entry(doc)  # both built while no entry existed
    store_entry(first, exists=False)
    doc.subject = "Lần hai mới hơn"
    doc.save()
    second = build_entry(doc)
    store_entry(second, exists=False)  # would have raised IntegrityError
    assert SearchEntry.objects.filter(document_id=doc.pk).count() == 1
    assert "mới hơn" in SearchEntry.objects.get(document_id=doc.pk).exact
    SearchEntry.objects.filter(document_id=doc.pk).delete()
    store_entry(build_entry(doc), exists=True)  # deleted meanwhile: inserted again
    assert SearchEntry.objects.filter(document_id=doc.pk).count() == 1


def test_during_a_long_drain_an_arrival_waits_for_the_sweep_at_its_end(two: Two,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from vanban.jobs import drains
    from vanban.search.tasks import index_document_task

    monkeypatch.setattr(drains, "LONG_DRAIN_SECONDS", 0.0)  # every drain counts as long
    monkeypatch.setattr(drains, "_spell", {"since": 0.0, "idle_since": float("-inf")})
    doc = make_document(two.a, subject="Công văn đến trong lúc tồn đọng")
    SearchEntry.objects.filter(document_id=doc.pk).delete()
    with drains.draining():
        assert index_document_task.call_local(doc.pk) is False
        assert hit_ids(two.clerk, "ton dong") == []  # waits: the statuses go back first
        assert index_document_task.call_local(doc.pk) is False  # still waiting, one follow-up
    # the drain's end queued the follow-up, which swept (run here: the tests' queue is immediate)
    assert hit_ids(two.clerk, "ton dong") == [doc.pk]
