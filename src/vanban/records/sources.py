"""Reads of other apps' data that dossiers need (documents' files, original edXML packages).

Read-only; kept here so the documents and exchange apps need no change for records.
"""

from __future__ import annotations

from dataclasses import dataclass

from vanban.blobs import get_store
from vanban.documents.models import Document, DocumentFile
from vanban.exchange.models import OutboxEntry
from vanban.incoming.models import IncomingDocument


@dataclass(frozen=True)
class SourceFile:
    role: str
    name: str
    content_type: str
    size: int
    sha256: str
    is_edxml: bool = False


def document_files(document: Document) -> list[SourceFile]:
    """The current version of each file, main first, then the original edXML packages."""
    out = [SourceFile(f.role, f.name, f.content_type, f.size, f.sha256)
           for f in DocumentFile.objects.filter(document=document, is_current=True).order_by("role", "id")]
    out.sort(key=lambda f: (f.role != DocumentFile.Role.MAIN, f.role))
    return out + edxml_packages(document)


# Documents that cannot be filed: drafts, and incoming ones not (or never to be) accepted.
NOT_FILEABLE = frozenset({"draft", "submitted", "returned", "approved", "arrived", "rejected"})


def edxml_packages(document: Document) -> list[SourceFile]:
    """Packages as sent or received (one per distinct bytes), when the exchange kept them."""
    part = IncomingDocument.objects.filter(pk=document.pk).first()
    received = part.package_sha256 if part is not None else ""  # incoming: the package as it arrived
    shas = [received] if received else []
    shas += list(OutboxEntry.objects.filter(document_id=document.pk).exclude(package_sha256="")
                 .order_by("id").values_list("package_sha256", flat=True))
    seen: list[str] = []
    for sha in shas:
        if sha not in seen:
            seen.append(sha)
    store = get_store()
    base = (document.identifier_code or f"van-ban-{document.pk}").replace("/", "_")
    return [SourceFile("edxml", f"{base}-{sha[:12]}.edxml", "application/xml", len(store.get(sha)), sha, True)
            for sha in seen if store.exists(sha)]
