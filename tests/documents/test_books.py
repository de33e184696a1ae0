"""Register books with every NĐ 30 Phụ lục IV column, filtered without marks or case, exported
as xlsx and PDF with the same rows (issue 21)."""

from __future__ import annotations

import io
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.documents.test_public_verify import issued
from tests.factories import make_agency, make_user
from tests.office_fixtures import Office
from tests.search.builders import make_document
from vanban.accounts.models import User
from vanban.agencies.models import Agency
from vanban.documents import books
from vanban.documents.books import INCOMING_COLUMNS, OUTGOING_COLUMNS
from vanban.documents.models import Document
from vanban.search.indexing import reindex_all
from vanban.workflow.models import Assignment, Instruction

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


# --- The period, the printed PDF and the cap (issue 21 review) --------------------------------

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def desk(document_types: None) -> SimpleNamespace:
    """An agency with its clerk; no certificates needed to read a book."""
    agency = make_agency("000.00.01.H16", "Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk")
    return SimpleNamespace(agency=agency, clerk=make_user(agency, "clerk", username="vanthu.sach"))


def _arrivals(agency: Agency) -> dict[str, Document]:
    """Four arrivals around the period 10–11/03/2026, each a few minutes from a day's edge
    (Vietnam time): a book that cut days in UTC would take the wrong ones."""
    when = {"A": datetime(2026, 3, 9, 23, 50, tzinfo=HCM), "B": datetime(2026, 3, 10, 0, 10, tzinfo=HCM),
            "C": datetime(2026, 3, 11, 23, 50, tzinfo=HCM), "D": datetime(2026, 3, 12, 0, 10, tzinfo=HCM)}
    return {key: make_document(agency, direction="incoming", state="accepted", drafter=None, approver=None,
                               subject=f"Báo cáo số liệu đợt {key}", notation=f"{n}/STC-NS{key}",
                               issuer_name="Sở Tài chính", issued_on=date(2026, 3, 1 + n), arrival_number=n,
                               accepted_at=at, arrived_at=at, source="paper")
            for n, (key, at) in enumerate(when.items(), start=1)}


def _handed(doc: Document, clerk: User, at: datetime) -> None:
    """C is handed to a specialist to lead ("Đơn vị hoặc người nhận", "Ngày chuyển")."""
    person = make_user(doc.agency, "specialist", username="chuyenvien.sach", full_name="Phạm Thu Hà")
    order = Instruction.objects.create(document=doc, author=clerk, text="Tham mưu trả lời")
    part = Assignment.objects.create(document=doc, instruction=order, assignee=person, kind="lead", assigned_by=clerk)
    Assignment.objects.filter(pk=part.pk).update(created_at=at)


def _xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]


def _pdf_text(content: bytes) -> str:
    """The PDF's words in one line: a cell's text may wrap over several lines."""
    assert content.startswith(b"%PDF")
    return " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(content)).pages).split())


PERIOD = {"date_from": "2026-03-10", "date_to": "2026-03-11"}


def test_the_incoming_book_of_a_period_takes_both_boundary_days_in_vietnam_time(client: Client,
                                                                                desk: SimpleNamespace) -> None:
    docs = _arrivals(desk.agency)
    _handed(docs["C"], desk.clerk, datetime(2026, 3, 13, 0, 5, tzinfo=HCM))
    client.force_login(desk.clerk)
    page = client.get("/van-ban-den/so/", PERIOD).content.decode()
    assert "Từ ngày 10/03/2026 đến ngày 11/03/2026" in page and 'data-testid="book-capped"' not in page
    table = page.split('data-testid="incoming-book"')[1].split("</table>")[0]
    assert [k for k, d in docs.items() if d.notation in table] == ["B", "C"]
    assert "10/03/2026" in table and "11/03/2026" in table and "12/03/2026" not in table

    rows = _xlsx_rows(client.get("/van-ban-den/so/xlsx/", PERIOD).content)
    assert rows[2][0] == "Từ ngày 10/03/2026 đến ngày 11/03/2026" and rows[3] == [""] * 10  # no cap line
    assert rows[4] == INCOMING_COLUMNS
    assert rows[5:] == [  # newest first, every column of NĐ 30 Phụ lục IV
        ["11/03/2026", "3", "Sở Tài chính", "3/STC-NSC", "04/03/2026", "Công văn — Báo cáo số liệu đợt C",
         "Phạm Thu Hà (chủ trì)", "13/03/2026", "", "Bản giấy"],
        ["10/03/2026", "2", "Sở Tài chính", "2/STC-NSB", "03/03/2026", "Công văn — Báo cáo số liệu đợt B", "", "", "",
         "Bản giấy"]]
    assert len(_xlsx_rows(client.get("/van-ban-den/so/xlsx/").content)) == 5 + 4  # no period: all four


