from __future__ import annotations

from vanban.jobs import every_minutes, periodic_task
from vanban.workflow.consultation import remind_due
from vanban.workflow.mail import mail_notification
from vanban.workflow.processes import remind_steps
from vanban.workflow.services import remind_near_deadlines

__all__ = ["deadline_reminders", "mail_notification"]


@periodic_task(every_minutes(30))
def deadline_reminders() -> int:
    return remind_near_deadlines() + remind_due() + remind_steps()
