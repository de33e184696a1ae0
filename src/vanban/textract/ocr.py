"""Vietnamese OCR of scans: OCRmyPDF with Tesseract (`vie`) → a searchable PDF/A.

`make_searchable(scan)` returns a new PDF/A-2b whose pages are the scan's images with an
invisible text layer, plus the text of each page; the caller keeps the scan it was given
(this module never changes or stores it). Pages are deskewed and turned upright (Tesseract's
orientation detection), read one after another (`jobs=1`: the machine is shared) with a
progress callback per page, and pages that give (almost) no text are listed, for a report.

OCR is slow (seconds per page) — callers run it in a background job, never in a web
request. Without the programs (Debian `tesseract-ocr`, `tesseract-ocr-vie`, `ghostscript`;
`unpaper` and `pngquant` are optional) `ocr_status()` says what is missing and
`make_searchable` raises `TextractError("ocr_unavailable")`; nothing is downloaded.
"""

from __future__ import annotations

import functools
import io
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vanban.textract.errors import TextractError

__all__ = ["OcrResult", "OcrStatus", "images_to_pdf", "make_searchable", "ocr_available", "ocr_pdf",
           "ocr_status"]

Progress = Callable[[int, int], None]  # (pages done, pages in all)
_MIN_PAGE_CHARS = 12  # fewer non-space characters than this: the page was not read


@dataclass
class OcrStatus:
    """Which OCR parts are installed; `missing` names the Debian packages to install."""

    available: bool
    missing: list[str] = field(default_factory=list)
    optional_missing: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.available:
            return "Nhận dạng ký tự tiếng Việt (OCR) sẵn sàng."
        return "Chưa cài OCR tiếng Việt; cần cài: " + ", ".join(self.missing) + "."


@dataclass
class OcrResult:
    """The searchable PDF/A and what was read from it."""

    pdf: bytes
    pages: list[str]
    unreadable_pages: list[int]  # 1-based numbers of pages that gave no text
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\f".join(self.pages)


def _tesseract_langs() -> set[str]:
    tesseract = shutil.which("tesseract")
    if not tesseract:
        return set()
    try:
        done = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True,  # noqa: S603
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return set()
    return set((done.stdout + done.stderr).split())


@functools.cache
def ocr_status() -> OcrStatus:
    """What is installed (looked up once per process)."""
    missing: list[str] = []
    try:
        import ocrmypdf  # noqa: F401, PLC0415 - a probe: is ocrmypdf installed (it is slow to import)
    except ImportError:
        missing.append("ocrmypdf (PyPI)")
    if not shutil.which("tesseract"):
        missing += ["tesseract-ocr", "tesseract-ocr-vie"]
    elif "vie" not in _tesseract_langs():
        missing.append("tesseract-ocr-vie")
    if not shutil.which("gs"):
        missing.append("ghostscript")
    optional = [name for name, cmd in (("unpaper", "unpaper"), ("pngquant", "pngquant")) if not shutil.which(cmd)]
    return OcrStatus(not missing, missing, optional)


def ocr_available() -> bool:
    return ocr_status().available


_progress = threading.local()


class _ProgressBar:
    """OCRmyPDF's progress protocol, forwarding the per-page OCR step to the caller."""

    def __init__(self, *, total: float | None = None, desc: str | None = None, unit: str | None = None,
                 **_: object) -> None:
        self.total, self.desc, self.unit, self.done = total, desc or "", unit or "", 0.0
        self.callback: Progress | None = getattr(_progress, "callback", None)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: float = 1, *, completed: float | None = None) -> None:
        self.done = completed if completed is not None else self.done + n
        if self.callback and self.unit == "page" and self.total:
            self.callback(int(self.done), int(self.total))


def get_progressbar_class() -> type[_ProgressBar]:
    return _ProgressBar


def _plugin_path() -> Path:
    return Path(__file__).with_name("ocr_plugin.py")


