"""Periodic heartbeat, so the operator sees that workers are running."""

from __future__ import annotations

from vanban.jobs import UPKEEP_PRIORITY, every_minutes, periodic_task, task
from vanban.jobs.services import record_heartbeat


@periodic_task(every_minutes(1), priority=UPKEEP_PRIORITY)
def heartbeat() -> int:
    return record_heartbeat().pk


@task(priority=UPKEEP_PRIORITY)
def heartbeat_now() -> int:
    """Same as the periodic beat, on demand (operator's button, tests)."""
    return record_heartbeat().pk
