"""Units inside an agency: read, create, change, close, import and export — each write audited.

An import file is checked whole before anything is written: one bad row and nothing changes,
every bad row named with its line (as for the agency directory). Units are never deleted:
a unit that ends gets `active_to` and stays as history (documents and people keep pointing at it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from vanban.agencies import events
from vanban.agencies.importer import ImportFileError, RowError
from vanban.agencies.models import Agency, Unit, validate_unit_code
from vanban.agencies.unitcode import code_from_name
from vanban.audit.services import record_event
from vanban.core.spreadsheet import SpreadsheetError, xlsx_rows
from vanban.core.text import nfc

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # an agency has tens of units, not thousands
MAX_IMPORT_ROWS = 2000
COLUMNS = ("code", "name", "kind", "parent", "order", "active_from", "active_to")
HEADINGS = ("Mã đơn vị", "Tên đơn vị", "Loại", "Thuộc đơn vị (mã)", "Thứ tự", "Hoạt động từ", "Hoạt động đến")
KIND_BY_LABEL = {nfc(label).casefold(): value for value, label in Unit.Kind.choices}


class UnitError(Exception):
    def __init__(self, code: str, message: str, errors: list[RowError] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or []


def units_in_operation(agency: Agency | None, on: date | None = None) -> QuerySet[Unit]:
    if agency is None:
        return Unit.objects.none()
    on = on or date.today()
    return (Unit.objects.filter(agency=agency)
            .filter(Q(active_from__isnull=True) | Q(active_from__lte=on))
            .filter(Q(active_to__isnull=True) | Q(active_to__gte=on)))


def tree(agency: Agency) -> list[tuple[Unit, int]]:
    """Every unit of the agency (closed ones too), parents before children, with its depth."""
    units = list(Unit.objects.filter(agency=agency).order_by("order", "name"))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    out: list[tuple[Unit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            out.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return out


@dataclass(frozen=True)
class UnitInput:
    code: str
    name: str
    kind: str = Unit.Kind.DEPARTMENT
    parent_code: str = ""
    order: int = 0
    active_from: date | None = None
    active_to: date | None = None


def _problems(data: UnitInput, agency: Agency, known_codes: set[str]) -> list[str]:
    out = []
    if not data.name:
        out.append("thiếu tên đơn vị")
    try:
        validate_unit_code(data.code)
    except ValidationError as exc:
        out.append(f"mã '{data.code}': {exc.messages[0]}")
    if data.kind not in Unit.Kind.values:
        out.append(f"loại '{data.kind}' không có (dùng: {', '.join(Unit.Kind.labels)})")
    if data.parent_code and data.parent_code not in known_codes:
        out.append(f"đơn vị cấp trên '{data.parent_code}' không có trong {agency.abbreviation or agency.code}")
    if data.parent_code and data.parent_code == data.code:
        out.append("một đơn vị không thể thuộc chính nó")
    if data.active_from and data.active_to and data.active_to < data.active_from:
        out.append("ngày kết thúc trước ngày bắt đầu")
    return out


def _cycle(codes_to_parent: dict[str, str]) -> str:
    """A code that is its own ancestor, or ''."""
    for start in codes_to_parent:
        seen, code = set(), start
        while code:
            if code in seen:
                return start
            seen.add(code)
            code = codes_to_parent.get(code, "")
    return ""


@transaction.atomic
def save_unit(*, actor: Any, agency: Agency, data: UnitInput, unit: Unit | None = None) -> Unit:
    """Create (`unit` None) or change one unit; the code stays unique in the agency."""
    data = _clean(data)
    siblings = Unit.objects.filter(agency=agency)
    if unit is not None:
        siblings = siblings.exclude(pk=unit.pk)
    others = dict(siblings.values_list("code", "pk"))
    problems = _problems(data, agency, set(others) | {data.code})
    if data.code in others:
        problems.append(f"mã {data.code} đã có trong cơ quan")
    parents = dict(siblings.values_list("code", "parent__code"))
    parents = {c: p or "" for c, p in parents.items()} | {data.code: data.parent_code}
    if not problems and _cycle(parents):
        problems.append("đơn vị cấp trên tạo thành vòng lặp")
    if problems:
        text = "; ".join(problems)
        raise UnitError("UNIT_INVALID", text[:1].upper() + text[1:] + ".")
    created = unit is None
    unit = unit or Unit(agency=agency)
    unit.code, unit.name, unit.kind, unit.order = data.code, data.name, data.kind, data.order
    unit.active_from, unit.active_to = data.active_from, data.active_to
    unit.parent = Unit.objects.get(agency=agency, code=data.parent_code) if data.parent_code else None
    unit.save()
    record_event(events.UNIT_CREATED if created else events.UNIT_CHANGED, actor=actor,
                 agency_code=agency.code, obj=unit, details={"code": unit.code, "name": unit.name})
    return unit


def _clean(data: UnitInput) -> UnitInput:
    return UnitInput(code=nfc(data.code).strip().upper(), name=" ".join(nfc(data.name).split())[:200],
                     kind=data.kind or Unit.Kind.DEPARTMENT, parent_code=nfc(data.parent_code).strip().upper(),
                     order=data.order, active_from=data.active_from, active_to=data.active_to)


# -- import / export --------------------------------------------------------------------------

def parse_file(name: str, data: bytes) -> tuple[list[tuple[int, UnitInput]], list[RowError]]:
    """A units list as CSV or .xlsx (the layout `export_csv`/`export_xlsx` write)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"Tệp quá lớn (giới hạn {MAX_IMPORT_BYTES // 1024 // 1024} MB).")
    if name.lower().endswith(".xlsx"):
        try:
            return parse_rows(xlsx_rows(data))
        except SpreadsheetError as exc:
            raise ImportFileError(str(exc)) from exc
    if name.lower().endswith(".csv") or not name:
        return parse_csv(data)
    raise ImportFileError("Chỉ nhận tệp .csv hoặc .xlsx.")


