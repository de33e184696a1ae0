"""Fixity: re-hash every stored blob and report the ones whose bytes no longer match.

A run walks the store in hash order and records its position (`FixityRun.cursor`) after
each batch, so an interrupted run (killed process, worker restart) resumes where it stopped
instead of starting over. Blobs the database names but the store lacks are reported as
missing at the end of the run. Returns typed results and takes a progress callback, like
`audit.services.verify_chain`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from vanban.audit.services import record_event
from vanban.blobs import BlobStore, get_store
from vanban.documents.models import DocumentFile
from vanban.jobs import workitems
from vanban.records import events
from vanban.records.destruction import purge_destroyed
from vanban.records.models import ArchivalPackage, DestroyedBlob, FixityMismatch, FixityRun, ItemFile

BATCH = 200


LEASE = timedelta(minutes=10)  # renewed after every batch; a batch takes seconds


@dataclass(frozen=True)
class FixityResult:
    run: FixityRun
    checked: int  # in this call
    finished: bool
    mismatches: list[FixityMismatch]
    busy: bool = False  # another process holds the run: nothing was checked by this call


def current_run() -> FixityRun | None:
    return FixityRun.objects.filter(state=FixityRun.State.RUNNING).order_by("-id").first()


def run_fixity(*, resume: bool = True, limit: int | None = None, trigger: str = "cli",
               progress: Callable[[int, int], None] | None = None) -> FixityResult:
    """Check blobs from the last run's cursor (or from the start); at most `limit` this call."""
    store = get_store()
    run = current_run() if resume else None
    if run is None:
        FixityRun.objects.filter(state=FixityRun.State.RUNNING).update(
            state=FixityRun.State.FINISHED, finished_at=timezone.now())
        run = FixityRun.objects.create(trigger=trigger)
        record_event(events.FIXITY_STARTED, actor=trigger, obj=run, details={"trigger": trigger})
    if not workitems.claim(FixityRun.objects.filter(pk=run.pk, state=FixityRun.State.RUNNING), lease=LEASE,
                           limit=1):
        return FixityResult(run, 0, False, [], busy=True)
    run.refresh_from_db()  # the cursor as the last holder left it
    try:
        return _walk(run, store, limit, progress)
    finally:
        FixityRun.objects.filter(pk=run.pk).update(lease_until=None)


def _walk(run: FixityRun, store: BlobStore, limit: int | None,
          progress: Callable[[int, int], None] | None) -> FixityResult:
    hashes = [h for h in store.iter_hashes() if h > run.cursor]
    total = run.checked + len(hashes)
    if limit is not None:
        hashes = hashes[:limit]
    done = 0
    for start in range(0, len(hashes), BATCH):
        batch = hashes[start:start + BATCH]
        bad = [h for h in batch if not store.verify(h)]
        with transaction.atomic():
            for sha in bad:
                FixityMismatch.objects.get_or_create(run=run, sha256=sha,
                                                     defaults={"kind": _kind(store, sha)})
            run.cursor = batch[-1]
            run.checked += len(batch)
            run.failures = run.mismatches.count()
            run.lease_until = timezone.now() + LEASE
            run.save(update_fields=["cursor", "checked", "failures", "lease_until", "updated_at"])
        done += len(batch)
        if progress:
            progress(run.checked, total)
    finished = limit is None or len(hashes) < limit or not [h for h in store.iter_hashes() if h > run.cursor]
    if finished:
        _finish(run, store)
    return FixityResult(run, done, finished, list(run.mismatches.order_by("id")))


def _kind(store: object, sha: str) -> str:
    exists = getattr(store, "exists", None)
    return FixityMismatch.Kind.CORRUPT if exists is None or exists(sha) else FixityMismatch.Kind.MISSING


@transaction.atomic
def _finish(run: FixityRun, store: BlobStore) -> None:
    referenced = set(DocumentFile.objects.values_list("sha256", flat=True))
    referenced |= set(ItemFile.objects.values_list("sha256", flat=True))
    referenced |= set(ArchivalPackage.objects.values_list("sha256", flat=True))  # the AIPs and DIPs
    referenced -= set(DestroyedBlob.objects.values_list("sha256", flat=True))  # removed by a decision
    exists = store.exists
    for sha in sorted(referenced):
        if not exists(sha):
            FixityMismatch.objects.get_or_create(run=run, sha256=sha, defaults={"kind": FixityMismatch.Kind.MISSING})
    purge_destroyed()  # finishes a destruction whose removal a crash interrupted
    run.failures = run.mismatches.count()
    run.state = FixityRun.State.FINISHED
    run.finished_at = timezone.now()
    run.save(update_fields=["failures", "state", "finished_at", "updated_at"])
    record_event(events.FIXITY_FINISHED, actor=run.trigger, obj=run,
                 details={"checked": run.checked, "failures": run.failures,
                          "mismatches": list(run.mismatches.values_list("sha256", "kind"))[:100]})
