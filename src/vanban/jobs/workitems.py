"""Durable work that must be retried until it succeeds: one way for every such table.

A work item is a row with `attempts`, `next_attempt_at` (due when empty or past), `lease_until`
(held by a worker until then) and `last_error` — the office's outbox, the hub's forwards to
its parent; a fixity run is claimed the same way (a lease only: it resumes from its cursor).
A worker *claims* due rows for a lease before it works on them, so two workers
(or two processes of a cluster) never send the same row at the same time, and a worker killed
mid-way leaves rows that fall due again when the lease runs out. A failure waits longer each
time (doubling from a base, capped) with jitter, so rows that failed together (the hub was
away) do not all come back in the same second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import Min, Q
from django.utils import timezone

__all__ = ["Backoff", "claim", "due", "failed", "free", "next_free", "succeeded"]

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Backoff:
    """Wait after the n-th failed attempt: `base` doubling, at most `most`, drawn in
    [(1 - jitter) × wait, wait] — never later than the plain doubling says."""

    base_seconds: float
    most_seconds: float
    jitter: float = 0.2

    def wait(self, attempts: int) -> float:
        return float(min(self.most_seconds, self.base_seconds * 2 ** min(max(attempts - 1, 0), 30)))

    def delay(self, attempts: int, *, draw: float | None = None) -> timedelta:
        plain = self.wait(attempts)
        spread = plain * min(max(self.jitter, 0.0), 1.0)
        return timedelta(seconds=plain - spread * (random.random() if draw is None else draw))  # noqa: S311 - spreading retries, not secrets


def due(now: datetime) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def free(now: datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def next_free(queryset: models.QuerySet[M]) -> datetime | None:
    """When the first row of `queryset` that nobody may take now can be taken: its holder's
    lease runs out, or its wait after a failure ends. None when there is no such row. A worker
    that finds rows held wakes itself then: if the holder died, nothing else would look at
    them before the minute's sweep."""
    now = timezone.now()
    first = queryset.order_by().aggregate(held=Min("lease_until", filter=Q(lease_until__gte=now)),
                                          waiting=Min("next_attempt_at", filter=Q(next_attempt_at__gt=now)))
    return min((when for when in first.values() if when is not None), default=None)


def claim(queryset: models.QuerySet[M], *, lease: timedelta, limit: int) -> list[int]:
    """The primary keys of at most `limit` rows of `queryset` (already filtered to the rows
    that want work, in the order to take them) that nobody holds, now held by this caller for
    `lease`. On PostgreSQL rows another worker is claiming are skipped (`SKIP LOCKED`); SQLite
    serialises writers, so the read and the update in one transaction are enough there."""
    now = timezone.now()
    with transaction.atomic():
        candidates = queryset.filter(free(now))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        pks = list(candidates.values_list("pk", flat=True)[:limit])
        if pks:
            queryset.model._default_manager.filter(pk__in=pks).update(lease_until=now + lease)
    return pks


def succeeded(model: type[models.Model], pk: Any, **fields: Any) -> int:
    """Done: the lease and the last error cleared, with the caller's own fields."""
    return model._default_manager.filter(pk=pk).update(lease_until=None, last_error="", **fields)


def failed(model: type[models.Model], pk: Any, *, attempts: int, error: str, backoff: Backoff,
           max_error: int = 2000, **fields: Any) -> datetime:
    """One more failed attempt: counted, said why, due again after the backoff; returns when."""
    when = timezone.now() + backoff.delay(attempts)
    model._default_manager.filter(pk=pk).update(attempts=attempts, last_error=error[:max_error],
                                                 next_attempt_at=when, lease_until=None, **fields)
    return when
