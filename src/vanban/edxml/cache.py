"""Signature verdicts remembered by package SHA-256, so one process checks a package once.

The hub's intake, the receiver's check before acceptance and its processing each ask for the
same verdict on the same bytes. The key is the SHA-256 of the exact bytes plus the trust
store the verdict rests on (the SHA-256 fingerprints of the certificates trusted for it, and
the limits): a changed byte or a changed certificate is a different key. Only verdicts are
kept, never a tree or a package a caller could change or that points into a buffer the
caller may close; an entry lapses after `ttl` seconds, and a valid one at the latest when
its certificate expires.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vanban.edxml.signature import VerifyResult

__all__ = ["VERIFICATIONS", "VerificationCache"]


class VerificationCache:
    """A small thread-safe LRU of verdicts; `hits` and `misses` are for tests and metrics."""

    def __init__(self, maxsize: int = 512, ttl: float = 600.0) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[float, VerifyResult]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_verify(self, key: Hashable, verify: Callable[[], VerifyResult]) -> VerifyResult:
        """The remembered verdict for `key`, or `verify()`'s, remembered without its package."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
            self.misses += 1
        result = dataclasses.replace(verify(), package=None)
        expires = now + self.ttl
        if result.valid and result.certificate is not None:
            left = (result.certificate.not_valid_after_utc - dt.datetime.now(dt.UTC)).total_seconds()
            expires = min(expires, now + left)
        with self._lock:
            self._entries[key] = (expires, result)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = 0
            self.misses = 0


VERIFICATIONS = VerificationCache()
