from __future__ import annotations

import pytest

from tests.office_fixtures import Office
from vanban.audit.models import AuditEvent
from vanban.blobs import get_store
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document, DocumentFile
from vanban.exchange.models import OutboxEntry
from vanban.outgoing import services
from vanban.outgoing.models import DraftVersion
from vanban.pki import validate_pdf
from vanban.trust.services import trust_store

pytestmark = pytest.mark.django_db

FIELDS = services.DraftFields(document_type="quyet-dinh", subject="Về việc thử nghiệm hệ thống",
                              place="Đắk Lắk")
RECIPIENTS = [services.RecipientInput(kind="agency", agency_code="000.00.02.H16"),
              services.RecipientInput(kind="agency", agency_code="000.00.03.H16", paper_copy=True),
              services.RecipientInput(kind="internal", name="Lưu: VT, TH"),
              services.RecipientInput(kind="paper", name="Ông Nguyễn Văn A", address="Buôn Ma Thuột")]


def draft(office: Office, pdf: bytes, **kw: object) -> Document:
    return services.create_draft(actor=office.specialist, agency=office.agency, fields=FIELDS,
                                 files=[services.FileInput("du-thao.pdf", pdf)], recipients=RECIPIENTS, **kw)


def test_full_outgoing_path(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    doc = draft(o, pdf_bytes)
    assert doc.state == "draft"
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    services.approve_and_sign(actor=o.leader, document=doc)
    doc = services.issue_document(actor=o.clerk, document=doc)
    assert doc.state == "issued"
    assert doc.number == 1
    assert doc.notation == "01/QĐ-UBND"
    assert doc.identifier_code == f"000.00.01.H16-{doc.issued_at.year}.1"
    assert doc.register_book.name == "Sổ đăng ký văn bản đi"
    assert (doc.signer_name, doc.signer_position) == ("Trần Văn Hùng", "Chủ tịch")
    main = doc.main_file()
    assert main.stage == "seal"
    report = validate_pdf(get_store().get(main.sha256), trust_store())
    assert report.verdict == "valid"
    assert len(report.signatures) == 2
    # Outbox rows written with the issue, one per electronic recipient.
    assert sorted(OutboxEntry.objects.values_list("recipient_code", "state")) == [
        ("000.00.02.H16", "pending"), ("000.00.03.H16", "pending")]
    actions = list(AuditEvent.objects.filter(object_type="documents.document", object_id=str(doc.pk))
                   .values_list("action", flat=True))
    assert actions == ["documents.draft_created", "documents.draft_submitted",
                       "documents.approved_signed", "documents.issued"]
    issued = AuditEvent.objects.get(action="documents.issued")
    assert issued.actor_id == o.clerk.pk
    assert issued.details["paper"] == ["Sở Tài chính", "Ông Nguyễn Văn A"]
    # Every version of the main file kept, not overwritten: draft, verification footer,
    # leader's signature, seal.
    assert list(doc.files.order_by("id").values_list("stage", "is_current")) == [
        ("", False), ("footer", False), ("person", False), ("seal", True)]
    assert len(doc.outgoing.verification_code) == 12


def test_second_document_gets_02_and_legal_documents_have_their_own_book(signing_office: Office,
                                                                          pdf_bytes: bytes) -> None:
    o = signing_office
    notations = []
    for doc_type in ("quyet-dinh", "cong-van", "quyet-dinh-qppl"):
        fields = services.DraftFields(document_type=doc_type, subject="Thử", drafting_unit="VP")
        doc = services.create_draft(actor=o.specialist, agency=o.agency, fields=fields,
                                    files=[services.FileInput("a.pdf", pdf_bytes)], recipients=RECIPIENTS[:1])
        services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
        services.approve_and_sign(actor=o.leader, document=doc)
        notations.append(services.issue_document(actor=o.clerk, document=doc))
    year = notations[0].issued_at.year
    assert [d.notation for d in notations] == ["01/QĐ-UBND-VP", "02/UBND-VP", f"01/{year}/QĐ-UBND-VP"]
    assert [d.identifier_code.rsplit(".", 1)[1] for d in notations] == ["1", "2", "3"]


def test_confidential_document_is_refused(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    for mark in ("Mật", "Tối mật", "Tuyệt mật"):
        fields = services.DraftFields(document_type="quyet-dinh", subject="Bí mật", confidentiality=mark)
        with pytest.raises(DocumentError) as info:
            services.create_draft(actor=o.specialist, agency=o.agency, fields=fields,
                                  files=[services.FileInput("a.pdf", pdf_bytes)])
        assert info.value.code == "DOCUMENT_CONFIDENTIAL"
        assert "Quyết định 16/2019/QĐ-UBND" in info.value.message
    assert Document.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="documents.").exists()


def test_fake_extension_upload_is_refused_and_nothing_written(signing_office: Office) -> None:
    o = signing_office
    with pytest.raises(DocumentError) as info:
        services.create_draft(actor=o.specialist, agency=o.agency, fields=FIELDS,
                              files=[services.FileInput("quyet-dinh.pdf", b"MZ\x90\x00" + b"\x00" * 64)])
    assert info.value.code == "FILE_EXECUTABLE"
    assert Document.objects.count() == 0
    assert DocumentFile.objects.count() == 0


def test_wrong_people_cannot_act(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    doc = draft(o, pdf_bytes)
    with pytest.raises(DocumentError):
        services.submit_draft(actor=o.clerk, document=doc, approver=o.leader)
    with pytest.raises(DocumentError) as info:
        services.submit_draft(actor=o.specialist, document=doc, approver=o.other_leader)
    assert info.value.code == "APPROVER_NOT_LEADER"
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    with pytest.raises(DocumentError):
        services.approve_and_sign(actor=o.other_leader, document=doc)
    with pytest.raises(DocumentError):
        services.issue_document(actor=o.clerk, document=doc)  # not approved yet
    doc.refresh_from_db()
    assert doc.state == "submitted"
    assert doc.number is None


def test_return_with_comment_then_edit_makes_a_new_version(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    doc = draft(o, pdf_bytes)
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    with pytest.raises(DocumentError):
        services.return_draft(actor=o.leader, document=doc, comment="  ")
    services.return_draft(actor=o.leader, document=doc, comment="Sửa lại trích yếu")
    doc.refresh_from_db()
    assert doc.state == "returned"
    services.update_draft(actor=o.specialist, document=doc,
                          fields=services.DraftFields(document_type="quyet-dinh", subject="Trích yếu mới"))
    versions = list(DraftVersion.objects.filter(document=doc).values_list("number", "snapshot__fields__subject"))
    assert versions == [(1, "Về việc thử nghiệm hệ thống"), (2, "Trích yếu mới")]


def test_submit_requires_pdf_main_file(signing_office: Office) -> None:
    o = signing_office
    doc = services.create_draft(actor=o.specialist, agency=o.agency, fields=FIELDS, recipients=RECIPIENTS,
                                files=[services.FileInput("a.txt", "Nội dung".encode())])
    with pytest.raises(DocumentError) as info:
        services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    assert info.value.code == "MAIN_FILE_NOT_PDF"


def test_issue_without_seal_credential_changes_nothing(signing_office: Office, pdf_bytes: bytes) -> None:
    from vanban.trust.models import Credential
    o = signing_office
    doc = draft(o, pdf_bytes)
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    services.approve_and_sign(actor=o.leader, document=doc)
    Credential.objects.filter(kind="seal").update(is_active=False)
    with pytest.raises(DocumentError) as info:
        services.issue_document(actor=o.clerk, document=doc)
    assert info.value.code == "NO_CREDENTIAL"
    doc.refresh_from_db()
    assert (doc.state, doc.number, doc.identifier_code) == ("approved", None, None)
    assert OutboxEntry.objects.count() == 0
