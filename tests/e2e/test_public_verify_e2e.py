"""Scan the QR code of a printed (rendered) issued document and open the verification page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.documents.test_public_verify import issued
from tests.office_fixtures import Office
from vanban.blobs import get_store

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is missing (Debian: poppler-utils / zbar-tools)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_qr_on_the_printed_page_opens_the_verification(page: Any, live_server: Any, signing_office: Office,
                                                       pdf_bytes: bytes, settings: Any, tmp_path: Path) -> None:
    pdftoppm, zbarimg = _tool("pdftoppm"), _tool("zbarimg")
    settings.VANBAN_PUBLIC_URL = live_server.url
    doc = issued(signing_office, pdf_bytes)
    pdf = tmp_path / "ban-in.pdf"
    pdf.write_bytes(get_store().get(doc.main_file().sha256))
    subprocess.run([pdftoppm, "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "trang")],
                   check=True, timeout=60)
    image = next(tmp_path.glob("trang*.png"))
    scanned = subprocess.run([zbarimg, "-q", "--raw", str(image)], capture_output=True, text=True, timeout=60,
                             check=False)
    url = scanned.stdout.strip()
    assert url == f"{live_server.url}/xac-thuc/{doc.outgoing.verification_code}/"
    page.goto(url)
    expect(page.get_by_test_id("public-notation")).to_have_text(doc.notation)
    expect(page.get_by_test_id("public-verdict")).to_have_text(re.compile(r"^Hợp lệ"))
    page.get_by_label("Tệp PDF bạn nhận được").set_input_files(str(pdf))
    page.get_by_role("button", name="So sánh").click()
    expect(page.get_by_test_id("compare-result")).to_contain_text("trùng khớp")
