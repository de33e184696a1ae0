"""What other apps call: schedule indexing after a change commits, rebuild everything."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vanban.jobs.drains import after_drain
from vanban.search.indexing import Progress, index_document, index_stale, reindex_all
from vanban.search.queries import Filters, SearchPage, search
from vanban.search.tasks import index_after_drain_task, index_document_task

__all__ = ["Filters", "SearchPage", "index_document", "index_stale", "reindex_all", "schedule_index", "search"]


def schedule_index(document_id: int) -> None:
    """Call inside the transaction that changed the document: the job is queued only if it
    commits (issue, arrival, acceptance, any edit), and once per document however often the
    transaction saved it or its files."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: on_commit runs it now
        transaction.on_commit(lambda: _queue_index(document_id))
        return
    _open_batch(connection).ids[document_id] = None


def _queue_index(document_id: int) -> None:
    """Queue the job, unless this process is draining an exchange backlog (the arrivals are
    written by the worker's polling loop): then one follow-up at the drain's end indexes them
    all, and the queue is spared a job per arrival (index_document_task checks the same)."""
    if not after_drain("search.index_stale", index_after_drain_task):
        index_document_task(document_id)


class _IndexBatch:
    """The documents one transaction changed, indexed after it commits.

    An arrival saves its document and each of its files, and each save queued a job of its own:
    every job after the first re-read the document and tokenised its whole text again.
    """

    def __init__(self) -> None:
        self.hooks: list[Any] = []  # the connection's on-commit list this batch was last seen in
        self.ids: dict[int, None] = {}  # insertion-ordered set
        self.done = False

    def __call__(self) -> None:
        self.done = True
        for document_id in self.ids:
            _queue_index(document_id)


def _open_batch(connection: Any) -> _IndexBatch:
    """This transaction's batch, registered with `on_commit` the first time.

    Django (5.2, `BaseDatabaseWrapper`) replaces its list of on-commit callbacks whenever it drops
    some (commit, rollback, a rolled-back savepoint) and only appends to it otherwise — a Django
    internal, which `tests/search/test_index_once.py` would catch changing: while the list is the one the batch
    was seen in, the batch is still waiting in it; after a change it is looked for once. A
    savepoint rolled back after the batch was registered leaves its documents in it: one
    needless job each (indexing a document that is gone removes its entry)."""
    batch: _IndexBatch | None = getattr(connection, "_vanban_index_batch", None)
    if batch is not None and not batch.done:
        hooks = connection.run_on_commit
        if hooks is batch.hooks:
            return batch
        if any(func is batch for _, func, _ in hooks):
            batch.hooks = hooks
            return batch
    batch = _IndexBatch()
    transaction.on_commit(batch, using=connection.alias)
    batch.hooks = connection.run_on_commit
    connection._vanban_index_batch = batch
    return batch


def rebuild(progress: Progress | None = None) -> int:
    return reindex_all(progress)
