"""Keep the index in step: a document or one of its files saved → re-index it after commit.

The documents app does not know search exists; search listens. Bulk `.update()` calls
bypass signals — the periodic sweep (`index_stale_task`) catches those.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from vanban.documents.models import Document, DocumentFile
from vanban.search.services import schedule_index


@receiver(post_save, sender=Document, dispatch_uid="search-index-document")
def _document_saved(sender: Any, instance: Document, **kwargs: Any) -> None:
    schedule_index(instance.pk)


@receiver(post_save, sender=DocumentFile, dispatch_uid="search-index-file")
def _file_saved(sender: Any, instance: DocumentFile, **kwargs: Any) -> None:
    schedule_index(instance.document_id)
