"""Outgoing documents over the API: the same services as the pages."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from vanban.accounts.apiauth import SessionAuth
from vanban.accounts.current import current_agency
from vanban.accounts.models import User
from vanban.agencies.models import Agency
from vanban.apierrors import ApiError, ErrorOut
from vanban.core.clock import to_iso
from vanban.documents import books
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.documents.permissions import can_view
from vanban.documents.signatures import signature_panel
from vanban.outgoing import register_book, services
from vanban.outgoing.models import part_of

# People act on documents (a leader signs with their own key): session authentication only.
router = Router(auth=[SessionAuth()])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FileIn(Schema):
    name: str = Field(max_length=255)
    content_base64: str = Field(description="nội dung tệp, mã hóa base64")
    role: str = Field("main", pattern="^(main|appendix|working)$")


class RecipientIn(Schema):
    kind: str = Field(pattern="^(agency|internal|paper)$")
    agency_code: str = ""
    name: str = ""
    address: str = ""
    paper_copy: bool = False
    unit_code: str = Field("", description="kind internal: mã một đơn vị của cơ quan (văn bản nội bộ)")


class DraftIn(Schema):
    document_type: str = Field(description="mã loại văn bản, ví dụ quyet-dinh, cong-van")
    subject: str = Field(max_length=1000)
    content: str = ""
    place: str = ""
    urgency: str = "normal"
    confidentiality: str = ""
    due_on: date | None = None
    drafting_unit: str = ""
    signer_competence: str = ""
    paper_copy: bool = False
    internal: bool = Field(False, description="văn bản nội bộ: chỉ gửi đơn vị trong cơ quan, sổ riêng, "
                                              "không qua trục liên thông")
    files: list[FileIn] = Field(default_factory=list, max_length=50)
    recipients: list[RecipientIn] = Field(default_factory=list, max_length=500)


class FileOut(Schema):
    id: int
    name: str
    role: str
    content_type: str
    size: int
    sha256: str
    stage: str


class RecipientOut(Schema):
    kind: str
    name: str
    agency_code: str | None
    unit_code: str | None = None
    paper_copy: bool


class DocumentOut(Schema):
    id: int
    state: str
    document_type: str
    subject: str
    number: int | None
    notation: str
    identifier_code: str | None
    issued_at: str | None
    signer_name: str
    signer_position: str
    urgency: str
    internal: bool = False
    files: list[FileOut]
    recipients: list[RecipientOut]

    @staticmethod
    def of(doc: Document) -> DocumentOut:
        return DocumentOut(
            id=doc.pk, state=doc.state, document_type=doc.document_type.code, subject=doc.subject,
            number=doc.number, notation=doc.notation, identifier_code=doc.identifier_code,
            issued_at=to_iso(doc.issued_at) if doc.issued_at else None, signer_name=doc.signer_name,
            signer_position=doc.signer_position, urgency=doc.urgency, internal=part_of(doc).is_internal,
            files=[FileOut(id=f.pk, name=f.name, role=f.role, content_type=f.content_type, size=f.size,
                           sha256=f.sha256, stage=f.stage) for f in doc.current_files()],
            recipients=[RecipientOut(kind=r.kind, name=r.name, agency_code=r.agency.code if r.agency else None,
                                     unit_code=r.unit.code if r.unit else None, paper_copy=r.paper_copy)
                        for r in doc.recipients.select_related("agency", "unit")])


class SubmitIn(Schema):
    approver: str = Field(description="tên đăng nhập của lãnh đạo duyệt")


class ReturnIn(Schema):
    comment: str = Field(max_length=4000)


class SignatureOut(Schema):
    verdict: str
    explanation: str
    signatures: list[dict]


def _agency(request: HttpRequest) -> Agency:
    agency = current_agency(request)
    if agency is None:
        raise ApiError(403, "FORBIDDEN", "Tài khoản không thuộc cơ quan nào.")
    return agency


def _doc(request: HttpRequest, pk: int) -> Document:
    doc = Document.objects.select_related("agency", "document_type", "outgoing").filter(pk=pk).first()
    if doc is None or not can_view(request.user, doc):
        raise ApiError(404, "DOCUMENT_NOT_FOUND", "Không tìm thấy văn bản.")
    return doc


def _run(fn: Callable[..., Document], **kwargs: Any) -> Document:
    try:
        return fn(**kwargs)
    except DocumentError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc


@router.get("", response={200: list[DocumentOut], **ERRORS}, summary="Văn bản đi đã phát hành (sổ văn bản đi)")
def list_issued(request: HttpRequest, *, year: int | None = None, q: str = "", limit: int = 50,
                offset: int = 0, internal: bool = False) -> list[DocumentOut]:
    """`internal=true`: the book of internal documents instead."""
    limit = max(1, min(limit, 200))
    offset = max(0, min(offset, 1_000_000))
    rows = register_book.outgoing(_agency(request), books.BookFilter(year=year, text=q[:200], internal=internal)
                          )[offset:offset + limit]
    return [DocumentOut.of(d) for d in rows]


@router.post("", response={201: DocumentOut, **ERRORS}, summary="Tạo dự thảo văn bản đi")
def create(request: HttpRequest, payload: DraftIn) -> Status:
    files = []
    for f in payload.files:
        try:
            data = base64.b64decode(f.content_base64, validate=True)
        except ValueError as exc:
            raise ApiError(400, "BAD_BASE64", f"Tệp '{f.name}': nội dung base64 không hợp lệ.") from exc
        files.append(services.FileInput(f.name, data, f.role))
    fields = services.DraftFields(
        document_type=payload.document_type, subject=payload.subject, content=payload.content,
        place=payload.place, urgency=payload.urgency, confidentiality=payload.confidentiality,
        due_on=payload.due_on, drafting_unit=payload.drafting_unit,
        signer_competence=payload.signer_competence, paper_copy=payload.paper_copy, internal=payload.internal)
    recipients = [services.RecipientInput(**r.dict()) for r in payload.recipients]
    doc = _run(services.create_draft, actor=request.user, agency=_agency(request), fields=fields,
               files=files, recipients=recipients)
    return Status(201, DocumentOut.of(doc))


@router.get("/{pk}", response={200: DocumentOut, **ERRORS}, summary="Một văn bản")
def get(request: HttpRequest, pk: int) -> DocumentOut:
    return DocumentOut.of(_doc(request, pk))


@router.post("/{pk}/submit", response={200: DocumentOut, **ERRORS}, summary="Trình lãnh đạo duyệt")
def submit(request: HttpRequest, pk: int, payload: SubmitIn) -> DocumentOut:
    approver = User.objects.filter(username=payload.approver).first()
    return DocumentOut.of(_run(services.submit_draft, actor=request.user, document=_doc(request, pk),
                               approver=approver))


@router.post("/{pk}/return", response={200: DocumentOut, **ERRORS}, summary="Trả lại dự thảo")
def return_(request: HttpRequest, pk: int, payload: ReturnIn) -> DocumentOut:
    return DocumentOut.of(_run(services.return_draft, actor=request.user, document=_doc(request, pk),
                               comment=payload.comment))


@router.post("/{pk}/approve", response={200: DocumentOut, **ERRORS}, summary="Lãnh đạo ký số và duyệt")
def approve(request: HttpRequest, pk: int) -> DocumentOut:
    return DocumentOut.of(_run(services.approve_and_sign, actor=request.user, document=_doc(request, pk)))


class RevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


@router.post("/{pk}/revoke", response={200: DocumentOut, **ERRORS}, summary="Thu hồi văn bản đã phát hành")
def revoke(request: HttpRequest, pk: int, body: RevokeIn) -> DocumentOut:
    return DocumentOut.of(_run(services.revoke_document, actor=request.user, document=_doc(request, pk),
                               reason=body.reason))


@router.post("/{pk}/issue", response={200: DocumentOut, **ERRORS}, summary="Văn thư ký số cơ quan và phát hành")
def issue(request: HttpRequest, pk: int) -> DocumentOut:
    return DocumentOut.of(_run(services.issue_document, actor=request.user, document=_doc(request, pk)))


@router.get("/{pk}/signatures", response={200: SignatureOut, **ERRORS}, summary="Kết quả kiểm tra chữ ký số")
def signatures(request: HttpRequest, pk: int) -> SignatureOut:
    panel = signature_panel(_doc(request, pk))
    if panel is None:
        return SignatureOut(verdict="none", explanation="Văn bản chưa có tệp PDF chính.", signatures=[])
    return SignatureOut(verdict=panel.verdict, explanation=panel.explanation, signatures=panel.signatures)
