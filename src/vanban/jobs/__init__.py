"""Background jobs. The only package that imports the queue library (Huey).

Other apps declare jobs with `vanban.jobs.task` / `vanban.jobs.periodic_task` and never
touch Huey directly, so the queue can be swapped without touching them. The queue only
wakes workers: durable state lives in our own tables.

Huey ships no types; the decorators here give a declared job a typed face (`Job`), so a
caller that passes the wrong arguments, or a test that reads `call_local`'s result, is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Job(Protocol[P, R_co]):
    """A declared job: calling it enqueues it (Huey's result handle); `call_local` runs it here."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any: ...

    def call_local(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...


def task(**options: Any) -> Callable[[Callable[P, R]], Job[P, R]]:
    """A job run when enqueued (retries, retry_delay, context, … as Huey's `db_task`)."""
    from huey.contrib.djhuey import db_task  # Huey's Django glue reads settings at import

    decorator: Callable[[Callable[P, R]], Job[P, R]] = db_task(**options)
    return decorator


def periodic_task(schedule: Callable[[datetime], bool], **options: Any) -> Callable[[Callable[P, R]], Job[P, R]]:
    """A job the worker runs whenever `schedule` says so (see `every_minutes`)."""
    from huey.contrib.djhuey import db_periodic_task

    decorator: Callable[[Callable[P, R]], Job[P, R]] = db_periodic_task(schedule, **options)
    return decorator


def every_minutes(minutes: int) -> Callable[[datetime], bool]:
    from huey import crontab

    schedule: Callable[[datetime], bool] = crontab(minute=f"*/{minutes}")
    return schedule


def queue() -> Any:
    """The configured Huey instance (for the worker command and tests)."""
    from huey.contrib.djhuey import HUEY

    return HUEY
