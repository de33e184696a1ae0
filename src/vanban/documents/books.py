"""The register books (sổ đăng ký văn bản đi / đến) as Nghị định 30/2020 Phụ lục IV draws them:
the same rows for the page, the xlsx export and the printed PDF.

Filtering by text ignores marks and case ("tai chinh" finds "TÀI CHÍNH"): it reads the folded
words of the search index beside the stored text, so a document not yet indexed is still
found by its exact words.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import xlsxwriter
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from vanban.agencies.models import Agency
from vanban.core.text import fold, nfc
from vanban.documents.models import Document

LIMIT = 20_000  # rows in one export: a year of a large agency's book; longer ones are narrowed by period

OUTGOING_COLUMNS = ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản",
                    "Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản",
                    "Ngày chuyển", "Ký nhận", "Ghi chú"]
INCOMING_COLUMNS = ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
                    "Tên loại và trích yếu nội dung văn bản", "Đơn vị hoặc người nhận", "Ngày chuyển",
                    "Ký nhận", "Ghi chú"]


@dataclass(frozen=True)
class BookFilter:
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    doc_type: str | None = None
    number: int | None = None
    internal: bool = False  # the book of internal documents instead of the outgoing book

    def period_text(self) -> str:
        if self.date_from or self.date_to:
            start = self.date_from.strftime("%d/%m/%Y") if self.date_from else "…"
            end = self.date_to.strftime("%d/%m/%Y") if self.date_to else "…"
            return f"Từ ngày {start} đến ngày {end}"
        return f"Năm {self.year}" if self.year else "Tất cả các năm"


def text_q(text: str, *fields: str) -> Q:
    """Exact words in the given fields, or the folded words of the search index (one entry per
    document, so the join never repeats a row and a list needs no DISTINCT)."""
    text = nfc(text or "").strip()
    q = Q(search_entry__folded__contains=fold(text))
    for field in fields:
        q |= Q(**{f"{field}__icontains": text})
    return q


def shown_date(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        value = timezone.localtime(value)
    return str(value.strftime("%d/%m/%Y"))


def _count(n: int) -> str:
    """20000 → "20.000", as Vietnamese writes numbers."""
    return f"{n:,}".replace(",", ".")


def cap_note(total: int, *, on_page: bool = False) -> str:
    """What a book longer than `LIMIT` rows says, on its page and in its files: never silently short."""
    if total <= LIMIT:
        return ""
    cut = "bản Excel và bản PDF chỉ gồm" if on_page else "bản này chỉ in"
    return (f"Sổ có {_count(total)} dòng, {cut} {_count(LIMIT)} dòng đầu (mới nhất); "
            "hãy chọn khoảng thời gian ngắn hơn để in đủ.")


@dataclass(frozen=True)
class Sheet:
    """One book as printed: whose, which, for what period, and its rows (at most `LIMIT` of
    `total`)."""

    title: str
    agency: Agency
    columns: list[str]
    rows: list[list[str]]
    period: str
    stem: str  # the file name's start
    total: int = 0

    @property
    def note(self) -> str:
        return cap_note(self.total)


def sheet(qs: QuerySet[Document], row: Callable[[Document], list[str]], *, title: str, agency: Agency,
          columns: list[str], period: str, stem: str) -> Sheet:
    """The book's first `LIMIT` rows, knowing how many there are in all."""
    total = qs.count()
    return Sheet(title, agency, columns, [row(d) for d in qs[:LIMIT]], period, stem, total)


def xlsx(sheet_data: Sheet) -> bytes:
    """A4 landscape, header repeated on every printed page, widths for reading."""
    title, agency, columns, rows, period = (sheet_data.title, sheet_data.agency, sheet_data.columns,
                                            sheet_data.rows, sheet_data.period)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Sổ")
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
    head = book.add_format({**base, "bold": True, "border": 1, "align": "center", "text_wrap": True,
                            "bg_color": "#DCE6F1"})
    cell = book.add_format({**base, "border": 1, "text_wrap": True})
    bold = book.add_format({**base, "bold": True, "font_size": 13, "align": "center"})
    plain = book.add_format({**base, "align": "center"})
    last = len(columns) - 1
    sheet.merge_range(0, 0, 0, last, agency.name.upper(), plain)
    sheet.merge_range(1, 0, 1, last, title.upper(), bold)
    sheet.merge_range(2, 0, 2, last, period, plain)
    if sheet_data.note:
        warn = book.add_format({**base, "bold": True, "font_color": "#9C0006"})
        sheet.merge_range(3, 0, 3, last, sheet_data.note, warn)
    sheet.write_row(4, 0, columns, head)
    for i, row in enumerate(rows):
        sheet.write_row(5 + i, 0, row, cell)
    widths = [14, 12, 50, 20, 30, 18, 9, 12, 10, 24]
    for col, width in enumerate(widths[: len(columns)]):
        sheet.set_column(col, col, width)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.repeat_rows(4)
    sheet.fit_to_pages(1, 0)
    book.close()
    return out.getvalue()


def pdf(sheet: Sheet) -> bytes:
    import weasyprint  # noqa: PLC0415 - heavy (pango, fonts): loaded only when a book is printed

    html = render_to_string("documents/book_print.html", {"title": sheet.title, "agency": sheet.agency,
                                                          "columns": sheet.columns, "rows": sheet.rows,
                                                          "period": sheet.period, "note": sheet.note})
    pdf: bytes = weasyprint.HTML(string=html, base_url=".").write_pdf()
    return pdf


def book_filter(form: Any, *, internal: bool = False) -> BookFilter:
    """The filter of a bound BookFilterForm (an invalid form filters nothing)."""
    data = form.cleaned_data if form.is_valid() else {}
    return BookFilter(year=data.get("year"), date_from=data.get("date_from"), date_to=data.get("date_to"),
                      text=data.get("q") or "", number=data.get("number"),
                      doc_type=getattr(data.get("document_type"), "code", None), internal=internal)


def book_file(fmt: str, sheet: Sheet) -> HttpResponse:
    if fmt == "xlsx":
        body, kind = xlsx(sheet), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, kind = pdf(sheet), "application/pdf"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{sheet.stem}-{sheet.agency.code}.{fmt}"'
    return response
