"""Rich Text Format: striprtf for the text, the font table for legacy evidence."""

from __future__ import annotations

import re

from striprtf.striprtf import rtf_to_text

from vanban.textract.errors import TextractError

__all__ = ["read_rtf"]

_FONT = re.compile(rb"\{\\f\d+((?:[^{};]|\{[^{}]*\})*);")
_NESTED = re.compile(rb"\{[^{}]*\}")
_CONTROL = re.compile(rb"\\[a-zA-Z]+-?\d* ?|\\'[0-9a-fA-F]{2}|\\.")


def read_rtf(data: bytes) -> tuple[str, set[str]]:
    """(text, font names). RTF is 7-bit; \\'xx bytes are read as Windows-1252."""
    if not data.lstrip()[:5].startswith(b"{\\rtf"):
        raise TextractError("corrupt", detail="không có đầu {\\rtf")
    table = data[: 200_000]
    start = table.find(b"\\fonttbl")
    fonts: set[str] = set()
    if start >= 0:
        for m in _FONT.finditer(table, start, start + 100_000):
            name = _CONTROL.sub(b"", _NESTED.sub(b"", m.group(1))).decode("latin-1").strip()
            if name and len(name) < 64:
                fonts.add(name)
    text = rtf_to_text(data.decode("latin-1"), encoding="cp1252", errors="replace")
    return text, fonts
