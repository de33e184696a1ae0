"""A document's files, outgoing or incoming: an upload checked against the allowed formats and
limits, its bytes put in the blob store before the row that names them. Rows are never changed,
only superseded (`is_current`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from vanban.blobs import get_store
from vanban.core.formats import CheckedFile, FormatError, FormatLimits, check_file
from vanban.core.text import nfc
from vanban.documents.errors import DocumentError, confidential_refused
from vanban.documents.models import Document, DocumentFile


@dataclass
class FileInput:
    name: str
    data: bytes
    role: str = DocumentFile.Role.MAIN
    converted: bytes | None = None  # the PDF of a Word/ODT/RTF main file, made before the transaction


def format_limits() -> FormatLimits:
    return FormatLimits(max_bytes=getattr(settings, "VANBAN_MAX_UPLOAD_MB", 100) * 1024 * 1024)


def refuse_confidential(mark: str) -> None:
    """Secret documents never enter this system (QĐ 16/2019 covers non-secret ones only)."""
    clean = nfc(mark or "").strip()
    if clean:
        raise confidential_refused(clean)


def check_upload(upload: FileInput) -> CheckedFile:
    """The upload's format and size, or the checker's own Vietnamese message (422)."""
    try:
        checked = check_file(upload.name, upload.data, format_limits())
    except FormatError as exc:
        raise DocumentError(exc.code, exc.message, 422) from exc
    if upload.role not in DocumentFile.Role.values:
        raise DocumentError("FILE_BAD_ROLE", f"Vai trò tệp không hợp lệ: {upload.role}.")
    return checked


def store_checked(document: Document, actor: Any, upload: FileInput, checked: CheckedFile, *,
                  stage: str = "") -> DocumentFile:
    """Blob first, then the row; a new main file supersedes the current one."""
    get_store().put(upload.data)
    if upload.role == DocumentFile.Role.MAIN:
        document.files.filter(role=DocumentFile.Role.MAIN, is_current=True).update(is_current=False)
    return DocumentFile.objects.create(
        document=document, role=upload.role, name=checked.name, content_type=checked.content_type,
        size=checked.size, sha256=checked.sha256, version=document.version, stage=stage,
        uploaded_by=actor if getattr(actor, "pk", None) else None)


def store_working_file(document: Document, actor: Any, upload: FileInput) -> DocumentFile:
    """A working file attached while processing (checked like every upload)."""
    upload.role = DocumentFile.Role.WORKING
    return store_checked(document, actor, upload, check_upload(upload))
