"""Accuracy of the header reader on the generated document set (issue 11, part 2).

    python bench/header_bench.py [--count 48] [--seed 2026] [--json]

Each document of `vanban.textract.headerset` is rendered (docx with tables, docx with
tab-separated lines, TCVN3 docx, PDF), extracted with `extract_text` and read with
`read_header`; a field counts as right when it equals the known value exactly (after
collapsing spaces). Prints per-field accuracy for the way the system reads (PDF in
layout mode) and, as a harder line, PDFs read from plain text.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=48)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.count, args.seed)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
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
