"""Documents written straight to the database, in any state, for search and report tests."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from vanban.agencies.models import Agency
from vanban.blobs import get_store
from vanban.documents.models import Document, DocumentFile, DocumentType
from vanban.incoming.models import IncomingDocument
from vanban.outgoing.models import OutgoingDocument

# An incoming document's own columns (`incoming.IncomingDocument`), written beside it.
INCOMING_PART = ("arrival_book", "arrival_number", "package_sha256", "verification", "rejection_reason")
# An outgoing document's own columns (`outgoing.OutgoingDocument`).
OUTGOING_PART = ("drafting_unit", "is_internal", "copies", "delegation", "verification_code", "issued_by")

_seq = itertools.count(1)


def make_document(agency: Agency, *, type_code: str = "cong-van", subject: str = "Về việc thử nghiệm",
                  direction: str = "outgoing", state: str = "issued", **fields: Any) -> Document:
    n = next(_seq)
    defaults: dict[str, Any] = {}
    if state in ("issued", "revoked") and direction == "outgoing":
        defaults = {"number": n, "notation": f"{n:02d}/UBND-VP", "identifier_code": f"{agency.code}-2026.{n}",
                    "issued_on": date(2026, 3, 1)}
    part = {k: fields.pop(k) for k in (INCOMING_PART if direction == "incoming" else OUTGOING_PART) if k in fields}
    doc = Document.objects.create(agency=agency, direction=direction, state=state, subject=subject,
                                  document_type=DocumentType.objects.get(code=type_code), **{**defaults, **fields})
    if direction == "incoming":
        IncomingDocument.objects.create(document=doc, **part)
    else:
        OutgoingDocument.objects.create(document=doc, **part)
    return doc


def set_times(doc: Document, **fields: datetime | date | None) -> Document:
    """Write timestamps auto_now would otherwise overwrite (updated_at, created_at)."""
    Document.objects.filter(pk=doc.pk).update(**fields)
    doc.refresh_from_db()
    return doc


def attach(doc: Document, name: str, data: bytes, role: str = "main") -> DocumentFile:
    sha = get_store().put(data)
    return DocumentFile.objects.create(document=doc, role=role, name=name, content_type="application/octet-stream",
                                       size=len(data), sha256=sha)
