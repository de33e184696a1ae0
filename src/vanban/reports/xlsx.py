"""The periodic report as an xlsx workbook (XlsxWriter), laid out for printing: title
rows, borders, widths, A4 landscape, header rows repeated on every page."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from vanban.reports.figures import Figures, PeriodicReport, Row
from vanban.reports.layout import COLUMNS, SUMMARY, header_lines, title_lines

A4 = 9


def _formats(book: Any) -> dict[str, Any]:
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
    cell = {**base, "border": 1}
    return {
        "motto": book.add_format({**base, "bold": True, "align": "center"}),
        "left": book.add_format({**base, "align": "center"}),
        "title": book.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "italic": book.add_format({**base, "italic": True, "align": "center"}),
        "head": book.add_format({**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DCE6F1"}),
        "text": book.add_format({**cell, "text_wrap": True}),
        "int": book.add_format({**cell, "num_format": "#,##0", "align": "right"}),
        "dec": book.add_format({**cell, "num_format": "0.0", "align": "right"}),
        "total_text": book.add_format({**cell, "bold": True}),
        "total_int": book.add_format({**cell, "bold": True, "num_format": "#,##0", "align": "right"}),
        "total_dec": book.add_format({**cell, "bold": True, "num_format": "0.0", "align": "right"}),
    }


def _page_setup(sheet: Any, header_row: int, last_col: int) -> None:
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    sheet.repeat_rows(header_row)
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_footer("&CTrang &P/&N")


def _heading(sheet: Any, fmt: dict[str, Any], report: PeriodicReport, last_col: int, subtitle: str) -> int:
    left, right = header_lines(report)
    split = max(1, last_col // 3)
    for n in range(2):
        sheet.merge_range(n, 0, n, split, left[n], fmt["left"] if n == 0 else fmt["motto"])
        sheet.merge_range(n, split + 1, n, last_col, right[n], fmt["motto"])
    row = 3
    for text, style in zip(title_lines(report), ("italic", "title", "motto", "italic"), strict=False):
        sheet.merge_range(row, 0, row, last_col, text, fmt[style])
        row += 1
    sheet.merge_range(row, 0, row, last_col, subtitle, fmt["motto"])
    return row + 2


def _value(figures: Figures, attr: str) -> float | int | None:
    value: float | int | None = getattr(figures, attr)
    return value


def _table(sheet: Any, fmt: dict[str, Any], start: int, first_header: str, rows: list[Row], *,
           totals: Figures) -> None:
    sheet.write(start, 0, "STT", fmt["head"])
    sheet.write(start, 1, first_header, fmt["head"])
    for c, (label, _attr) in enumerate(COLUMNS, start=2):
        sheet.write(start, c, label, fmt["head"])
    sheet.set_row(start, 48)
    for n, row in enumerate(rows, start=1):
        r = start + n
        sheet.write_number(r, 0, n, fmt["int"])
        sheet.write_string(r, 1, row.label, fmt["text"])
        for c, (_label, attr) in enumerate(COLUMNS, start=2):
            value = _value(row.figures, attr)
            style = "dec" if attr == "average_days" else "int"
            sheet.write(r, c, value if value is not None else "", fmt[style])
    r = start + len(rows) + 1
    sheet.write(r, 0, "", fmt["total_text"])
    sheet.write(r, 1, "Tổng cộng", fmt["total_text"])
    for c, (_label, attr) in enumerate(COLUMNS, start=2):
        value = _value(totals, attr)
        style = "total_dec" if attr == "average_days" else "total_int"
        sheet.write(r, c, value if value is not None else "", fmt[style])


def build_xlsx(report: PeriodicReport) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": f"Báo cáo {report.period.label}", "author": "vanban", "company": report.scope_label})
    fmt = _formats(book)

    summary = book.add_worksheet("Tổng hợp")
    start = _heading(summary, fmt, report, 3, "I. SỐ LIỆU TỔNG HỢP")
    summary.write_row(start, 0, ["STT", "Chỉ tiêu", "Số lượng", "Ghi chú"], fmt["head"])
    for n, (label, attr, note) in enumerate(SUMMARY, start=1):
        value = _value(report.totals, attr)
        summary.write_number(start + n, 0, n, fmt["int"])
        summary.write_string(start + n, 1, label, fmt["text"])
        summary.write(start + n, 2, value if value is not None else "", fmt["dec" if attr == "average_days" else "int"])
        summary.write_string(start + n, 3, note, fmt["text"])
    summary.set_column(0, 0, 6)
    summary.set_column(1, 1, 62)
    summary.set_column(2, 2, 14)
    summary.set_column(3, 3, 48)
    _page_setup(summary, start, 3)

    last = len(COLUMNS) + 1
    for name, first_header, rows, subtitle in (
            ("Theo cơ quan", "Cơ quan, đơn vị", report.by_agency, "II. SỐ LIỆU THEO CƠ QUAN, ĐƠN VỊ"),
            ("Theo loại văn bản", "Loại văn bản", report.by_type, "III. SỐ LIỆU THEO LOẠI VĂN BẢN")):
        sheet = book.add_worksheet(name)
        start = _heading(sheet, fmt, report, last, subtitle)
        _table(sheet, fmt, start, first_header, rows, totals=report.totals)
        sheet.set_column(0, 0, 5)
        sheet.set_column(1, 1, 38)
        sheet.set_column(2, last, 11)
        _page_setup(sheet, start, last)
    book.close()
    return out.getvalue()
