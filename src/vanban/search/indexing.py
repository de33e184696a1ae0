"""Turn a document into its index row: metadata words plus attachment text.

Attachment text is re-extracted only when the set of current files changed (their
sha256), so reindexing after a state change costs a metadata read, not a PDF parse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q

from vanban.blobs import BlobCorruptError, BlobMissingError, get_store
from vanban.core.clock import display_date
from vanban.core.text import fold, nfc
from vanban.documents.models import Document
from vanban.outgoing.models import part_of
from vanban.search.extraction import extract
from vanban.search.models import SearchEntry
from vanban.search.text import tokens_text

MAX_INDEX_CHARS = 400_000  # keeps a PostgreSQL tsvector far below its 1 MB limit
BODY_CHARS = 100_000

Progress = Callable[[int, int], None]


def metadata_text(doc: Document) -> str:
    """Every field a clerk may search by, dates also as dd/mm/yyyy."""
    parts: list[Any] = [
        doc.notation, doc.identifier_code, doc.number, doc.document_type.name, doc.subject, doc.content,
        doc.issuer_name, doc.issuer_code, doc.agency.name, doc.agency.code, doc.signer_name,
        doc.signer_position, doc.place, doc.get_state_display(), doc.get_direction_display(),
        doc.external_id, part_of(doc).drafting_unit,
    ]
    for moment in (doc.issued_on, doc.arrived_at, doc.due_on):
        if moment:
            parts.append(display_date(moment))
    parts.extend(r.name for r in doc.recipients.all())
    return nfc(" ".join(str(p) for p in parts if p))


def codes_text(doc: Document) -> str:
    return " ".join(c for c in (doc.notation, doc.identifier_code or "", doc.external_id) if c).casefold()[:500]


def _files_text(doc: Document, previous: SearchEntry | None) -> tuple[str, list[dict[str, Any]]]:
    current = list(doc.current_files())
    shas = [f.sha256 for f in current]
    if previous is not None and [f.get("sha256") for f in previous.files] == shas:
        return previous.body, previous.files
    store = get_store()
    texts, meta = [], []
    for f in current:
        try:
            result = extract(store.get(f.sha256), f.name)
        except (BlobMissingError, BlobCorruptError, OSError):
            texts.append("")
            meta.append({"sha256": f.sha256, "name": f.name, "chars": 0, "error": "blob"})
            continue
        texts.append(result.text)
        meta.append({"sha256": f.sha256, "name": f.name, "chars": len(result.text), "error": result.error})
    return "\n".join(t for t in texts if t), meta


def build_entry(doc: Document, previous: SearchEntry | None = None) -> SearchEntry:
    body, files = _files_text(doc, previous)
    exact = tokens_text(f"{metadata_text(doc)}\n{body}"[:MAX_INDEX_CHARS])
    return SearchEntry(document_id=doc.pk, exact=exact, folded=fold(exact), codes=codes_text(doc),
                       body=body[:BODY_CHARS], files=files, source_updated_at=doc.updated_at)


def forget_contents(document_ids: list[int]) -> int:
    """A destruction decision removed these documents' files: the index keeps only their
    metadata (the entry's file list stays, marked, so a later reindex does not look again)."""
    count = 0
    for doc in _documents().filter(pk__in=document_ids):
        exact = tokens_text(metadata_text(doc)[:MAX_INDEX_CHARS])
        files = [{"sha256": f.sha256, "name": f.name, "chars": 0, "error": "destroyed"} for f in doc.current_files()]
        SearchEntry.objects.update_or_create(document_id=doc.pk, defaults={
            "exact": exact, "folded": fold(exact), "codes": codes_text(doc), "body": "", "files": files,
            "source_updated_at": doc.updated_at})
        count += 1
    return count


def _documents() -> Any:
    return Document.objects.select_related("agency", "document_type", "outgoing").prefetch_related("recipients")


def index_document(document_id: int) -> bool:
    """Index one document now; a document that no longer exists leaves the index. True if indexed."""
    doc = _documents().filter(pk=document_id).first()
    if doc is None:
        SearchEntry.objects.filter(document_id=document_id).delete()
        return False
    previous = SearchEntry.objects.filter(document_id=document_id).first()
    # store_entry's own transaction: an outer one only added a savepoint's two round trips
    store_entry(build_entry(doc, previous), exists=previous is not None)
    return True


def store_entry(entry: SearchEntry, *, exists: bool) -> None:
    """Insert or update, whichever the row needs now: the signal path and the sweep may index
    the same document at the same moment, and both read "no entry yet" before either writes."""
    if exists:
        try:
            with transaction.atomic():
                entry.save(force_update=True)
            return
        except DatabaseError:  # removed meanwhile (the document was reindexed from scratch)
            pass
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:  # the other indexer inserted it first; ours is as fresh: overwrite
        entry.save(force_update=True)


def index_many(ids: Iterable[int], progress: Progress | None = None, total: int = 0,
               batch: int = 200) -> int:
    """Index documents in batches (one transaction each); returns how many were indexed."""
    ids = list(ids)
    total = total or len(ids)
    done = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        docs = {d.pk: d for d in _documents().filter(pk__in=chunk)}
        previous = SearchEntry.objects.in_bulk(chunk)
        with transaction.atomic():
            gone = [pk for pk in chunk if pk not in docs]
            if gone:
                SearchEntry.objects.filter(document_id__in=gone).delete()
            for pk, doc in docs.items():
                store_entry(build_entry(doc, previous.get(pk)), exists=pk in previous)
        done += len(docs)
        if progress:
            progress(min(start + len(chunk), total), total)
    return done


def reindex_all(progress: Progress | None = None) -> int:
    """Every document, in id order; entries of deleted documents are dropped."""
    SearchEntry.objects.exclude(document_id__in=Document.objects.values("pk")).delete()
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    return index_many(ids, progress, total=len(ids))


def stale_ids(limit: int = 1000) -> list[int]:
    """Documents without an entry, or changed since they were indexed (the sweep's work)."""
    return list(Document.objects.filter(Q(search_entry__isnull=True)
                                        | Q(updated_at__gt=F("search_entry__source_updated_at")))
                .order_by("pk").values_list("pk", flat=True)[:limit])


def index_stale(limit: int = 1000) -> int:
    return index_many(stale_ids(limit))
