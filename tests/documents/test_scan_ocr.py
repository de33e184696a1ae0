"""Issue 24: a paper document registered from a scan with no text layer. Reading it queues an OCR
job (never OCR in the request); the clerk watches its progress; when done, the form is pre-filled
from the OCR text; registering keeps the scan byte for byte as the main file and the searchable
PDF/A beside it; the document is marked as digitised (source paper → archival "Số hóa")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.documents.test_prefill_ocr import _scan
from tests.factories import make_agency, make_user
from tests.office_fixtures import Office
from vanban.blobs import get_store
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.incoming import scan_ocr
from vanban.incoming.models import ScanOcr
from vanban.pki.samplepdf import make_pdf
from vanban.records.metadata import derive_document
from vanban.textract import extract_text
from vanban.textract import ocr as ocr_module

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not ocr_module.ocr_status().available, reason="OCR parts are installed by .ci/run"),
]


def test_scan_registered_through_an_ocr_job(client: Client, signing_office: Office) -> None:
    o = signing_office
    scan = _scan(300)
    client.force_login(o.clerk)
    read = client.post(reverse("incoming_paper"), {"read": "1", "scan": SimpleUploadedFile("tb-455.pdf", scan)})
    job = ScanOcr.objects.get()
    assert read.status_code == 302 and read.url == reverse("incoming_paper_ocr", args=[job.pk])
    assert job.state == ScanOcr.State.DONE, job.error  # the queue runs jobs inline in tests
    assert (job.pages_done, job.pages_total, job.unreadable_pages) == (1, 1, [])

    page = client.get(read.url).content.decode()
    assert "Đã nhận dạng xong" in page and f"?ocr={job.pk}" in page
    fragment = client.get(read.url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "<html" not in fragment  # finished: polling stops

    prefilled = client.get(reverse("incoming_paper") + f"?ocr={job.pk}")
    form = prefilled.context["form"]
    assert form.initial["notation"] == "455/TB-BGDĐT"
    assert form.initial["issuer_name"] == "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
    assert 'data-testid="ocr-source"' in prefilled.content.decode()
    post = {"document_type": "thong-bao", "notation": form.initial["notation"],
            "issuer_name": form.initial["issuer_name"], "issued_on": form.initial["issued_on"],
            "subject": form.initial["subject"], "ocr": job.pk}
    done = client.post(reverse("incoming_paper"), post)
    doc = Document.objects.get(source=Document.Source.PAPER)
    assert done.status_code == 302 and done.url == reverse("incoming_detail", args=[doc.pk])
    main, pdfa = doc.files.order_by("id")
    assert (main.role, main.name, main.sha256) == ("main", "tb-455.pdf", get_store().put(scan))  # byte for byte
    assert (pdfa.role, pdfa.stage, pdfa.name) == ("working", "ocr", "tb-455 (OCR, PDF-A).pdf")
    assert "455/TB-BGDĐT" in extract_text(get_store().get(pdfa.sha256), "pdf").text
    job.refresh_from_db()
    assert job.document_id == doc.pk
    assert derive_document(doc, page_count=1, file_format="pdf")["confidenceLevel"] == "02"  # Số hóa
    assert "455/TB-BGDĐT" in doc.search_entry.body  # the OCR text is searchable

    again = client.post(reverse("incoming_paper"), post)
    assert "Bản quét này đã được vào sổ" in again.content.decode()
    assert Document.objects.filter(source=Document.Source.PAPER).count() == 1


def test_other_agencies_and_other_roles_do_not_see_the_job(client: Client, signing_office: Office) -> None:
    o = signing_office
    job = scan_ocr.request_ocr(actor=o.clerk, agency=o.agency, name="a.pdf", data=_scan(72))
    other_clerk = make_user(make_agency("000.00.09.H16", "Sở Xây dựng"), "clerk")
    client.force_login(other_clerk)
    assert client.get(reverse("incoming_paper_ocr", args=[job.pk])).status_code == 404
    client.force_login(o.specialist)
    assert client.get(reverse("incoming_paper_ocr", args=[job.pk])).status_code == 404
    with pytest.raises(DocumentError):
        scan_ocr.request_ocr(actor=o.specialist, agency=o.agency, name="a.pdf", data=_scan(72))


def test_a_pdf_with_text_fails_with_a_message(signing_office: Office) -> None:
    job = scan_ocr.request_ocr(actor=signing_office.clerk, agency=signing_office.agency, name="van-ban.pdf",
                               data=make_pdf("QUYET DINH co lop chu"))
    job.refresh_from_db()
    assert job.state == ScanOcr.State.FAILED and job.error
    with pytest.raises(DocumentError) as err:
        scan_ocr.files_for(job)
    assert err.value.code == "OCR_NOT_DONE"


def test_a_stalled_job_is_run_again(signing_office: Office) -> None:
    job = scan_ocr.request_ocr(actor=signing_office.clerk, agency=signing_office.agency, name="s.pdf",
                               data=_scan(72))
    ScanOcr.objects.filter(pk=job.pk).update(state=ScanOcr.State.RUNNING, pages_done=0, pdfa_sha256="")
    assert scan_ocr.sweep() == []  # running and recent: left alone
    ScanOcr.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert scan_ocr.sweep() == [job.pk]
    job.refresh_from_db()
    assert job.state == ScanOcr.State.DONE and job.pdfa_sha256
