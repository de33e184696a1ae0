"""Background jobs of incoming documents: OCR of scans being registered from paper."""

from __future__ import annotations

from vanban.jobs import every_minutes, periodic_task, task


@task()
def ocr_scan(job_id: int) -> int | None:
    from vanban.incoming.scan_ocr import run  # noqa: PLC0415 - scan_ocr imports these jobs

    job = run(job_id)
    return job.pk if job else None


@periodic_task(every_minutes(5))
def ocr_sweep() -> list[int]:
    from vanban.incoming.scan_ocr import sweep  # noqa: PLC0415 - scan_ocr imports these jobs

    return sweep()
