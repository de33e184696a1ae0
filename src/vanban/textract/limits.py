"""Bounds on work per file: input size, decompressed bytes, pages, wall time.

Attachments come from other agencies and from e-mail; a zip bomb or a PDF with a
pathological content stream must cost a bounded amount, not a worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from vanban.textract.errors import TextractError

__all__ = ["Deadline", "Limits"]


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
