"""The outgoing workflow: draft → submit → approve and sign (leader) → issue (clerk).

Every step is one transaction that also writes its audit event. File bytes go to the blob
store first (content-addressed, atomic), then the row that names them is committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban import edxml
from vanban.accounts.delegation import in_force as delegations_in_force
from vanban.accounts.delegation import signing_delegation
from vanban.accounts.models import User
from vanban.accounts.permissions import has_role
from vanban.agencies.models import Agency, Unit
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.formats import FormatError, check_file
from vanban.core.text import nfc
from vanban.documents import events, files, signals
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.files import FileInput, format_limits, refuse_confidential
from vanban.documents.models import Comment, Document, DocumentFile, DocumentType, Recipient
from vanban.exchange.services import OutgoingRecipient, queue_document
from vanban.outgoing import permissions, verification
from vanban.outgoing.authority import signing_authority
from vanban.outgoing.edxml_export import document_package_bytes
from vanban.outgoing.models import DraftVersion, part_of
from vanban.outgoing.numbering import number_document
from vanban.pki import PkiError
from vanban.pki.deferred import complete_signature, prepare_signature
from vanban.textract import TextractError, convert_docx_to_unicode, extract_text
from vanban.textract.topdf import CONVERTIBLE, ConversionError, to_pdf
from vanban.trust import services as trust

CONFIDENTIAL_MARKS = ("mật", "tối mật", "tuyệt mật")


@dataclass
class DraftFields:
    document_type: str  # DocumentType.code
    subject: str
    content: str = ""
    place: str = ""
    urgency: str = Document.Urgency.NORMAL
    confidentiality: str = ""
    due_on: date | None = None
    page_count: int | None = None
    appendix_count: int = 0
    steering_type: int = 0
    sphere: str = ""
    drafting_unit: str = ""
    signer_competence: str = ""
    paper_copy: bool = False
    internal: bool = False  # văn bản nội bộ: to units of the agency, its own book, never through the hub


@dataclass
class RecipientInput:
    kind: str
    name: str = ""
    agency_code: str = ""
    address: str = ""
    paper_copy: bool = False
    unit_code: str = ""  # kind INTERNAL: one of the agency's units


@dataclass
class _Snapshot:
    fields: dict[str, Any]
    files: list[dict[str, Any]] = field(default_factory=list)
    recipients: list[dict[str, Any]] = field(default_factory=list)


def _apply_fields(document: Document, fields: DraftFields) -> None:
    refuse_confidential(fields.confidentiality)
    doc_type = DocumentType.objects.filter(code=fields.document_type).first()
    if doc_type is None:
        raise DocumentError("DOCUMENT_TYPE_UNKNOWN", f"Không có loại văn bản '{fields.document_type}'.")
    subject = nfc(fields.subject or "").strip()
    if not subject:
        raise DocumentError("DOCUMENT_SUBJECT_REQUIRED", "Phải có trích yếu nội dung.")
    if fields.urgency not in Document.Urgency.values:
        raise DocumentError("DOCUMENT_BAD_URGENCY", f"Độ khẩn không hợp lệ: {fields.urgency}.")
    document.document_type = doc_type
    document.subject = subject[:1000]
    document.content = nfc(fields.content or "")
    document.place = nfc(fields.place or "")[:100]
    document.urgency = fields.urgency
    document.confidentiality = ""
    document.due_on = fields.due_on
    document.page_count = fields.page_count
    document.appendix_count = fields.appendix_count or 0
    document.steering_type = fields.steering_type or 0
    document.sphere = nfc(fields.sphere or "")[:200]
    document.signer_competence = nfc(fields.signer_competence or "").strip()[:10]
    document.paper_copy = bool(fields.paper_copy)
    part = part_of(document)
    part.drafting_unit = _drafting_unit(document, part.drafting_unit, fields.drafting_unit)
    part.is_internal = bool(fields.internal)


def _drafting_unit(document: Document, current: str, value: str) -> str:
    """The drafting unit's code as the notation prints it. Where the agency has declared its units,
    only one of their codes (or the one the draft already had, kept from before a reorganisation)."""
    code = nfc(value or "").strip().upper()[:20]
    if not code or code == current:
        return code
    codes = set(Unit.objects.filter(agency_id=document.agency_id).values_list("code", flat=True))
    if codes and code not in codes:
        raise DocumentError("DRAFTING_UNIT_UNKNOWN",
                            f"Đơn vị soạn thảo '{code}' không có trong danh sách đơn vị của cơ quan.")
    return code


def _store_file(document: Document, actor: Any, upload: FileInput, *, stage: str = "") -> DocumentFile:
    checked = files.check_upload(upload)
    if (upload.role == DocumentFile.Role.MAIN and checked.extension in CONVERTIBLE
            and document.direction == Document.Direction.OUTGOING):
        return _store_converted(document, actor, upload, stage)
    return files.store_checked(document, actor, upload, checked, stage=stage)


def _convert(upload: FileInput) -> bytes:
    """The PDF of a Word/ODT/RTF file (a TCVN3/VNI .docx made Unicode first); LibreOffice runs
    for seconds, so callers do this before their transaction opens (`_prepared`)."""
    data = upload.data
    if upload.name.lower().endswith(".docx"):
        try:
            legacy = extract_text(data, "docx").legacy
            if legacy is not None and legacy.encoding:
                data = convert_docx_to_unicode(data)
        except TextractError:
            pass  # not readable as text here: LibreOffice may still convert it, or say why not
    try:
        return to_pdf(upload.name, data)
    except ConversionError as exc:
        raise DocumentError(exc.code, exc.message, 422) from exc


def _prepared(files: Sequence[FileInput]) -> list[FileInput]:
    """Convert the main files that need it now, outside any transaction (no row is locked while
    LibreOffice works); a file that cannot be converted is refused before anything is written."""
    out = []
    for upload in files:
        ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if upload.role != DocumentFile.Role.MAIN or upload.converted is not None or ext not in CONVERTIBLE:
            out.append(upload)
            continue
        try:
            check_file(upload.name, upload.data, format_limits())  # a bad file: its own message first
        except FormatError as exc:
            raise DocumentError(exc.code, exc.message, 422) from exc
        out.append(FileInput(upload.name, upload.data, upload.role, _convert(upload)))
    return out


def _store_converted(document: Document, actor: Any, upload: FileInput, stage: str) -> DocumentFile:
    """A Word/ODT/RTF main file: kept as typed (a working file) beside the PDF that is signed.
    Refused at upload where LibreOffice is not installed, rather than at submission."""
    pdf = upload.converted if upload.converted is not None else _convert(upload)
    document.files.filter(role=DocumentFile.Role.WORKING, stage="source", is_current=True).update(is_current=False)
    _store_file(document, actor, FileInput(upload.name, upload.data, DocumentFile.Role.WORKING), stage="source")
    stem = upload.name.rsplit(".", 1)[0] or "van-ban"
    return _store_file(document, actor, FileInput(f"{stem}.pdf", pdf, DocumentFile.Role.MAIN),
                       stage=stage or "converted")


def _set_recipients(document: Document, recipients: Sequence[RecipientInput]) -> None:
    document.recipients.all().delete()
    seen: set[str] = set()
    for order, r in enumerate(recipients):
        agency = None
        name = nfc(r.name or "").strip()
        if r.kind == Recipient.Kind.AGENCY:
            agency = Agency.objects.filter(code=r.agency_code.strip()).first()
            if agency is None:
                raise DocumentError("RECIPIENT_UNKNOWN",
                                    f"Không có cơ quan mã {r.agency_code} trong danh bạ.")
            if agency.code in seen:
                continue
            seen.add(agency.code)
            name = name or agency.name
        elif r.kind not in Recipient.Kind.values:
            raise DocumentError("RECIPIENT_BAD_KIND", f"Loại nơi nhận không hợp lệ: {r.kind}.")
        unit = None
        if r.kind == Recipient.Kind.INTERNAL and r.unit_code:
            unit = Unit.objects.filter(agency_id=document.agency_id, code=r.unit_code.strip().upper()).first()
            if unit is None or not unit.is_active:
                raise DocumentError("RECIPIENT_UNIT_UNKNOWN",
                                    f"Không có đơn vị mã {r.unit_code} đang hoạt động trong cơ quan.")
            if f"unit:{unit.pk}" in seen:
                continue
            seen.add(f"unit:{unit.pk}")
            name = name or unit.name
        if not name:
            raise DocumentError("RECIPIENT_NAME_REQUIRED", "Nơi nhận phải có tên.")
        Recipient.objects.create(document=document, kind=r.kind, agency=agency, unit=unit, name=name[:300],
                                 address=nfc(r.address or "")[:300],
                                 paper_copy=r.paper_copy or r.kind == Recipient.Kind.PAPER, order=order)


def _snapshot(document: Document, actor: Any, note: str) -> DraftVersion:
    data = _Snapshot(
        fields={"document_type": document.document_type.code, "subject": document.subject,
                "content": document.content, "place": document.place, "urgency": document.urgency,
                "due_on": document.due_on.isoformat() if document.due_on else None,
                "drafting_unit": part_of(document).drafting_unit, "paper_copy": document.paper_copy},
        files=[{"name": f.name, "role": f.role, "sha256": f.sha256, "size": f.size}
               for f in document.current_files()],
        recipients=[{"kind": r.kind, "name": r.name,
                     "agency": r.agency.code if r.agency else None} for r in document.recipients.all()],
    )
    return DraftVersion.objects.create(document=document, number=document.version, snapshot=asdict(data),
                                       note=note[:500], created_by=actor)


def create_draft(*, actor: Any, agency: Agency, fields: DraftFields, files: Sequence[FileInput] = (),
                 recipients: Sequence[RecipientInput] = ()) -> Document:
    if not permissions.can_draft(actor, agency.pk):
        raise DocumentForbiddenError("Chỉ chuyên viên, lãnh đạo hoặc văn thư của cơ quan được soạn dự thảo.")
    return _create_draft(actor=actor, agency=agency, fields=fields, files=_prepared(files), recipients=recipients)


@transaction.atomic
def _create_draft(*, actor: Any, agency: Agency, fields: DraftFields, files: list[FileInput],
                  recipients: Sequence[RecipientInput]) -> Document:
    if not permissions.can_draft(actor, agency.pk):
        raise DocumentForbiddenError("Chỉ chuyên viên, lãnh đạo hoặc văn thư của cơ quan được soạn dự thảo.")
    document = Document(agency=agency, direction=Document.Direction.OUTGOING, drafter=actor)
    _apply_fields(document, fields)
    document.save()
    part_of(document).save()
    for upload in files:
        _store_file(document, actor, upload)
    _set_recipients(document, list(recipients))
    _check_internal(document)
    _snapshot(document, actor, "Tạo dự thảo")
    record_event(events.DRAFT_CREATED, actor=actor, agency_code=agency.code, obj=document,
                 details={"subject": document.subject, "files": [f.name for f in files]})
    return document


def _check_internal(document: Document) -> None:
    """An internal document stays inside the agency: no other agency among its addressees."""
    if part_of(document).is_internal and document.recipients.filter(kind=Recipient.Kind.AGENCY).exists():
        raise DocumentError("INTERNAL_NOT_EXCHANGED", "Văn bản nội bộ chỉ gửi các đơn vị trong cơ quan, "
                                                      "không gửi cơ quan khác qua trục liên thông.")


def _locked(document: Document) -> Document:
    return (Document.objects.select_for_update(of=("self",)).select_related("agency", "document_type", "outgoing")
            .get(pk=document.pk))


def update_draft(*, actor: Any, document: Document, fields: DraftFields | None = None,
                 files: Sequence[FileInput] = (), recipients: Sequence[RecipientInput] | None = None,
                 note: str = "") -> Document:
    if files and not permissions.can_edit_draft(actor, document):  # no conversion for someone refused anyway
        raise DocumentForbiddenError("Chỉ người soạn thảo được sửa dự thảo khi chưa trình duyệt.")
    return _update_draft(actor=actor, document=document, fields=fields, files=_prepared(files),
                         recipients=recipients, note=note)


@transaction.atomic
def _update_draft(*, actor: Any, document: Document, fields: DraftFields | None, files: list[FileInput],
                  recipients: Sequence[RecipientInput] | None, note: str) -> Document:
    document = _locked(document)
    if not permissions.can_edit_draft(actor, document):
        raise DocumentForbiddenError("Chỉ người soạn thảo được sửa dự thảo khi chưa trình duyệt.")
    document.version += 1
    if fields is not None:
        _apply_fields(document, fields)
    document.save()
    part_of(document).save()
    for upload in files:
        _store_file(document, actor, upload)
    if recipients is not None:
        _set_recipients(document, recipients)
    _check_internal(document)
    _snapshot(document, actor, note or "Sửa dự thảo")
    record_event(events.DRAFT_UPDATED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"version": document.version, "files": [f.name for f in files]})
    return document


@transaction.atomic
def remove_file(*, actor: Any, document: Document, file_id: int) -> None:
    document = _locked(document)
    if not permissions.can_edit_draft(actor, document):
        raise DocumentForbiddenError()
    updated = document.files.filter(pk=file_id, is_current=True).update(is_current=False)
    if updated:
        record_event(events.FILE_REMOVED, actor=actor, agency_code=document.agency.code,
                     obj=document, details={"file_id": file_id})


@transaction.atomic
def submit_draft(*, actor: Any, document: Document, approver: Any) -> Document:
    document = _locked(document)
    if not permissions.can_edit_draft(actor, document):
        raise DocumentForbiddenError("Chỉ người soạn thảo được trình dự thảo.")
    delegation = None
    if approver is not None and not has_role(approver, document.agency_id, "leader"):
        delegation = signing_delegation(approver, document.agency_id)
    if approver is None or (delegation is None and not has_role(approver, document.agency_id, "leader")):
        raise DocumentError("APPROVER_NOT_LEADER",
                            "Người duyệt phải là lãnh đạo của cơ quan hoặc người được ủy quyền ký (TL., TUQ.).")
    main = document.main_file()
    if main is None or main.content_type != "application/pdf":
        raise DocumentError("MAIN_FILE_NOT_PDF",
                            "Văn bản chính phải là tệp PDF để lãnh đạo ký số (PAdES).")
    if not document.recipients.exists():
        raise DocumentError("RECIPIENTS_REQUIRED", "Phải chọn ít nhất một nơi nhận.")
    _check_internal(document)
    if part_of(document).is_internal and not document.recipients.filter(unit__isnull=False).exists():
        raise DocumentError("INTERNAL_UNITS_REQUIRED", "Văn bản nội bộ phải gửi ít nhất một đơn vị trong cơ quan.")
    document.state = Document.State.SUBMITTED
    document.approver = approver
    document.save(update_fields=["state", "approver", "updated_at"])
    part = part_of(document)
    part.delegation = delegation
    part.save(update_fields=["delegation"])
    record_event(events.DRAFT_SUBMITTED, actor=actor, agency_code=document.agency.code,
                 obj=document, details={"approver": approver.get_username(),
                                        **({"delegation": delegation.pk, "competence": delegation.kind}
                                           if delegation else {})})
    signals.ask(document, [approver], f"Dự thảo chờ anh/chị duyệt: {document.subject}", "to_approve")
    acting = [d.delegate for d in delegations_in_force(document.agency_id).filter(principal=approver, kind="acting")
              .select_related("delegate")]
    if acting:  # the head is away: the deputy who acts for them is asked too
        signals.ask(document, acting, f"Dự thảo trình {approver.display_name()} (đang vắng, anh/chị được giao "
                                      f"phụ trách): {document.subject}", "to_approve")
    return document


@transaction.atomic
def return_draft(*, actor: Any, document: Document, comment: str) -> Document:
    document = _locked(document)
    if not permissions.can_approve(actor, document):
        raise DocumentForbiddenError("Chỉ lãnh đạo được trả lại dự thảo đang chờ duyệt.")
    text = nfc(comment or "").strip()
    if not text:
        raise DocumentError("COMMENT_REQUIRED", "Phải ghi ý kiến khi trả lại dự thảo.")
    Comment.objects.create(document=document, author=actor, kind=Comment.Kind.RETURN, text=text)
    document.state = Document.State.RETURNED
    document.save(update_fields=["state", "updated_at"])
    record_event(events.DRAFT_RETURNED, actor=actor, agency_code=document.agency.code,
                 obj=document, details={"comment": text})
    signals.ask(document, [document.drafter], f"Dự thảo bị trả lại để sửa: {document.subject} — “{text}”", "returned")
    return document


def _sign(document: Document, actor: Any, role: str, credential_kind: str, user: Any = None, *,
          heading: str = "") -> DocumentFile:
    credential = trust.credential_for(document.agency, credential_kind, user)
    if credential is None:
        who = "của bạn" if user is not None else "của cơ quan"
        raise DocumentError("NO_CREDENTIAL", f"Chưa có chứng thư số {who} trên hệ thống để ký.", 409)
    main = document.main_file()
    if main is None:
        raise DocumentError("MAIN_FILE_MISSING", "Văn bản chưa có tệp chính.")
    signer = trust.signer_for(credential)
    try:  # the same two steps as a token or a remote service (pki.deferred), with the key here
        prepared = prepare_signature(get_store().get(main.sha256), signer.certificate, signer.chain, role=role,
                                     location=document.place or None, heading=heading,
                                     reason="Ký ban hành" if role == "person" else "Ký số của cơ quan, tổ chức")
        signed = complete_signature(prepared, raw_signature=signer.sign_raw(prepared.to_be_signed))
    except PkiError as exc:
        raise DocumentError(exc.code, exc.message, 422) from exc
    name = main.name if main.name.lower().endswith(".pdf") else f"{main.name}.pdf"
    return _store_file(document, actor, FileInput(name, signed, DocumentFile.Role.MAIN), stage=role)


def stamped_main_file(document: Document) -> bytes:
    """The main PDF with its QR code and verification code on the first page, before any
    signature covers it (a new code is given to `document`, not yet saved)."""
    from vanban.pki.footer import stamp_verification_footer  # noqa: PLC0415 - pyHanko's QR stamp loads only when a document is issued

    main = document.main_file()
    if main is None or main.content_type != "application/pdf":
        raise DocumentError("MAIN_FILE_NOT_PDF", "Văn bản chính phải là tệp PDF để ký số.")
    part = part_of(document)
    part.verification_code = part.verification_code or verification.new_code()
    code = part.verification_code
    try:
        return stamp_verification_footer(get_store().get(main.sha256), verification.public_url(code),
                                         verification.display(code))
    except PkiError as exc:
        raise DocumentError(exc.code, exc.message, 422) from exc


def _stamp_verification_footer(document: Document, actor: Any) -> None:
    main = document.main_file()
    stamped = stamped_main_file(document)
    assert main is not None
    _store_file(document, actor, FileInput(main.name, stamped, DocumentFile.Role.MAIN), stage="footer")


def store_signed_main_file(document: Document, actor: Any, stamped: bytes, signed: bytes) -> None:
    """A signature made elsewhere (the leader's token): the stamped and the signed PDF kept as
    the server-signed path keeps them."""
    main = document.main_file()
    assert main is not None
    name = main.name if main.name.lower().endswith(".pdf") else f"{main.name}.pdf"
    _store_file(document, actor, FileInput(main.name, stamped, DocumentFile.Role.MAIN), stage="footer")
    _store_file(document, actor, FileInput(name, signed, DocumentFile.Role.MAIN), stage="person")


@transaction.atomic
def approve_and_sign(*, actor: Any, document: Document) -> Document:
    """The leader signs the main file with their personal key held by the server (demo mode:
    `VANBAN_SERVER_PERSONAL_KEYS`); with a USB token see `outgoing.device_signing`."""
    document = _locked(document)
    if not permissions.can_approve(actor, document):
        raise DocumentForbiddenError("Chỉ lãnh đạo được ký duyệt dự thảo đang chờ duyệt.")
    if not trust.server_personal_keys():
        raise DocumentError("SERVER_PERSONAL_KEYS_OFF",
                            "Máy chủ không giữ khóa cá nhân: hãy ký bằng token USB qua trình ký số.", 409)
    _stamp_verification_footer(document, actor)
    _sign(document, actor, "person", "person", user=actor, heading=signing_authority(document, actor).heading)
    return mark_approved(document, actor, via="server")


def mark_approved(document: Document, actor: Any, *, via: str) -> Document:
    """After the leader's signature is stored: state, signer and authority (KT. for a deputy),
    audit, who is told."""
    authority = signing_authority(document, actor)
    document.signer_competence = authority.competence
    document.state = Document.State.APPROVED
    document.approver = actor
    document.signer_name = actor.display_name()
    document.signer_position = actor.position
    document.save(update_fields=["state", "approver", "signer_name", "signer_position", "signer_competence",
                                 "updated_at"])
    part_of(document).save(update_fields=["verification_code"])
    record_event(events.APPROVED_SIGNED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"key": via, **authority.details})
    signals.ask(document, signals.members_with_role(document.agency_id, "clerk"),
                f"Văn bản đã ký duyệt, chờ phát hành: {document.subject}", "to_issue")
    signals.ask(document, [document.drafter], f"Lãnh đạo đã ký duyệt dự thảo: {document.subject}", "approved")
    return document


@transaction.atomic
def issue_document(*, actor: Any, document: Document) -> Document:
    """Seal signature, number, notation, identifier code, outgoing book and outbox: all or nothing."""
    document = _locked(document)
    if not permissions.can_issue(actor, document):
        raise DocumentForbiddenError("Chỉ văn thư được phát hành văn bản đã được lãnh đạo ký duyệt.")
    refuse_confidential(document.confidentiality)
    _sign(document, actor, "seal", "seal")
    number_document(document)
    document.state = Document.State.ISSUED
    document.save(update_fields=["state", "updated_at"])
    part = part_of(document)
    part.issued_by = actor
    part.save(update_fields=["issued_by"])
    recipients = [OutgoingRecipient(r.agency.code, r.name)
                  for r in document.recipients.select_related("agency") if r.agency is not None]
    if recipients:
        queue_document(document_id=document.pk, sender_code=document.agency.code,
                       edxml_document_id=document.identifier_code or "", recipients=recipients,
                       package=document_package_bytes(document))
    units = [r.unit for r in document.recipients.select_related("unit") if r.unit is not None]
    record_event(events.ISSUED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"notation": document.notation, "identifier_code": document.identifier_code,
                          "recipients": [r.code for r in recipients], "units": [u.code for u in units],
                          "internal": part.is_internal,
                          "paper": [r.name for r in document.recipients.filter(paper_copy=True)]})
    if units:  # the heads and deputies of the units it is addressed to
        heads = User.objects.filter(unit_memberships__unit__in=units, unit_memberships__rank__in=["head", "deputy"],
                                    is_active=True).distinct()
        signals.ask(document, list(heads), f"Văn bản {document.notation} gửi đơn vị: {document.subject}",
                    "internal_received")
    signals.ask(document, [document.drafter], f"Đã phát hành văn bản {document.notation}: {document.subject}", "issued")
    return document


def issued_at_display(document: Document) -> str:
    return timezone.localtime(document.issued_at).strftime("%d/%m/%Y %H:%M") if document.issued_at else ""


@transaction.atomic
def revoke_document(*, actor: Any, document: Document, reason: str) -> Document:
    """The sender takes an issued document back: a revocation package (BussinessDocType 1,
    same DocumentId) goes to every recipient; each answers 15 when it has voided it."""

    document = _locked(document)
    if document.state != Document.State.ISSUED or not has_role(actor, document.agency_id, "clerk", "leader"):
        raise DocumentForbiddenError("Chỉ văn thư hoặc lãnh đạo được thu hồi văn bản đã phát hành.")
    reason = nfc(reason or "").strip()
    if not reason:
        raise DocumentError("REASON_REQUIRED", "Phải nêu lý do thu hồi.")
    document.state = Document.State.REVOKED
    document.revoked_at = timezone.now()
    document.revocation_reason = reason
    document.save(update_fields=["state", "revoked_at", "revocation_reason", "updated_at"])
    recipients = [OutgoingRecipient(r.agency.code, r.name)
                  for r in document.recipients.select_related("agency") if r.agency is not None]
    if recipients:
        business = edxml.Business(business_doc_type=edxml.BusinessDocType.REVOKE, business_doc_reason=reason,
                                  document_id=document.identifier_code or "")
        queue_document(document_id=document.pk, sender_code=document.agency.code,
                       edxml_document_id=document.identifier_code or "", recipients=recipients,
                       package=document_package_bytes(document, business=business), kind="revocation")
    record_event(events.REVOKED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"reason": reason, "recipients": [r.code for r in recipients]})
    return document
