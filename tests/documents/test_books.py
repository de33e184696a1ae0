"""Register books with every NĐ 30 Phụ lục IV column, filtered without marks or case, exported
as xlsx and PDF with the same rows (issue 21)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.documents.test_public_verify import issued
from tests.office_fixtures import Office
from vanban.documents.books import INCOMING_COLUMNS, OUTGOING_COLUMNS
from vanban.search.indexing import reindex_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def book_doc(signing_office: Office, pdf_bytes: bytes):
    doc = issued(signing_office, pdf_bytes)
    doc.subject = "VỀ VIỆC PHÂN BỔ KINH PHÍ TÀI CHÍNH NĂM 2026"
    doc.save(update_fields=["subject"])
    reindex_all()
    return doc


def test_outgoing_book_has_every_column_and_finds_without_marks(client: Client, signing_office: Office,
                                                                book_doc) -> None:
    client.force_login(signing_office.clerk)
    html = client.get("/van-ban-di/so/").content.decode()
    for column in OUTGOING_COLUMNS:
        assert f"<th>{column}</th>" in html
    assert len(OUTGOING_COLUMNS) == 10
    assert book_doc.notation in client.get("/van-ban-di/so/", {"q": "tai chinh"}).content.decode()
    assert book_doc.notation in client.get("/van-ban-di/so/", {"q": "Tài Chính"}).content.decode()
    assert book_doc.notation not in client.get("/van-ban-di/so/", {"q": "giao duc"}).content.decode()
    assert 'data-testid="pager-total">Tổng số: 1 · Trang 1/1' in html


def test_outgoing_book_exports_the_same_rows(client: Client, signing_office: Office, book_doc) -> None:
    client.force_login(signing_office.clerk)
    response = client.get("/van-ban-di/so/xlsx/", {"q": "tai chinh"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[1][0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
    assert rows[4] == OUTGOING_COLUMNS
    assert rows[5][0] == book_doc.notation
    assert "TÀI CHÍNH" in rows[5][2]
    assert rows[5][9].startswith(f"Mã định danh {book_doc.identifier_code}")
    pdf = client.get("/van-ban-di/so/pdf/", {"q": "tai chinh"})
    assert pdf.content.startswith(b"%PDF")
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert book_doc.identifier_code in text
    assert book_doc.notation in text.replace("\n", "")
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text.upper()


def test_incoming_book_columns_and_need_to_know(client: Client, signing_office: Office) -> None:
    from tests.factories import make_user
    from tests.search.builders import make_document

    o = signing_office
    make_document(o.agency, state="accepted", direction="incoming", drafter=None, approver=None,
                  subject="Công văn về tài chính", number=None, notation="12/STC-NS", identifier_code=None,
                  arrival_number=7)
    reindex_all()
    client.force_login(o.clerk)
    html = client.get("/van-ban-den/so/", {"q": "TAI CHINH"}).content.decode()
    for column in INCOMING_COLUMNS:
        assert f"<th>{column}</th>" in html
    assert "12/STC-NS" in html
    sheet = load_workbook(io.BytesIO(client.get("/van-ban-den/so/xlsx/").content)).active
    assert list(next(sheet.iter_rows(min_row=5, max_row=5, values_only=True))) == INCOMING_COLUMNS
    client.force_login(make_user(o.agency, "specialist"))  # not assigned: the row is not theirs to read
    assert "12/STC-NS" not in client.get("/van-ban-den/so/").content.decode()
