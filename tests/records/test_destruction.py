"""Appraisal and destruction: the whole path with real blobs, every refusal writing nothing,
holds, kept dossiers, shared bytes surviving, and the pages by role."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.records.conftest import Archive, issue
from vanban.audit.models import AuditEvent
from vanban.blobs import get_store
from vanban.documents.models import DocumentFile
from vanban.records import aip, destruction, fixity, services
from vanban.records.destruction import Proposal, Verdict
from vanban.records.errors import RecordsError
from vanban.records.models import (
    ArchivalPackage,
    DestroyedBlob,
    DestructionItem,
    DestructionReview,
    Dossier,
    FixityMismatch,
    ItemFile,
)
from vanban.search.indexing import index_document
from vanban.search.models import SearchEntry
from vanban.textract.extract import extract_text

pytestmark = pytest.mark.django_db

MEMBERS = "Trần Văn Hùng, Chủ tịch\nPhạm Thị Lưu, lưu trữ viên\nLê Văn Cường, chuyên viên"


def archived(archive: Archive, pdf: bytes, notation: str = "02.TH", *, ended: date = date(2014, 6, 30),
             working: bytes | None = None, document: bool = False) -> Dossier:
    """An archived dossier of the 10-year entry whose work ended long ago (expired): an issued,
    signed document in it only when asked (signing costs seconds), else a working file."""
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries[notation])
    if document:
        doc = issue(archive.office, pdf, "Báo cáo công tác năm 2014")
        index_document(doc.pk)
        services.file_document(actor=archive.staff, dossier=dossier, document=doc)
    if working is None and not document:
        working = f"Số liệu {notation}\n".encode()
    if working is not None:
        item = services.add_working_file(actor=archive.staff, dossier=dossier, upload=services.WorkingFile(
            "bang-tong-hop.txt", working, "Bảng tổng hợp số liệu", issued_date=date(2014, 5, 1),
            organ_name=archive.agency.name))
        services.update_item(actor=archive.staff, dossier=dossier, item_id=item.pk, values={"pageAmount": 1})
    services.update_dossier(actor=archive.staff, dossier=dossier,
                            values={"start_date": "2014-01-02", "end_date": ended.isoformat()})
    dossier = services.close_dossier(actor=archive.staff, dossier=Dossier.objects.get(pk=dossier.pk))
    transfer = services.submit_transfer(actor=archive.staff, dossiers=[dossier])
    services.accept_transfer(actor=archive.archivist, transfer=transfer)
    return Dossier.objects.get(pk=dossier.pk)


def approved(archive: Archive, dossier: Dossier, *, destroy: bool = True) -> DestructionReview:
    review = destruction.start_review(actor=archive.archivist, agency=archive.agency, title="Xét hủy năm 2026",
                                      proposals=[Proposal(dossier.pk)])
    destruction.record_council(actor=archive.archivist, review=review, members=MEMBERS,
                               meeting_date=timezone.localdate(), conclusion="Đề nghị hủy.",
                               verdicts=[Verdict(dossier.pk, destroy, None if destroy else 5)])
    return destruction.decide(actor=archive.office.leader, review=review, approve=True, number="12/QĐ-UBND",
                              decision_date=timezone.localdate())


def test_expiry_counts_whole_years_after_the_work_ended(archive: Archive, pdf_bytes: bytes) -> None:
    d = Dossier(agency=archive.agency, year=2020, notation="x", title="x", retention_years=10,
                end_date=date(2020, 12, 31))
    assert destruction.expires_on(d) == date(2031, 1, 1)
    assert not destruction.is_expired(d, date(2030, 12, 31)) and destruction.is_expired(d, date(2031, 1, 1))
    d.retention_years = None
    assert destruction.expires_on(d) is None


def test_the_whole_path_removes_the_bytes_and_keeps_the_metadata(archive: Archive, pdf_bytes: bytes,
                                                                 client: Client) -> None:
    dossier = archived(archive, pdf_bytes, working="Số liệu tổng hợp năm 2014\n".encode(), document=True)
    assert [d.pk for d in destruction.expired_dossiers(archive.agency)] == [dossier.pk]
    item_shas = set(ItemFile.objects.filter(item__dossier=dossier).values_list("sha256", flat=True))
    doc = dossier.items.get(ordinal=1).document
    assert doc is not None
    doc_shas = set(DocumentFile.objects.filter(document=doc).values_list("sha256", flat=True))
    store = get_store()
    assert all(store.exists(s) for s in item_shas | doc_shas)
    assert SearchEntry.objects.get(document=doc).body  # the signed PDF's text is indexed before

    review = destruction.start_review(actor=archive.archivist, agency=archive.agency, title="Xét hủy năm 2026",
                                      proposals=[Proposal(dossier.pk)])
    dossier.refresh_from_db()
    assert dossier.state == "review" and review.state == "council"
    assert review.items.get().grounds.startswith("Hết thời hạn bảo quản (10 năm")
    review = destruction.record_council(actor=archive.archivist, review=review, members=MEMBERS,
                                        meeting_date=timezone.localdate(), conclusion="Hết giá trị, đề nghị hủy.",
                                        verdicts=[Verdict(dossier.pk, True)])
    assert review.state == "proposed"
    review = destruction.decide(actor=archive.office.leader, review=review, approve=True, number="12/QĐ-UBND",
                                decision_date=timezone.localdate())
    assert review.state == "approved"
    with pytest.raises(RecordsError):  # decided, not yet destroyed: nothing is gone
        destruction.decide(actor=archive.office.leader, review=review, approve=True, number="13/QĐ-UBND",
                           decision_date=timezone.localdate())
    assert all(store.exists(s) for s in item_shas)

    review = destruction.destroy(actor=archive.archivist, review=review)
    destruction.purge_destroyed()  # on_commit does this outside the test transaction
    dossier.refresh_from_db()
    assert dossier.state == "destroyed" and dossier.destroyed_at is not None
    assert not any(store.exists(s) for s in item_shas | doc_shas)
    assert set(DestroyedBlob.objects.values_list("sha256", flat=True)) >= item_shas | doc_shas
    # metadata stays: the items, their descriptions, what each destroyed file was
    item = dossier.items.get(ordinal=1)
    assert item.metadata["subject"] == "Báo cáo công tác năm 2014"
    files = DestructionItem.objects.get(review=review).destroyed_files
    assert {f["sha256"] for f in files} == item_shas and all(f["removed"] for f in files)
    # search keeps only metadata
    entry = SearchEntry.objects.get(document=doc)
    assert entry.body == "" and all(f["error"] == "destroyed" for f in entry.files)
    assert "báo cáo công tác năm 2014" in entry.exact
    # the destruction record names the decision and the dossier
    record = store.get(review.record_sha256)
    text = extract_text(record, "pdf").text
    assert "BIÊN BẢN" in text and "12/QĐ-UBND" in text and dossier.file_code in text
    # evidence in the audit chain
    done = AuditEvent.objects.get(action="records.destruction_done")
    assert set(done.details["blobs"]) == set(DestroyedBlob.objects.values_list("sha256", flat=True))
    # downloads explain instead of failing
    client.force_login(archive.archivist)
    main = ItemFile.objects.filter(item__dossier=dossier).first()
    r = client.get(reverse("records:download", args=[dossier.pk, main.pk]))
    assert r.status_code == 410 and "12/QĐ-UBND" in r.content.decode()
    client.force_login(archive.office.leader)
    r = client.get(reverse("document_file", args=[DocumentFile.objects.filter(document=doc).first().pk]))
    assert r.status_code == 410 and "không còn trong kho" in r.content.decode()
    # fixity does not call destroyed blobs missing
    fixity.run_fixity(resume=False)
    assert not FixityMismatch.objects.filter(sha256__in=item_shas).exists()


def test_bytes_another_dossier_still_names_are_kept(archive: Archive, pdf_bytes: bytes) -> None:
    shared = "Cùng một bảng số liệu\n".encode()
    doomed = archived(archive, pdf_bytes, working=shared)
    other = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TCCB"])
    services.add_working_file(actor=archive.staff, dossier=other, upload=services.WorkingFile(
        "bang.txt", shared, "Bảng số liệu", issued_date=date(2014, 5, 1), organ_name=archive.agency.name))
    review = approved(archive, doomed)
    destruction.destroy(actor=archive.archivist, review=review)
    destruction.purge_destroyed()
    sha = ItemFile.objects.get(item__dossier=other).sha256
    assert get_store().get(sha) == shared
    assert not DestroyedBlob.objects.filter(sha256=sha).exists()
    assert [f["removed"] for f in DestructionItem.objects.get(review=review).destroyed_files
            if f["sha256"] == sha] == [False]


def test_a_kept_dossier_returns_with_a_longer_retention(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = archived(archive, pdf_bytes)
    review = approved(archive, dossier, destroy=False)
    dossier.refresh_from_db()
    # kept 5 more years from the decision, not from 2014 (which would be expired again at once)
    year = timezone.localdate().year
    assert dossier.state == "archived" and dossier.retention_years == year + 5 - 2014
    assert destruction.expires_on(dossier) == date(year + 6, 1, 1)
    assert destruction.expired_dossiers(archive.agency) == []
    destruction.destroy(actor=archive.archivist, review=review)  # nothing to destroy; a record anyway
    dossier.refresh_from_db()
    assert dossier.state == "archived"
    assert all(get_store().exists(s) for s in ItemFile.objects.filter(item__dossier=dossier)
               .values_list("sha256", flat=True))


def _nothing_written(before: tuple[int, int, int]) -> None:
    assert (DestructionReview.objects.count(), AuditEvent.objects.count(), DestroyedBlob.objects.count()) == before


def _counts() -> tuple[int, int, int]:
    return DestructionReview.objects.count(), AuditEvent.objects.count(), DestroyedBlob.objects.count()


def test_refusals_name_the_dossier_and_write_nothing(archive: Archive, pdf_bytes: bytes) -> None:
    young = archived(archive, pdf_bytes, ended=timezone.localdate())
    permanent = archived(archive, pdf_bytes, notation="01.TH")
    before = _counts()
    cases: list[tuple[Any, str, list[Proposal]]] = [
        (archive.archivist, "RECORDS_NOT_EXPIRED", [Proposal(young.pk)]),
        (archive.archivist, "RECORDS_PERMANENT", [Proposal(permanent.pk)]),
        (archive.archivist, "RECORDS_PERMANENT", [Proposal(permanent.pk, "Trùng")]),
        (archive.archivist, "RECORDS_REVIEW_EMPTY", []),
        (archive.staff, "FORBIDDEN", [Proposal(young.pk, "Trùng thừa")]),
        (archive.office.leader, "FORBIDDEN", [Proposal(young.pk, "Trùng thừa")]),
    ]
    for actor, code, proposals in cases:
        with pytest.raises(RecordsError) as info:
            destruction.start_review(actor=actor, agency=archive.agency, title="Đợt", proposals=proposals)
        assert info.value.code == code, (code, info.value.message)
    assert young.file_code in _message(archive, young)
    _nothing_written(before)
    young.refresh_from_db()
    assert young.state == "archived"
    # a duplicate, with its ground, may be proposed before its time
    review = destruction.start_review(actor=archive.archivist, agency=archive.agency, title="Trùng thừa",
                                      proposals=[Proposal(young.pk, "Trùng với hồ sơ 01.TCCB, giữ bản đó")])
    assert review.items.get().grounds.startswith("Trùng")


def _message(archive: Archive, dossier: Dossier) -> str:
    try:
        destruction.start_review(actor=archive.archivist, agency=archive.agency, title="Đợt",
                                 proposals=[Proposal(dossier.pk)])
    except RecordsError as exc:
        return exc.message
    return ""


def test_council_and_decision_refusals(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = archived(archive, pdf_bytes)
    review = destruction.start_review(actor=archive.archivist, agency=archive.agency, title="Đợt 1",
                                      proposals=[Proposal(dossier.pk)])
    before = _counts()
    today = timezone.localdate()
    bad = [
        ({"members": "Một người\nHai người"}, "RECORDS_COUNCIL_MEMBERS"),
        ({"meeting_date": today + timedelta(days=1)}, "RECORDS_COUNCIL_DATE"),
        ({"conclusion": "  "}, "RECORDS_COUNCIL_CONCLUSION"),
        ({"verdicts": []}, "RECORDS_VERDICT_MISSING"),
        ({"verdicts": [Verdict(dossier.pk, False, None)]}, "RECORDS_KEEP_YEARS"),
        ({"actor": archive.office.leader}, "FORBIDDEN"),
    ]
    for change, code in bad:
        args = {"actor": archive.archivist, "review": review, "members": MEMBERS, "meeting_date": today,
                "conclusion": "Hủy.", "verdicts": [Verdict(dossier.pk, True)], **change}
        with pytest.raises(RecordsError) as info:
            destruction.record_council(**args)
        assert info.value.code == code
    _nothing_written(before)
    destruction.record_council(actor=archive.archivist, review=review, members=MEMBERS, meeting_date=today,
                               conclusion="Hủy.", verdicts=[Verdict(dossier.pk, True)])
    before = _counts()
    for actor, kwargs, code in [
        (archive.archivist, {"number": "1/QĐ", "decision_date": today}, "FORBIDDEN"),
        (archive.office.other_leader, {"number": "1/QĐ", "decision_date": today}, "FORBIDDEN"),
        (archive.office.leader, {"number": "", "decision_date": today}, "RECORDS_DECISION_REQUIRED"),
        (archive.office.leader, {"number": "1/QĐ", "decision_date": today - timedelta(days=1)},
         "RECORDS_DECISION_DATE"),
    ]:
        with pytest.raises(RecordsError) as info:
            destruction.decide(actor=actor, review=review, approve=True, **kwargs)
        assert info.value.code == code
    with pytest.raises(RecordsError) as info:
        destruction.destroy(actor=archive.archivist, review=review)
    assert info.value.code == "RECORDS_REVIEW_STATE"
    from vanban.accounts.models import Membership

    Membership.objects.create(user=archive.archivist, agency=archive.agency, role="leader")
    both = type(archive.archivist).objects.get(pk=archive.archivist.pk)  # roles are cached per user object
    with pytest.raises(RecordsError) as info:  # archivist and leader at once: still not their own list
        destruction.decide(actor=both, review=review, approve=True, number="1/QĐ", decision_date=today)
    assert info.value.code == "FORBIDDEN" and "không tự quyết định" in info.value.message
    _nothing_written(before)
    # sent back to the council with a reason
    review = destruction.decide(actor=archive.office.leader, review=review, approve=False,
                                reason="Xem lại hồ sơ số 2")
    assert review.state == "council" and review.note == "Xem lại hồ sơ số 2"


def test_a_hold_blocks_listing_and_destroying(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = archived(archive, pdf_bytes)
    review = approved(archive, dossier)
    destruction.set_hold(actor=archive.office.leader, dossier=dossier, reason="Thanh tra tỉnh đang kiểm tra")
    before = _counts()
    with pytest.raises(RecordsError) as info:
        destruction.destroy(actor=archive.archivist, review=review)
    assert info.value.code == "RECORDS_DOSSIER_ON_HOLD" and dossier.file_code in info.value.message
    _nothing_written(before)
    assert all(get_store().exists(s) for s in ItemFile.objects.filter(item__dossier=dossier)
               .values_list("sha256", flat=True))
    destruction.cancel(actor=archive.archivist, review=review, reason="Đang thanh tra")
    dossier.refresh_from_db()
    assert dossier.state == "archived"
    assert destruction.expired_dossiers(archive.agency) == []  # held: not proposed again
    with pytest.raises(RecordsError) as info:
        destruction.start_review(actor=archive.archivist, agency=archive.agency, title="Lại",
                                 proposals=[Proposal(dossier.pk)])
    assert info.value.code == "RECORDS_DOSSIER_ON_HOLD"
    with pytest.raises(RecordsError):
        destruction.lift_hold(actor=archive.office.leader, dossier=dossier, reason="  ")
    destruction.lift_hold(actor=archive.office.leader, dossier=dossier, reason="Thanh tra đã kết thúc")
    assert [d.pk for d in destruction.expired_dossiers(archive.agency)] == [dossier.pk]


def test_pages_walk_the_path_by_role(archive: Archive, pdf_bytes: bytes, client: Client,
                                    django_capture_on_commit_callbacks: Any) -> None:
    dossier = archived(archive, pdf_bytes)
    client.force_login(archive.staff)
    assert client.get(reverse("records:destructions")).status_code == 403
    client.force_login(archive.archivist)
    page = client.get(reverse("records:destructions")).content.decode()
    assert dossier.file_code in page and "Lập danh sách trình Hội đồng" in page
    r = client.post(reverse("records:destructions"), {"dossier": [dossier.pk], "title": "Xét hủy 2026"})
    review = DestructionReview.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("records:destruction", args=[review.pk])
    act = reverse("records:destruction_act", args=[review.pk])
    r = client.post(act, {"action": "council", "members": "Một người", "meeting_date": "2026-01-05",
                          "conclusion": "Hủy", f"verdict_{dossier.pk}": "destroy"}, follow=True)
    assert "ít nhất 3 thành viên" in r.content.decode()
    client.post(act, {"action": "council", "members": MEMBERS, "meeting_date": timezone.localdate().isoformat(),
                      "conclusion": "Hủy", f"verdict_{dossier.pk}": "destroy"})
    review.refresh_from_db()
    assert review.state == "proposed"
    detail = reverse("records:destruction", args=[review.pk])
    assert "Phê duyệt quyết định hủy" not in client.get(detail).content.decode()
    assert client.post(act, {"action": "approve", "number": "1/QĐ", "decision_date": "2026-01-05"}).status_code == 403
    client.force_login(archive.office.leader)
    assert "Phê duyệt quyết định hủy" in client.get(detail).content.decode()
    client.post(act, {"action": "approve", "number": "12/QĐ-UBND", "decision_date": timezone.localdate().isoformat()})
    client.force_login(archive.archivist)
    due = (timezone.localdate() + timedelta(days=15)).strftime("%d/%m/%Y")
    assert f"Hạn thực hiện hủy: <strong>{due}</strong>" in client.get(detail).content.decode()
    shas = list(ItemFile.objects.filter(item__dossier=dossier).values_list("sha256", flat=True))
    with django_capture_on_commit_callbacks(execute=True):  # the removal runs after the commit
        client.post(act, {"action": "destroy"})
    review.refresh_from_db()
    assert review.state == "destroyed"
    assert shas and not any(get_store().exists(s) for s in shas)
    page = client.get(reverse("records:dossier", args=[dossier.pk])).content.decode()
    assert "Hồ sơ đã bị hủy" in page and "theo Quyết định số 12/QĐ-UBND" in page
    r = client.get(reverse("records:destruction_record", args=[review.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    client.force_login(archive.office.other_leader)  # another agency
    assert client.get(reverse("records:destruction", args=[review.pk])).status_code in (403, 404)


def test_hold_page_action(archive: Archive, pdf_bytes: bytes, client: Client) -> None:
    dossier = archived(archive, pdf_bytes)
    client.force_login(archive.archivist)
    url = reverse("records:hold", args=[dossier.pk])
    r = client.post(url, {"action": "set", "reason": ""}, follow=True)
    assert "Phải ghi lý do phong tỏa" in r.content.decode()
    page = client.get(reverse("records:dossier", args=[dossier.pk])).content.decode()
    assert 'data-testid="hold-form"' in page and "Phong tỏa hồ sơ" in page
    client.post(url, {"action": "set", "reason": "Tranh chấp đất đai"})
    dossier.refresh_from_db()
    assert dossier.hold_reason == "Tranh chấp đất đai"
    page = client.get(reverse("records:dossier", args=[dossier.pk])).content.decode()
    assert "Hồ sơ đang bị phong tỏa" in page and 'data-testid="hold-form"' not in page  # a leader lifts it
    client.post(url, {"action": "lift", "reason": "Tự gỡ"})
    dossier.refresh_from_db()
    assert dossier.hold_reason == "Tranh chấp đất đai"
    client.force_login(archive.office.leader)
    assert "Gỡ phong tỏa" in client.get(reverse("records:dossier", args=[dossier.pk])).content.decode()
    assert "Tranh chấp đất đai" in client.get(reverse("records:destructions")).content.decode()
    client.force_login(archive.staff)  # the creator is not the archive
    client.post(url, {"action": "lift", "reason": "x"})
    dossier.refresh_from_db()
    assert dossier.hold_reason == "Tranh chấp đất đai"


def test_the_same_bytes_stored_again_for_a_live_record_survive_the_purge(archive: Archive, pdf_bytes: bytes) -> None:
    shared = "Bảng số liệu dùng lại\n".encode()
    doomed = archived(archive, pdf_bytes, working=shared)
    destruction.destroy(actor=archive.archivist, review=approved(archive, doomed))
    destruction.purge_destroyed()
    sha = ItemFile.objects.filter(item__dossier=doomed, name="bang-tong-hop.txt").get().sha256
    assert not get_store().exists(sha)
    later = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TCCB"])
    services.add_working_file(actor=archive.staff, dossier=later, upload=services.WorkingFile(
        "bang.txt", shared, "Bảng số liệu", issued_date=date(2020, 5, 1), organ_name=archive.agency.name))
    assert destruction.purge_destroyed() >= 0 and get_store().get(sha) == shared  # the live copy stays
    assert not DestroyedBlob.objects.filter(sha256=sha).exists()


def test_bytes_shared_by_two_destroyed_dossiers_go_with_the_second(archive: Archive, pdf_bytes: bytes) -> None:
    shared = "Cùng một phụ lục\n".encode()
    first = archived(archive, pdf_bytes, working=shared)
    second = archived(archive, pdf_bytes, notation="01.TCCB", working=shared)
    Dossier.objects.filter(pk=second.pk).update(retention_years=10)  # expired too (the entry keeps 70 years)
    sha = ItemFile.objects.filter(item__dossier=first, name="bang-tong-hop.txt").get().sha256
    destruction.destroy(actor=archive.archivist, review=approved(archive, first))
    destruction.purge_destroyed()
    assert get_store().exists(sha)  # the second dossier still holds it
    destruction.destroy(actor=archive.archivist, review=approved(archive, second))
    destruction.purge_destroyed()
    assert not get_store().exists(sha)


def test_a_package_built_while_the_dossier_is_destroyed_goes_with_it(archive: Archive, pdf_bytes: bytes,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The AIP job builds its zip outside a transaction; a destruction that commits meanwhile
    must not leave that zip (the destroyed contents) in the store with nothing naming it."""
    dossier = archived(archive, pdf_bytes)
    review = approved(archive, dossier)
    made: list[bytes] = []
    real_zip, real_build = aip.zip_bytes, aip.build_aip

    def zipped(*args: Any) -> bytes:
        made.append(real_zip(*args))
        return made[-1]

    def racing(d: Dossier, **kwargs: Any) -> Any:
        built = real_build(d, **kwargs)
        destruction.destroy(actor=archive.archivist, review=review)  # commits while the zip is made
        return built

    monkeypatch.setattr(aip, "zip_bytes", zipped)
    monkeypatch.setattr(aip, "build_aip", racing)
    with pytest.raises(RecordsError) as info:
        aip.store_aip(dossier)
    assert info.value.code == "RECORDS_NOT_ARCHIVED"
    sha = hashlib.sha256(made[0]).hexdigest()
    assert not get_store().exists(sha)
    assert DestroyedBlob.objects.get(sha256=sha).review == review
    assert not ArchivalPackage.objects.filter(sha256=sha).exists()
