"""Background jobs: forward one package upward; the periodic sweep that makes queues lossless."""

from __future__ import annotations

from vanban.hub import federation, services
from vanban.jobs import every_minutes, periodic_task, task


@task()
def forward_task(forward_id: int) -> str:
    """Woken on commit of an accepted package; the Forward row holds the real state."""
    return federation.forward_one(forward_id)


@periodic_task(every_minutes(1))
def hub_sweep() -> int:
    """Re-enqueue overdue forwards (a lost queue message only delays) and pull from the parent."""
    due = services.due_forwards()
    for forward_id in due:
        forward_task(forward_id)
    federation.pull_from_parent()
    return len(due)

from vanban.hub import vxp_tasks  # noqa: E402, F401 - registers the daily VXP directory sync
