"""Background jobs. The only package that imports the queue library (Huey).

Other apps declare jobs with `vanban.jobs.task` / `vanban.jobs.periodic_task` and never
touch Huey directly, so the queue can be swapped without touching them. The queue only
wakes workers: durable state lives in our own tables.

Huey ships no types; the decorators here give a declared job a typed face (`Job`), so a
caller that passes the wrong arguments, or a test that reads `call_local`'s result, is checked.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, Protocol, TypeVar

from huey import crontab

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Job(Protocol[P, R_co]):
    """A declared job: calling it enqueues it (Huey's result handle); `call_local` runs it here."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any: ...

    def call_local(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...

    def schedule(self, args: tuple[Any, ...] | None = None, kwargs: dict[str, Any] | None = None,
                 eta: datetime | None = None, delay: float | None = None) -> Any: ...


log = logging.getLogger("vanban.jobs")
_SHOWN = (int, str, bool, float, type(None))
# A LogRecord's own attributes: an argument of that name is logged as arg_<name>.
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _logged(fn: Callable[P, R]) -> Callable[P, R]:
    """Every run of a job leaves one structured line (`event` job.done or job.failed, `job`, its
    arguments — the package, document or entry ids jobs take — `result` when it is a plain value,
    `duration_ms`), so an operator follows one document through the worker's log."""
    name = f"{fn.__module__.removeprefix('vanban.')}.{fn.__name__}"

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        fields: dict[str, Any] = {"job": name, **{k if k not in _RESERVED else f"arg_{k}": v
                                                   for k, v in kwargs.items() if isinstance(v, _SHOWN)}}
        if args:
            fields["job_args"] = [a if isinstance(a, _SHOWN) else str(a) for a in args]
        start = time.monotonic()
        try:
            result = fn(*args, **kwargs)
        except Exception:
            log.exception("job %s failed", name, extra={**fields, "event": "job.failed",
                                                        "duration_ms": round((time.monotonic() - start) * 1000)})
            raise
        shown = {"result": result} if isinstance(result, _SHOWN) else {}
        log.info("job %s done", name, extra={**fields, **shown, "event": "job.done",
                                              "duration_ms": round((time.monotonic() - start) * 1000)})
        return result

    return run


def task(**options: Any) -> Callable[[Callable[P, R]], Job[P, R]]:
    """A job run when enqueued (retries, retry_delay, context, … as Huey's `db_task`;
    `priority`: taken before the waiting jobs of a lower one, where the queue can)."""
    from huey.contrib.djhuey import db_task  # noqa: PLC0415 - Huey's Django glue reads settings at import (settings import this package)

    decorator: Callable[[Callable[P, R]], Job[P, R]] = db_task(**_supported(options))
    return lambda fn: decorator(_logged(fn))


def periodic_task(schedule: Callable[[datetime], bool], **options: Any) -> Callable[[Callable[P, R]], Job[P, R]]:
    """A job the worker runs whenever `schedule` says so (see `every_minutes`)."""
    from huey.contrib.djhuey import db_periodic_task  # noqa: PLC0415 - Huey's Django glue reads settings at import (settings import this package)

    decorator: Callable[[Callable[P, R]], Job[P, R]] = db_periodic_task(schedule, **_supported(options))
    return lambda fn: decorator(_logged(fn))


def _supported(options: dict[str, Any]) -> dict[str, Any]:
    """`priority` (higher: taken before the waiting jobs of a lower one) where the queue has
    priorities — the SQLite queue does; plain Redis refuses them, and takes jobs in order."""
    if options.get("priority") and not queue().storage.priority:
        return {k: v for k, v in options.items() if k != "priority"}
    return options


# The exchange's wake-ups and sweeps: someone waits on what they move (a status back, an
# arrival), so they are not taken after a pile of search indexing (a PDF's text each).
EXCHANGE_PRIORITY = 10
# The audit sequencer and the heartbeat: short, and they must not queue behind a pile of
# indexing (events would wait unsealed, and the operations page would call a busy worker dead).
UPKEEP_PRIORITY = 5


def every_minutes(minutes: int) -> Callable[[datetime], bool]:
    schedule: Callable[[datetime], bool] = crontab(minute=f"*/{minutes}")
    return schedule


ONCE_PREFIX = "vanban.once."  # the queue store's keys of enqueue_once


def enqueue_once(job: Job[[], Any], key: str, *, delay: float = 0) -> bool:
    """Enqueue `job` unless one under `key` is already waiting; False when one was. The job
    calls `claim(key)` first thing, so a wake-up asked for while it runs queues the next one:
    a burst of wake-ups costs one job, and none is lost. Kept in the queue's own store (Redis or
    the SQLite queue file), not in the database. With `delay` (seconds) the job starts no sooner:
    everything asked for until then is served by it."""
    huey = queue()
    # The value is the job's start by the wall clock, for `waiting_start` in other processes.
    if not huey.immediate and not huey.put_if_empty(f"{ONCE_PREFIX}{key}", time.time() + delay):
        return False
    _queue_under(job, key, delay)
    return True


def _queue_under(job: Job[[], Any], key: str, delay: float) -> None:
    """The job behind a key just written; a queue that refuses it takes the key back, which
    would otherwise stand for a job that does not exist."""
    huey = queue()
    try:
        if delay and not huey.immediate:
            job.schedule(delay=delay)
        else:
            job()
    except Exception:
        if not huey.immediate:
            with contextlib.suppress(Exception):  # the store failing too: the first error is the one to see
                huey.delete(f"{ONCE_PREFIX}{key}")
        raise


def requeue_lost(job: Job[[], Any], key: str, *, delay: float = 0) -> None:
    """The job waiting under `key` (`enqueue_once`) will never run — a worker killed holding it,
    or a process killed between writing the key and queuing the job: queue `job` again and put
    its start under the key, so later wake-ups rely on the new one."""
    huey = queue()
    if huey.immediate:
        job()
        return
    huey.put(f"{ONCE_PREFIX}{key}", time.time() + delay)
    _queue_under(job, key, delay)


def waiting_start(key: str) -> float | None:
    """When the job waiting under `key` (`enqueue_once`) starts, by the wall clock (seconds
    since the epoch): another process that found it waiting may rely on it until then. None
    when none waits, or its key was written by an earlier version (which stored no time)."""
    huey = queue()
    if huey.immediate:
        return None
    value = huey.get(f"{ONCE_PREFIX}{key}", peek=True)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# A wake-up for rows that fall free starts this long after they do: the queue's scheduler looks
# once a second, and a lease is free only once it has passed.
WAKE_MARGIN = 0.5
# A wake-up whose start is this far past never ran (its worker was killed holding it, the queue
# was flushed): its key no longer stands for a waiting job, and would otherwise refuse every
# later wake-up under it for good.
WAKE_LOST_SECONDS = 60.0


def wake_at(job: Job[[float], Any], key: str, when: datetime) -> bool:
    """`job` once more when rows another worker holds fall free (`when`, aware): if that worker
    died, nothing else would look at them before the minute's sweep. One job waits under `key`;
    one asked for earlier than the waiting one's start is queued beside it (a job that finds
    nothing due is one round). The job is given its start and calls `claim_started(key, start)`:
    the later job, when it runs, leaves the key of whatever was asked for since alone, so the
    two do not go on as two chains of wake-ups. False when nothing was queued.

    Nothing with the inline queue of tests: the job would run at once, find the same rows held
    and ask again, without end."""
    huey = queue()
    if huey.immediate:
        return False
    now = time.time()
    start = max(when.timestamp(), now) + WAKE_MARGIN  # the same rows held: the same start
    if not huey.put_if_empty(f"{ONCE_PREFIX}{key}", start):
        waiting = waiting_start(key)
        if waiting is not None and now - WAKE_LOST_SECONDS < waiting <= start:
            return False
        huey.put(f"{ONCE_PREFIX}{key}", start)
    job.schedule(args=(start,), delay=start - now)
    return True


def claim_started(key: str, start: float) -> None:
    """The job `wake_at` queued to start at `start` has started: its key is cleared, unless a
    sooner job has taken the key since (then that job's chain goes on, and this one ends)."""
    if waiting_start(key) == start:
        claim(key)


def claim(key: str) -> None:
    """The job behind `enqueue_once(…, key)` has started: later wake-ups queue it again."""
    huey = queue()
    if not huey.immediate:
        huey.delete(f"{ONCE_PREFIX}{key}")


def drop_old_results() -> int:
    """Remove the job results earlier versions left in the queue's store (they kept every job's
    return value, unread: a queue that ran for a year holds millions); the wake-up keys of
    `enqueue_once` stay. How many were removed."""
    storage = queue().storage
    if isinstance(getattr(storage, "result_key", None), str):  # Redis: one hash for the queue
        prefix = ONCE_PREFIX.encode()
        keys = [k for k in storage.conn.hkeys(storage.result_key) if not k.startswith(prefix)]
        for start in range(0, len(keys), 1000):
            storage.conn.hdel(storage.result_key, *keys[start:start + 1000])
        return len(keys)
    if hasattr(storage, "sql"):  # the SQLite queue: its kv table
        where, params = "queue = ? AND key NOT LIKE ?", (storage.name, f"{ONCE_PREFIX}%")
        count = storage.sql(f"SELECT count(*) FROM kv WHERE {where}", params, results=True)[0][0]  # noqa: S608 - constant clause
        if count:
            storage.sql(f"DELETE FROM kv WHERE {where}", params, True)  # noqa: S608 - constant clause
        return int(count)
    return 0


def queue() -> Any:
    """The configured Huey instance (for the worker command and tests)."""
    from huey.contrib.djhuey import HUEY  # noqa: PLC0415 - Huey's Django glue reads settings at import (settings import this package)

    return HUEY