def images_to_pdf(images: list[bytes]) -> bytes:
    """One PDF of scanned pages given as images (JPEG, PNG, TIFF), without re-encoding."""
    import img2pdf  # noqa: PLC0415 - img2pdf (and Pillow) are slow to import; only scanned pages need them

    if not images:
        raise TextractError("corrupt", detail="không có ảnh")
    try:
        pdf: bytes = img2pdf.convert(images, rotation=img2pdf.Rotation.ifvalid)
    except Exception as exc:  # img2pdf raises several types on bad images
        raise TextractError("corrupt", detail=f"ảnh không đọc được ({exc.__class__.__name__})") from exc
    return pdf


def make_searchable(scan: bytes, *, language: str = "vie", progress: Progress | None = None,
                    deskew: bool = True, rotate: bool = True, clean: bool = False,
                    page_timeout: float = 180.0, image_dpi: int | None = None,
                    page_segmentation: int | None = 6) -> OcrResult:
    """A PDF/A-2b with a text layer from a scanned PDF (or one image, with `image_dpi`).

    Tesseract reads each page as one block of rows (`page_segmentation=6`): the two header
    columns come out side by side on their rows, the shape the header reader handles best;
    its automatic layout analysis (3) reorders the columns of a slightly skewed header."""
    status = ocr_status()
    if not status.available:
        raise TextractError("ocr_unavailable", detail=", ".join(status.missing))
    import ocrmypdf  # noqa: PLC0415 - ocrmypdf is slow to import; only OCR needs it
    from ocrmypdf import exceptions as ocr_errors  # noqa: PLC0415 - ocrmypdf is slow to import; only OCR needs it

    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="vanban-ocr-") as tmp:
        src, out, side = Path(tmp) / "scan.pdf", Path(tmp) / "ocr.pdf", Path(tmp) / "ocr.txt"
        src.write_bytes(scan)
        _progress.callback = progress
        streams = sys.stdout, sys.stderr  # OCRmyPDF's console handling may swap them (rich)
        try:
            ocrmypdf.ocr(
                src, out, language=[language], output_type="pdfa-2", sidecar=side, jobs=1,
                use_threads=True, deskew=deskew, rotate_pages=rotate, rotate_pages_threshold=2.0 if rotate else None,
                clean=clean and "unpaper" not in status.optional_missing, image_dpi=image_dpi,
                tesseract_timeout=page_timeout, progress_bar=True, plugins=[_plugin_path()],
                tesseract_pagesegmode=page_segmentation,
                optimize=1 if "pngquant" in status.optional_missing else 2,
            )
        except ocr_errors.PriorOcrFoundError as exc:
            raise TextractError("has_text") from exc
        except ocr_errors.EncryptedPdfError as exc:
            raise TextractError("encrypted") from exc
        except ocr_errors.MissingDependencyError as exc:
            raise TextractError("ocr_unavailable", detail=str(exc)[:200]) from exc
        except (ocr_errors.InputFileError, ocr_errors.UnsupportedImageFormatError) as exc:
            raise TextractError("corrupt", detail=exc.__class__.__name__) from exc
        except Exception as exc:  # OCRmyPDF and its subprocesses fail in many ways
            raise TextractError("ocr_failed", detail=exc.__class__.__name__) from exc
        finally:
            _progress.callback = None
            sys.stdout, sys.stderr = streams
        pages = side.read_text(encoding="utf-8", errors="replace").split("\f")
        pdf = out.read_bytes()
    if pages and not pages[-1].strip():
        pages = pages[:-1] if len(pages) > _page_count(pdf) else pages
    unreadable = [n for n, text in enumerate(pages, 1) if len("".join(text.split())) < _MIN_PAGE_CHARS]
    warnings = [f"trang {', '.join(map(str, unreadable))} không nhận dạng được chữ"] if unreadable else []
    return OcrResult(pdf=pdf, pages=[p.strip("\n") for p in pages], unreadable_pages=unreadable,
                     warnings=warnings)


def _page_count(pdf: bytes) -> int:
    import pypdf  # noqa: PLC0415 - pypdf is slow to import; only OCR'd PDFs need it

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def ocr_pdf(data: bytes, *, max_pages: int = 20, seconds: float = 120.0) -> list[str]:
    """Text of each page of a scanned PDF (for `extract_text(…, ocr=True)`, the CLI)."""
    del max_pages  # OCRmyPDF reads every page; the caller's page limit applies to the input
    return make_searchable(data, page_timeout=seconds).pages
