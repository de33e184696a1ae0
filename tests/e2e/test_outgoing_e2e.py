"""Specialist drafts with a PDF, leader signs, clerk issues — in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_shell_e2e import log_in
from tests.factories import PASSWORD
from tests.office_fixtures import Office
from vanban.pki.samplepdf import make_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def logout(page: Any) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("Tên đăng nhập").wait_for()


def test_draft_sign_issue(page: Any, live_server: Any, signing_office: Office,
                          tmp_path: Path) -> None:
    base = live_server.url
    pdf = tmp_path / "du-thao-quyet-dinh.pdf"
    pdf.write_bytes(make_pdf("QUYET DINH ve viec thu nghiem he thong"))

    # The specialist drafts, picks a recipient typed without diacritics, and submits.
    log_in(page, base, "chuyenvien", PASSWORD)
    page.get_by_role("link", name="Văn bản đi", exact=True).click()
    page.get_by_role("link", name="Soạn dự thảo mới").click()
    page.wait_for_load_state()  # htmx (deferred) must be listening before the search box is typed in
    page.get_by_label("Loại văn bản").select_option("quyet-dinh")
    page.get_by_label("Trích yếu").fill("Về việc thử nghiệm hệ thống quản lý văn bản")
    page.get_by_label("Văn bản chính (PDF)").set_input_files(str(pdf))
    page.get_by_placeholder("ví dụ: so noi vu").fill("so noi vu")
    page.get_by_role("button", name="+ Sở Nội vụ").click()
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_test_id("doc-state")).to_have_text("Dự thảo")
    page.get_by_role("button", name="Trình duyệt").click()
    expect(page.get_by_test_id("doc-state")).to_have_text("Chờ lãnh đạo duyệt")
    doc_url = page.url
    logout(page)

    # The leader signs with the personal certificate.
    log_in(page, base, "lanhdao", PASSWORD)
    page.goto(doc_url)
    page.get_by_role("button", name="Ký số và duyệt").click()
    expect(page.get_by_test_id("doc-state")).to_have_text("Đã ký duyệt, chờ phát hành")
    logout(page)

    # The clerk issues: seal signature, number, identifier code.
    log_in(page, base, "vanthu", PASSWORD)
    page.goto(doc_url)
    page.get_by_role("button", name="Ký số cơ quan và phát hành").click()
    expect(page.get_by_test_id("doc-state")).to_have_text("Đã phát hành")
    notation = page.get_by_test_id("doc-notation").inner_text()
    identifier = page.get_by_test_id("doc-identifier").inner_text()
    assert notation == "01/QĐ-UBND"
    assert identifier.startswith("000.00.01.H16-") and identifier.endswith(".1")
    verdicts = page.get_by_test_id("signature-verdict").all_inner_texts()
    assert verdicts == ["Hợp lệ", "Hợp lệ"]
    expect(page.get_by_test_id("deliveries")).to_contain_text("Sở Nội vụ")

    page.get_by_role("link", name="Sổ văn bản đi").click()
    book = page.get_by_test_id("outgoing-book").inner_text()
    assert "01/QĐ-UBND" in book
    assert identifier in book
