"""Scans made in code, for tests and the OCR bench: a PDF rasterised (pdftoppm) at a given
resolution, optionally turned by a few degrees like a sheet laid askew, wrapped back into an
image-only PDF (img2pdf) that declares that resolution. Ours, not a real scanner's output."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["rasterize", "scan_of"]


def rasterize(pdf: bytes, dpi: int = 300, *, first: int = 1, last: int | None = None) -> list[bytes]:
    """PNG images (grey) of the pages of `pdf`."""
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        raise RuntimeError("pdftoppm (poppler-utils) is needed")
    with tempfile.TemporaryDirectory(prefix="vanban-scan-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        args = [pdftoppm, "-r", str(dpi), "-gray", "-png", "-f", str(first)]
        if last:
            args += ["-l", str(last)]
        subprocess.run([*args, str(src), str(Path(tmp) / "p")], check=True, capture_output=True,  # noqa: S603
                       timeout=120)
        return [p.read_bytes() for p in sorted(Path(tmp).glob("p-*.png"))]


def scan_of(pdf: bytes, dpi: int = 300, *, skew: float = 0.0, upside_down: bool = False) -> bytes:
    """An image-only PDF of `pdf`'s pages as a scanner at `dpi` would make it."""
    import img2pdf  # noqa: PLC0415 - img2pdf (and Pillow) are slow to import; only scanned pages need them
    from PIL import Image  # noqa: PLC0415 - Pillow is slow to import; only scanned pages need it

    pages: list[bytes] = []
    for png in rasterize(pdf, dpi):
        image = Image.open(io.BytesIO(png)).convert("L")
        if skew:
            image = image.rotate(skew, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
        if upside_down:
            image = image.rotate(180, expand=True)
        out = io.BytesIO()
        image.save(out, format="PNG", dpi=(dpi, dpi))
        pages.append(out.getvalue())
    scanned: bytes = img2pdf.convert(pages)
    return scanned
