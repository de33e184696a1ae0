"""Background indexing. The queue only wakes the indexer: the periodic sweep finds any
document changed since it was indexed, so a lost message delays a hit, never loses it."""

from __future__ import annotations

from vanban.jobs import every_minutes, periodic_task, task
from vanban.jobs.drains import after_drain
from vanban.search import indexing

STALE_BATCH = 1000
STALE_ROUNDS = 100  # a bound, should documents keep changing while they are indexed


@task()
def index_document_task(document_id: int) -> bool:
    """Index one document, unless the worker is draining an exchange backlog: then the arrivals
    wait for one sweep at its end (vanban.jobs.drains), and the statuses go back sooner."""
    if after_drain("search.index_stale", index_after_drain_task):
        return False
    return indexing.index_document(document_id)


@task()
def index_after_drain_task() -> int:
    """What the arrivals of a drain left waiting; if another long drain has begun meanwhile (or
    the same one was only pausing), after that one."""
    if after_drain("search.index_stale", index_after_drain_task):
        return 0
    return index_stale_task.call_local()


@periodic_task(every_minutes(5))
def index_stale_task() -> int:
    """Every document changed since it was indexed, 1 000 at a time until none is left: after a
    drain, thousands may be waiting. Does not wait for a drain: it bounds how stale the search
    gets under a backlog that never ends."""
    total = 0
    for _ in range(STALE_ROUNDS):
        done = indexing.index_stale(STALE_BATCH)
        total += done
        if done < STALE_BATCH:
            break
    return total
