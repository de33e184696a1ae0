"""Long drains in this process, and the jobs that wait for their end.

Under a backlog the exchange's rounds loop in a worker thread until the backlog is gone. A
job that can wait (indexing an arrival) would otherwise take the GIL from them and slow the
statuses going back; it asks `after_drain` instead, and one follow-up job is queued when the
process's drains end. Drains that follow one another within GAP_SECONDS count as one busy
spell: the polling loop of a pipeline stops whenever the inbox is empty for a moment and starts
again when the sender's next batch lands. Per process and in memory: a worker killed
mid-drain forgets the follow-up, so it must be work a periodic sweep also does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

LONG_DRAIN_SECONDS = 5.0  # a shorter spell is a round or two of ordinary traffic, not a backlog
GAP_SECONDS = 2.0  # a drain that starts this soon after the last ended continues its spell

_clock = time.monotonic
_lock = threading.Lock()
_running: set[int] = set()  # tokens of the drains going on
_spell = {"since": 0.0, "idle_since": float("-inf")}
_after: dict[str, Callable[[], Any]] = {}  # follow-ups by name, each queued once


@contextmanager
def draining() -> Iterator[None]:
    """Mark the loop inside as a drain; when the last one ends, queue the follow-ups."""
    token = object()
    with _lock:
        now = _clock()
        if not _running and now - _spell["idle_since"] > GAP_SECONDS:
            _spell["since"] = now  # a new spell
        _running.add(id(token))
    try:
        yield
    finally:
        with _lock:
            _running.discard(id(token))
            ready: list[Callable[[], Any]] = []
            if not _running:
                _spell["idle_since"] = _clock()
                ready = list(_after.values())
                _after.clear()
        for follow_up in ready:
            try:
                follow_up()
            except Exception:  # the queue is down: the periodic sweep does it later
                log.exception("follow-up of a drain not queued")


def after_drain(name: str, follow_up: Callable[[], Any]) -> bool:
    """With a long drain going on, keep `follow_up` (once per `name`) for the end of the
    process's drains and return True: the caller skips its work. Otherwise False: do it now.
    A follow-up may ask again, and so wait for a drain that started while it was queued."""
    with _lock:  # the same lock as a drain's end: a follow-up is never kept after it
        if not _running or _clock() - _spell["since"] < LONG_DRAIN_SECONDS:
            return False
        _after.setdefault(name, follow_up)
        return True
