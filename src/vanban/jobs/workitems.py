"""Durable work that must be retried until it succeeds: one way for every such table.

A work item is a row with `attempts`, `next_attempt_at` (due when empty or past), `lease_until`
(held by a worker until then) and `last_error` — the office's outbox, the hub's forwards to
its parent; a fixity run is claimed the same way (a lease only: it resumes from its cursor).
A worker *claims* due rows for a lease before it works on them, so two workers
(or two processes of a cluster) never send the same row at the same time, and a worker killed
mid-way leaves rows that fall due again when the lease runs out — or sooner, when a process
on the same machine sees that the holder named in `lease_holder` no longer runs
(`vanban.jobs.holders`): a worker restarted on the same host takes back what its predecessor
held at its first claim, and a sibling worker on the machine takes what a dead one held within
LOOK_SECONDS. A worker that stops (SIGTERM, SIGINT) frees what it still holds on its way out,
and a worker restarted in place (Huey's SIGHUP re-executes the same process: same PID, same
start time, so its predecessor's name reads as alive) frees what that name held on its way in
(`release_mine`). A failure waits longer each
time (doubling from a base, capped) with jitter, so rows that failed together (the hub was
away) do not all come back in the same second.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Min, Q
from django.dispatch import Signal
from django.utils import timezone

from vanban.jobs import holders

__all__ = ["Backoff", "claim", "due", "failed", "free", "freed_text", "look_for_dead", "next_free", "release_dead",
           "release_mine", "released", "succeeded", "work_item_models"]

M = TypeVar("M", bound=models.Model)
log = logging.getLogger(__name__)


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
    that want work, in the order to take them) that nobody holds, now held by this process for
    `lease`. On PostgreSQL rows another worker is claiming are skipped (`SKIP LOCKED`); SQLite
    serialises writers, so the read and the update in one transaction are enough there.

    Rows held by a dead process of this machine are freed first (`release_dead`) on this
    process's first claim of the table — a restarted worker takes back its predecessor's rows
    before anything else, its statuses first — and then at most every LOOK_SECONDS: one SELECT
    then, none on the claims between, so a dead sibling's rows wait seconds, not their lease,
    even while a backlog fills every claim."""
    look_for_dead(queryset)
    return _claim(queryset, lease, limit)


LOOK_SECONDS = 5.0
_looked: dict[str, float] = {}  # table → when this process last looked for dead holders (monotonic)


def look_for_dead(queryset: models.QuerySet[M]) -> int:
    """`release_dead`, on this process's first call for the table and then at most every
    LOOK_SECONDS; returns how many rows it freed. For callers that pick free rows themselves
    before claiming one by one (the hub's forwards): the rows a dead process holds are not
    among the free ones, so they must be looked for first."""
    label = queryset.model._meta.label
    now = time.monotonic()
    if now - _looked.get(label, -LOOK_SECONDS) < LOOK_SECONDS:
        return 0
    _looked[label] = now
    return release_dead(queryset)


def _claim(queryset: models.QuerySet[M], lease: timedelta, limit: int) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        candidates = queryset.filter(free(now))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        pks = list(candidates.values_list("pk", flat=True)[:limit])
        if pks:
            queryset.model._default_manager.filter(pk__in=pks).update(
                lease_until=now + lease, lease_holder=holders.this_process())
    return pks


def release_dead(queryset: models.QuerySet[M]) -> int:
    """Free the rows held by processes of this machine that no longer run (killed, crashed,
    restarted); returns how many. The holders are looked for among the held rows of `queryset`;
    every row of the table they hold is freed. Holders elsewhere are left to their lease."""
    prefix = holders.local_prefix()
    if prefix is None:
        return 0
    now = timezone.now()
    held = queryset.order_by().filter(lease_until__gte=now, lease_holder__startswith=prefix)
    dead = [h for h in set(held.values_list("lease_holder", flat=True)) if holders.alive(h) is False]
    if not dead:
        return 0
    # The conditions on the row itself, not a list of keys read before: a row claimed again
    # meanwhile (its new holder alive) no longer matches when the UPDATE comes to it.
    return queryset.model._default_manager.filter(lease_holder__in=dead, lease_until__gte=now).update(
        lease_until=None)


def work_item_models() -> list[type[models.Model]]:
    """Every installed model claimed through `claim` (it has `lease_until` and `lease_holder`):
    found, not listed, so that this module never imports the apps that use it."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if {"lease_until", "lease_holder"} <= names:
            found.append(model)
    return found


# Sent by `release_mine` with `freed` ({model label: rows}): the apps whose rows were freed ask
# the queue for a round, so that another worker takes them now rather than at the next sweep.
released = Signal()


def release_mine() -> dict[str, int]:
    """Free the rows held under this process's name; how many, by table (only those with some).

    Called by `vanban worker` on its way out, so that a stopped worker's rows (a deploy, a
    container stopped, an operator's Ctrl-C) are taken at once by the others, not when the
    lease runs out — whichever machine they run on; and on its way in, where rows under its
    own name can only be a previous image of this process's (a restart in place keeps the PID
    and start time, so `release_dead` sees that name as alive). On the way out the worker has
    first let its threads end (`vanban.jobs.stopping`); a row a thread is still working on
    after that grace may be taken by another worker before this one ends: the same as a lease
    that ran out — sending is idempotent at the hub, arrivals are registered once. Sends
    `released` when it freed any, and raises the first database error after trying every table."""
    name = holders.this_process()
    now = timezone.now()
    freed: dict[str, int] = {}
    failures: list[DatabaseError] = []
    for model in work_item_models():
        try:
            count = model._default_manager.filter(lease_holder=name, lease_until__gte=now).update(lease_until=None)
        except DatabaseError as exc:  # one table's failure does not keep the others' rows held
            failures.append(exc)
            continue
        if count:
            freed[model._meta.label] = count
    if freed:
        for receiver, outcome in released.send_robust(sender=release_mine, freed=freed):
            if isinstance(outcome, Exception):  # the queue away: the rows are free all the same
                log.warning("workitems: %s after freeing %s: %s", receiver, freed, outcome)
    if failures:
        raise failures[0]
    return freed


def freed_text(freed: dict[str, int], when: str) -> str:
    """What a stopping command says of `release_mine`'s answer (empty when nothing was freed)."""
    if not freed:
        return ""
    rows = ", ".join(f"{label} {count}" for label, count in sorted(freed.items()))
    return f"Đã trả lại các việc tiến trình này còn giữ ({when}): {rows}."


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
