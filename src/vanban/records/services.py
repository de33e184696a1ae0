"""Writes of dossiers and the archive: catalog import, open, file, order, close, amend,
transfer (nộp lưu), accept or return, archive reads.

Each write is one transaction that also writes its audit event; blobs are written before
the rows that name them. After closing, a dossier changes only through an archivist, with
a reason, and the event says so (`amended_after_close`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from vanban.accounts.models import User
from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.formats import FormatError, FormatLimits, check_file
from vanban.core.text import nfc
from vanban.documents import permissions as doc_permissions
from vanban.documents.models import Document
from vanban.records import events, evidence, permissions
from vanban.records.aip import enqueue_aip as enqueue
from vanban.records.codes import MODES, PHYSICAL, RELIABILITY, RISK_RECOVERY_STATUS
from vanban.records.errors import RecordsError, RecordsForbiddenError, RecordsNotFoundError
from vanban.records.importer import FieldError, ParsedCatalog, RowError, check_entry
from vanban.records.metadata import ITEM_BY_TAG, check_complete, defaults, derive_document
from vanban.records.models import (
    ARCHIVE_STATES,
    ArchiveTransfer,
    CatalogEntry,
    Dossier,
    DossierCatalog,
    DossierItem,
    ItemFile,
    TransferItem,
)
from vanban.records.pdfinfo import inspect_pdf
from vanban.records.queries import entry_in_use
from vanban.records.sources import NOT_FILEABLE, SourceFile, document_files

MAX_WORKING_FILE = 100 * 1024 * 1024


# --- catalog -------------------------------------------------------------------------------

@dataclass
class CatalogResult:
    catalog: DossierCatalog
    created: int
    updated: int
    removed: int
    kept: list[str] = field(default_factory=list)  # entries no longer in the file but in use


class CatalogRejectedError(RecordsError):
    """Some rows are bad: nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("RECORDS_CATALOG_ROWS_INVALID",
                         f"Không nhập gì: {len(errors)} dòng lỗi. " + "; ".join(str(e) for e in errors[:20]))
        self.errors = errors


@transaction.atomic
def import_catalog(*, actor: Any, agency: Agency, year: int, parsed: ParsedCatalog,
                   source: str = "") -> CatalogResult:
    """Create or update the agency's catalog for the year from checked rows, all or nothing."""
    if actor is not None and not isinstance(actor, str) and not permissions.is_archivist(actor, agency.pk):
        raise RecordsForbiddenError("Chỉ lưu trữ viên của cơ quan được nhập danh mục hồ sơ.")
    if not 1900 <= year <= 2999:
        raise RecordsError("RECORDS_BAD_YEAR", f"Năm {year} không hợp lệ.")
    errors = list(parsed.errors)
    members = _members(agency, {r.username for r in parsed.rows if r.username})
    for row in parsed.rows:
        if row.username and row.username not in members:
            errors.append(RowError(row.line, _not_member(agency, row.username)))
    if errors:
        raise CatalogRejectedError(sorted(errors, key=lambda e: e.line))
    catalog, _ = DossierCatalog.objects.get_or_create(agency=agency, year=year)
    catalog.source = source[:255]
    catalog.imported_by = actor if getattr(actor, "pk", None) else None
    catalog.save()
    existing = {e.notation.casefold(): e for e in catalog.entries.all()}
    created = updated = 0
    for order, row in enumerate(parsed.rows):
        values = {"order": order, "heading": row.heading, "subheading": row.subheading, "title": row.title,
                  "retention_years": row.retention_years, "responsible": row.responsible,
                  "responsible_user": members.get(row.username), "notation": row.notation}
        entry = existing.pop(row.notation.casefold(), None)
        if entry is None:
            CatalogEntry.objects.create(catalog=catalog, **values)
            created += 1
        else:
            for key, value in values.items():
                setattr(entry, key, value)
            entry.save()
            updated += 1
    kept = [e.notation for e in existing.values() if e.dossiers.exists()]
    removed = CatalogEntry.objects.filter(pk__in=[e.pk for e in existing.values()
                                                  if e.notation not in kept]).delete()[0]
    record_event(events.CATALOG_IMPORTED, actor=actor, agency_code=agency.code, obj=catalog,
                 details={"year": year, "created": created, "updated": updated, "removed": removed,
                          "kept": kept, "source": source})
    return CatalogResult(catalog, created, updated, removed, kept)


def _members(agency: Agency, usernames: set[str]) -> dict[str, User]:
    """Of these logins, the agency's members: who may be named as a dossier's maker."""
    return {u.username: u for u in User.objects.filter(username__in=usernames, memberships__agency=agency).distinct()}


def _not_member(agency: Agency, username: str) -> str:
    return f"người dùng '{username}' không thuộc cơ quan {agency.code}"


