"""Background fixity: an hourly slice of a rolling run, a new run once a day.

A slice checks at most `VANBAN_FIXITY_SLICE` blobs (default 5,000) and stops; the next
tick resumes from the stored cursor. When a run is finished and the last one started more
than `VANBAN_FIXITY_INTERVAL_HOURS` (default 24) ago, a new run begins.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from vanban.jobs import every_minutes, periodic_task, task
from vanban.records import dip_requests, fixity
from vanban.records.aip import KEPT_STATES, store_aip
from vanban.records.digitise import process_next, sweep
from vanban.records.models import Dossier, FixityRun
from vanban.records.submission import remind


def _due() -> bool:
    if fixity.current_run() is not None:
        return True
    last = FixityRun.objects.order_by("-id").first()
    hours = getattr(settings, "VANBAN_FIXITY_INTERVAL_HOURS", 24)
    return last is None or last.started_at < timezone.now() - timedelta(hours=hours)


def fixity_slice() -> int | None:
    """Run one slice if due; the run id, or None when nothing was due."""
    if not _due():
        return None
    result = fixity.run_fixity(resume=True, limit=getattr(settings, "VANBAN_FIXITY_SLICE", 5000),
                               trigger="task")
    return result.run.pk


@periodic_task(every_minutes(60))
def fixity_tick() -> int | None:
    return fixity_slice()


@task()
def fixity_now() -> int | None:
    """The archivist's button: one slice now."""
    return fixity.run_fixity(resume=True, limit=getattr(settings, "VANBAN_FIXITY_SLICE", 5000),
                             trigger="task").run.pk


@task()
def digitise_next(batch_id: int) -> bool:
    """One scan of a digitisation batch, then the next one queued (other jobs run in between)."""
    more = process_next(batch_id)
    if more:
        digitise_next(batch_id)
    return more


@periodic_task(every_minutes(5))
def digitise_sweep() -> list[int]:
    return sweep()


@task(retries=2, retry_delay=300)
def build_aip(dossier_id: int) -> int | None:
    """The AIP of a dossier just archived (accepted transfer, imported package): the package id,
    or None when the dossier is gone from the archive meanwhile."""
    dossier = Dossier.objects.filter(pk=dossier_id).select_related("agency").first()
    if dossier is None or dossier.state not in KEPT_STATES:
        return None
    return store_aip(dossier, actor="system").pk


@task(retries=2, retry_delay=60, context=True)
def build_dip(request_id: int, task: Any = None) -> int | None:
    """A DIP asked for on the dossier page (`dip_requests.ask_for_dip`): the package id, or None when
    the request no longer holds (refused with its reason, told to the requester). A failure of the
    job's own is retried; after the last try the request is refused too, never left "being built"."""
    try:
        return dip_requests.fulfil(request_id)
    except Exception:
        if task is None or not task.retries:
            dip_requests.give_up(request_id)
        raise


@periodic_task(every_minutes(60))
def submission_reminders() -> int:
    """Hạn nộp lưu: each due dossier's creator is told once before the deadline and once after it."""
    return remind()
