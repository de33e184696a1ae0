"""Incoming documents: arrival from the hub, acceptance or rejection by the clerk,
paper registration, and revocation by the sender. Statuses go back through the outbox."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.accounts.services import staff_info
from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.formats import FormatError, check_file
from vanban.core.roundcache import once
from vanban.core.text import fold, nfc
from vanban.documents import events, signals
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.files import refuse_confidential
from vanban.documents.models import Document, DocumentFile, DocumentType, RegisterBook
from vanban.documents.numbering import book_for, take_number
from vanban.exchange.receiving import Arrival, ArrivalFile, IssuedDocumentRef
from vanban.exchange.services import queue_status
from vanban.incoming.models import IncomingDocument
from vanban.textract import TextractError, convert_docx_to_unicode, extract_text

URGENCY_FROM_PRIORITY = {0: Document.Urgency.NORMAL, 1: Document.Urgency.URGENT,
                         2: Document.Urgency.VERY_URGENT, 3: Document.Urgency.FLASH, 4: Document.Urgency.FLASH}


def _link_reply(doc: Document, arrival: Arrival) -> None:
    """The arrival answers a document this agency issued (ResponseFor names it): linked both ways
    and announced, e.g. to the consultation that letter asked for."""
    for organ_id, document_id in arrival.responds_to:
        if organ_id != doc.agency.code or not document_id:
            continue
        original = Document.objects.filter(agency=doc.agency, direction=Document.Direction.OUTGOING,
                                           identifier_code=document_id).first()
        if original is not None:
            Document.objects.filter(pk=doc.pk).update(reply_to=original)
            doc.reply_to = original
            signals.replied.send(sender=Document, reply=doc, original=original)
            return


def document_type_for(type_name: str) -> DocumentType:
    """edXML's TypeName is authoritative; Type/TypeDetail codes differ between systems. Read
    once per exchange round (`vanban.core.roundcache`)."""
    wanted = fold(type_name or "")
    for doc_type in once(("document-types",), lambda: list(DocumentType.objects.filter(is_legal=False))):
        if fold(doc_type.name) == wanted:
            return doc_type
    return once(("document-type", "cong-van"), lambda: DocumentType.objects.get(code="cong-van"))


def _status(document: Document, code: str, description: str = "", staff: Any = None, *, first: bool = False) -> None:
    queue_status(document_id=document.pk, sender_code=document.agency.code, recipient_code=document.issuer_code,
                 recipient_name=document.issuer_name, edxml_document_id=document.external_id, status_code=code,
                 description=description, response_notation=document.notation,
                 response_date=document.issued_on, first=first, **staff_info(staff, document.agency))


@transaction.atomic(savepoint=False)  # the caller's transaction (one per package) is enough: no savepoint
def register_arrival(arrival: Arrival) -> tuple[Document, bool]:
    """Create the incoming document (state `arrived`) and answer 01; the same package
    arriving twice gives the same document (created=False)."""
    existing = Document.objects.filter(agency=arrival.agency, direction=Document.Direction.INCOMING,
                                       issuer_code=arrival.sender_code, external_id=arrival.external_id).first()
    if existing is not None:
        return existing, False
    doc = Document(
        agency=arrival.agency, direction=Document.Direction.INCOMING, state=Document.State.ARRIVED,
        source=Document.Source.HUB, document_type=document_type_for(arrival.type_name),
        subject=nfc(arrival.subject)[:1000] or "(không có trích yếu)", content=nfc(arrival.content),
        place=nfc(arrival.place)[:100], number=arrival.number, notation=nfc(arrival.notation)[:100],
        issued_on=arrival.promulgation_date, signer_name=nfc(arrival.signer_name)[:200],
        signer_position=nfc(arrival.signer_position)[:200], signer_competence=arrival.signer_competence[:10],
        urgency=URGENCY_FROM_PRIORITY.get(arrival.priority, Document.Urgency.NORMAL), due_on=arrival.due_on,
        steering_type=arrival.steering_type or 0, sphere=nfc(arrival.sphere)[:200], paper_copy=arrival.paper_copy,
        issuer_code=arrival.sender_code, issuer_name=nfc(arrival.sender_name)[:300],
        external_id=arrival.external_id[:200], arrived_at=timezone.now())
    try:
        with transaction.atomic():
            doc.save()
            IncomingDocument.objects.create(document=doc, package_sha256=arrival.package_sha256,
                                            verification=arrival.verification)
    except IntegrityError:  # the same package processed concurrently
        return Document.objects.get(agency=arrival.agency, direction=Document.Direction.INCOMING,
                                    issuer_code=arrival.sender_code, external_id=arrival.external_id), False
    store = get_store()
    for i, f in enumerate(arrival.files):
        sha = store.put(f.data)
        DocumentFile.objects.create(document=doc, role=DocumentFile.Role.MAIN if i == 0 else DocumentFile.Role.APPENDIX,
                                    name=f.name[:255], content_type=f.content_type[:120], size=len(f.data),
                                    sha256=sha, stage="received")
    record_event(events.ARRIVED, actor="system", agency_code=doc.agency.code, obj=doc,
                 details={"from": arrival.sender_code, "document_id": arrival.external_id,
                          "verified": arrival.verification.get("ok")})
    _link_reply(doc, arrival)
    _status(doc, "01", "Văn bản đã đến hệ thống", first=True)  # the document is new: no status of it yet
    signals.ask(doc, once(("clerks", doc.agency_id), lambda: signals.members_with_role(doc.agency_id, "clerk")),
                f"Văn bản đến chờ tiếp nhận: {doc.notation} — {doc.issuer_name}", "arrived")
    return doc, True


def _locked(document: Document) -> Document:
    return (Document.objects.select_for_update(of=("self",)).select_related("agency", "document_type", "incoming")
            .get(pk=document.pk))


def take_arrival_number(document: Document, part: IncomingDocument) -> None:
    moment = timezone.localtime()
    book = book_for(document.agency, moment.year, RegisterBook.Scope.INCOMING, RegisterBook.Direction.INCOMING)
    part.arrival_book = book
    part.arrival_number = take_number(book)
    document.accepted_at = moment


@transaction.atomic
def accept_package(*, actor: Any, document: Document) -> Document:
    """Register the arrival in the incoming book (gapless arrival number) and answer 03."""
    document = _locked(document)
    if document.state != Document.State.ARRIVED or not has_role(actor, document.agency_id, Role.CLERK):
        raise DocumentForbiddenError("Chỉ văn thư được tiếp nhận văn bản mới đến.")
    part = document.incoming
    if not part.verification.get("integrity_ok", True):
        raise DocumentError("INTEGRITY_FAILED",
                            "Không thể tiếp nhận: gói tin không toàn vẹn hoặc chữ ký số không hợp lệ "
                            "(Điều 9 Quy định kèm theo Quyết định 16/2019/QĐ-UBND). Hãy từ chối và nêu lý do.", 409)
    take_arrival_number(document, part)
    document.state = Document.State.ACCEPTED
    document.save(update_fields=["accepted_at", "state", "updated_at"])
    part.save(update_fields=["arrival_book", "arrival_number"])
    record_event(events.ACCEPTED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"arrival_number": part.arrival_number})
    _status(document, "03", f"Đã tiếp nhận, số đến {part.arrival_number}", actor)
    signals.accepted.send(sender=Document, document=document, actor=actor)
    return document


@transaction.atomic
def reject_package(*, actor: Any, document: Document, reason: str) -> Document:
    document = _locked(document)
    if document.state != Document.State.ARRIVED or not has_role(actor, document.agency_id, Role.CLERK):
        raise DocumentForbiddenError("Chỉ văn thư được từ chối văn bản mới đến.")
    reason = nfc(reason or "").strip()
    if not reason:
        raise DocumentError("REASON_REQUIRED", "Phải nêu lý do từ chối tiếp nhận.")
    document.state = Document.State.REJECTED
    document.save(update_fields=["state", "updated_at"])
    part = document.incoming
    part.rejection_reason = reason
    part.save(update_fields=["rejection_reason"])
    record_event(events.REJECTED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"reason": reason})
    _status(document, "02", reason, actor)
    return document


def paper_duplicate(agency: Agency, issuer_name: str, notation: str, issued_on: date | None) -> Document | None:
    """An earlier incoming entry with the same issuer, number and notation, and date."""
    notation = nfc(notation or "").strip()
    if not notation:
        return None
    return (Document.objects.filter(agency=agency, direction=Document.Direction.INCOMING, notation__iexact=notation,
                                    issuer_name__iexact=nfc(issuer_name or "").strip(), issued_on=issued_on)
            .exclude(incoming__arrival_number__isnull=True).select_related("incoming").order_by("id").first())


@transaction.atomic
def register_paper(*, actor: Any, agency: Agency, type_code: str, subject: str, notation: str,
                   issuer_name: str, issued_on: date | None, files: list[tuple[str, bytes]],
                   due_on: date | None = None, confidentiality: str = "", signer_name: str = "",
                   allow_duplicate: bool = False, ocr_copy: tuple[str, bytes] | None = None) -> Document:
    """A paper document (its scan) registered by the clerk: accepted at once, marked as paper.

    The same document (issuer, number and notation, date) registered before is named, and
    registered again only when the clerk confirms (a second copy can really arrive).
    """
    if not has_role(actor, agency.pk, Role.CLERK):
        raise DocumentForbiddenError("Chỉ văn thư được vào sổ văn bản đến.")
    refuse_confidential(confidentiality)
    if issued_on and issued_on > timezone.localdate():
        raise DocumentError("DATE_IN_FUTURE", f"Ngày văn bản {issued_on:%d/%m/%Y} ở tương lai: hãy kiểm tra lại.")
    if not allow_duplicate and (earlier := paper_duplicate(agency, issuer_name, notation, issued_on)) is not None:
        raise DocumentError("PAPER_DUPLICATE", (
            f"Văn bản này có thể đã vào sổ: số đến {earlier.incoming.arrival_number}, ngày "
            f"{timezone.localtime(earlier.accepted_at or earlier.arrived_at):%d/%m/%Y} "
            f"({earlier.notation} — {earlier.issuer_name}). "
            "Đánh dấu xác nhận nếu đây là một bản khác cần vào sổ."), 409)
    doc_type = DocumentType.objects.filter(code=type_code).first()
    if doc_type is None:
        raise DocumentError("DOCUMENT_TYPE_UNKNOWN", f"Không có loại văn bản '{type_code}'.")
    if not nfc(subject or "").strip():
        raise DocumentError("DOCUMENT_SUBJECT_REQUIRED", "Phải có trích yếu nội dung.")
    checked = []
    for name, data in files:
        try:
            checked.append((check_file(name, data), data))
        except FormatError as exc:
            raise DocumentError(exc.code, exc.message, 422) from exc
    doc = Document(agency=agency, direction=Document.Direction.INCOMING, state=Document.State.ACCEPTED,
                   source=Document.Source.PAPER, document_type=doc_type, subject=nfc(subject).strip()[:1000],
                   notation=nfc(notation or "")[:100], issuer_name=nfc(issuer_name or "")[:300], issued_on=issued_on,
                   due_on=due_on, signer_name=nfc(signer_name or "")[:200], arrived_at=timezone.now())
    part = IncomingDocument()
    take_arrival_number(doc, part)
    doc.save()
    part.document = doc
    part.save()
    store = get_store()
    for i, (c, data) in enumerate(checked):
        store.put(data)
        DocumentFile.objects.create(document=doc, role=DocumentFile.Role.MAIN if i == 0 else DocumentFile.Role.APPENDIX,
                                    name=c.name, content_type=c.content_type, size=c.size, sha256=c.sha256,
                                    stage="scan", uploaded_by=actor)
    converted = _unicode_copies(doc, actor, checked)
    if ocr_copy is not None:  # the searchable PDF/A that OCR made, beside the untouched scan
        name, data = ocr_copy
        DocumentFile.objects.create(document=doc, role=DocumentFile.Role.WORKING, name=name[:255],
                                    content_type="application/pdf", size=len(data), sha256=store.put(data),
                                    stage="ocr", uploaded_by=actor)
    record_event(events.PAPER_REGISTERED, actor=actor, agency_code=agency.code, obj=doc,
                 details={"arrival_number": part.arrival_number, "issuer": doc.issuer_name,
                          "unicode_copies": converted, "ocr": ocr_copy is not None})
    signals.accepted.send(sender=Document, document=doc, actor=actor)
    return doc


def _unicode_copies(doc: Document, actor: Any, checked: list[tuple[Any, bytes]]) -> list[str]:
    """A docx typed in TCVN3/VNI gets a Unicode copy beside it; the original stays as it came."""

    names = []
    for c, data in checked:
        if c.extension != "docx":
            continue
        try:
            legacy = extract_text(data, "docx").legacy
            if legacy is None or not legacy.encoding:
                continue
            copy = convert_docx_to_unicode(data)
        except TextractError:
            continue
        name = f"{c.name.rpartition('.')[0]} (Unicode).docx"
        sha = get_store().put(copy)
        DocumentFile.objects.create(document=doc, role=DocumentFile.Role.WORKING, name=name[:255],
                                    content_type=c.content_type, size=len(copy), sha256=sha, stage="unicode",
                                    uploaded_by=actor)
        names.append(name)
    return names


@transaction.atomic
def void_revoked(*, agency: Agency, sender_code: str, external_id: str, reason: str) -> Document | None:
    """The sender revoked: keep the document as a tombstone, close its work, confirm (15)."""
    doc = Document.objects.select_for_update().filter(
        agency=agency, direction=Document.Direction.INCOMING, issuer_code=sender_code, external_id=external_id).first()
    if doc is None:
        return None
    if doc.state != Document.State.REVOKED:
        previous = doc.state
        doc.state = Document.State.REVOKED
        doc.revoked_at = timezone.now()
        doc.revocation_reason = nfc(reason or "")
        doc.save(update_fields=["state", "revoked_at", "revocation_reason", "updated_at"])
        signals.revoked.send(sender=Document, document=doc)  # its open work is closed (workflow)
        record_event(events.REVOKED_BY_SENDER, actor="system", agency_code=agency.code, obj=doc,
                     details={"reason": doc.revocation_reason, "previous_state": previous})
    _status(doc, "15", "Đã thu hồi văn bản theo đề nghị của cơ quan gửi")
    return doc


class ExchangeReceiver:
    """The incoming app as the exchange's `Receiver` (registered in IncomingConfig.ready)."""

    def register_arrival(self, arrival: Arrival) -> tuple[Document, bool]:
        return register_arrival(arrival)

    def void_revoked(self, *, agency: Agency, sender_code: str, external_id: str, reason: str) -> Document | None:
        return void_revoked(agency=agency, sender_code=sender_code, external_id=external_id, reason=reason)

    def outgoing_document(self, *, agency_code: str, identifier_code: str) -> IssuedDocumentRef | None:
        found = (Document.objects.filter(direction=Document.Direction.OUTGOING, identifier_code=identifier_code,
                                         agency__code=agency_code).values_list("pk", "agency__code").first())
        return IssuedDocumentRef(*found) if found else None


__all__ = ["Arrival", "ArrivalFile", "ExchangeReceiver", "register_arrival", "void_revoked"]
