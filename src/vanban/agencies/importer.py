"""Reading agency rows from CSV or JSON, every bad row reported with its line and reason.

Parsing and checking happen before anything is written, so a file with a bad row changes
nothing (unless the caller asks to skip bad rows).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.core.text import nfc

MAX_FILE_BYTES = 200 * 1024 * 1024
COLUMNS = ("code", "name", "short_name", "abbreviation", "parent", "code_qd20", "address",
           "email", "phone", "website", "active_from", "active_to", "successor")
LIMITS = {"name": 300, "short_name": 120, "abbreviation": 30, "code_qd20": 40, "address": 300,
          "email": 254, "phone": 60, "website": 200}


@dataclass
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"dòng {self.line}: {self.reason}"


@dataclass
class AgencyRow:
    line: int
    code: str
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    parent: str = ""
    successor: str = ""


@dataclass
class ParsedFile:
    rows: list[AgencyRow]
    errors: list[RowError]


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


def read_file(path: Path) -> ParsedFile:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError(f"Tệp quá lớn (giới hạn {MAX_FILE_BYTES // 1024 // 1024} MB).")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".json":
        return parse_json(data)
    if suffix == ".csv":
        return parse_csv(data)
    raise ImportFileError("Chỉ nhận tệp .csv hoặc .json.")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Tệp không phải UTF-8 (byte lỗi ở vị trí {exc.start}); hãy lưu lại với mã hóa UTF-8."
        ) from exc


def parse_csv(data: bytes) -> ParsedFile:
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("code", "name") if c not in header]
    if missing:
        raise ImportFileError(f"Thiếu cột bắt buộc: {', '.join(missing)} (dòng tiêu đề).")
    reader.fieldnames = header
    records = []
    for record in reader:
        # reader.line_num is the physical line where this record ended.
        records.append((reader.line_num, record))
    return _check(records)


def parse_json(data: bytes) -> ParsedFile:
    try:
        payload = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"JSON không hợp lệ ở dòng {exc.lineno}: {exc.msg}") from exc
    if isinstance(payload, dict) and isinstance(payload.get("agencies"), list):
        payload = payload["agencies"]
    if not isinstance(payload, list):
        raise ImportFileError('JSON phải là một mảng các cơ quan (hoặc {"agencies": [...]}).')
    # "line" for JSON is the 1-based position of the item in the array.
    return _check([(i, item) for i, item in enumerate(payload, start=1)])


def _check(records: list[tuple[int, Any]]) -> ParsedFile:
    rows: list[AgencyRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, record in records:
        if not isinstance(record, dict):
            errors.append(RowError(line, "không phải một đối tượng có các trường code, name"))
            continue
        row, reason = _check_one(line, record)
        if reason:
            errors.append(RowError(line, reason))
            continue
        assert row is not None
        if row.code in seen:
            errors.append(RowError(line, f"mã {row.code} trùng với dòng {seen[row.code]}"))
            continue
        seen[row.code] = line
        rows.append(row)
    return ParsedFile(rows, errors)


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    return nfc(str(value)).strip()


def _check_one(line: int, record: dict[str, Any]) -> tuple[AgencyRow | None, str]:
    code = _text(record, "code")
    try:
        parse_agency_code(code)
    except AgencyCodeError as exc:
        return None, f"mã '{code}' sai: {exc.reason}"
    name = _text(record, "name")
    if not name:
        return None, "thiếu tên cơ quan (cột name)"
    values: dict[str, Any] = {}
    for key, limit in LIMITS.items():
        value = _text(record, key)
        if len(value) > limit:
            return None, f"cột {key} dài quá {limit} ký tự"
        values[key] = value
    values["name"] = name
    if values["email"] and "@" not in values["email"]:
        return None, f"thư điện tử '{values['email']}' không hợp lệ"
    for key in ("active_from", "active_to"):
        raw = _text(record, key)
        if not raw:
            values[key] = None
            continue
        try:
            values[key] = date.fromisoformat(raw)
        except ValueError:
            return None, f"cột {key} phải là ngày dạng YYYY-MM-DD, không phải '{raw}'"
    if values["active_from"] and values["active_to"] and values["active_to"] < values["active_from"]:
        return None, "active_to trước active_from"
    parent, successor = _text(record, "parent"), _text(record, "successor")
    for other, label, itself in ((parent, "cấp trên", "cơ quan không thể là cấp trên của chính nó"),
                                 (successor, "kế thừa", "cơ quan không thể kế thừa chính nó")):
        if not other:
            continue
        try:
            parse_agency_code(other)
        except AgencyCodeError as exc:
            return None, f"mã cơ quan {label} '{other}' sai: {exc.reason}"
        if other == code:
            return None, itself
    if successor and not values["active_to"]:
        return None, "có cơ quan kế thừa thì phải có ngày thôi hoạt động (active_to)"
    return AgencyRow(line=line, code=code, name=name, values=values, parent=parent, successor=successor), ""
