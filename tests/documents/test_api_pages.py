from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from tests.office_fixtures import Office
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document
from vanban.outgoing import services

pytestmark = pytest.mark.django_db


def draft_payload(pdf: bytes, **extra: object) -> dict[str, object]:
    return {"document_type": "cong-van", "subject": "Về việc báo cáo tình hình", "drafting_unit": "TH",
            "files": [{"name": "cv.pdf", "content_base64": base64.b64encode(pdf).decode()}],
            "recipients": [{"kind": "agency", "agency_code": "000.00.02.H16"}], **extra}


def test_api_full_path(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    client.force_login(o.specialist)
    created = client.post("/api/v1/documents", draft_payload(pdf_bytes), content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.post(f"/api/v1/documents/{pk}/submit", {"approver": "lanhdao"},
                       content_type="application/json").status_code == 200
    client.force_login(o.leader)
    assert client.post(f"/api/v1/documents/{pk}/approve").json()["state"] == "approved"
    client.force_login(o.clerk)
    issued = client.post(f"/api/v1/documents/{pk}/issue").json()
    assert issued["notation"] == "01/UBND-TH"
    assert issued["issued_at"].endswith("+07:00")
    sigs = client.get(f"/api/v1/documents/{pk}/signatures").json()
    assert sigs["verdict"] == "valid"
    assert len(sigs["signatures"]) == 2
    listed = client.get("/api/v1/documents").json()
    assert [d["identifier_code"] for d in listed] == [issued["identifier_code"]]


def test_api_refusals_have_codes_and_change_nothing(client: Client, signing_office: Office,
                                                     pdf_bytes: bytes) -> None:
    client.force_login(signing_office.specialist)
    secret = client.post("/api/v1/documents", draft_payload(pdf_bytes, confidentiality="Tối mật"),
                         content_type="application/json")
    assert secret.status_code == 422
    assert secret.json()["error"]["code"] == "DOCUMENT_CONFIDENTIAL"
    fake = draft_payload(b"")
    fake["files"] = [{"name": "a.pdf", "content_base64": base64.b64encode(b"PK\x03\x04zip").decode()}]
    response = client.post("/api/v1/documents", fake, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "FILE_CONTENT_MISMATCH"
    assert Document.objects.count() == 0


def test_other_agency_sees_nothing(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    doc = services.create_draft(actor=o.specialist, agency=o.agency,
                                fields=services.DraftFields(document_type="quyet-dinh", subject="Nội bộ"),
                                files=[services.FileInput("a.pdf", pdf_bytes)])
    outsider = make_user(o.other_leader.memberships.first().agency, "clerk", "leader", "specialist")
    client.force_login(outsider)
    assert client.get(reverse("document_detail", args=[doc.pk])).status_code == 404
    assert client.get(f"/api/v1/documents/{doc.pk}").status_code == 404
    file_id = doc.main_file().pk
    assert client.get(reverse("document_file", args=[file_id])).status_code == 404
    before = AuditEvent.objects.count()
    assert client.post(reverse("draft_submit", args=[doc.pk]), {"approver": o.leader.pk}).status_code == 404
    assert AuditEvent.objects.count() == before
    doc.refresh_from_db()
    assert doc.state == "draft"


def test_colleague_cannot_see_someone_elses_draft(client: Client, signing_office: Office,
                                                  pdf_bytes: bytes) -> None:
    o = signing_office
    doc = services.create_draft(actor=o.specialist, agency=o.agency,
                                fields=services.DraftFields(document_type="quyet-dinh", subject="Nháp"),
                                files=[services.FileInput("a.pdf", pdf_bytes)])
    client.force_login(o.clerk)
    assert client.get(reverse("document_detail", args=[doc.pk])).status_code == 404
    client.force_login(o.specialist)
    page = client.get(reverse("document_detail", args=[doc.pk])).content.decode()
    assert "Trình duyệt" in page and "Trần Văn Hùng" in page


def test_pages_by_role(client: Client, signing_office: Office) -> None:
    o = signing_office
    archivist = make_user(o.agency, "archivist")
    client.force_login(archivist)
    assert client.get(reverse("draft_new")).status_code == 403
    assert client.post(reverse("draft_new"), {"document_type": "quyet-dinh", "subject": "x",
                                               "urgency": "normal"}).status_code == 403
    assert Document.objects.count() == 0
    client.force_login(o.specialist)
    page = client.get(reverse("draft_new")).content.decode()
    assert "Soạn dự thảo văn bản đi" in page
    assert client.get(reverse("recipient_search"), {"q": "noi vu"}).content.decode().count("Sở Nội vụ") == 2


def test_draft_page_refuses_fake_pdf_with_message(client: Client, signing_office: Office) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    client.force_login(signing_office.specialist)
    response = client.post(reverse("draft_new"), {
        "document_type": "quyet-dinh", "subject": "Thử", "urgency": "normal", "place": "",
        "main_file": SimpleUploadedFile("quyet-dinh.pdf", b"MZ\x90\x00" + b"\x00" * 100)})
    assert response.status_code == 200
    assert "chương trình chạy được" in response.content.decode()
    assert Document.objects.count() == 0
