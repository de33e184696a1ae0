"""The search index: one row per document, keyed by the document's id.

`exact` and `folded` hold the document's words (metadata and attachment text) as
`vanban.search.text` tokenises them. The engines index these columns: an FTS5 table kept
in step by triggers on SQLite, generated `tsvector` columns with GIN indexes on
PostgreSQL (migration 0001). Filters and access rules are read from the document row at
query time, so a state change is never hidden behind a stale index row.
"""

from __future__ import annotations

from django.db import models

from vanban.documents.models import Document


class SearchEntry(models.Model):
    document = models.OneToOneField(Document, primary_key=True, on_delete=models.CASCADE,
                                    related_name="search_entry")
    exact = models.TextField(help_text="words with marks, lower-case")
    folded = models.TextField(help_text="words without marks (đ → d)")
    codes = models.CharField(max_length=500, blank=True,
                             help_text="notation, identifier code, DocumentId — lower-case, for substring match")
    body = models.TextField(blank=True, help_text="attachment text as extracted (NFC), for snippets")
    files = models.JSONField(default=list, help_text="[{sha256, name, chars, error}] of the indexed files")
    source_updated_at = models.DateTimeField(help_text="document.updated_at when indexed")
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "mục chỉ mục tìm kiếm"
        verbose_name_plural = "chỉ mục tìm kiếm"

    def __str__(self) -> str:
        return f"search entry {self.document_id}"