class CatalogEntryInvalidError(RecordsError):
    """One entry refused, each fault with the form field it belongs to: nothing was written."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("RECORDS_CATALOG_ENTRY_INVALID",
                         "Chưa lưu mục danh mục: " + "; ".join(e.reason for e in errors) + ".")
        self.errors = errors


ENTRY_FIELDS = ("heading", "subheading", "notation", "title", "retention", "responsible", "username")


def _entry_values(entry: CatalogEntry) -> dict[str, Any]:
    return {"heading": entry.heading, "subheading": entry.subheading, "notation": entry.notation,
            "title": entry.title, "retention_years": entry.retention_years, "responsible": entry.responsible,
            "username": entry.responsible_user.username if entry.responsible_user else ""}


def _locked_entry(entry: CatalogEntry) -> CatalogEntry:
    """Its row only: PostgreSQL locks no outer-joined side (the maker may be empty)."""
    return (CatalogEntry.objects.select_for_update(of=("self",)).select_related("catalog__agency", "responsible_user")
            .get(pk=entry.pk))


def refuse_if_used(entry: CatalogEntry, doing: str) -> None:
    """An entry a dossier was opened from stays as it is: the dossier carries its notation."""
    if entry_in_use(entry):
        raise RecordsError("RECORDS_CATALOG_ENTRY_IN_USE", f"Không thể {doing} mục {entry.notation}: đã có hồ sơ "
                           "lập theo mục này.", 409)


@transaction.atomic
def save_catalog_entry(*, actor: Any, agency: Agency, year: int, values: dict[str, str],
                       entry: CatalogEntry | None = None) -> CatalogEntry:
    """Add one entry to the agency's catalog of the year (creating the catalog if need be), or
    change one no dossier was opened from: the import's rules (`importer.check_entry`), its
    role, and an audit event each time."""
    if not permissions.is_archivist(actor, agency.pk):
        raise RecordsForbiddenError("Chỉ lưu trữ viên của cơ quan được sửa danh mục hồ sơ.")
    if entry is not None:
        entry = _locked_entry(entry)
        if entry.catalog.agency_id != agency.pk:
            raise RecordsNotFoundError
        year = entry.catalog.year
        refuse_if_used(entry, "sửa")
    if not 1900 <= year <= 2999:
        raise RecordsError("RECORDS_BAD_YEAR", f"Năm {year} không hợp lệ.")
    row = check_entry(values)
    if isinstance(row, list):
        raise CatalogEntryInvalidError(row)
    maker = _members(agency, {row.username}).get(row.username) if row.username else None
    if row.username and maker is None:
        raise CatalogEntryInvalidError([FieldError("username", _not_member(agency, row.username))])
    catalog, _ = DossierCatalog.objects.select_for_update().get_or_create(
        agency=agency, year=year, defaults={"imported_by": actor})
    others = catalog.entries.filter(notation__iexact=row.notation)
    same = (others.exclude(pk=entry.pk) if entry is not None else others).first()
    if same is not None:
        raise CatalogEntryInvalidError([FieldError("notation", f"số và ký hiệu hồ sơ {row.notation} đã có trong "
                                                               f"danh mục năm {year} ({same.title})")])
    before = _entry_values(entry) if entry is not None else None
    if entry is None:
        entry = CatalogEntry(catalog=catalog, order=_order_under(catalog, row.heading, row.subheading))
    for key, value in (("heading", row.heading), ("subheading", row.subheading), ("notation", row.notation),
                       ("title", row.title), ("retention_years", row.retention_years),
                       ("responsible", row.responsible), ("responsible_user", maker)):
        setattr(entry, key, value)
    entry.save()
    record_event(events.CATALOG_ENTRY_ADDED if before is None else events.CATALOG_ENTRY_CHANGED,
                 actor=actor, agency_code=agency.code, obj=catalog,
                 details={"year": year, "entry": entry.pk, "before": before, "after": _entry_values(entry)})
    return entry


def _order_under(catalog: DossierCatalog, heading: str, subheading: str) -> int:
    """A new entry goes after the last of its section (heading, then subheading), as on the
    printed catalog; the entries after it move down one. A new section goes at the end."""
    entries = catalog.entries.all()
    last = (entries.filter(heading=heading, subheading=subheading).order_by("-order", "-id").first()
            or entries.filter(heading=heading).order_by("-order", "-id").first())
    if last is None:
        return (entries.aggregate(m=Max("order"))["m"] or 0) + 1
    entries.filter(order__gt=last.order).update(order=F("order") + 1)
    return last.order + 1


@transaction.atomic
def remove_catalog_entry(*, actor: Any, entry: CatalogEntry) -> None:
    """Take out an entry no dossier was opened from (audited with what it said)."""
    entry = _locked_entry(entry)
    agency = entry.catalog.agency
    if not permissions.is_archivist(actor, agency.pk):
        raise RecordsForbiddenError("Chỉ lưu trữ viên của cơ quan được sửa danh mục hồ sơ.")
    refuse_if_used(entry, "bỏ")
    before = _entry_values(entry)
    pk = entry.pk
    entry.delete()
    record_event(events.CATALOG_ENTRY_REMOVED, actor=actor, agency_code=agency.code, obj=entry.catalog,
                 details={"year": entry.catalog.year, "entry": pk, "before": before})


# --- dossiers ------------------------------------------------------------------------------

def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().select_related("agency").get(pk=dossier.pk)


def _event(action: str, actor: Any, dossier: Dossier, **details: Any) -> None:
    record_event(action, actor=actor, agency_code=dossier.agency.code, obj=dossier,
                 details={"file_code": dossier.file_code, **details})


@transaction.atomic
def open_dossier(*, actor: Any, entry: CatalogEntry, title: str = "") -> Dossier:
    """Open the dossier a catalog entry plans (one per entry and year)."""
    entry = CatalogEntry.objects.select_related("catalog__agency").get(pk=entry.pk)
    agency = entry.catalog.agency
    if not permissions.is_staff(actor, agency.pk):
        raise RecordsForbiddenError("Chỉ cán bộ của cơ quan được lập hồ sơ từ danh mục của cơ quan.")
    existing = Dossier.objects.filter(agency=agency, year=entry.catalog.year, notation=entry.notation).first()
    if existing is not None:
        raise RecordsError("RECORDS_DOSSIER_EXISTS",
                           f"Hồ sơ {existing.file_code} đã được lập (người lập: {existing.creator_name}).", 409)
    dossier = Dossier(agency=agency, catalog_entry=entry, year=entry.catalog.year, notation=entry.notation,
                      title=nfc(title).strip()[:500] or entry.title, retention_years=entry.retention_years,
                      creator=actor, creator_name=actor.display_name(), fonds_name=agency.name)
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError:
        raise RecordsError("RECORDS_DOSSIER_EXISTS", "Hồ sơ này vừa được người khác lập.", 409) from None
    _event(events.DOSSIER_OPENED, actor, dossier, catalog_entry=entry.pk, title=dossier.title)
    return dossier


def _guard_change(actor: Any, dossier: Dossier, reason: str) -> dict[str, Any]:
    """Open: creator or archivist. Closed: archivist with a reason. Later: nobody."""
    if dossier.state not in (Dossier.State.OPEN, Dossier.State.CLOSED):
        if not permissions.is_staff(actor, dossier.agency_id):
            raise RecordsForbiddenError()
        raise RecordsError("RECORDS_DOSSIER_FROZEN",
                           f"Hồ sơ đang ở trạng thái “{dossier.get_state_display()}”, không được thay đổi.", 409)
    if permissions.can_edit_open(actor, dossier):
        return {}
    if dossier.state == Dossier.State.CLOSED:
        if not permissions.can_amend_closed(actor, dossier):
            raise RecordsForbiddenError("Hồ sơ đã đóng; chỉ lưu trữ viên được thay đổi hồ sơ đã đóng.")
        reason = nfc(reason or "").strip()
        if not reason:
            raise RecordsError("RECORDS_REASON_REQUIRED", "Phải ghi lý do khi thay đổi hồ sơ đã đóng.")
        return {"amended_after_close": True, "reason": reason[:1000]}
    raise RecordsForbiddenError("Chỉ người lập hồ sơ hoặc lưu trữ viên được thay đổi hồ sơ.")


def _inspect(files: list[ItemFile]) -> None:
    store = get_store()
    for f in files:
        if f.is_pdf:
            info = inspect_pdf(store.get(f.sha256))
            f.pdfa = (info.pdfa or "none") if info else "none"
            f.page_count = info.page_count if info else None
            f.save(update_fields=["pdfa", "page_count"])


def _snapshot_files(item: DossierItem, sources: list[SourceFile]) -> list[ItemFile]:
    item.files.all().delete()
    rows = [ItemFile.objects.create(item=item, order=i, role=s.role, name=s.name, content_type=s.content_type,
                                    size=s.size, sha256=s.sha256, is_edxml=s.is_edxml)
            for i, s in enumerate(sources)]
    _inspect(rows)
    return rows


def _derive(item: DossierItem, dossier: Dossier) -> None:
    """Refresh what the system knows about the item's document; people's entries are kept."""
    if item.kind == DossierItem.Kind.DOCUMENT and item.document_id:
        document = Document.objects.select_related("agency", "document_type").get(pk=item.document_id)
        files = _snapshot_files(item, document_files(document))
        main = next((f for f in files if not f.is_edxml), None)
        derived = derive_document(document, page_count=main.page_count if main else None,
                                  file_format=main.content_type if main else "")
        user_pages = item.metadata.get("pageAmount") if item.metadata.get("pageAmountSetBy") == "user" else None
        item.metadata = {**defaults(), **item.metadata, **derived}
        if user_pages:
            item.metadata["pageAmount"] = user_pages
    item.metadata["docOrdinal"] = item.ordinal
    item.metadata["arcDocCode"] = f"{dossier.file_code}.{item.ordinal:07d}"


def _renumber(dossier: Dossier) -> None:
    for ordinal, item in enumerate(dossier.items.order_by("ordinal", "id"), start=1):
        if item.ordinal != ordinal or item.metadata.get("docOrdinal") != ordinal:
            item.ordinal = ordinal
            item.metadata["docOrdinal"] = ordinal
            item.metadata["arcDocCode"] = f"{dossier.file_code}.{ordinal:07d}"
            item.save(update_fields=["ordinal", "metadata"])


def _next_ordinal(dossier: Dossier) -> int:
    return (dossier.items.aggregate(m=Max("ordinal"))["m"] or 0) + 1


@transaction.atomic
def file_document(*, actor: Any, dossier: Dossier, document: Document, reason: str = "") -> DossierItem:
    """File a document into its home dossier (one home per document)."""
    dossier = _locked(dossier)
    amend = _guard_change(actor, dossier, reason)
    if document.agency_id != dossier.agency_id or not doc_permissions.can_view(actor, document):
        raise RecordsError("RECORDS_DOCUMENT_NOT_FOUND", "Không tìm thấy văn bản trong cơ quan.", 404)
    if document.state in NOT_FILEABLE:
        raise RecordsError("RECORDS_DOCUMENT_NOT_FINAL",
                           "Chỉ lập hồ sơ văn bản đã phát hành hoặc đã tiếp nhận, không lập hồ sơ dự thảo.")
    home = DossierItem.objects.filter(document=document).select_related("dossier__agency").first()
    if home is not None:
        raise RecordsError("RECORDS_DOCUMENT_ALREADY_FILED",
                           f"Văn bản {document} đã thuộc hồ sơ {home.dossier.file_code}.", 409)
    item = DossierItem(dossier=dossier, kind=DossierItem.Kind.DOCUMENT, document=document,
                       ordinal=_next_ordinal(dossier), filed_by=actor, metadata={})
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise RecordsError("RECORDS_DOCUMENT_ALREADY_FILED", f"Văn bản {document} vừa được lập hồ sơ.", 409) from None
    _derive(item, dossier)
    item.save(update_fields=["metadata"])
    _event(events.DOCUMENT_FILED, actor, dossier, document_id=document.pk, ordinal=item.ordinal,
           notation=document.notation, **amend)
    return item


@dataclass
class WorkingFile:
    name: str
    data: bytes
    subject: str
    type_name: str = "Tài liệu làm việc"
    issued_date: date | None = None
    organ_name: str = ""


@transaction.atomic
def add_working_file(*, actor: Any, dossier: Dossier, upload: WorkingFile, reason: str = "") -> DossierItem:
    """A file produced while handling the work that is not a registered document."""
    dossier = _locked(dossier)
    amend = _guard_change(actor, dossier, reason)
    subject = nfc(upload.subject or "").strip()
    if not subject:
        raise RecordsError("RECORDS_SUBJECT_REQUIRED", "Phải ghi trích yếu nội dung của tài liệu.")
    try:
        checked = check_file(upload.name, upload.data, FormatLimits(max_bytes=MAX_WORKING_FILE))
    except FormatError as exc:
        raise RecordsError(exc.code, exc.message, 422) from exc
    get_store().put(upload.data)
    item = DossierItem.objects.create(
        dossier=dossier, kind=DossierItem.Kind.FILE, ordinal=_next_ordinal(dossier), filed_by=actor,
        metadata={**defaults(), "docId": "", "typeName": nfc(upload.type_name).strip()[:100], "codeNumber": "",
                  "codeNotation": "", "subject": subject[:500],
                  "issuedDate": (upload.issued_date or timezone.localdate()).isoformat(),
                  "organName": nfc(upload.organ_name).strip()[:200] or dossier.agency.name,
                  "signerPosition": "", "signerName": "", "fileFormat": checked.content_type})
    files = _snapshot_files(item, [SourceFile("working", checked.name, checked.content_type, checked.size,
                                              checked.sha256)])
    item.metadata["pageAmount"] = files[0].page_count
    _derive(item, dossier)
    item.save(update_fields=["metadata"])
    _event(events.FILE_ADDED, actor, dossier, ordinal=item.ordinal, name=checked.name,
           sha256=checked.sha256, **amend)
    return item


@dataclass
class DigitisedScan:
    """A paper record scanned and OCRed: the scan as it came, its PDF/A, what its header says."""

    name: str
    scan: bytes
    pdfa: bytes
    header: dict[str, str]  # typeName, codeNumber, codeNotation, issuedDate, organName, subject, signer…
    pages: int


def add_digitised_item(*, actor: Any, dossier: Dossier, scan: DigitisedScan, reason: str = "") -> DossierItem:
    """One digitised paper record in the dossier (the caller holds the transaction): the scan kept
    byte for byte as the main file, the searchable PDF/A beside it; reliability "Số hóa" (02).
    Header fields the OCR could not read stay empty for the archivist to fill in."""
    dossier = _locked(dossier)
    amend = _guard_change(actor, dossier, reason)
    try:
        checked = check_file(scan.name, scan.scan, FormatLimits(max_bytes=MAX_WORKING_FILE))
    except FormatError as exc:
        raise RecordsError(exc.code, exc.message, 422) from exc
    store = get_store()
    store.put(scan.scan)
    pdfa_sha = store.put(scan.pdfa)
    head = {k: nfc(v or "").strip() for k, v in scan.header.items()}
    stem = checked.name.rpartition(".")[0] or checked.name
    item = DossierItem.objects.create(
        dossier=dossier, kind=DossierItem.Kind.FILE, ordinal=_next_ordinal(dossier), filed_by=actor,
        metadata={**defaults(), "docId": "", "typeName": head.get("typeName", "")[:100],
                  "codeNumber": head.get("codeNumber", "")[:11], "codeNotation": head.get("codeNotation", "")[:50],
                  "subject": head.get("subject", "")[:500] or f"(chưa đọc được trích yếu) {checked.name}",
                  "issuedDate": head.get("issuedDate", ""), "organName": head.get("organName", "")[:200],
                  "signerPosition": head.get("signerPosition", "")[:100],
                  "signerName": head.get("signerName", "")[:100], "fileFormat": checked.content_type,
                  "confidenceLevel": "02", "pageAmount": scan.pages})
    _snapshot_files(item, [SourceFile("main", checked.name, checked.content_type, checked.size, checked.sha256),
                           SourceFile("pdfa", f"{stem} (OCR, PDF-A).pdf"[:255], "application/pdf",
                                      len(scan.pdfa), pdfa_sha)])
    _derive(item, dossier)
    item.save(update_fields=["metadata"])
    _event(events.SCAN_DIGITISED, actor, dossier, ordinal=item.ordinal, name=checked.name,
           sha256=checked.sha256, pdfa_sha256=pdfa_sha, **amend)
    return item


@transaction.atomic
def remove_item(*, actor: Any, dossier: Dossier, item_id: int, reason: str = "") -> None:
    dossier = _locked(dossier)
    amend = _guard_change(actor, dossier, reason)
    item = dossier.items.filter(pk=item_id).first()
    if item is None:
        raise RecordsError("RECORDS_ITEM_NOT_FOUND", "Không có văn bản này trong hồ sơ.", 404)
    details = {"ordinal": item.ordinal, "document_id": item.document_id, "subject": item.metadata.get("subject")}
    item.delete()
    _renumber(dossier)
    _event(events.ITEM_REMOVED, actor, dossier, **details, **amend)


@transaction.atomic
def reorder_items(*, actor: Any, dossier: Dossier, item_ids: list[int], reason: str = "") -> None:
    """Set the order of the items; the list must name each item once."""
    dossier = _locked(dossier)
    amend = _guard_change(actor, dossier, reason)
    current = list(dossier.items.values_list("pk", flat=True))
    if sorted(item_ids) != sorted(current):
        raise RecordsError("RECORDS_BAD_ORDER", "Thứ tự mới phải liệt kê mỗi văn bản của hồ sơ đúng một lần.")
    for ordinal, pk in enumerate(item_ids, start=1):
        DossierItem.objects.filter(pk=pk).update(ordinal=ordinal)
    _renumber(dossier)
    _event(events.ITEMS_REORDERED, actor, dossier, order=item_ids, **amend)


DOSSIER_EDITABLE = ("title", "retention_years", "fonds_name", "mode", "language", "start_date", "end_date",
                    "keywords", "description", "info_sign", "sheet_count", "physical_condition", "reliability",
                    "paper_code", "risk_recovery", "risk_recovery_status")
_LIMITS = {"title": 500, "fonds_name": 300, "language": 50, "keywords": 300, "description": 500,
           "info_sign": 30, "paper_code": 100}
_CODES = {"mode": MODES, "reliability": RELIABILITY, "physical_condition": PHYSICAL,
          "risk_recovery_status": RISK_RECOVERY_STATUS}


def _clean_dossier_value(key: str, value: Any) -> Any:
    if key in _LIMITS:
        text = nfc(str(value or "")).strip()
        if key == "title" and not text:
            raise RecordsError("RECORDS_TITLE_REQUIRED", "Tiêu đề hồ sơ không được để trống.")
        if len(text) > _LIMITS[key]:
            raise RecordsError("RECORDS_VALUE_TOO_LONG", f"Trường {key} dài quá {_LIMITS[key]} ký tự.")
        return text
    if key in _CODES:
        text = str(value or "").strip()
        if text and text not in _CODES[key]:
            raise RecordsError("RECORDS_BAD_CODE", f"Giá trị '{text}' không có trong danh mục mã của trường {key}.")
        return text
    if key in ("retention_years", "sheet_count"):
        if value in (None, ""):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise RecordsError("RECORDS_BAD_NUMBER", f"Trường {key} phải là số nguyên dương.") from None
        if not 1 <= number <= (100 if key == "retention_years" else 1_000_000):
            raise RecordsError("RECORDS_BAD_NUMBER", f"Trường {key} ngoài khoảng cho phép.")
        return number
    if key in ("start_date", "end_date"):
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise RecordsError("RECORDS_BAD_DATE", f"Trường {key} phải là ngày hợp lệ.") from None
    if key == "risk_recovery":
        return bool(value)
    raise RecordsError("RECORDS_FIELD_NOT_EDITABLE", f"Không sửa được trường {key}.")


@transaction.atomic
def update_dossier(*, actor: Any, dossier: Dossier, values: dict[str, Any], reason: str = "") -> Dossier:
    dossier = _locked(dossier)
    amend = _guard_change(actor, dossier, reason)
    changed: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in DOSSIER_EDITABLE:
            raise RecordsError("RECORDS_FIELD_NOT_EDITABLE", f"Không sửa được trường {key}.")
        value = _clean_dossier_value(key, raw)
        if getattr(dossier, key) != value:
            changed[key] = value
            setattr(dossier, key, value)
    if dossier.start_date and dossier.end_date and dossier.end_date < dossier.start_date:
        raise RecordsError("RECORDS_BAD_DATE", "Thời gian kết thúc trước thời gian bắt đầu.")
    if changed:
        dossier.save()
        _event(events.DOSSIER_METADATA_CHANGED, actor, dossier, changed=changed, **amend)
    return dossier


def _clean_item_value(tag: str, value: Any) -> Any:
    spec = ITEM_BY_TAG[tag]
    if tag == "pageAmount":
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise RecordsError("RECORDS_BAD_NUMBER", "Số lượng trang phải là số nguyên dương.") from None
        if not 1 <= number <= 100_000:
            raise RecordsError("RECORDS_BAD_NUMBER", "Số lượng trang phải là số nguyên dương.")
        return number
    text = nfc(str(value or "")).strip()
    if tag == "issuedDate" and text:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise RecordsError("RECORDS_BAD_DATE", "Ngày văn bản không hợp lệ.") from None
    if spec.codes is not None and text and text not in spec.codes:
        raise RecordsError("RECORDS_BAD_CODE", f"Giá trị '{text}' không có trong danh mục mã của “{spec.label}”.")
    if len(text) > 500:
        raise RecordsError("RECORDS_VALUE_TOO_LONG", f"“{spec.label}” dài quá 500 ký tự.")
    return text


@transaction.atomic
def update_item(*, actor: Any, dossier: Dossier, item_id: int, values: dict[str, Any],
                reason: str = "") -> DossierItem:
    """Edit the metadata people supply; what the system derives is not editable."""
    dossier = _locked(dossier)
    amend = _guard_change(actor, dossier, reason)
    item = dossier.items.filter(pk=item_id).first()
    if item is None:
        raise RecordsError("RECORDS_ITEM_NOT_FOUND", "Không có văn bản này trong hồ sơ.", 404)
    changed = {}
    for tag, raw in values.items():
        spec = ITEM_BY_TAG.get(tag)
        if spec is None or item.kind not in spec.editable:
            raise RecordsError("RECORDS_FIELD_NOT_EDITABLE",
                               f"Trường “{spec.label if spec else tag}” do hệ thống xác định, không sửa được.")
        value = _clean_item_value(tag, raw)
        if item.metadata.get(tag) != value:
            changed[tag] = value
    if changed:
        item.metadata.update(changed)
        if "pageAmount" in changed:
            item.metadata["pageAmountSetBy"] = "user"
        item.save(update_fields=["metadata"])
        _event(events.ITEM_METADATA_CHANGED, actor, dossier, ordinal=item.ordinal, changed=changed, **amend)
    return item


@transaction.atomic
def close_dossier(*, actor: Any, dossier: Dossier) -> Dossier:
    """Freeze the contents: refresh what documents say one last time, check the PDFs."""
    dossier = _locked(dossier)
    if not permissions.can_close(actor, dossier):
        if dossier.state != Dossier.State.OPEN and permissions.can_view(actor, dossier):
            raise RecordsError("RECORDS_DOSSIER_NOT_OPEN", "Hồ sơ đã đóng.", 409)
        raise RecordsForbiddenError("Chỉ người lập hồ sơ hoặc lưu trữ viên được đóng hồ sơ.")
    items = list(dossier.items.all())
    if not items:
        raise RecordsError("RECORDS_DOSSIER_EMPTY", "Hồ sơ chưa có văn bản nào, chưa đóng được.")
    for item in items:
        _derive(item, dossier)
        item.save(update_fields=["metadata"])
    dossier.state = Dossier.State.CLOSED
    dossier.closed_at = timezone.now()
    dossier.save(update_fields=["state", "closed_at"])
    not_pdfa = ItemFile.objects.filter(item__dossier=dossier, pdfa="none").count()
    _event(events.DOSSIER_CLOSED, actor, dossier, items=len(items), not_pdfa=not_pdfa)
    return dossier


# --- transfer (nộp lưu) ---------------------------------------------------------------------

def _incomplete_message(dossier: Dossier, missing: list[Any]) -> str:
    listed = "; ".join(str(m) for m in missing[:10])
    more = f" (và {len(missing) - 10} trường khác)" if len(missing) > 10 else ""
    return f"Hồ sơ {dossier.file_code} chưa đủ dữ liệu đặc tả bắt buộc — {listed}{more}."


def require_complete(dossier: Dossier) -> None:
    missing = check_complete(dossier, list(dossier.items.all()))
    if missing:
        raise RecordsError("RECORDS_METADATA_INCOMPLETE", _incomplete_message(dossier, missing), 422)


@transaction.atomic
def submit_transfer(*, actor: Any, dossiers: Iterable[Dossier], note: str = "") -> ArchiveTransfer:
    """Hand closed dossiers to the archive; refused whole if any mandatory field is missing."""
    locked = [_locked(d) for d in dossiers]
    if not locked:
        raise RecordsError("RECORDS_TRANSFER_EMPTY", "Danh sách nộp lưu chưa có hồ sơ nào.")
    agency = locked[0].agency
    for dossier in locked:
        if dossier.agency_id != agency.pk or not permissions.can_view(actor, dossier):
            raise RecordsError("RECORDS_DOSSIER_NOT_FOUND", "Không tìm thấy hồ sơ.", 404)
        if not permissions.can_submit(actor, dossier):
            if dossier.state != Dossier.State.CLOSED:
                raise RecordsError("RECORDS_DOSSIER_NOT_CLOSED",
                                   f"Hồ sơ {dossier.file_code} chưa đóng hoặc đã nộp lưu.", 409)
            raise RecordsForbiddenError("Chỉ người lập hồ sơ hoặc lưu trữ viên được nộp lưu hồ sơ.")
        require_complete(dossier)
    transfer = ArchiveTransfer.objects.create(agency=agency, submitted_by=actor, note=nfc(note or "")[:1000])
    for order, dossier in enumerate(locked):
        TransferItem.objects.create(transfer=transfer, dossier=dossier, order=order)
        for item_file in ItemFile.objects.filter(item__dossier=dossier, content_type="application/pdf"):
            evidence.validate_file(item_file)
        dossier.state = Dossier.State.SUBMITTED
        dossier.save(update_fields=["state"])
        _event(events.DOSSIER_SUBMITTED, actor, dossier, transfer=transfer.pk)
    record_event(events.TRANSFER_SUBMITTED, actor=actor, agency_code=agency.code, obj=transfer,
                 details={"dossiers": [d.file_code for d in locked], "note": transfer.note})
    return transfer


def _decidable(actor: Any, transfer: ArchiveTransfer) -> ArchiveTransfer:
    transfer = ArchiveTransfer.objects.select_for_update().select_related("agency").get(pk=transfer.pk)
    if not permissions.is_archivist(actor, transfer.agency_id):
        raise RecordsForbiddenError("Chỉ lưu trữ viên của cơ quan được tiếp nhận hoặc trả lại hồ sơ nộp lưu.")
    if transfer.state != ArchiveTransfer.State.SUBMITTED:
        raise RecordsError("RECORDS_TRANSFER_DECIDED", "Lượt nộp lưu này đã được xử lý.", 409)
    return transfer


@dataclass(frozen=True)
class ItemDecision:
    dossier_id: int
    accept: bool
    reason: str = ""


@transaction.atomic
def decide_transfer(*, actor: Any, transfer: ArchiveTransfer, decisions: list[ItemDecision]) -> ArchiveTransfer:
    """The archive decides on each dossier of the list: accepted ones come under archive
    management, returned ones are closed again with their own reason, to be completed and
    resubmitted. Every dossier of the list must be decided; nothing is written otherwise."""
    transfer = _decidable(actor, transfer)
    items = {ti.dossier_id: ti for ti in transfer.items.select_related("dossier")}
    by_dossier = {d.dossier_id: d for d in decisions}
    if set(by_dossier) != set(items):
        missing = [items[i].dossier.file_code for i in items if i not in by_dossier]
        raise RecordsError("RECORDS_TRANSFER_UNDECIDED", "Chưa quyết định tiếp nhận hay trả lại hồ sơ: "
                           + ", ".join(missing) if missing else "Danh sách quyết định không khớp lượt nộp lưu.")
    for dossier_id, d in by_dossier.items():
        if not d.accept and not nfc(d.reason or "").strip():
            raise RecordsError("RECORDS_REASON_REQUIRED",
                               f"Phải ghi lý do trả lại hồ sơ {items[dossier_id].dossier.file_code}.")
    dossiers = {i: _locked(ti.dossier) for i, ti in items.items()}
    for dossier_id, d in by_dossier.items():
        if d.accept:
            require_complete(dossiers[dossier_id])
    now = timezone.now()
    for dossier_id, d in by_dossier.items():
        dossier, item = dossiers[dossier_id], items[dossier_id]
        if d.accept:
            dossier.state, dossier.archived_at = Dossier.State.ARCHIVED, now
            dossier.save(update_fields=["state", "archived_at"])
            item.decision, item.reason = TransferItem.Decision.ACCEPTED, ""
            _event(events.DOSSIER_ARCHIVED, actor, dossier, transfer=transfer.pk)
            enqueue_aip(dossier.pk)  # the SIP becomes an AIP (TT 05/2025), after the commit
        else:
            reason = nfc(d.reason).strip()[:1000]
            dossier.state = Dossier.State.CLOSED
            dossier.save(update_fields=["state"])
            item.decision, item.reason = TransferItem.Decision.RETURNED, reason
            _event(events.DOSSIER_RETURNED, actor, dossier, transfer=transfer.pk, reason=reason)
        item.save(update_fields=["decision", "reason"])
    accepted = [dossiers[i].file_code for i, d in by_dossier.items() if d.accept]
    returned = [dossiers[i].file_code for i, d in by_dossier.items() if not d.accept]
    transfer.state = (ArchiveTransfer.State.ACCEPTED if not returned else ArchiveTransfer.State.RETURNED
                      if not accepted else ArchiveTransfer.State.PARTIAL)
    reasons = {d.reason.strip() for d in decisions if not d.accept}
    transfer.reason = (next(iter(reasons)) if len(reasons) == 1 else
                       "; ".join(f"{dossiers[i].file_code}: {d.reason.strip()}" for i, d in by_dossier.items()
                                 if not d.accept))[:1000]
    transfer.decided_by, transfer.decided_at = actor, now
    transfer.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    action = {ArchiveTransfer.State.ACCEPTED: events.TRANSFER_ACCEPTED,
              ArchiveTransfer.State.RETURNED: events.TRANSFER_RETURNED}.get(transfer.state,
                                                                            events.TRANSFER_DECIDED)
    record_event(action, actor=actor, agency_code=transfer.agency.code, obj=transfer,
                 details={"dossiers": accepted + returned, "accepted": accepted, "returned": returned,
                          "reason": transfer.reason})
    return transfer


def _whole(transfer: ArchiveTransfer, accept: bool, reason: str = "") -> list[ItemDecision]:
    return [ItemDecision(i, accept, reason) for i in transfer.items.values_list("dossier_id", flat=True)]


def accept_transfer(*, actor: Any, transfer: ArchiveTransfer) -> ArchiveTransfer:
    """The archive checks the list and takes every dossier under archive management."""
    return decide_transfer(actor=actor, transfer=transfer, decisions=_whole(transfer, True))


def return_transfer(*, actor: Any, transfer: ArchiveTransfer, reason: str) -> ArchiveTransfer:
    """Send the whole list back; its dossiers are closed again, to be completed and resubmitted."""
    return decide_transfer(actor=actor, transfer=transfer, decisions=_whole(transfer, False, reason))


def enqueue_aip(dossier_id: int) -> None:
    """A job builds the dossier's AIP once this transaction commits (records/aip.py)."""
    enqueue(dossier_id)


def record_archive_read(*, actor: Any, dossier: Dossier, what: str, sha256: str = "", ip: str = "") -> None:
    """Reads of archived dossiers are audited (who looked at what, when)."""
    if dossier.state in ARCHIVE_STATES:
        record_event(events.ARCHIVE_READ, actor=actor, agency_code=dossier.agency.code, obj=dossier,
                     details={"file_code": dossier.file_code, "what": what, "sha256": sha256}, ip_address=ip)

