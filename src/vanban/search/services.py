"""What other apps call: schedule indexing after a change commits, rebuild everything."""

from __future__ import annotations

from django.db import transaction

from vanban.search.indexing import Progress, index_document, index_stale, reindex_all
from vanban.search.queries import Filters, SearchPage, search
from vanban.search.tasks import index_document_task

__all__ = ["Filters", "SearchPage", "index_document", "index_stale", "reindex_all", "schedule_index", "search"]


def schedule_index(document_id: int) -> None:
    """Call inside the transaction that changed the document: the job is queued only if it
    commits (issue, arrival, acceptance, any edit)."""
    transaction.on_commit(lambda: index_document_task(document_id))


def rebuild(progress: Progress | None = None) -> int:
    return reindex_all(progress)
