"""Batch digitisation of paper records into a dossier (issue 24): a zip or folder of scans, one
dossier item per scan. Each scan is OCRed (Vietnamese, `textract.ocr`), its header read from the
OCR text to pre-fill the item's metadata, and the scan kept byte for byte beside its PDF/A.

The batch is a resumable job: every scan's state is a row (`DigitisationEntry`), the job takes one
pending scan at a time and queues itself again; a worker that dies leaves its scan "running",
and the periodic sweep puts it back to "pending". One unreadable or refused scan fails alone,
with its message; the others go on. Pages OCR could not read are listed per scan (the report).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.safezip import SafeZip, ZipLimits, ZipRefusedError
from vanban.records import events, services
from vanban.records.errors import RecordsError
from vanban.records.models import DigitisationBatch, DigitisationEntry, Dossier
from vanban.textract import TextractError, extract_text
from vanban.textract.header import header_text, read_header
from vanban.textract.ocr import images_to_pdf, make_searchable, ocr_status

SCAN_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
MAX_SCANS = 2_000
STALLED_AFTER = timedelta(minutes=30)
# (scans done, scans in all, this scan's name, its pages done, its pages in all)
Progress = Callable[[int, int, str, int, int], None]


def _natural(name: str) -> list[Any]:
    """"trang-2" before "trang-10", as the scanner numbered them."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def is_scan(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return (not base.startswith(".") and "__MACOSX/" not in name
            and base.rpartition(".")[2].lower() in SCAN_EXTENSIONS)


def scans_from_zip(data: bytes) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(scans in natural order, names left out). Read within the zip guard's budget."""
    try:
        archive = SafeZip(data, ZipLimits(max_members=MAX_SCANS * 2, max_total_bytes=2 * 1024**3))
    except ZipRefusedError as exc:
        raise RecordsError("RECORDS_BAD_ZIP", f"Không mở được tệp zip: {exc.detail}", 422) from exc
    names = sorted((n for n in archive.names if not n.endswith("/")), key=_natural)
    skipped = [n for n in names if not is_scan(n)]
    try:
        return [(n.rsplit("/", 1)[-1], archive.read(n)) for n in names if is_scan(n)], skipped
    except ZipRefusedError as exc:
        raise RecordsError("RECORDS_BAD_ZIP", f"Tệp zip không đọc hết được: {exc.detail}", 422) from exc


