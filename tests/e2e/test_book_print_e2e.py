"""Issue 21: printing a register book from its page ("In trang này") gives the book alone —
title, period, every NĐ 30 column and the rows — without the menu, the filter or the buttons;
a book longer than the export cap says so on paper too."""

from __future__ import annotations

import io
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.documents.test_books import PERIOD, _arrivals
from tests.e2e.test_shell_e2e import log_in
from tests.factories import PASSWORD, make_agency, make_user
from vanban.documents import books
from vanban.documents.books import INCOMING_COLUMNS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_printed_incoming_book_is_the_book_alone(page: Any, live_server: Any, document_types: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    agency = make_agency("000.00.01.H16", "Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk")
    make_user(agency, "clerk", username="vanthu", full_name="Nguyễn Thị Hoa")
    docs = _arrivals(agency)
    monkeypatch.setattr(books, "LIMIT", 1)  # the live server runs in this process
    log_in(page, live_server.url, "vanthu", PASSWORD)
    expect(page.get_by_test_id("current-user")).to_contain_text("Nguyễn Thị Hoa")
    query = "&".join(f"{k}={v}" for k, v in PERIOD.items())
    page.goto(f"{live_server.url}/van-ban-den/so/?{query}")
    expect(page.get_by_test_id("book-capped")).to_contain_text("Sổ có 2 dòng")

    page.emulate_media(media="print")
    expect(page.locator("nav.side")).to_be_hidden()
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.get_by_test_id("book-xlsx")).to_be_hidden()
    expect(page.get_by_role("button", name="In trang này")).to_be_hidden()
    expect(page.get_by_test_id("incoming-book")).to_be_visible()
    expect(page.get_by_test_id("book-capped")).to_be_visible()

    printed = PdfReader(io.BytesIO(page.pdf(format="A4", landscape=True)))
    text = " ".join(" ".join((p.extract_text() or "") for p in printed.pages).split())
    assert "Sổ đăng ký văn bản đến" in text and "Từ ngày 10/03/2026 đến ngày 11/03/2026" in text
    for column in INCOMING_COLUMNS:
        assert column in text, column
    assert docs["B"].notation in text and docs["C"].notation in text
    assert docs["A"].notation not in text and docs["D"].notation not in text
    assert "Sổ có 2 dòng" in text
    for shell in ("Đăng xuất", "Lọc", "Xuất Excel", "In trang này", "Trích yếu, ký hiệu, cơ quan"):
        assert shell not in text, shell
