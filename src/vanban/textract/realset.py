"""Real public document headers (tests/textract/realheaders) rendered the ways a clerk gets them.

Each record holds what the document prints in its header — agency lines, number, place and
date, type name, subject lines as published (often upper case), the line after the subject
(the issuing authority or the first words of the body) and, when known, the signature block.
`render_record` makes from it a plain-text copy (columns one after the other, as web copies
and text exports give them), a plain-text copy row by row (tabs between columns), a .docx
(header and signature in tables) and a PDF with two columns whose national motto wraps in the
narrow right column, as agencies' own PDFs do. The layouts are ours; the words are the
documents'.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from vanban.textract.samples import Para, Table, make_docx, make_pdf_lines, text_width

__all__ = ["FORMATS", "load_records", "record_truth", "render_record"]

FORMATS = ("txt", "txt-rows", "docx", "pdf", "pdf-html")
_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
_MOTTO = "Độc lập - Tự do - Hạnh phúc"
# How the title wraps in a narrow right column (chosen per record, in turn).
_TITLE_WRAPS = [[_TITLE], ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT", "NAM"], ["CỘNG HÒA XÃ HỘI", "CHỦ NGHĨA VIỆT NAM"]]
_RECIPIENTS = ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]


def load_records(path: Path) -> list[dict[str, Any]]:
    """The records of a headers.json file."""
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return records


def _code(number_line: str) -> tuple[str, str, str]:
    body = number_line.split(":", 1)[1] if ":" in number_line else number_line[2:]
    code = "".join(body.split())
    return code.split("/")[0], code.split("/")[-1], code


def record_truth(rec: dict) -> dict[str, str | None]:
    """The values the reader should give; signer fields only where the record has them."""
    number, notation, code = _code(rec["number"])
    truth: dict[str, str | None] = {
        "agency": " ".join(rec["agency"]), "parent_agency": " ".join(rec["parent"]) or None,
        "number": number, "notation": notation, "code": code, "place": rec["place"],
        "date": rec["date"], "type_name": rec["type_name"], "subject": " ".join(rec["subject"]),
    }
    signer = rec.get("signer")
    if signer:
        truth |= {"competence": signer["competence"], "signer_position": signer["position"],
                  "signer_name": signer["name"]}
    return truth


def _header_columns(rec: dict, k: int) -> tuple[list[str], list[str]]:
    left = [*rec["parent"], *rec["agency"], rec["number"]]
    if rec["type"] is None:
        left.append("V/v " + " ".join(rec["subject"]))
    right = [*_TITLE_WRAPS[k % 3], rec.get("motto", _MOTTO), rec["date_line"]]
    return left, right


def _middle(rec: dict, *, subject_lines: bool) -> list[str]:
    if rec["type"] is None:
        return list(rec["after"])
    subject = rec["subject"] if subject_lines else [" ".join(rec["subject"])]
    return [rec["type"], *subject, *rec["after"]]


def _signature(rec: dict) -> list[str]:
    signer = rec.get("signer")
    return [*signer["lines"], "(Đã ký)", signer["name"]] if signer else []


def render_record(rec: dict, fmt: str, k: int = 0) -> tuple[bytes, str]:
    """(bytes, extension) of record `rec` in `fmt`; `k` varies the layout between records."""
    left, right = _header_columns(rec, k)
    sig = _signature(rec)
    if fmt == "txt":
        lines = [*left, *right, "", *_middle(rec, subject_lines=True), ""]
        lines += [*_RECIPIENTS, *sig] if sig else []
        return "\n".join(lines).encode(), "txt"
    if fmt == "txt-rows":
        agency = [*rec["parent"], *rec["agency"]]
        motto = [*_TITLE_WRAPS[k % 3], rec.get("motto", _MOTTO)]
        rows = [f"{agency[i] if i < len(agency) else ''}\t\t{motto[i] if i < len(motto) else ''}"
                for i in range(max(len(agency), len(motto)))]
        rows.append(f"{rec['number']}\t\t{rec['date_line']}")
        if rec["type"] is None:
            rows.append("V/v " + " ".join(rec["subject"]))
        rows += ["", *_middle(rec, subject_lines=True), ""]
        rows += [f"{_RECIPIENTS[i] if i < len(_RECIPIENTS) else ''}\t\t{sig[i] if i < len(sig) else ''}"
                 for i in range(max(len(_RECIPIENTS), len(sig)))] if sig else []
        return "\n".join(r.strip("\t") for r in rows).encode(), "txt"
    if fmt == "docx":
        blocks: list[Para | Table] = [Table([[[Para.of(t, align="center") for t in left],
                                              [Para.of(t, align="center") for t in right]]])]
        blocks += [Para.of(t, align="center") for t in _middle(rec, subject_lines=k % 2 == 1)]
        if sig:
            blocks.append(Table([[[Para.of(t) for t in _RECIPIENTS], [Para.of(t, align="center") for t in sig]]]))
        return make_docx(blocks), "docx"
    if fmt == "pdf":
        return _pdf(rec, left, right, sig), "pdf"
    if fmt == "pdf-html":
        import weasyprint  # noqa: PLC0415 - weasyprint is slow to import (pango, fonts); only this sample set needs it

        return weasyprint.HTML(string=record_html(rec, k)).write_pdf(), "pdf"
    raise ValueError(fmt)


def record_html(rec: dict, k: int = 0) -> str:
    """The record as an A4 page in HTML (Times-like serif, the NĐ 30 two-column header as a
    table, the national title in a column narrow enough to wrap in some records): printed
    to PDF by WeasyPrint for the `pdf-html` rendering and for the scans of the OCR tests."""
    left, right = _header_columns(rec, k)
    sig = _signature(rec)
    cell = "".join
    width = ["44%", "56%"] if k % 3 == 0 else ["52%", "48%"]
    rows = (f'<table style="width:100%;border-collapse:collapse"><tr>'
            f'<td style="width:{width[0]};text-align:center;vertical-align:top">'
            + cell(f"<div>{escape(t)}</div>" for t in left)
            + f'</td><td style="width:{width[1]};text-align:center;vertical-align:top">'
            + cell(f"<div>{escape(t)}</div>" for t in right) + "</td></tr></table>")
    middle = cell(f'<p style="text-align:center;margin:2pt 0">{escape(t)}</p>' if t.isupper() or t in rec["subject"]
                  else f"<p>{escape(t)}</p>" for t in _middle(rec, subject_lines=True))
    sign = ('<table style="width:100%;margin-top:18pt"><tr><td style="width:50%;vertical-align:top">'
            + cell(f"<div>{escape(t)}</div>" for t in _RECIPIENTS)
            + '</td><td style="text-align:center;vertical-align:top">'
            + cell(f"<div>{escape(t)}</div>" for t in sig) + "</td></tr></table>") if sig else ""
    return ('<html><head><meta charset="utf-8"><style>@page{size:A4;margin:20mm 15mm 20mm 30mm}'
            'body{font-family:"DejaVu Serif",serif;font-size:11pt}</style></head><body>'
            f"{rows}{middle}{sign}</body></html>")


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return [*lines, cur] if cur else lines


def _width(text: str, size: float) -> float:
    """Width in points, DejaVu Sans-like: capitals and wide letters near 0.72 em, others 0.55."""
    return sum(0.72 if c.isupper() or c in "mwMW" else 0.3 if c in " .,;:il" else 0.56 for c in text) * size


def _wrap_points(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    cur = ""
    for w in text.split():
        if cur and _width(f"{cur} {w}", size) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return [*lines, cur] if cur else lines


def _pdf(rec: dict, left: list[str], right: list[str], sig: list[str]) -> bytes:
    """Two columns as in NĐ 30 Phụ lục I: left 30–240 pt, right 290–565 pt (the title wraps
    there when the record asks for it, like a narrow table cell)."""
    out: list[tuple[float, float, str, float]] = []
    pieces_left = [p for t in left for p in _wrap_points(t, 10, 200)]
    pieces_right = [p for t in right for p in _wrap_points(t, 10, 270)]
    y = 800.0
    for row in range(max(len(pieces_left), len(pieces_right))):
        if row < len(pieces_left):
            out.append((max(30.0, 135 - _width(pieces_left[row], 10) / 2), y, pieces_left[row], 10))
        if row < len(pieces_right):
            out.append((max(290.0, 428 - _width(pieces_right[row], 10) / 2), y, pieces_right[row], 10))
        y -= 15
    y -= 18
    for text in _middle(rec, subject_lines=True):
        centred = text.isupper() or text in rec["subject"] or text in rec["after"][:1]
        for piece in _wrap(text, 90 if centred else 100):
            out.append((297 - text_width(piece, 10.5) / 2 if centred else 60, y, piece, 10.5))
            y -= 15
    if sig:
        y -= 18
        for row in range(max(len(_RECIPIENTS), len(sig))):
            if row < len(_RECIPIENTS):
                out.append((60, y, _RECIPIENTS[row], 10))
            if row < len(sig):
                out.append((420 - text_width(sig[row], 11) / 2, y, sig[row], 11))
            y -= 15
    return make_pdf_lines([out])
