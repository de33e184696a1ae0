"""Attachment text for the index, through `vanban.textract` (bounded, total: it raises
only `TextractError`). If textract is not installed, plain text files still index."""

from __future__ import annotations

from dataclasses import dataclass

MAX_FILE_CHARS = 200_000


@dataclass(frozen=True)
class FileText:
    text: str
    error: str = ""  # a textract code ('corrupt', 'encrypted', …) when nothing could be read


def _fallback(data: bytes, extension: str) -> FileText:
    if extension in {"txt", "csv"}:
        try:
            return FileText(data.decode("utf-8-sig")[:MAX_FILE_CHARS])
        except UnicodeDecodeError:
            return FileText("", "bad_encoding")
    return FileText("", "unsupported")


def extract(data: bytes, name: str) -> FileText:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        from vanban.textract import TextractError, extract_text  # noqa: PLC0415 - guarded: plain text still indexes without textract
    except ImportError:  # textract absent: txt only
        return _fallback(data, extension)
    try:
        result = extract_text(data, extension, max_chars=MAX_FILE_CHARS)
    except TextractError as exc:
        return FileText("", exc.code)
    return FileText(result.text)
