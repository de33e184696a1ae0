"""A worker told to stop: rounds that could go on for minutes under a backlog (the exchange's
sending and polling) end after the piece in hand, so that the worker can wait for its threads
and then free what they still hold (`vanban worker`, `workitems.release_mine`)."""

from __future__ import annotations

import threading
import time

__all__ = ["join_job_threads", "request", "requested", "reset"]

_requested = threading.Event()
_since: list[float] = []  # when the stop was first asked (monotonic)


def requested() -> bool:
    return _requested.is_set()


def request() -> None:
    if not _since:
        _since.append(time.monotonic())
    _requested.set()


def reset() -> None:
    """For tests, which run rounds in one process after a stop was asked."""
    _requested.clear()
    _since.clear()


def join_job_threads(seconds: float) -> list[str]:
    """Wait for the queue's job threads (Huey's `Worker-n` and `Scheduler`) to end, until
    `seconds` after the stop was asked (the consumer may have waited part of it already); the
    names of those still running after it."""
    deadline = (_since[0] if _since else time.monotonic()) + max(0.0, seconds)
    waiting = [t for t in threading.enumerate()
               if t is not threading.current_thread() and (t.name.startswith("Worker-") or t.name == "Scheduler")]
    for thread in waiting:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [t.name for t in waiting if t.is_alive()]
