"""Issue 24: a scan read on the paper-registration form says what OCR needs (never runs it in
the request); the PDF/A that OCR made beside a real scanned header pre-fills the form."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.office_fixtures import Office
from vanban.textract import ocr
from vanban.textract.realset import load_records, record_html

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parents[1] / "textract" / "realheaders" / "headers.json"


def _scan(dpi: int) -> bytes:
    weasyprint = pytest.importorskip("weasyprint")
    from vanban.textract.scans import scan_of

    rec = next(r for r in load_records(REAL) if r["id"] == "bgddt-tb-455-2017")
    return scan_of(weasyprint.HTML(string=record_html(rec)).write_pdf(), dpi)


def test_scan_without_ocr_names_what_is_missing(client: Client, signing_office: Office,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    scan = _scan(72)
    monkeypatch.setattr(ocr.shutil, "which", lambda cmd: None)  # nothing installed
    ocr.ocr_status.cache_clear()
    try:
        client.force_login(signing_office.clerk)
        page = client.post(reverse("incoming_paper"), {"read": "1", "scan": SimpleUploadedFile("scan.pdf", scan)})
    finally:
        ocr.ocr_status.cache_clear()
    html = page.content.decode()
    assert 'data-testid="needs-ocr"' in html and "tesseract-ocr-vie" in html
    assert not page.context["form"].initial.get("notation")


@pytest.mark.skipif(not ocr.ocr_status().available, reason="OCR parts are installed by .ci/run")
def test_pdfa_made_by_ocr_prefills_the_form(client: Client, signing_office: Office) -> None:
    result = ocr.make_searchable(_scan(300))
    client.force_login(signing_office.clerk)
    page = client.post(reverse("incoming_paper"), {"read": "1", "scan": SimpleUploadedFile("scan-ocr.pdf", result.pdf)})
    form = page.context["form"]
    assert form.initial["notation"] == "455/TB-BGDĐT"
    assert form.initial["issued_on"] == "2017-07-19"
    assert form.initial["issuer_name"] == "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
    assert form.initial["subject"].startswith("Kết luận của Bộ trưởng")
