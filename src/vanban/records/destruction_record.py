"""Biên bản hủy tài liệu hết thời hạn lưu trữ, trùng lặp: the destruction record, a PDF kept for ever (the
bytes it lists are gone; the record says what they were, under which decision, and how)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from vanban.records.models import DestructionItem, DestructionReview


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def build_record(review: DestructionReview, items: list[DestructionItem], blobs_removed: int) -> bytes:
    import weasyprint  # noqa: PLC0415 - weasyprint is slow to import (pango, fonts); only printing needs it

    rows = []
    for n, item in enumerate(items, start=1):
        d = item.dossier
        files = item.destroyed_files
        rows.append({"n": n, "code": d.file_code, "title": d.title,
                     "dates": f"{d.start_date:%d/%m/%Y} – {d.end_date:%d/%m/%Y}" if d.start_date and d.end_date
                     else str(d.year),
                     "retention": d.retention_label, "documents": d.items.count(), "files": len(files),
                     "size": _size(sum(int(f.get("size") or 0) for f in files)), "grounds": item.grounds})
    html = render_to_string("records/destruction_record.html", {
        "review": review, "rows": rows, "blobs_removed": blobs_removed,
        "members": review.council_members.splitlines(), "at": timezone.localtime(review.destroyed_at),
        "actor": getattr(review.destroyed_by, "display_name", "") or str(review.destroyed_by or "")})
    pdf: bytes = weasyprint.HTML(string=html, base_url=".").write_pdf()
    return pdf
