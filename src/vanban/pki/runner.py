"""Run pyHanko's event-loop-based code from synchronous callers, wherever they are.

pyHanko's sync helpers call `asyncio.run`, which refuses to run inside a thread whose
event loop is already running (an async view, a Playwright-driven test). There the
work moves to a short-lived thread of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def call_sync(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    if not _loop_running():
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def run_coroutine(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`make` builds the coroutine in the thread that runs it."""
    return call_sync(lambda: asyncio.run(make()))
