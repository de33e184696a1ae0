"""Background indexing. The queue only wakes the indexer: the periodic sweep finds any
document changed since it was indexed, so a lost message delays a hit, never loses it."""

from __future__ import annotations

from vanban.jobs import every_minutes, periodic_task, task
from vanban.search import indexing


@task()
def index_document_task(document_id: int) -> bool:
    return indexing.index_document(document_id)


@periodic_task(every_minutes(5))
def index_stale_task() -> int:
    return indexing.index_stale()
