"""The archive's printed forms (Nghị định 30/2020/NĐ-CP, Phụ lục V): the index of the documents
in a dossier (Mục lục văn bản trong hồ sơ), the list of dossiers handed to the archive (Mục lục
hồ sơ, tài liệu nộp lưu) and the handover record (Biên bản giao nhận), which for electronic
records counts the dossiers and the files in them.

All three are drawn from the rows as they are now, each time they are asked for: the archive's
evidence is its audit trail and packages, the forms are for people to sign and file."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from vanban.core.clock import display_iso_date, to_vn
from vanban.records.models import ArchiveTransfer, Dossier, DossierItem, TransferItem
from vanban.web.printed import PrintedTable

INDEX_COLUMNS = ["STT", "Số, ký hiệu văn bản", "Ngày tháng năm văn bản", "Tên loại và trích yếu nội dung",
                 "Tác giả văn bản", "Trang số", "Ghi chú"]
LIST_COLUMNS = ["STT", "Số, ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian tài liệu", "Thời hạn bảo quản",
                "Số tờ / số trang", "Ghi chú"]


def _notation(meta: dict) -> str:
    number, notation = str(meta.get("codeNumber") or ""), str(meta.get("codeNotation") or "")
    return f"{number}/{notation}" if number and notation else number or notation


def _span(dossier: Dossier, items: list[DossierItem]) -> str:
    dates = sorted(d for d in (i.metadata.get("issuedDate") for i in items) if d)
    start = dossier.start_date.isoformat() if dossier.start_date else (dates[0] if dates else "")
    end = dossier.end_date.isoformat() if dossier.end_date else (dates[-1] if dates else "")
    if not start:
        return str(dossier.year)
    return display_iso_date(start) if start == end else f"{display_iso_date(start)} – {display_iso_date(end)}"


def _pages(items: list[DossierItem]) -> int | None:
    amounts = [i.metadata.get("pageAmount") for i in items]
    return sum(amounts) if items and all(isinstance(p, int) and p > 0 for p in amounts) else None


def dossier_index(dossier: Dossier) -> PrintedTable:
    """Mục lục văn bản trong hồ sơ: one row per document in the dossier's order, with the pages
    it occupies counted from the first document (blank once a page count is unknown)."""
    items = list(dossier.items.order_by("ordinal", "id"))
    rows, page, known = [], 1, True
    for n, item in enumerate(items, start=1):
        meta = item.metadata
        amount = meta.get("pageAmount")
        known = known and isinstance(amount, int) and amount > 0
        pages = ""
        if known:
            pages = str(page) if amount == 1 else f"{page}–{page + amount - 1}"
            page += amount
        subject = " ".join(p for p in (meta.get("typeName") or "", meta.get("subject") or "") if p)
        notes = [meta.get("description") or ""]
        if meta.get("confidenceLevel") == "02":
            notes.append("Bản số hóa")
        rows.append([str(n), _notation(meta), display_iso_date(meta.get("issuedDate")), subject,
                     meta.get("organName") or "", pages, ". ".join(x for x in notes if x)])
    total = _pages(items)
    closing = [f"Mục lục này gồm {len(items)} văn bản" + (f", {total} trang." if total else ".")]
    return PrintedTable(
        title="Mục lục văn bản, tài liệu trong hồ sơ", agency_name=dossier.agency.name,
        subtitle=f"Hồ sơ số {dossier.file_code}: {dossier.title}. Thời gian: {_span(dossier, items)}. "
                 f"Thời hạn bảo quản: {dossier.retention_label}.",
        columns=INDEX_COLUMNS, rows=rows, widths=[6, 16, 12, 60, 28, 9, 24], stem=f"muc-luc-{dossier.file_code}",
        empty="Hồ sơ chưa có văn bản nào.", closing=closing)


def _dossier_row(n: int, entry: TransferItem) -> list[str]:
    d = entry.dossier
    items = list(d.items.all())
    pages = _pages(items)
    counted = [f"{d.sheet_count} tờ" if d.sheet_count else "", f"{pages} trang" if pages else ""]
    notes = [f"Trả lại: {entry.reason}" if entry.decision == TransferItem.Decision.RETURNED else "",
             d.description]
    return [str(n), d.file_code, d.title, _span(d, items), d.retention_label,
            " / ".join(c for c in counted if c), ". ".join(x for x in notes if x)]


def transfer_list(transfer: ArchiveTransfer) -> PrintedTable:
    """Mục lục hồ sơ, tài liệu nộp lưu: the dossiers of one transfer, returned ones marked."""
    entries = list(transfer.items.select_related("dossier__agency").prefetch_related("dossier__items"))
    at = to_vn(transfer.submitted_at)
    return PrintedTable(
        title="Mục lục hồ sơ, tài liệu nộp lưu", agency_name=transfer.agency.name,
        subtitle=f"Lượt nộp lưu số {transfer.pk}, ngày {at:%d/%m/%Y}, người nộp: "
                 f"{transfer.submitted_by.display_name()}. Trạng thái: {transfer.get_state_display().lower()}.",
        columns=LIST_COLUMNS, rows=[_dossier_row(n, e) for n, e in enumerate(entries, start=1)],
        widths=[6, 18, 60, 24, 18, 16, 30], stem=f"muc-luc-nop-luu-{transfer.pk}",
        closing=[f"Mục lục này gồm {len(entries)} hồ sơ."])


@dataclass(frozen=True)
class Counted:
    dossiers: int
    documents: int
    files: int
    size: int
    pages: int | None


def handover_counts(entries: list[TransferItem]) -> Counted:
    dossiers = [e.dossier for e in entries]
    items = [i for d in dossiers for i in d.items.all()]
    files = [f for i in items for f in i.files.all()]
    pages = [_pages(list(d.items.all())) for d in dossiers]
    return Counted(len(dossiers), len(items), len(files), sum(f.size for f in files),
                   sum(p for p in pages if p) if all(pages) else None)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def handover_record(transfer: ArchiveTransfer) -> bytes:
    """Biên bản giao nhận: who handed over, who received, when, and how many dossiers, documents
    and files (with their size) the archive took in; the returned dossiers named with reasons."""
    import weasyprint  # noqa: PLC0415 - weasyprint is slow to import (pango, fonts); only printing needs it

    entries = list(transfer.items.select_related("dossier__agency").prefetch_related("dossier__items__files"))
    taken = [e for e in entries if e.decision == TransferItem.Decision.ACCEPTED]
    returned = [e for e in entries if e.decision == TransferItem.Decision.RETURNED]
    counted = handover_counts(taken)
    years = sorted({e.dossier.year for e in taken})
    html = render_to_string("records/handover_record.html", {
        "transfer": transfer, "at": to_vn(transfer.decided_at or timezone.now()),
        "submitted_at": to_vn(transfer.submitted_at), "counted": counted, "size": _size(counted.size),
        "years": f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else ""),
        "rows": [_dossier_row(n, e) for n, e in enumerate(taken, start=1)], "columns": LIST_COLUMNS,
        "returned": returned})
    pdf: bytes = weasyprint.HTML(string=html, base_url=".").write_pdf()
    return pdf
