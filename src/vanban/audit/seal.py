"""The sequencer: chains audit events after their transactions commit.

Writers only INSERT an event (no lock, no read of the chain head), so audited writes in
different requests never wait for one another. The sequencer — woken after each audited
commit, and every minute by the worker — takes the events that have no hash yet in id
order, links each to the previous one and moves `ChainHead`, in one transaction that holds
the head's row lock. An event waits unsealed only until then; the database trigger refuses
any change to it meanwhile except this one sealing UPDATE (vanban.audit.guard).
"""

from __future__ import annotations

import logging
import time

from django.db import connection, models, transaction

from vanban.audit.chain import GENESIS, event_hash
from vanban.audit.models import AuditEvent, ChainHead
from vanban.jobs import enqueue_once, queue, requeue_lost, waiting_start

log = logging.getLogger(__name__)

BATCH = 2000
WAKE_DELAY = 1.0  # seconds: the longest an event waits for its wake-up job to start
# Taken off a job's start before relying on it: the worker runs the job by its own clock, which
# on another node may differ from this process's by this much (NTP keeps them within milliseconds).
CLOCK_MARGIN = 0.2
# A wake-up job due this long ago has not started (it clears its key first thing): its worker
# was killed holding it, or its process between writing the key and queuing it. Left alone, the
# key would keep every process from asking until the minute's round; a worker merely busy that
# long costs one more job, which finds little to seal (the head's row lock keeps them in turn).
SEAL_LOST_SECONDS = 10.0
_covered_until = [0.0]  # a job that has not started yet starts after this monotonic time
_overdue_until = [0.0]  # the waiting job was due when last read: not read again before this


class SealError(RuntimeError):
    """An event changed hands while the head was held: should never happen; nothing is written."""


def seal_pending(*, batch: int = BATCH) -> int:
    """Chain every committed event still waiting; how many were sealed. Returns at once when
    another sequencer holds the head (PostgreSQL): the next round takes what it left."""
    return seal_round(batch=batch)[0]


def seal_round(*, batch: int = BATCH) -> tuple[int, bool]:
    """`seal_pending`, and whether it stopped because another sequencer held the head — which
    may have read the waiting events before some that this round was woken for had committed."""
    sealed = 0
    while True:
        done = _seal_batch(batch)
        if done is None:
            return sealed, True
        sealed += done
        if done < batch:
            return sealed, False


def pending_count() -> int:
    return AuditEvent.objects.filter(hash__isnull=True).count()


def _locked_head() -> ChainHead | None:
    skip = connection.features.has_select_for_update_skip_locked
    head = ChainHead.objects.select_for_update(skip_locked=skip).filter(pk=1).first()
    if head is None and not ChainHead.objects.filter(pk=1).exists():
        ChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS, "count": 0})
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
    return head


@transaction.atomic
def _seal_batch(batch: int) -> int | None:
    """How many events this batch sealed; None when another sequencer holds the head."""
    head = _locked_head()
    if head is None:
        return None
    waiting = list(AuditEvent.objects.filter(hash__isnull=True).order_by("id")[:batch])
    if not waiting:
        return 0
    prev, position, rows = head.last_hash, head.count, []
    for ev in waiting:
        position += 1
        digest = event_hash(prev, at=ev.at, actor_id=ev.actor_id, actor_name=ev.actor_name,
                            agency_code=ev.agency_code, action=ev.action, object_type=ev.object_type,
                            object_id=ev.object_id, details=ev.details, ip_address=ev.ip_address)
        rows.append((position, prev, digest, ev.pk))
        prev = digest
    with connection.cursor() as cur:
        # Raw SQL: the ORM refuses every update of an event (AppendOnlyQuerySet); the trigger
        # allows exactly this one, on a row without a hash.
        cur.executemany("UPDATE audit_auditevent SET position = %s, prev_hash = %s, hash = %s "
                        "WHERE id = %s AND hash IS NULL", rows)
        changed = cur.rowcount
    if changed not in (-1, len(rows)):
        raise SealError(f"sealed {changed} of {len(rows)} events")
    ChainHead.objects.filter(pk=1).update(last_hash=prev, count=models.F("count") + len(rows))
    return len(rows)


def wake() -> None:
    """Ask the worker to seal now (on commit of an audited change). A queue that cannot be
    reached only delays sealing to the next minute's round: the error is logged, never raised
    (`on_commit(..., robust=True)`). With jobs run inline (tests, one-off commands) seal here,
    without the queue's log lines in a command's output."""
    from vanban.audit.seal_tasks import SEAL_KEY, audit_seal_now  # noqa: PLC0415 - seal_tasks imports this module

    if queue().immediate:
        seal_pending()
        return
    now = time.monotonic()
    if now < _covered_until[0]:
        return  # the job this process asked for starts after this commit and seals it
    # A burst of commits wakes one job, not one each; and a busy process asks the queue at most
    # once per WAKE_DELAY: its job starts WAKE_DELAY later, so every event this process commits
    # until then is sealed by it (issue 23: two queue writes per request were most of an ack).
    if enqueue_once(audit_seal_now, SEAL_KEY, delay=WAKE_DELAY):
        _covered_until[0] = now + WAKE_DELAY - CLOCK_MARGIN
        return
    # Another process's job is waiting (its key was held as this commit ended, so it has not
    # started and will seal this commit). It starts no sooner than the time under its key: until
    # then this process need not ask either — with four server processes, asking on every commit
    # was most of the queue's traffic (bench/RESULTS.md, hub). A job already due may start any
    # moment: then every commit asks, as before, and reads the key again a WAKE_DELAY later (a
    # worker that is down or busy must not double the queue's traffic).
    if now < _overdue_until[0]:
        return
    starts = waiting_start(SEAL_KEY)
    if starts is not None and starts < time.time() - SEAL_LOST_SECONDS:
        requeue_lost(audit_seal_now, SEAL_KEY, delay=WAKE_DELAY)
        _covered_until[0] = now + WAKE_DELAY - CLOCK_MARGIN
        return
    left = min(starts - time.time() - CLOCK_MARGIN, WAKE_DELAY) if starts is not None else 0.0
    if left > 0:
        _covered_until[0] = now + left
    else:
        _overdue_until[0] = now + WAKE_DELAY
