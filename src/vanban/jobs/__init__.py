"""Background jobs. The only package that imports the queue library (Huey).

Other apps declare jobs with `vanban.jobs.task` / `vanban.jobs.periodic_task` and never
touch Huey directly, so the queue can be swapped without touching them. The queue only
wakes workers: durable state lives in our own tables.
"""

from __future__ import annotations

from typing import Any


def task(*args: Any, **kwargs: Any) -> Any:
    from huey.contrib.djhuey import db_task

    return db_task(*args, **kwargs)


def periodic_task(*args: Any, **kwargs: Any) -> Any:
    from huey.contrib.djhuey import db_periodic_task

    return db_periodic_task(*args, **kwargs)


def every_minutes(minutes: int) -> Any:
    from huey import crontab

    return crontab(minute=f"*/{minutes}")


def queue() -> Any:
    """The configured Huey instance (for the worker command and tests)."""
    from huey.contrib.djhuey import HUEY

    return HUEY
