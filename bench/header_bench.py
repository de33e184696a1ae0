"""Accuracy of the header reader: generated, real (tuning) and real (held-out) sets, apart.

    python bench/header_bench.py [--count 48] [--seed 2026] [--json]

Real (tuning): the 43 headers of tests/textract/realheaders (public documents, URLs in its
README); the reader's rules were written while looking at them, so their score is an upper
bound. Real (held-out): the 30 headers of tests/textract/heldout (public documents, mostly of 2025,
repository/path/commit in its README), collected after the rules were written and never used
to change them: the honest measure. Each real header is rendered by `vanban.textract.realset`
as plain text column by column (`txt`), plain text row by row (`txt-rows`), .docx, PDF drawn
in code (`pdf`) and PDF printed by WeasyPrint (`pdf-html`), read the way the system reads
(PDF first page in column mode), plus `pdf-plain` (the PDF's plain text, a harder line). Signer fields are
counted only on the records that have a signature block (12 of 43 tuning, 28 of 30 held-out).

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
HELDOUT = ROOT / "tests" / "textract" / "heldout" / "headers.json"
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
    per_format: dict[str, dict[str, list[int]]] = {}
    started = time.perf_counter()
    for doc in docs:
        extracted = extract_text(render(doc), extension(doc))
        head, tail = header_text(extracted)
        guess = read_header(head, tail=tail).values()
        truth = doc.truth()
        ok = 0
        for f in FIELDS:
            stat = per_format.setdefault(doc.fmt, {}).setdefault(f, [0, 0])
            stat[1] += 1
            if _same(guess[f], truth[f]):
                right[f] += 1
                stat[0] += 1
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
            "formats": _per_format(per_format), "misses": misses}


def _per_format(counts: dict[str, dict[str, list[int]]]) -> dict[str, dict[str, float]]:
    """{fmt: {field: accuracy, 'overall': accuracy}} from {fmt: {field: [right, total]}}."""
    formats = {fmt: {f: c[0] / c[1] for f, c in fields.items()} for fmt, fields in counts.items()}
    for fmt, fields in counts.items():
        formats[fmt]["overall"] = sum(c[0] for c in fields.values()) / sum(c[1] for c in fields.values())
    return formats


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
    return {"records": len(records), "seconds": round(time.perf_counter() - started, 2),
            "formats": _per_format(counts), "misses": misses}


def _table(title: str, formats: dict[str, dict[str, float]], fields: list[str],
           misses: list[dict[str, object]], shown: int) -> None:
    fmts = list(formats)
    print(title)
    print(f"{'field':18}" + "".join(f"{fmt:>12}" for fmt in fmts))
    for f in [*fields, "overall"]:
        print(f"{f:18}" + "".join(f"{formats[fmt][f]:>12.3f}" if f in formats[fmt] else f"{'-':>12}"
                                  for fmt in fmts))
    grouped: dict[tuple[object, ...], list[str]] = {}
    for miss in misses:  # the same miss in several renderings is printed once
        key = (miss["doc"], miss["field"], miss["expected"], miss["got"])
        grouped.setdefault(key, []).append(str(miss["format"]))
    for (doc, field, expected, got), fmts in list(grouped.items())[:shown]:
        print(f"  miss {doc} [{', '.join(fmts)}] {field}: expected {expected!r}, got {got!r}")
    if len(grouped) > shown:
        print(f"  … {len(grouped) - shown} more misses (--json lists them all)")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=48)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.count, args.seed)
    real = measure_real()
    heldout = measure_real(HELDOUT)
    if args.json:
        print(json.dumps({"heldout": heldout, "real": real, "generated": result}, ensure_ascii=False, indent=2))
        return 0
    _table(f"header reader, REAL HELD-OUT: {heldout['records']} published headers never used to tune the "
           f"reader, {heldout['seconds']} s", heldout["formats"], REAL_FIELDS, heldout["misses"], 40)
    _table(f"header reader, real tuning set: {real['records']} published headers the rules were written on "
           f"(an upper bound), {real['seconds']} s", real["formats"], REAL_FIELDS, real["misses"], 20)
    _table(f"header reader, generated: {result['documents']} documents, {result['seconds']} s "
           f"(pdf-plain = the PDFs' plain text)", result["formats"] | {"pdf-plain": result["pdf_plain"]},
           FIELDS, result["misses"], 20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
