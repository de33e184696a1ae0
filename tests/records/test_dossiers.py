from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.records.conftest import Archive, issue
from tests.records.pdfs import pdfa_pdf
from vanban.audit.models import AuditEvent
from vanban.exchange.models import OutboxEntry
from vanban.outgoing import services as doc_services
from vanban.records import services
from vanban.records.errors import RecordsError
from vanban.records.models import Dossier, DossierItem, ItemFile

pytestmark = pytest.mark.django_db


def events(dossier: Dossier) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="records.dossier", object_id=str(dossier.pk))
                .values_list("action", flat=True))


def test_open_file_and_derive_metadata(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    assert (dossier.file_code, dossier.title, dossier.retention_years, dossier.creator_name, dossier.state) == (
        "000.00.01.H16.2026.01.TH", "Hồ sơ về việc thử nghiệm hệ thống quản lý văn bản", None,
        archive.staff.display_name(), "open")
    doc = issue(archive.office, pdf_bytes)
    item = services.file_document(actor=archive.staff, dossier=dossier, document=doc)
    meta = item.metadata
    year = doc.issued_at.year
    assert {k: meta[k] for k in ("docId", "arcDocCode", "docOrdinal", "typeName", "codeNumber", "codeNotation",
                                 "issuedDate", "organName", "subject", "language", "pageAmount", "signerName",
                                 "signerPosition", "mode", "confidenceLevel", "fileFormat")} == {
        "docId": f"000.00.01.H16-{year}.1", "arcDocCode": "000.00.01.H16.2026.01.TH.0000001", "docOrdinal": 1,
        "typeName": "Quyết định", "codeNumber": "01", "codeNotation": "QĐ-UBND",
        "issuedDate": doc.issued_on.isoformat(), "organName": archive.agency.name,
        "subject": "Về việc thử nghiệm hệ thống", "language": "Tiếng Việt", "pageAmount": 1,
        "signerName": "Trần Văn Hùng", "signerPosition": "Chủ tịch", "mode": "01", "confidenceLevel": "01",
        "fileFormat": "application/pdf"}
    main = item.files.get(role="main")
    assert (main.sha256, main.pdfa, main.page_count) == (doc.main_file().sha256, "none", 1)
    edxml = item.files.get(is_edxml=True)  # the package as sent, kept beside the file
    assert (edxml.content_type, edxml.sha256) == ("application/xml", OutboxEntry.objects.first().package_sha256)
    assert events(dossier) == ["records.dossier_opened", "records.document_filed"]
    filed = AuditEvent.objects.get(action="records.document_filed")
    assert (filed.actor_id, filed.agency_code, filed.details["document_id"], filed.details["ordinal"]) == (
        archive.staff.pk, "000.00.01.H16", doc.pk, 1)


def test_one_dossier_per_catalog_entry(archive: Archive) -> None:
    services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    with pytest.raises(RecordsError) as info:
        services.open_dossier(actor=archive.office.clerk, entry=archive.entries["01.TH"])
    assert info.value.code == "RECORDS_DOSSIER_EXISTS"
    assert Dossier.objects.count() == 1


def test_outsider_cannot_open_from_the_catalog(archive: Archive, other_office) -> None:
    with pytest.raises(RecordsError) as info:
        services.open_dossier(actor=make_user(other_office, "archivist"), entry=archive.entries["01.TH"])
    assert info.value.status == 403
    assert Dossier.objects.count() == 0


def test_a_document_has_one_home_dossier(archive: Archive, pdf_bytes: bytes) -> None:
    first = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    second = services.open_dossier(actor=archive.staff, entry=archive.entries["02.TH"])
    doc = issue(archive.office, pdf_bytes)
    services.file_document(actor=archive.staff, dossier=first, document=doc)
    before = AuditEvent.objects.count()
    with pytest.raises(RecordsError) as info:
        services.file_document(actor=archive.staff, dossier=second, document=doc)
    assert info.value.code == "RECORDS_DOCUMENT_ALREADY_FILED"
    assert "000.00.01.H16.2026.01.TH" in info.value.message
    assert list(DossierItem.objects.values_list("dossier_id", flat=True)) == [first.pk]
    assert AuditEvent.objects.count() == before


def test_drafts_and_other_agencies_documents_are_refused(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    draft = doc_services.create_draft(
        actor=archive.staff, agency=archive.agency,
        fields=doc_services.DraftFields(document_type="cong-van", subject="Dự thảo"),
        files=[doc_services.FileInput("a.pdf", pdf_bytes)])
    with pytest.raises(RecordsError) as info:
        services.file_document(actor=archive.staff, dossier=dossier, document=draft)
    assert info.value.code == "RECORDS_DOCUMENT_NOT_FINAL"
    outsider = make_user(archive.office.other_leader.memberships.first().agency, "specialist")
    with pytest.raises(RecordsError) as info:
        services.file_document(actor=outsider, dossier=dossier, document=draft)
    assert info.value.status == 403
    assert DossierItem.objects.count() == 0


def test_working_file_order_and_remove(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    doc_item = services.file_document(actor=archive.staff, dossier=dossier, document=issue(archive.office, pdf_bytes))
    note = services.add_working_file(actor=archive.staff, dossier=dossier, upload=services.WorkingFile(
        "bien-ban-hop.pdf", pdfa_pdf(), "Biên bản họp tổ công tác", "Biên bản"))
    assert (note.kind, note.ordinal, note.metadata["typeName"], note.metadata["pageAmount"]) == (
        "file", 2, "Biên bản", 1)
    assert note.files.get().pdfa == "2B"
    services.reorder_items(actor=archive.staff, dossier=dossier, item_ids=[note.pk, doc_item.pk])
    assert list(dossier.items.values_list("pk", "ordinal")) == [(note.pk, 1), (doc_item.pk, 2)]
    doc_item.refresh_from_db()
    assert doc_item.metadata["arcDocCode"] == "000.00.01.H16.2026.01.TH.0000002"
    with pytest.raises(RecordsError) as info:
        services.reorder_items(actor=archive.staff, dossier=dossier, item_ids=[note.pk])
    assert info.value.code == "RECORDS_BAD_ORDER"
    services.remove_item(actor=archive.staff, dossier=dossier, item_id=note.pk)
    assert list(dossier.items.values_list("pk", "ordinal")) == [(doc_item.pk, 1)]
    assert events(dossier)[-3:] == ["records.file_added", "records.items_reordered", "records.item_removed"]


def test_fake_pdf_working_file_is_refused(archive: Archive) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    with pytest.raises(RecordsError) as info:
        services.add_working_file(actor=archive.staff, dossier=dossier, upload=services.WorkingFile(
            "a.pdf", b"MZ\x90\x00" + b"\x00" * 64, "Tệp giả"))
    assert info.value.code == "FILE_EXECUTABLE"
    assert DossierItem.objects.count() == 0 and ItemFile.objects.count() == 0


def test_metadata_edits_are_checked(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    item = services.file_document(actor=archive.staff, dossier=dossier, document=issue(archive.office, pdf_bytes))
    services.update_item(actor=archive.staff, dossier=dossier, item_id=item.pk,
                         values={"keyword": "thử nghiệm", "confidenceLevel": "03", "pageAmount": "4"})
    item.refresh_from_db()
    assert (item.metadata["keyword"], item.metadata["confidenceLevel"], item.metadata["pageAmount"]) == (
        "thử nghiệm", "03", 4)
    for values, code in (({"subject": "Sửa trích yếu"}, "RECORDS_FIELD_NOT_EDITABLE"),
                         ({"mode": "09"}, "RECORDS_BAD_CODE"), ({"pageAmount": "0"}, "RECORDS_BAD_NUMBER")):
        with pytest.raises(RecordsError) as info:
            services.update_item(actor=archive.staff, dossier=dossier, item_id=item.pk, values=values)
        assert info.value.code == code
    services.update_dossier(actor=archive.staff, dossier=dossier, values={"keywords": "hệ thống", "sheet_count": 3})
    with pytest.raises(RecordsError) as info:
        services.update_dossier(actor=archive.staff, dossier=dossier,
                                values={"start_date": "2026-05-01", "end_date": "2026-01-01"})
    assert info.value.code == "RECORDS_BAD_DATE"
    dossier.refresh_from_db()
    assert (dossier.keywords, dossier.sheet_count, dossier.start_date) == ("hệ thống", 3, None)
    changed = AuditEvent.objects.filter(action="records.dossier_metadata_changed").get()
    assert changed.details["changed"] == {"keywords": "hệ thống", "sheet_count": 3}


def test_closing_freezes_and_only_the_archivist_amends_with_a_reason(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    with pytest.raises(RecordsError) as info:
        services.close_dossier(actor=archive.staff, dossier=dossier)
    assert info.value.code == "RECORDS_DOSSIER_EMPTY"
    services.file_document(actor=archive.staff, dossier=dossier, document=issue(archive.office, pdf_bytes))
    dossier = services.close_dossier(actor=archive.staff, dossier=dossier)
    assert dossier.state == "closed" and dossier.closed_at is not None
    late = issue(archive.office, pdf_bytes, "Văn bản đến muộn")
    with pytest.raises(RecordsError) as info:
        services.file_document(actor=archive.staff, dossier=dossier, document=late)
    assert info.value.status == 403
    with pytest.raises(RecordsError) as info:
        services.file_document(actor=archive.archivist, dossier=dossier, document=late)
    assert info.value.code == "RECORDS_REASON_REQUIRED"
    assert dossier.items.count() == 1
    services.file_document(actor=archive.archivist, dossier=dossier, document=late, reason="Bổ sung văn bản còn thiếu")
    amended = AuditEvent.objects.filter(action="records.document_filed").last()
    assert (amended.actor_id, amended.details["amended_after_close"], amended.details["reason"]) == (
        archive.archivist.pk, True, "Bổ sung văn bản còn thiếu")
    assert dossier.items.count() == 2
    assert events(dossier)[-2:] == ["records.dossier_closed", "records.document_filed"]
