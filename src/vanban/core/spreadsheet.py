"""The first sheet of an .xlsx file as rows of text, for imports (catalogs, units).

The bytes pass the upload checks first (a real OOXML zip, entry count and expansion ratio
limited: no zip bomb reaches the reader), then python-calamine reads the values; dates become
`yyyy-mm-dd`, whole numbers lose their `.0`.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from vanban.core.formats import FormatError, check_file


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message is for people."""


def xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """(row number from 1, cells) for every row of the first sheet, empty ones included."""
    try:
        check_file("bang-tinh.xlsx", data)
    except FormatError as exc:
        raise SpreadsheetError(f"Không đọc được tệp .xlsx: {exc.message}") from exc
    try:
        from python_calamine import CalamineWorkbook  # noqa: PLC0415 - guarded: a plain message when python-calamine is missing
    except ImportError as exc:  # pragma: no cover - installed with the project
        raise SpreadsheetError("Máy chủ chưa cài python-calamine để đọc tệp .xlsx.") from exc
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:
        raise SpreadsheetError("Không đọc được tệp .xlsx (tệp hỏng hoặc không phải bảng tính).") from exc
    return [(i, [cell_text(v) for v in row]) for i, row in enumerate(rows, start=1)]


def cell_text(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
