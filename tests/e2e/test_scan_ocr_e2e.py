"""The clerk registers a paper document from a scan without text, in Chromium: the scan goes to
an OCR job, the progress page follows it (htmx) to "done", the form comes back pre-filled from
the OCR text, and the registered document is marked digitised with the scan and its PDF/A."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.documents.test_prefill_ocr import _scan
from tests.e2e.test_shell_e2e import log_in
from tests.factories import PASSWORD
from tests.office_fixtures import Office
from vanban.documents.models import Document
from vanban.textract import ocr

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not ocr.ocr_status().available, reason="OCR parts are installed by .ci/run")]


def test_scan_is_ocred_prefilled_and_registered(page: Any, live_server: Any, signing_office: Office,
                                                tmp_path: Path) -> None:
    scan = tmp_path / "thong-bao-455.pdf"
    scan.write_bytes(_scan(300))
    log_in(page, live_server.url, "vanthu", PASSWORD)
    page.goto(f"{live_server.url}/van-ban-den/vao-so-van-ban-giay/")
    page.get_by_label("Bản quét hoặc tệp văn bản").set_input_files(str(scan))
    page.get_by_role("button", name="Đọc thông tin từ tệp").click()
    expect(page.get_by_test_id("scan-ocr-state")).to_have_text("Đã nhận dạng xong", timeout=120_000)
    page.get_by_test_id("scan-ocr-continue").click()
    expect(page.get_by_test_id("ocr-source")).to_contain_text("thong-bao-455.pdf")
    expect(page.get_by_label("Số, ký hiệu")).to_have_value("455/TB-BGDĐT")
    page.get_by_label("Loại văn bản").select_option("thong-bao")
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(page.get_by_test_id("digitised")).to_be_visible()
    doc = Document.objects.get(source="paper")
    assert [f.stage for f in doc.files.order_by("id")] == ["scan", "ocr"]
