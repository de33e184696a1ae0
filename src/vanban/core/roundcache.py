"""Reads shared by the packages of one exchange round: inside `with round_cache():`, `once(key,
make)` reads a value the first time and gives the same value after; outside, it reads every
time. The receiver's arrivals each looked up the document types and the clerks to notify,
the same answer for every package of a round (a round lasts about a second).

Only for reads that a round may see a second old: what it caches is not rolled back with a
package's transaction, so nothing written in the round belongs here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

T = TypeVar("T")

_current: ContextVar[dict[Hashable, Any] | None] = ContextVar("vanban_round_cache", default=None)


@contextmanager
def round_cache() -> Iterator[None]:
    token = _current.set({})
    try:
        yield
    finally:
        _current.reset(token)


def once(key: Hashable, make: Callable[[], T]) -> T:
    values = _current.get()
    if values is None:
        return make()
    if key not in values:
        values[key] = make()
    return cast(T, values[key])