def scans_from_uploads(files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Scans chosen on the page: PDF/JPEG/PNG as they are, zips opened (folders inside); the
    names of everything else, to say what was left out."""
    scans: list[tuple[str, bytes]] = []
    skipped: list[str] = []
    for name, data in files:
        if name.lower().endswith(".zip"):
            found, left = scans_from_zip(data)
            scans += found
            skipped += left
        elif is_scan(name):
            scans.append((name, data))
        else:
            skipped.append(name)
    return scans, skipped


def scans_from_folder(folder: Path) -> tuple[list[tuple[str, bytes]], list[str]]:
    files = sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: _natural(str(p.relative_to(folder))))
    return ([(p.name, p.read_bytes()) for p in files if is_scan(p.name)],
            [str(p.relative_to(folder)) for p in files if not is_scan(p.name)])


@transaction.atomic
def start_batch(*, actor: Any, dossier: Dossier, scans: list[tuple[str, bytes]], source: str,
                reason: str = "", queue: bool = True) -> DigitisationBatch:
    """Check who may change the dossier, keep every scan, and queue the job."""
    services._guard_change(actor, Dossier.objects.select_for_update().get(pk=dossier.pk), reason)
    status = ocr_status()
    if not status.available:
        raise RecordsError("RECORDS_OCR_UNAVAILABLE", status.message, 409)
    if not scans:
        raise RecordsError("RECORDS_NO_SCANS", "Không có bản quét PDF, JPEG hoặc PNG nào để số hóa.")
    if len(scans) > MAX_SCANS:
        raise RecordsError("RECORDS_TOO_MANY_SCANS", f"Mỗi đợt số hóa tối đa {MAX_SCANS} bản quét.")
    batch = DigitisationBatch.objects.create(dossier=dossier, requested_by=actor, source=source[:255],
                                             reason=reason[:1000])
    store = get_store()
    DigitisationEntry.objects.bulk_create(
        DigitisationEntry(batch=batch, order=i, name=name[:255], sha256=store.put(data))
        for i, (name, data) in enumerate(scans, start=1))
    record_event(events.DIGITISATION_STARTED, actor=actor, agency_code=dossier.agency.code, obj=dossier,
                 details={"batch": batch.pk, "source": batch.source, "scans": len(scans)})
    if queue:
        transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    from vanban.records.tasks import digitise_next  # noqa: PLC0415 - records.tasks imports this module

    digitise_next(batch_id)


@dataclass(frozen=True)
class _Read:
    pdfa: bytes
    pages: int
    unreadable: list[int]
    header: dict[str, str]


def _header(pdfa: bytes) -> dict[str, str]:
    extracted = extract_text(pdfa, "pdf")
    head, tail = header_text(extracted)
    guess = read_header(head, tail=tail)
    notation = guess.notation.value or ""
    return {"typeName": guess.type_name.value or "", "codeNumber": str(guess.number.value or ""),
            "codeNotation": notation, "issuedDate": guess.date.value or "", "organName": guess.agency.value or "",
            "subject": guess.subject.value or "", "signerPosition": guess.signer_position.value or "",
            "signerName": guess.signer_name.value or ""}


def _read(name: str, data: bytes, pages: Callable[[int, int], None]) -> _Read:
    scan = data if name.lower().endswith(".pdf") else images_to_pdf([data])
    result = make_searchable(scan, progress=pages)
    return _Read(result.pdf, len(result.pages), result.unreadable_pages, _header(result.pdf))


def process_next(batch_id: int, progress: Progress | None = None) -> bool:
    """OCR one pending scan of the batch into the dossier; False when none is left (the batch is
    then marked done)."""
    batch = DigitisationBatch.objects.select_related("dossier", "requested_by").get(pk=batch_id)
    entry = batch.entries.filter(state=DigitisationEntry.State.PENDING).first()
    if entry is None:
        if not batch.entries.filter(state=DigitisationEntry.State.RUNNING).exists():
            DigitisationBatch.objects.filter(pk=batch_id, state=DigitisationBatch.State.RUNNING).update(
                state=DigitisationBatch.State.DONE, finished_at=timezone.now())
        return False
    if not DigitisationEntry.objects.filter(pk=entry.pk, state=DigitisationEntry.State.PENDING).update(
            state=DigitisationEntry.State.RUNNING):
        return True  # another worker took it
    total = batch.entries.count()
    done = batch.entries.filter(state__in=[DigitisationEntry.State.DONE, DigitisationEntry.State.FAILED]).count()

    def pages(page: int, of: int) -> None:
        DigitisationEntry.objects.filter(pk=entry.pk).update(pages=of, updated_at=timezone.now())
        DigitisationBatch.objects.filter(pk=batch_id).update(updated_at=timezone.now())
        if progress:
            progress(done, total, entry.name, page, of)

    try:
        read = _read(entry.name, get_store().get(entry.sha256), pages)
        with transaction.atomic():
            item = services.add_digitised_item(
                actor=batch.requested_by, dossier=batch.dossier, reason=batch.reason,
                scan=services.DigitisedScan(entry.name, get_store().get(entry.sha256), read.pdfa, read.header,
                                            read.pages))
            DigitisationEntry.objects.filter(pk=entry.pk).update(
                state=DigitisationEntry.State.DONE, item=item, pages=read.pages, unreadable_pages=read.unreadable)
    except (TextractError, RecordsError) as exc:
        DigitisationEntry.objects.filter(pk=entry.pk).update(state=DigitisationEntry.State.FAILED,
                                                             error=str(exc.message)[:500])
    DigitisationBatch.objects.filter(pk=batch_id).update(updated_at=timezone.now())
    if progress:
        progress(done + 1, total, entry.name, 0, 0)
    return True


def run_batch(batch_id: int, progress: Progress | None = None) -> DigitisationBatch:
    """Every pending scan, in this process (the CLI); the web path queues `process_next` instead."""
    while process_next(batch_id, progress):
        pass
    return DigitisationBatch.objects.get(pk=batch_id)


def sweep() -> list[int]:
    """Batches whose worker died mid-scan: that scan back to pending, the job queued again."""
    stale = timezone.now() - STALLED_AFTER
    ids = list(DigitisationBatch.objects.filter(state=DigitisationBatch.State.RUNNING, updated_at__lt=stale)
               .values_list("pk", flat=True))
    for pk in ids:
        DigitisationEntry.objects.filter(batch_id=pk, state=DigitisationEntry.State.RUNNING).update(
            state=DigitisationEntry.State.PENDING)
        _enqueue(pk)
    return ids


def report(batch: DigitisationBatch) -> dict[str, Any]:
    """Counts and the pages OCR could not read, for the progress page."""
    entries = list(batch.entries.select_related("item"))
    counts = {state: sum(1 for e in entries if e.state == state) for state in DigitisationEntry.State.values}
    finished = counts["done"] + counts["failed"]
    return {"entries": entries, "counts": counts, "total": len(entries), "finished": finished,
            "percent": int(100 * finished / len(entries)) if entries else 100,
            "unreadable": [(e, e.unreadable_pages) for e in entries if e.unreadable_pages],
            "running": batch.state == DigitisationBatch.State.RUNNING}
