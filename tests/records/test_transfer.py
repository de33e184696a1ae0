from __future__ import annotations

from typing import Any

import pytest

from tests.records.conftest import Archive, closed_dossier, issue
from vanban.audit.models import AuditEvent
from vanban.records import services
from vanban.records.errors import RecordsError
from vanban.records.models import ArchiveTransfer, Dossier, ItemFile

pytestmark = pytest.mark.django_db


def test_missing_mandatory_field_refuses_the_transfer_and_names_it(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    services.update_dossier(actor=archive.archivist, dossier=dossier, values={"language": ""},
                            reason="Thử kiểm tra")
    before = AuditEvent.objects.count()
    with pytest.raises(RecordsError) as info:
        services.submit_transfer(actor=archive.staff, dossiers=[dossier])
    assert info.value.code == "RECORDS_METADATA_INCOMPLETE"
    assert info.value.status == 422
    assert "hồ sơ: thiếu “Ngôn ngữ” (Language)" in info.value.message
    assert "000.00.01.H16.2026.01.TH" in info.value.message
    dossier.refresh_from_db()
    assert dossier.state == "closed"
    assert ArchiveTransfer.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_missing_item_field_is_named_with_its_item(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = closed_dossier(archive, pdf_bytes, documents=2)
    item = dossier.items.get(ordinal=2)
    item.metadata["organName"] = ""
    item.save()
    with pytest.raises(RecordsError) as info:
        services.submit_transfer(actor=archive.staff, dossiers=[dossier])
    assert "văn bản số 2: thiếu “Tên cơ quan, tổ chức ban hành văn bản” (organName)" in info.value.message


def test_submit_accept_archive(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    transfer = services.submit_transfer(actor=archive.staff, dossiers=[dossier], note="Nộp lưu năm 2026")
    dossier.refresh_from_db()
    assert dossier.state == "submitted"
    main = ItemFile.objects.get(item__dossier=dossier, role="main")
    assert main.validation["verdict"] == "valid"
    assert main.validation["signature_count"] == 2
    assert main.validated_at is not None
    with pytest.raises(RecordsError) as info:
        services.accept_transfer(actor=archive.staff, transfer=transfer)
    assert info.value.status == 403
    services.accept_transfer(actor=archive.archivist, transfer=transfer)
    dossier.refresh_from_db()
    transfer.refresh_from_db()
    assert (dossier.state, transfer.state, transfer.decided_by_id) == ("archived", "accepted", archive.archivist.pk)
    assert dossier.archived_at is not None
    accepted = AuditEvent.objects.get(action="records.transfer_accepted")
    assert (accepted.actor_id, accepted.object_id, accepted.details["dossiers"]) == (
        archive.archivist.pk, str(transfer.pk), ["000.00.01.H16.2026.01.TH"])
    assert list(AuditEvent.objects.filter(object_type="records.dossier", object_id=str(dossier.pk))
                .values_list("action", flat=True))[-2:] == ["records.dossier_submitted", "records.dossier_archived"]
    # In the archive: read-only for everyone, the archivist included.
    for actor in (archive.staff, archive.archivist):
        with pytest.raises(RecordsError) as info:
            services.update_dossier(actor=actor, dossier=dossier, values={"keywords": "x"}, reason="thử")
        assert info.value.code == "RECORDS_DOSSIER_FROZEN"
    with pytest.raises(RecordsError) as info:
        services.accept_transfer(actor=archive.archivist, transfer=transfer)
    assert info.value.code == "RECORDS_TRANSFER_DECIDED"


def test_return_needs_a_reason_and_reopens_for_completion(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    transfer = services.submit_transfer(actor=archive.staff, dossiers=[dossier])
    with pytest.raises(RecordsError) as info:
        services.return_transfer(actor=archive.archivist, transfer=transfer, reason=" ")
    assert info.value.code == "RECORDS_REASON_REQUIRED"
    services.return_transfer(actor=archive.archivist, transfer=transfer, reason="Thiếu từ khóa")
    dossier.refresh_from_db()
    transfer.refresh_from_db()
    assert (dossier.state, transfer.state, transfer.reason) == ("closed", "returned", "Thiếu từ khóa")
    returned = AuditEvent.objects.get(action="records.transfer_returned")
    assert (returned.actor_id, returned.details["reason"]) == (archive.archivist.pk, "Thiếu từ khóa")
    again = services.submit_transfer(actor=archive.staff, dossiers=[dossier])
    assert again.pk != transfer.pk


def test_open_dossier_cannot_be_transferred(archive: Archive) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    with pytest.raises(RecordsError) as info:
        services.submit_transfer(actor=archive.staff, dossiers=[dossier])
    assert info.value.code == "RECORDS_DOSSIER_NOT_CLOSED"
    assert Dossier.objects.get().state == "open"


def test_archive_reads_are_audited(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    services.record_archive_read(actor=archive.archivist, dossier=dossier, what="detail")
    assert not AuditEvent.objects.filter(action="records.archive_read").exists()  # not archived yet
    transfer = services.submit_transfer(actor=archive.staff, dossiers=[dossier])
    services.accept_transfer(actor=archive.archivist, transfer=transfer)
    dossier.refresh_from_db()
    services.record_archive_read(actor=archive.office.leader, dossier=dossier, what="detail", ip="10.0.0.5")
    read = AuditEvent.objects.get(action="records.archive_read")
    assert (read.actor_id, read.ip_address, read.details["what"]) == (archive.office.leader.pk, "10.0.0.5", "detail")


def mixed_dossier(archive: Archive, pdf_bytes: bytes) -> tuple[Any, Any, Any]:
    """A closed dossier holding an issued, a received (through the hub) and a paper-registered
    document: (dossier, received, paper)."""
    from django.utils import timezone

    from tests.records.conftest import issue
    from vanban.blobs import get_store
    from vanban.documents.models import Document, DocumentFile, DocumentType
    from vanban.incoming import services as incoming
    from vanban.incoming.models import IncomingDocument

    o = archive.office
    received = Document.objects.create(
        agency=o.agency, direction="incoming", state="accepted", source="system",
        document_type=DocumentType.objects.get(code="cong-van"), subject="Về việc phối hợp kiểm tra",
        notation="15/SNV-VP", issuer_code="000.00.02.H16", issuer_name="Sở Nội vụ",
        external_id="000.00.02.H16-2026.15", issued_on=timezone.localdate(), signer_name="Y Khu Êban",
        signer_position="Giám đốc", arrived_at=timezone.now())
    part = IncomingDocument(document=received)
    incoming.take_arrival_number(received, part)
    part.save()
    received.save()
    DocumentFile.objects.create(document=received, role="main", name="cong-van.pdf", content_type="application/pdf",
                                size=len(pdf_bytes), sha256=get_store().put(pdf_bytes), stage="received")
    paper = incoming.register_paper(actor=o.clerk, agency=o.agency, type_code="cong-van",
                                    subject="Về việc báo cáo công tác văn thư", notation="7/UBND",
                                    issuer_name="Ủy ban nhân dân xã Ea Kao", issued_on=timezone.localdate(),
                                    signer_name="Nguyễn Văn B", files=[("ban-quet.pdf", pdf_bytes)])
    dossier = services.open_dossier(actor=o.leader, entry=archive.entries["02.TH"])
    for doc in (issue(o, pdf_bytes), received, paper):
        services.file_document(actor=o.leader, dossier=dossier, document=doc)
    return dossier, received, paper


def test_a_dossier_of_issued_received_and_paper_documents_is_archived(archive: Archive, pdf_bytes: bytes) -> None:
    """Most real dossiers hold received documents: their identifier is the sender's DocumentId,
    a paper one gets the agency's arrival identifier and is marked "Số hóa" (issue 18)."""
    o = archive.office
    dossier, received, paper = mixed_dossier(archive, pdf_bytes)
    metas = {item.document_id: item.metadata for item in dossier.items.all()}
    assert metas[received.pk]["docId"] == "000.00.02.H16-2026.15"
    paper.refresh_from_db()
    book, number = paper.incoming.arrival_book, paper.incoming.arrival_number
    assert metas[paper.pk]["docId"] == f"000.00.01.H16-{book.year}.DEN.{number}"
    assert (metas[paper.pk]["confidenceLevel"], metas[received.pk]["confidenceLevel"]) == ("02", "01")
    dossier = services.close_dossier(actor=o.leader, dossier=dossier)
    transfer = services.submit_transfer(actor=o.leader, dossiers=[dossier])  # no RECORDS_METADATA_INCOMPLETE
    services.accept_transfer(actor=archive.archivist, transfer=transfer)
    dossier.refresh_from_db()
    assert dossier.state == "archived"


def _two_closed(archive: Archive, pdf_bytes: bytes) -> tuple[Dossier, Dossier]:
    first = closed_dossier(archive, pdf_bytes)
    second = services.open_dossier(actor=archive.staff, entry=archive.entries["02.TH"])
    services.file_document(actor=archive.staff, dossier=second,
                           document=issue(archive.office, pdf_bytes, "Văn bản của hồ sơ thứ hai"))
    return first, services.close_dossier(actor=archive.staff, dossier=second)


def test_each_dossier_of_a_list_is_accepted_or_returned_with_its_reason(archive: Archive, pdf_bytes: bytes,
                                                                       client: Any) -> None:
    first, second = _two_closed(archive, pdf_bytes)
    transfer = services.submit_transfer(actor=archive.staff, dossiers=[first, second])
    decide = services.ItemDecision
    for decisions, code in (([decide(first.pk, True)], "RECORDS_TRANSFER_UNDECIDED"),
                            ([decide(first.pk, True), decide(second.pk, False, " ")], "RECORDS_REASON_REQUIRED")):
        with pytest.raises(RecordsError) as info:
            services.decide_transfer(actor=archive.archivist, transfer=transfer, decisions=decisions)
        assert info.value.code == code
        assert set(Dossier.objects.values_list("state", flat=True)) == {"submitted"}  # nothing written
    with pytest.raises(RecordsError) as info:  # only the archivist decides
        services.decide_transfer(actor=archive.staff, transfer=transfer,
                                 decisions=[decide(first.pk, True), decide(second.pk, True)])
    assert info.value.code == "FORBIDDEN" or info.value.status == 403

    client.force_login(archive.archivist)
    client.post(f"/ho-so/nop-luu/{transfer.pk}/", {"decision": "each", f"item_{first.pk}": "accept",
                                                   f"item_{second.pk}": "return",
                                                   f"reason_{second.pk}": "Thiếu văn bản kết thúc"})
    transfer.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (transfer.state, first.state, second.state) == ("partial", "archived", "closed")
    assert dict(transfer.items.values_list("dossier_id", "decision")) == {first.pk: "accepted", second.pk: "returned"}
    assert transfer.items.get(dossier=second).reason == "Thiếu văn bản kết thúc"
    event = AuditEvent.objects.get(action="records.transfer_decided")
    assert (event.details["accepted"], event.details["returned"]) == ([first.file_code], [second.file_code])
    again = services.submit_transfer(actor=archive.staff, dossiers=[second])  # completed, sent again
    out = client.post(f"/api/v1/records/transfers/{again.pk}/decide",
                      {"items": [{"dossier": second.pk, "accept": True}]}, content_type="application/json").json()
    assert out["state"] == "accepted" and out["decisions"][0]["decision"] == "accepted"