def parse_csv(data: bytes) -> tuple[list[tuple[int, UnitInput]], list[RowError]]:
    """Rows of a units CSV (English or Vietnamese headings), or the reasons it cannot be read."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"Tệp quá lớn (giới hạn {MAX_IMPORT_BYTES // 1024 // 1024} MB).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"Tệp không phải UTF-8 (byte lỗi ở vị trí {exc.start}); "
                              "hãy lưu lại với mã hóa UTF-8.") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    return parse_rows((reader.line_num, row) for row in reader)


def parse_rows(numbered: Iterable[tuple[int, list[str]]]) -> tuple[list[tuple[int, UnitInput]], list[RowError]]:
    """The heading row, then one unit per row; every bad row reported with its line."""
    lines = iter(numbered)
    _, first = next(lines, (0, []))
    header = [nfc(h).strip() for h in first]
    by_heading = {nfc(h).casefold(): c for h, c in zip(HEADINGS, COLUMNS, strict=True)}
    columns = [by_heading.get(h.casefold(), h) for h in header]
    missing = [c for c in ("code", "name") if c not in columns]
    if missing:
        raise ImportFileError(f"Thiếu cột bắt buộc: {', '.join(missing)} (dòng tiêu đề).")
    rows: list[tuple[int, UnitInput]] = []
    errors: list[RowError] = []
    for line, record in lines:
        if line > MAX_IMPORT_ROWS + 1:
            raise ImportFileError(f"Tệp có quá {MAX_IMPORT_ROWS} dòng.")
        if not any(cell.strip() for cell in record):
            continue
        values = {c: nfc(v).strip() for c, v in zip(columns, record, strict=False)}
        try:
            rows.append((line, _row(values)))
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
    return rows, errors


def _row(values: dict[str, str]) -> UnitInput:
    kind = values.get("kind", "")
    kind = KIND_BY_LABEL.get(kind.casefold(), kind) or Unit.Kind.DEPARTMENT
    order = values.get("order", "") or "0"
    if not order.isdigit():
        raise ValueError(f"thứ tự '{order}' không phải số")
    name = values.get("name", "")
    code = values.get("code", "") or (code_from_name(name) if name else "")
    return _clean(UnitInput(code=code, name=name, kind=kind, parent_code=values.get("parent", ""),
                            order=int(order), active_from=_date(values.get("active_from", "")),
                            active_to=_date(values.get("active_to", ""))))


def _date(text: str) -> date | None:
    if not text:
        return None
    for parse in (date.fromisoformat, lambda t: date(*reversed([int(p) for p in t.split("/")]))):
        try:
            return parse(text)
        except (ValueError, TypeError):
            continue
    raise ValueError(f"ngày '{text}' không đọc được (dùng dd/mm/yyyy hoặc yyyy-mm-dd)")


@transaction.atomic
def import_units(*, actor: Any, agency: Agency, rows: list[tuple[int, UnitInput]],
                 errors: list[RowError]) -> tuple[int, int]:
    """All rows or none: (created, changed). Units already there are matched by code."""
    existing = {u.code: u for u in Unit.objects.filter(agency=agency)}
    seen: dict[str, int] = {}
    errors = list(errors)
    codes = set(existing) | {r.code for _, r in rows}
    for line, row in rows:
        if row.code in seen:
            errors.append(RowError(line, f"mã {row.code} trùng với dòng {seen[row.code]}"))
        seen.setdefault(row.code, line)
        errors.extend(RowError(line, p) for p in _problems(row, agency, codes))
    parents = {c: (u.parent.code if u.parent else "") for c, u in existing.items()}
    parents |= {r.code: r.parent_code for _, r in rows}
    if not errors and (looped := _cycle(parents)):
        errors.append(RowError(seen.get(looped, 0), f"đơn vị {looped} nằm trong vòng lặp đơn vị cấp trên"))
    if errors:
        errors.sort(key=lambda e: e.line)
        raise UnitError("UNITS_IMPORT_INVALID", f"Tệp có {len(errors)} dòng sai; không đơn vị nào được nhập.", errors)
    created = changed = 0
    for _, row in rows:  # first without parents (a parent may come later in the file)
        unit = existing.get(row.code)
        if unit is None:
            existing[row.code] = Unit.objects.create(agency=agency, code=row.code, name=row.name, kind=row.kind,
                                                     order=row.order, active_from=row.active_from,
                                                     active_to=row.active_to)
            created += 1
        elif (unit.name, unit.kind, unit.order, unit.active_from, unit.active_to) != (
                row.name, row.kind, row.order, row.active_from, row.active_to):
            unit.name, unit.kind, unit.order = row.name, row.kind, row.order
            unit.active_from, unit.active_to = row.active_from, row.active_to
            unit.save()
            changed += 1
    for _, row in rows:
        unit = existing[row.code]
        parent = existing[row.parent_code] if row.parent_code else None
        if unit.parent_id != (parent.pk if parent else None):
            unit.parent = parent
            unit.save(update_fields=["parent"])
    record_event(events.UNITS_IMPORTED, actor=actor, agency_code=agency.code,
                 details={"rows": len(rows), "created": created, "changed": changed})
    return created, changed


def export_rows(agency: Agency) -> Iterable[list[str]]:
    for unit, _depth in tree(agency):
        yield [unit.code, unit.name, unit.get_kind_display(), unit.parent.code if unit.parent else "",
               str(unit.order), unit.active_from.strftime("%d/%m/%Y") if unit.active_from else "",
               unit.active_to.strftime("%d/%m/%Y") if unit.active_to else ""]


def export_csv(agency: Agency) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    writer.writerows(export_rows(agency))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def export_xlsx(agency: Agency) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Đơn vị")
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F6", "border": 1})
    sheet.write_row(0, 0, HEADINGS, bold)
    for i, row in enumerate(export_rows(agency), start=1):
        sheet.write_row(i, 0, row)
    for col, width in enumerate((14, 48, 24, 16, 8, 14, 14)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
