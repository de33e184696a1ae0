"""A table printed as agencies file it: the agency above, the form's title, a line saying what
it covers, numbered columns, and a closing line — as an A4 PDF (WeasyPrint) and an xlsx
(XlsxWriter) with the header repeated on every printed page. Used by the archive's forms
(Mục lục văn bản trong hồ sơ, Mục lục hồ sơ nộp lưu)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import xlsxwriter
from django.http import HttpResponse
from django.template.loader import render_to_string

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class PrintedTable:
    title: str  # the form's name, printed in capitals
    agency_name: str
    subtitle: str  # what the table covers (a dossier, a transfer list)
    columns: list[str]
    rows: list[list[str]]
    widths: list[int]  # xlsx column widths, in characters
    stem: str  # the file name without extension
    empty: str = "Không có dòng nào."
    closing: list[str] = field(default_factory=list)  # lines under the table
    landscape: bool = True


def to_xlsx(table: PrintedTable) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Mục lục")
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
    head = book.add_format({**base, "bold": True, "border": 1, "align": "center", "text_wrap": True})
    cell = book.add_format({**base, "border": 1, "text_wrap": True})
    bold = book.add_format({**base, "bold": True, "font_size": 13, "align": "center"})
    plain = book.add_format({**base, "align": "center", "text_wrap": True})
    last = len(table.columns) - 1
    sheet.merge_range(0, 0, 0, last, table.agency_name.upper(), plain)
    sheet.merge_range(1, 0, 1, last, table.title.upper(), bold)
    sheet.merge_range(2, 0, 2, last, table.subtitle, plain)
    sheet.write_row(4, 0, table.columns, head)
    sheet.write_row(5, 0, [f"({n})" for n in range(1, len(table.columns) + 1)], head)
    for i, row in enumerate(table.rows):
        sheet.write_row(6 + i, 0, row, cell)
    for i, line in enumerate(table.closing):
        sheet.write(7 + len(table.rows) + i, 0, line)
    for col, width in enumerate(table.widths[: len(table.columns)]):
        sheet.set_column(col, col, width)
    if table.landscape:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(4, 5)
    sheet.fit_to_pages(1, 0)
    book.close()
    return out.getvalue()


def to_pdf(table: PrintedTable) -> bytes:
    import weasyprint  # noqa: PLC0415 - weasyprint is slow to import (pango, fonts); only printing needs it

    html = render_to_string("web/printed_table.html", {"t": table})
    pdf: bytes = weasyprint.HTML(string=html, base_url=".").write_pdf()
    return pdf


def as_file(table: PrintedTable, fmt: str) -> HttpResponse:
    """The PDF opens in the browser (to print), the xlsx downloads."""
    if fmt == "xlsx":
        response = HttpResponse(to_xlsx(table), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{table.stem}.xlsx"'
    else:
        response = HttpResponse(to_pdf(table), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{table.stem}.pdf"'
    return response
