"""Accuracy of the header reader: real published headers and the generated set, apart.

    python bench/header_bench.py [--count 48] [--seed 2026] [--json]

Real: the 35 headers of tests/textract/realheaders (public documents, URLs in its README),
each rendered by `vanban.textract.realset` as plain text column by column (`txt`), plain
text row by row (`txt-rows`), .docx and PDF, read the way the system reads (PDF first page
in column mode), plus `pdf-plain` (the PDF's plain text, a harder line). Signer fields are
counted only on the records that have a signature block (4 of 35).

Generated: each document of `vanban.textract.headerset` is rendered (docx with tables, docx
with tab-separated lines, TCVN3 docx, PDF), extracted and read the same way.

A field counts as right when it equals the known value exactly (after collapsing spaces;
subjects keep the case they are printed in).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vanban.textract import extract_text  # noqa: E402
from vanban.textract.header import header_text, read_header  # noqa: E402
from vanban.textract.headerset import extension, generate, render  # noqa: E402
from vanban.textract.realset import FORMATS, load_records, record_truth, render_record  # noqa: E402

REAL = ROOT / "tests" / "textract" / "realheaders" / "headers.json"
REAL_FIELDS = ["agency", "parent_agency", "number", "notation", "code", "place", "date", "type_name",
               "subject", "competence", "signer_position", "signer_name"]

FIELDS = ["agency", "parent_agency", "number", "notation", "code", "place", "date", "type_name",
          "subject", "competence", "signer_position", "signer_name", "urgency"]


def _norm(value: str | None) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) else value


def _same(a: str | None, b: str | None) -> bool:
    return _norm(a) == _norm(b)


def measure(count: int = 48, seed: int = 2026) -> dict[str, object]:
    """{'system': {field: accuracy}, 'pdf_plain': {...}, 'documents': n, 'misses': [...]}"""
    docs = generate(count, seed)
    right = dict.fromkeys(FIELDS, 0)
    plain_right = dict.fromkeys(FIELDS, 0)
    plain_n = 0
    misses: list[dict[str, object]] = []
    by_format: dict[str, list[int]] = {}
    started = time.perf_counter()
    for doc in docs:
        extracted = extract_text(render(doc), extension(doc))
        head, tail = header_text(extracted)
        guess = read_header(head, tail=tail).values()
        truth = doc.truth()
        ok = 0
        for f in FIELDS:
            if _same(guess[f], truth[f]):
                right[f] += 1
                ok += 1
            else:
                misses.append({"doc": doc.ident, "format": doc.fmt, "field": f,
                               "expected": truth[f], "got": guess[f]})
        stats = by_format.setdefault(doc.fmt, [0, 0])
        stats[0] += ok
        stats[1] += len(FIELDS)
        if doc.fmt == "pdf":
            plain_n += 1
            plain = read_header(extracted.first_page, tail=extracted.pages[-1] if extracted.pages else None)
            for f in FIELDS:
                plain_right[f] += _same(plain.values()[f], truth[f])
    n = len(docs)
    system = {f: right[f] / n for f in FIELDS}
    system["overall"] = sum(right.values()) / (n * len(FIELDS))
    pdf_plain = {f: plain_right[f] / max(plain_n, 1) for f in FIELDS}
    pdf_plain["overall"] = sum(plain_right.values()) / (max(plain_n, 1) * len(FIELDS))
    return {"documents": n, "seconds": round(time.perf_counter() - started, 2), "system": system,
            "pdf_plain": pdf_plain, "by_format": {k: v[0] / v[1] for k, v in by_format.items()},
            "misses": misses}


def measure_real(path: Path = REAL, *, formats: tuple[str, ...] = (*FORMATS, "pdf-plain"),
                 step: int = 1) -> dict[str, object]:
    """{'formats': {fmt: {field: accuracy}}, 'records': n, 'misses': [...]} on real headers
    (every `step`-th record; the tests use a step to stay fast)."""
    records = load_records(path)[::step]
    counts: dict[str, dict[str, list[int]]] = {}
    misses: list[dict[str, object]] = []
    started = time.perf_counter()
    for k, rec in enumerate(records):
        truth = record_truth(rec)
        for fmt in formats:
            data, ext = render_record(rec, "pdf" if fmt == "pdf-plain" else fmt, k)
            extracted = extract_text(data, ext)
            if fmt == "pdf-plain":
                head, tail = extracted.first_page, extracted.pages[-1]
            else:
                head, tail = header_text(extracted)
            got = read_header(head, tail=tail).values()
            for f, want in truth.items():
                ok = _same(got[f], want)
                stat = counts.setdefault(fmt, {}).setdefault(f, [0, 0])
                stat[0] += ok
                stat[1] += 1
                if not ok:
                    misses.append({"doc": rec["id"], "format": fmt, "field": f, "expected": want,
                                   "got": got[f]})
    formats = {fmt: {f: c[0] / c[1] for f, c in fields.items()} for fmt, fields in counts.items()}
    for fmt, fields in counts.items():
        formats[fmt]["overall"] = sum(c[0] for c in fields.values()) / sum(c[1] for c in fields.values())
    return {"records": len(records), "seconds": round(time.perf_counter() - started, 2),
            "formats": formats, "misses": misses}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=48)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.count, args.seed)
    real = measure_real()
    if args.json:
        print(json.dumps({"real": real, "generated": result}, ensure_ascii=False, indent=2))
        return 0
    fmts = list(real["formats"])
    print(f"header reader: {real['records']} real published headers x {len(fmts)} renderings, "
          f"{real['seconds']} s")
    print(f"{'field':18}" + "".join(f"{fmt:>11}" for fmt in fmts))
    for f in [*REAL_FIELDS, "overall"]:
        print(f"{f:18}" + "".join(f"{real['formats'][fmt][f]:>11.3f}" for fmt in fmts))
    for miss in real["misses"][:20]:
        print(f"  miss {miss['doc']} [{miss['format']}] {miss['field']}: "
              f"expected {miss['expected']!r}, got {miss['got']!r}")
    print()
    print(f"header reader: {result['documents']} generated documents, {result['seconds']} s")
    print(f"{'field':18}{'accuracy':>10}{'pdf plain text':>16}")
    system, plain = result["system"], result["pdf_plain"]
    for f in [*FIELDS, "overall"]:
        print(f"{f:18}{system[f]:>10.3f}{plain[f]:>16.3f}")
    print("by format: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(result["by_format"].items())))
    for miss in result["misses"][:20]:
        print(f"  miss {miss['doc']} [{miss['format']}] {miss['field']}: "
              f"expected {miss['expected']!r}, got {miss['got']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
