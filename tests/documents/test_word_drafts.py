"""Issue 21: a draft typed in Word becomes the PDF the leader signs. The .docx is kept as typed
(a working file), the converted PDF is the main file, signing and issuing go as for a PDF; a
TCVN3 draft is made Unicode on the way; without LibreOffice the upload is refused at once,
beside the file field, and nothing written. Our own generated
documents (vanban.textract.samples); the converter is the real LibreOffice (skipped where it
is not installed; .ci/run installs it)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.office_fixtures import Office
from tests.textract.test_extract import PHRASE, _legacy_docx
from vanban.blobs import get_store
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document, DocumentFile
from vanban.outgoing import services
from vanban.textract import extract_text
from vanban.textract.samples import Para, make_docx
from vanban.textract.topdf import converter

pytestmark = pytest.mark.django_db
needs_lo = pytest.mark.skipif(converter() is None, reason="LibreOffice (soffice) is not installed")
SUBJECT = "Về việc ban hành quy chế văn thư"
FIELDS = services.DraftFields(document_type="quyet-dinh", subject=SUBJECT)
DOCX = make_docx([Para.of("QUYẾT ĐỊNH"), Para.of(SUBJECT)])


def _text(f: DocumentFile) -> str:
    return " ".join(extract_text(get_store().get(f.sha256), "pdf").text.split())


@needs_lo
def test_a_word_draft_is_signed_and_issued_as_pdf(signing_office: Office) -> None:
    o = signing_office
    doc = services.create_draft(actor=o.specialist, agency=o.agency, fields=FIELDS,
                                files=[services.FileInput("quy-che.docx", DOCX)],
                                recipients=[services.RecipientInput(kind="paper", name="Lưu: VT")])
    main = doc.main_file()
    assert main is not None and (main.name, main.content_type, main.stage) == (
        "quy-che.pdf", "application/pdf", "converted")
    assert SUBJECT in _text(main)
    source = doc.files.get(role=DocumentFile.Role.WORKING)
    assert (source.name, source.stage) == ("quy-che.docx", "source")
    assert get_store().get(source.sha256) == DOCX  # kept byte for byte
    second = make_docx([Para.of("QUYẾT ĐỊNH"), Para.of(SUBJECT + " (sửa)")])
    services.update_draft(actor=o.specialist, document=doc, files=[services.FileInput("quy-che.docx", second)])
    sources = doc.files.filter(role=DocumentFile.Role.WORKING, stage="source")
    assert [(f.is_current, get_store().get(f.sha256) == second) for f in sources.order_by("pk")] == [
        (False, False), (True, True)]  # the earlier source retired, not current beside the new one
    doc.refresh_from_db()
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    services.approve_and_sign(actor=o.leader, document=doc)
    issued = services.issue_document(actor=o.clerk, document=doc)
    assert issued.state == "issued" and SUBJECT in _text(issued.main_file())


@needs_lo
def test_a_tcvn3_draft_becomes_unicode_pdf(signing_office: Office) -> None:
    o = signing_office
    doc = services.create_draft(actor=o.specialist, agency=o.agency, fields=FIELDS,
                                files=[services.FileInput("cu.docx", _legacy_docx())])
    text = _text(doc.main_file())
    assert PHRASE in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_without_libreoffice_the_upload_is_refused_at_once(client: Client, signing_office: Office,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_SOFFICE", "/khong/co/soffice")
    o = signing_office
    with pytest.raises(DocumentError) as err:
        services.create_draft(actor=o.specialist, agency=o.agency, fields=FIELDS,
                              files=[services.FileInput("quy-che.docx", DOCX)])
    assert (err.value.code, err.value.status) == ("CONVERTER_MISSING", 422)
    assert not Document.objects.exists()
    client.force_login(o.specialist)
    html = client.get("/van-ban-di/moi/").content.decode()
    assert "Máy chủ chưa cài LibreOffice" in html.split('data-testid="main-file-hint"')[1][:200]
    answer = client.post("/van-ban-di/moi/", {"document_type": "cong-van", "subject": SUBJECT, "urgency": "normal",
                                              "main_file": SimpleUploadedFile("quy-che.docx", DOCX)})
    html = answer.content.decode()
    assert answer.status_code == 200 and not Document.objects.exists()
    field = html.split('id="id_main_file"')[1][:800]
    assert "LibreOffice" in field  # the error beside the file field
    assert 'data-testid="kept-main"' not in html  # the file that is the error is not kept: a PDF is needed


@needs_lo
@pytest.mark.django_db(transaction=True)
def test_libreoffice_runs_before_the_transaction_opens(signing_office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """Converting takes seconds: no row may be locked meanwhile (create and update alike)."""
    from django.db import connection

    seen: list[bool] = []
    real = services.to_pdf

    def watched(name: str, data: bytes) -> bytes:
        seen.append(connection.in_atomic_block)
        return real(name, data)

    monkeypatch.setattr(services, "to_pdf", watched)
    o = signing_office
    doc = services.create_draft(actor=o.specialist, agency=o.agency, fields=FIELDS,
                                files=[services.FileInput("quy-che.docx", DOCX)])
    services.update_draft(actor=o.specialist, document=doc, files=[services.FileInput("quy-che.docx", DOCX)])
    assert seen == [False, False]
    assert doc.files.filter(role=DocumentFile.Role.MAIN, stage="converted").count() == 2
    with pytest.raises(DocumentError):  # someone who may not edit it gets no conversion at all
        services.update_draft(actor=o.clerk, document=doc, files=[services.FileInput("quy-che.docx", DOCX)])
    assert seen == [False, False]