def test_the_incoming_book_prints_every_column_and_the_periods_rows(client: Client, desk: SimpleNamespace) -> None:
    docs = _arrivals(desk.agency)
    _handed(docs["C"], desk.clerk, datetime(2026, 3, 13, 0, 5, tzinfo=HCM))
    client.force_login(desk.clerk)
    response = client.get("/van-ban-den/so/pdf/", PERIOD)
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="so-van-ban-den-000.00.01.H16.pdf"' in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text.upper() and "Từ ngày 10/03/2026 đến ngày 11/03/2026" in text
    for column in INCOMING_COLUMNS:
        assert column in text, column
    assert all(f"({n})" in text for n in range(1, 11))  # the numbered header row
    for key in "BC":
        assert docs[key].notation in text and f"Báo cáo số liệu đợt {key}" in text
    assert "Phạm Thu Hà (chủ trì)" in text and "13/03/2026" in text and text.count("Bản giấy") == 2
    for key in "AD":
        assert docs[key].notation not in text and f"đợt {key}" not in text
    assert "Sổ có" not in text


def test_the_outgoing_book_of_a_period_takes_the_documents_dated_in_it(client: Client, desk: SimpleNamespace) -> None:
    dated = {day: make_document(desk.agency, subject=f"Công văn ngày {day}", issued_on=date(2026, 3, day),
                                notation=f"{day}/UBND-VP") for day in (9, 10, 11, 12)}
    client.force_login(desk.clerk)
    table = client.get("/van-ban-di/so/", PERIOD).content.decode().split('data-testid="outgoing-book"')[1]
    assert [day for day, d in dated.items() if f">{d.notation}<" in table] == [10, 11]
    rows = _xlsx_rows(client.get("/van-ban-di/so/xlsx/", PERIOD).content)
    assert rows[4] == OUTGOING_COLUMNS and sorted(r[0] for r in rows[5:]) == ["10/UBND-VP", "11/UBND-VP"]
    assert sorted(r[1] for r in rows[5:]) == ["10/03/2026", "11/03/2026"]
    text = _pdf_text(client.get("/van-ban-di/so/pdf/", PERIOD).content)
    for column in OUTGOING_COLUMNS:
        assert column in text, column
    assert "Công văn ngày 10" in text and "Công văn ngày 11" in text
    assert "Công văn ngày 9" not in text and "Công văn ngày 12" not in text


def test_a_book_longer_than_the_limit_says_so_on_the_page_and_in_both_files(
        client: Client, desk: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _arrivals(desk.agency)
    monkeypatch.setattr(books, "LIMIT", 3)
    client.force_login(desk.clerk)
    note = "Sổ có 4 dòng, bản này chỉ in 3 dòng đầu (mới nhất); hãy chọn khoảng thời gian ngắn hơn để in đủ."
    page = client.get("/van-ban-den/so/").content.decode()
    assert ('data-testid="book-capped">Sổ có 4 dòng, bản Excel và bản PDF chỉ gồm 3 dòng đầu (mới nhất); '
            "hãy chọn khoảng thời gian ngắn hơn để in đủ.</p>") in page
    rows = _xlsx_rows(client.get("/van-ban-den/so/xlsx/").content)
    assert rows[3][0] == note and rows[4] == INCOMING_COLUMNS
    assert [r[3] for r in rows[5:]] == [docs[k].notation for k in "DCB"]  # the newest three, A left out
    text = _pdf_text(client.get("/van-ban-den/so/pdf/").content)
    assert note in text and docs["B"].notation in text and docs["A"].notation not in text
    # Narrowed to the period, the same book is whole again and says nothing.
    assert 'data-testid="book-capped"' not in client.get("/van-ban-den/so/", PERIOD).content.decode()
    assert _xlsx_rows(client.get("/van-ban-den/so/xlsx/", PERIOD).content)[3] == [""] * 10


def test_the_cap_is_written_as_vietnamese_writes_numbers() -> None:
    assert books.LIMIT == 20_000 and books.cap_note(20_000) == ""
    assert books.cap_note(123_456) == ("Sổ có 123.456 dòng, bản này chỉ in 20.000 dòng đầu (mới nhất); hãy chọn "
                                       "khoảng thời gian ngắn hơn để in đủ.")
