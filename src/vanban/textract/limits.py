"""Bounds on work per file: input size, decompressed bytes, pages, wall time.

Attachments come from other agencies and from e-mail; a zip bomb or a PDF with a
pathological content stream must cost a bounded amount, not a worker.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vanban.core.safezip import SafeZip, ZipLimits, ZipRefusedError
from vanban.textract.errors import TextractError

__all__ = ["Deadline", "Limits", "TextractZip"]


@dataclass(frozen=True)
class Limits:
    """Defaults suit an attachment of an administrative document."""

    max_input_bytes: int = 100 * 1024 * 1024
    max_decompressed_bytes: int = 200 * 1024 * 1024
    max_zip_members: int = 5_000
    max_compression_ratio: int = 200
    max_pages: int = 2_000
    max_sheet_cells: int = 2_000_000
    seconds: float = 60.0


class Deadline:
    """A cooperative time box: parsers call `check()` between pages, parts and rows."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() > self.end

    def check(self) -> None:
        if self.expired():
            raise TextractError("timeout", detail=f"quá {self.seconds:g} giây")


_ZIP_CODES = {"bomb": "zip_bomb", "encrypted": "encrypted"}


def _refused(exc: ZipRefusedError) -> TextractError:
    return TextractError(_ZIP_CODES.get(exc.reason, "corrupt"), detail=exc.detail)


class TextractZip(SafeZip):
    """`vanban.core.safezip.SafeZip` within these limits, refusing with a `TextractError`
    (the promise of `extract_text`: no other exception leaves it)."""

    def __init__(self, source: bytes | Path | BinaryIO, limits: Limits) -> None:
        try:
            super().__init__(source, ZipLimits(max_members=limits.max_zip_members,
                                               max_total_bytes=limits.max_decompressed_bytes,
                                               max_ratio=limits.max_compression_ratio))
        except ZipRefusedError as exc:
            raise _refused(exc) from exc

    def chunks(self, name: str) -> Iterator[bytes]:
        try:
            yield from super().chunks(name)
        except ZipRefusedError as exc:
            raise _refused(exc) from exc
