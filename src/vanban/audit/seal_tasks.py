"""The sequencer's jobs, apart from the checkpoint jobs: `seal.wake` imports this module, and
it must not pull in the witness (which reaches the office's hub connection) — the hub
imports the audit app too."""

from __future__ import annotations

from vanban.audit.seal import WAKE_DELAY, seal_pending, seal_round
from vanban.jobs import UPKEEP_PRIORITY, claim, enqueue_once, every_minutes, periodic_task, task

SEAL_KEY = "audit-seal"


@task(priority=UPKEEP_PRIORITY)
def audit_seal_now() -> int:
    """Chain the events of a transaction that just committed (woken by `record_event`). When
    another sequencer holds the head it may have read the waiting events before the ones this
    job was woken for committed: ask for another wake-up instead of leaving them to the minute
    round (the processes that relied on this job ask nothing until it starts)."""
    claim(SEAL_KEY)
    sealed, held = seal_round()
    if held:
        enqueue_once(audit_seal_now, SEAL_KEY, delay=WAKE_DELAY)
    return sealed


@periodic_task(every_minutes(1), priority=UPKEEP_PRIORITY)
def audit_seal() -> int:
    """Whatever a missed wake-up left waiting (the queue was down, a worker died holding the
    wake-up, another sequencer held the head)."""
    claim(SEAL_KEY)
    return seal_pending()
