"""Optional OCR of scanned PDFs: pdftoppm → tesseract (Vietnamese), only if both are installed.

Nothing is downloaded and nothing is installed: without `tesseract` and its `vie` data the
extraction simply reports `needs_ocr=True`.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

from vanban.textract.errors import TextractError

__all__ = ["ocr_available", "ocr_pdf"]


@functools.cache
def ocr_available() -> bool:
    tesseract, pdftoppm = shutil.which("tesseract"), shutil.which("pdftoppm")
    if not tesseract or not pdftoppm:
        return False
    try:
        langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True,  # noqa: S603
                               timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return "vie" in (langs.stdout + langs.stderr).split()


def ocr_pdf(data: bytes, *, max_pages: int = 20, seconds: float = 120.0) -> list[str]:
    """Text of each page (up to `max_pages`), read at 300 dpi."""
    if not ocr_available():
        raise TextractError("ocr_failed", detail="chưa cài tesseract với dữ liệu tiếng Việt")
    tesseract, pdftoppm = shutil.which("tesseract"), shutil.which("pdftoppm")
    assert tesseract and pdftoppm
    with tempfile.TemporaryDirectory(prefix="vanban-ocr-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        try:
            subprocess.run([pdftoppm, "-r", "300", "-gray", "-png", "-f", "1", "-l", str(max_pages),  # noqa: S603
                            str(src), str(Path(tmp) / "p")], check=True, capture_output=True,
                           timeout=seconds)
            pages = []
            for image in sorted(Path(tmp).glob("p-*.png")):
                done = subprocess.run([tesseract, str(image), "stdout", "-l", "vie"], check=True,  # noqa: S603
                                      capture_output=True, timeout=seconds)
                pages.append(done.stdout.decode("utf-8", errors="replace"))
        except (OSError, subprocess.SubprocessError) as exc:
            raise TextractError("ocr_failed", detail=exc.__class__.__name__) from exc
    return pages
