"""Reading a dossier catalog (danh mục hồ sơ) from CSV or XLSX, every bad row reported
with its line and reason. Nothing is written here; the service refuses the whole file when
any row is bad.

Columns (English or the Vietnamese headings of the NĐ 30 Phụ lục V form): heading (Đề mục),
subheading (Đề mục nhỏ), notation (Số và ký hiệu hồ sơ), title (Tiêu đề hồ sơ), retention
(Thời hạn bảo quản: "Vĩnh viễn" or N năm), responsible (Người lập hồ sơ), username (tên
đăng nhập, optional). A row with only a heading opens a section: the rows after it belong
to that heading, as in the printed form.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from vanban.core.spreadsheet import SpreadsheetError, xlsx_rows
from vanban.core.text import fold, nfc

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
ALIASES: dict[str, str] = {
    "heading": "heading", "de muc": "heading", "de muc lon": "heading",
    "subheading": "subheading", "de muc nho": "subheading",
    "notation": "notation", "so va ky hieu ho so": "notation", "so, ky hieu ho so": "notation",
    "ky hieu ho so": "notation",
    "title": "title", "tieu de ho so": "title", "ten ho so": "title",
    "retention": "retention", "thoi han bao quan": "retention",
    "responsible": "responsible", "nguoi lap ho so": "responsible", "don vi/nguoi lap ho so": "responsible",
    "username": "username", "ten dang nhap": "username",
}
_NOTATION = re.compile(r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ.\-/]{0,19}$")
_YEARS = re.compile(r"^(\d{1,3})\s*(nam|years?)?$")


class CatalogFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"dòng {self.line}: {self.reason}"


@dataclass(frozen=True)
class EntryRow:
    line: int
    heading: str
    subheading: str
    notation: str
    title: str
    retention_years: int | None
    responsible: str
    username: str


@dataclass(frozen=True)
class FieldError:
    """Why one entry is refused, and the column (form field) at fault."""

    field: str
    reason: str


@dataclass
class ParsedCatalog:
    rows: list[EntryRow]
    errors: list[RowError]


def read_catalog(name: str, data: bytes) -> ParsedCatalog:
    if len(data) > MAX_FILE_BYTES:
        raise CatalogFileError(f"Tệp quá lớn (giới hạn {MAX_FILE_BYTES // 1024 // 1024} MB).")
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return check_rows(_csv_rows(data))
    if suffix == ".xlsx":
        return check_rows(_xlsx_rows(data))
    raise CatalogFileError("Chỉ nhận tệp .csv hoặc .xlsx.")


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogFileError(
            f"Tệp không phải UTF-8 (byte lỗi ở vị trí {exc.start}); hãy lưu lại với mã hóa UTF-8.") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    return [(reader.line_num, row) for row in reader]


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        return xlsx_rows(data)
    except SpreadsheetError as exc:
        raise CatalogFileError(str(exc)) from exc


def _header(rows: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    for index, (_, row) in enumerate(rows):
        if not any(c.strip() for c in row):
            continue
        columns = {}
        for pos, cell in enumerate(row):
            key = ALIASES.get(fold(nfc(cell)).strip(" *:"))
            if key and key not in columns:
                columns[key] = pos
        missing = [c for c in ("notation", "title", "retention") if c not in columns]
        if missing:
            raise CatalogFileError(
                f"Thiếu cột bắt buộc: {', '.join(missing)} ở dòng tiêu đề "
                "(notation/Số và ký hiệu hồ sơ, title/Tiêu đề hồ sơ, retention/Thời hạn bảo quản).")
        return index, columns
    raise CatalogFileError("Tệp trống.")


def check_rows(rows: list[tuple[int, list[str]]]) -> ParsedCatalog:
    start, columns = _header(rows)
    body = rows[start + 1:]
    if len(body) > MAX_ROWS:
        raise CatalogFileError(f"Tệp có quá nhiều dòng (giới hạn {MAX_ROWS}).")
    out: list[EntryRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    heading = subheading = ""

    def get(row: list[str], key: str) -> str:
        pos = columns.get(key)
        return nfc(row[pos]).strip() if pos is not None and pos < len(row) else ""

    for line, row in body:
        values = {k: get(row, k) for k in ALIASES.values()}
        if not any(values.values()):
            continue
        if not values["notation"] and not values["title"]:
            if values["heading"]:  # a section row
                heading, subheading = values["heading"], values["subheading"]
            elif values["subheading"]:
                subheading = values["subheading"]
            else:
                errors.append(RowError(line, "thiếu số và ký hiệu hồ sơ và tiêu đề hồ sơ"))
            continue
        if values["heading"]:  # a heading on an entry row carries on to the rows below, too
            heading, subheading = values["heading"], values["subheading"]
        row_or_reason = check_entry(values, heading=heading, subheading=subheading, line=line)
        if isinstance(row_or_reason, list):
            errors.append(RowError(line, "; ".join(e.reason for e in row_or_reason)))
            continue
        key = row_or_reason.notation.casefold()
        if key in seen:
            errors.append(RowError(line, f"số và ký hiệu hồ sơ {row_or_reason.notation} trùng với dòng {seen[key]}"))
            continue
        seen[key] = line
        out.append(row_or_reason)
    if not out and not errors:
        raise CatalogFileError("Tệp không có hồ sơ nào.")
    return ParsedCatalog(out, errors)


def parse_retention(raw: str) -> tuple[bool, int | None]:
    """(ok, years): 'Vĩnh viễn' → (True, None); '10 năm' / '10' → (True, 10)."""
    text = fold(raw)
    if text in ("vinh vien", "permanent", "vv"):
        return True, None
    match = _YEARS.match(text)
    if match and 1 <= int(match.group(1)) <= 100:
        return True, int(match.group(1))
    return False, None


def check_entry(values: dict[str, str], *, heading: str = "", subheading: str = "",
                line: int = 0) -> EntryRow | list[FieldError]:
    """One catalog entry, as a row of the file or the one-entry form fills it: the same rules
    for both, every fault named with its column. `heading`/`subheading` are the section it
    falls under when its own are empty."""
    values = {key: nfc(values.get(key) or "").strip() for key in set(ALIASES.values())}
    notation, title = values["notation"], values["title"]
    errors: list[FieldError] = []
    if not notation:
        errors.append(FieldError("notation", "thiếu số và ký hiệu hồ sơ"))
    elif not _NOTATION.match(notation):
        errors.append(FieldError("notation", f"số và ký hiệu hồ sơ '{notation}' không hợp lệ (tối đa 20 ký tự: chữ, "
                                             "số, dấu chấm, gạch ngang; ví dụ 01.TCCB)"))
    if not title:
        errors.append(FieldError("title", "thiếu tiêu đề hồ sơ"))
    elif len(title) > 500:
        errors.append(FieldError("title", "tiêu đề hồ sơ dài quá 500 ký tự"))
    ok, years = parse_retention(values["retention"])
    if not ok:
        errors.append(FieldError("retention", f"thời hạn bảo quản '{values['retention']}' không hợp lệ (ghi "
                                              "'Vĩnh viễn' hoặc số năm, ví dụ '10 năm')"))
    row_heading = values["heading"] or heading
    row_subheading = values["subheading"] or subheading
    if not row_heading:
        errors.append(FieldError("heading", "chưa có đề mục cho hồ sơ này (cột heading/Đề mục)"))
    for key, text in (("heading", row_heading), ("subheading", row_subheading)):
        if len(text) > 300:
            errors.append(FieldError(key, "đề mục dài quá 300 ký tự"))
    for key, label, limit in (("responsible", "người lập hồ sơ", 200), ("username", "tên đăng nhập", 150)):
        if len(values[key]) > limit:
            errors.append(FieldError(key, f"{label} dài quá {limit} ký tự"))
    if errors:
        return errors
    return EntryRow(line=line, heading=row_heading, subheading=row_subheading, notation=notation, title=title,
                    retention_years=years, responsible=values["responsible"], username=values["username"])
