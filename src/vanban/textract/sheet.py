"""Spreadsheets (.xlsx, .xls, .ods) through python-calamine, cell values as tab-separated rows."""

from __future__ import annotations

import io
import zipfile

from python_calamine import CalamineWorkbook

from vanban.textract.errors import TextractError
from vanban.textract.limits import Deadline, Limits, TextractZip

__all__ = ["read_sheet"]


def _prove_zip_bounded(data: bytes, limits: Limits) -> None:
    """calamine decompresses on its own, so the zip is first read through the bounded reader."""
    z = TextractZip(data, limits)
    for info in z.infos:
        if not info.is_dir():
            z.read(info.filename)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_sheet(data: bytes, ext: str, limits: Limits, deadline: Deadline) -> str:
    if ext in ("xlsx", "xlsm", "ods"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise TextractError("corrupt", detail="không phải tệp zip")
        _prove_zip_bounded(data, limits)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every bad file
        code = "encrypted" if "password" in str(exc).lower() or "encrypt" in str(exc).lower() else "corrupt"
        if ext == "xls" and code == "corrupt":
            code = "old_binary"
        raise TextractError(code, detail=exc.__class__.__name__) from exc
    out: list[str] = []
    cells = 0
    for name in wb.sheet_names:
        deadline.check()
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.iter_rows()
            out.append(f"# {name}")
            for row in rows:
                values = [_cell(v) for v in row]
                cells += len(values)
                if cells > limits.max_sheet_cells:
                    out.append("…")
                    return "\n".join(out)
                line = "\t".join(values).rstrip("\t")
                if line:
                    out.append(line)
                if cells % 10_000 < len(values):
                    deadline.check()
        except TextractError:
            raise
        except Exception as exc:  # a broken sheet: keep what was read of the others
            out.append(f"[trang tính {name} hỏng: {exc.__class__.__name__}]")
    return "\n".join(out)
