from __future__ import annotations

from vanban.jobs import every_minutes, periodic_task


@periodic_task(every_minutes(30))
def deadline_reminders() -> int:
    from vanban.workflow.services import remind_near_deadlines

    return remind_near_deadlines()
