"""OCR of a scan being registered from paper, as a job: the clerk's request only stores the
scan and queues the job; the worker reads it page by page (progress kept in the row, so the
page can show it and a restarted worker can pick the job up again), keeps the PDF/A beside
the untouched scan, and the form is then pre-filled from the PDF/A's text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.formats import FormatError, check_file
from vanban.documents import events
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.files import format_limits
from vanban.incoming.models import ScanOcr
from vanban.incoming.services import register_paper
from vanban.incoming.tasks import ocr_scan
from vanban.textract import TextractError
from vanban.textract.ocr import images_to_pdf, make_searchable, ocr_status

STALLED_AFTER = timedelta(minutes=30)  # a running job with no page done for this long is re-run
QUEUED_AFTER = timedelta(minutes=5)  # a queued job nobody took (queue lost) is queued again


def ocr_available() -> bool:
    return ocr_status().available


@transaction.atomic
def request_ocr(*, actor: Any, agency: Agency, name: str, data: bytes) -> ScanOcr:
    """Store the scan and queue its OCR; `OCR_UNAVAILABLE` names the missing packages."""
    if not has_role(actor, agency.pk, Role.CLERK):
        raise DocumentForbiddenError("Chỉ văn thư được vào sổ văn bản đến.")
    status = ocr_status()
    if not status.available:
        raise DocumentError("OCR_UNAVAILABLE", status.message, 409)
    try:
        checked = check_file(name, data, format_limits())
    except FormatError as exc:
        raise DocumentError(exc.code, exc.message, 422) from exc
    if checked.extension not in ("pdf", "jpeg", "jpg", "png"):
        raise DocumentError("OCR_NOT_A_SCAN", "Chỉ nhận dạng được bản quét PDF hoặc ảnh JPEG, PNG.", 422)
    store = get_store()
    scan = data
    if checked.extension != "pdf":
        try:
            scan = images_to_pdf([data])
        except TextractError as exc:
            raise DocumentError("OCR_BAD_IMAGE", f"Không đọc được ảnh quét: {exc.message}", 422) from exc
    job = ScanOcr.objects.create(agency=agency, requested_by=actor, name=checked.name[:255],
                                 original_name=checked.name[:255], original_sha256=store.put(data),
                                 scan_sha256=store.put(scan))
    record_event(events.SCAN_OCR_REQUESTED, actor=actor, agency_code=agency.code, obj=job,
                 details={"name": job.name, "sha256": job.original_sha256})
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:

    ocr_scan(job_id)


def run(job_id: int) -> ScanOcr | None:
    """The worker's part. Claims the job (no two workers read the same scan), reads it page by
    page, and records the outcome; a failure is recorded, never raised."""
    now = timezone.now()
    claimed = (ScanOcr.objects.filter(pk=job_id)
               .filter(state=ScanOcr.State.QUEUED)
               .update(state=ScanOcr.State.RUNNING, started_at=now, pages_done=0))
    claimed += (ScanOcr.objects.filter(pk=job_id, state=ScanOcr.State.RUNNING, updated_at__lt=now - STALLED_AFTER)
                .update(started_at=now, pages_done=0))
    if not claimed:
        return None

    def progress(done: int, total: int) -> None:
        ScanOcr.objects.filter(pk=job_id).update(pages_done=done, pages_total=total, updated_at=timezone.now())

    job = ScanOcr.objects.get(pk=job_id)
    store = get_store()
    try:
        result = make_searchable(store.get(job.scan_sha256), progress=progress)
    except TextractError as exc:
        ScanOcr.objects.filter(pk=job_id).update(state=ScanOcr.State.FAILED, finished_at=timezone.now(),
                                                 error=f"{exc.message}"[:500])
        return ScanOcr.objects.get(pk=job_id)
    ScanOcr.objects.filter(pk=job_id).update(
        state=ScanOcr.State.DONE, finished_at=timezone.now(), pdfa_sha256=store.put(result.pdf),
        text=result.text, unreadable_pages=result.unreadable_pages, pages_total=len(result.pages),
        pages_done=len(result.pages))
    return ScanOcr.objects.get(pk=job_id)


def sweep() -> list[int]:
    """Jobs whose queue message was lost or whose worker died: queued again."""
    now = timezone.now()
    ids = list(ScanOcr.objects.filter(state=ScanOcr.State.QUEUED, created_at__lt=now - QUEUED_AFTER)
               .values_list("pk", flat=True))
    ids += list(ScanOcr.objects.filter(state=ScanOcr.State.RUNNING, updated_at__lt=now - STALLED_AFTER)
                .values_list("pk", flat=True))
    for pk in ids:
        _enqueue(pk)
    return ids


def job_for(actor: Any, agency: Agency, job_id: int) -> ScanOcr:
    """A clerk's own agency's job; another agency's is not found."""
    job = ScanOcr.objects.filter(pk=job_id, agency=agency).first()
    if job is None or not has_role(actor, agency.pk, Role.CLERK):
        raise DocumentError("OCR_JOB_NOT_FOUND", "Không có lượt nhận dạng này.", 404)
    return job


def files_for(job: ScanOcr) -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    """(the scan as uploaded, the searchable PDF/A) for registration."""
    if job.state != ScanOcr.State.DONE:
        raise DocumentError("OCR_NOT_DONE", "Nhận dạng chưa xong.", 409)
    if job.document_id:
        raise DocumentError("OCR_ALREADY_USED", "Bản quét này đã được vào sổ.", 409)
    store = get_store()
    stem = job.original_name.rpartition(".")[0] or job.original_name
    return ((job.original_name, store.get(job.original_sha256)),
            (f"{stem} (OCR, PDF-A).pdf"[:255], store.get(job.pdfa_sha256)))


@transaction.atomic
def register_from_ocr(*, actor: Any, agency: Agency, job_id: int, **fields: Any) -> Any:
    """Register the paper document from a finished OCR job: the scan as its main file (byte for
    byte), the PDF/A beside it; the job is used once."""

    job = ScanOcr.objects.select_for_update().filter(pk=job_id, agency=agency).first()
    if job is None:
        raise DocumentError("OCR_JOB_NOT_FOUND", "Không có lượt nhận dạng này.", 404)
    scan, pdfa = files_for(job)
    doc = register_paper(actor=actor, agency=agency, files=[scan], ocr_copy=pdfa, **fields)
    job.document = doc
    job.save(update_fields=["document", "updated_at"])
    return doc
