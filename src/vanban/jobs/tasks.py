"""Periodic heartbeat, so the operator sees that workers are running."""

from __future__ import annotations

from vanban.jobs import every_minutes, periodic_task, task
from vanban.jobs.services import record_heartbeat


@periodic_task(every_minutes(1))
def heartbeat() -> int:
    return record_heartbeat().pk


@task()
def heartbeat_now() -> int:
    """Same as the periodic beat, on demand (operator's button, tests)."""
    return record_heartbeat().pk
