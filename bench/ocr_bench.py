"""Vietnamese OCR: throughput and character accuracy, OCRmyPDF pipeline beside Tesseract alone.

    python bench/ocr_bench.py [--pages 4] [--dpi 200 300] [--json]

Pages: the first `--pages` real headers of tests/textract/realheaders laid out as A4 pages
(`vanban.textract.realset.record_html`, printed by WeasyPrint), scanned in code at each
resolution (`vanban.textract.scans.scan_of`: pdftoppm, grey, 1.5° askew like a sheet laid
slightly crooked) — our scans of real words, not a scanner's.

Truth: the text layer of the printed PDF. Character accuracy = 1 − (Levenshtein distance /
length of the truth), on both texts with whitespace collapsed (line order matters: a reader
that swaps columns loses accuracy).

Lines, in the same run and on the same scans:
- `ocrmypdf`: `make_searchable` (OCRmyPDF, deskew, orientation, Tesseract vie in rows mode,
  PDF/A-2b output) — the system's path; pages/s counts the whole pipeline.
- `tesseract`: Tesseract alone (`tesseract page.png - -l vie --psm 6`) on the same page
  images, no deskew, no PDF — what OCR costs and reads without the pipeline.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vanban.textract import extract_text  # noqa: E402
from vanban.textract.ocr import make_searchable, ocr_status  # noqa: E402
from vanban.textract.realset import load_records, record_html  # noqa: E402
from vanban.textract.scans import rasterize, scan_of  # noqa: E402

REAL = ROOT / "tests" / "textract" / "realheaders" / "headers.json"


def _flat(text: str) -> str:
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions), two rows of memory."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def accuracy(got: str, truth: str) -> float:
    got, truth = _flat(got), _flat(truth)
    return max(0.0, 1 - levenshtein(got, truth) / max(len(truth), 1))


def measure(pages: int = 4, dpis: tuple[int, ...] = (200, 300)) -> dict[str, object]:
    import weasyprint

    records = load_records(REAL)[:pages]
    printed = [weasyprint.HTML(string=record_html(rec, k)).write_pdf() for k, rec in enumerate(records)]
    truths = [extract_text(pdf, "pdf").text for pdf in printed]
    rows: dict[str, dict[str, float]] = {}
    tesseract = shutil.which("tesseract")
    for dpi in dpis:
        scans = [scan_of(pdf, dpi, skew=1.5) for pdf in printed]
        t0 = time.perf_counter()
        got = [make_searchable(scan, image_dpi=None).text for scan in scans]
        seconds = time.perf_counter() - t0
        rows[f"ocrmypdf {dpi} dpi"] = {
            "pages_per_s": len(scans) / seconds,
            "char_accuracy": sum(accuracy(g, t) for g, t in zip(got, truths, strict=True)) / len(truths),
        }
        images = [rasterize(scan, dpi)[0] for scan in scans]
        with tempfile.TemporaryDirectory(prefix="vanban-ocrbench-") as tmp:
            paths = []
            for n, png in enumerate(images):
                path = Path(tmp) / f"p{n}.png"
                path.write_bytes(png)
                paths.append(path)
            t0 = time.perf_counter()
            alone = [subprocess.run([tesseract, str(p), "-", "-l", "vie", "--psm", "6"],
                                    capture_output=True, check=True, timeout=300).stdout.decode()
                     for p in paths]
            seconds = time.perf_counter() - t0
        rows[f"tesseract {dpi} dpi"] = {
            "pages_per_s": len(paths) / seconds,
            "char_accuracy": sum(accuracy(g, t) for g, t in zip(alone, truths, strict=True)) / len(truths),
        }
    return {"pages": len(records), "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 300])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    status = ocr_status()
    if not status.available:
        print(f"ocr bench skipped: {status.message}")
        return 0
    result = measure(args.pages, tuple(args.dpi))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"OCR of {result['pages']} scanned A4 pages (real headers, 1.5° askew), per resolution")
    print(f"{'line':22}{'pages/s':>10}{'char accuracy':>16}")
    for name, row in result["rows"].items():
        print(f"{name:22}{row['pages_per_s']:>10.3f}{row['char_accuracy']:>16.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
