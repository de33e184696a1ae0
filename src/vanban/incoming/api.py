"""Incoming documents and their processing over the API: the same services as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from vanban.accounts.apiauth import SessionAuth
from vanban.accounts.current import current_agency
from vanban.accounts.models import User
from vanban.accounts.permissions import signed_in
from vanban.apierrors import ApiError, ErrorOut
from vanban.core.clock import to_iso
from vanban.documents import permissions
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.incoming import services as incoming
from vanban.workflow import queries
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment

router = Router(auth=[SessionAuth()])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CheckOut(Schema):
    code: str
    ok: bool
    label: str
    detail: str


class IncomingOut(Schema):
    id: int
    state: str
    source: str
    issuer_code: str
    issuer_name: str
    notation: str
    document_id: str
    subject: str
    issued_on: date | None
    arrived_at: str | None
    arrival_number: int | None
    due_on: date | None
    verified: bool
    integrity_ok: bool
    checks: list[CheckOut]

    @staticmethod
    def of(d: Document) -> IncomingOut:
        v = d.incoming.verification or {}
        return IncomingOut(
            id=d.pk, state=d.state, source=d.source, issuer_code=d.issuer_code, issuer_name=d.issuer_name,
            notation=d.notation, document_id=d.external_id, subject=d.subject, issued_on=d.issued_on,
            arrived_at=to_iso(d.arrived_at) if d.arrived_at else None, arrival_number=d.incoming.arrival_number,
            due_on=d.due_on, verified=bool(v.get("ok", d.source == "paper")),
            integrity_ok=bool(v.get("integrity_ok", True)),
            checks=[CheckOut(code=c["code"], ok=c["ok"], label=c["label"], detail=c.get("detail", ""))
                    for c in v.get("checks", [])])


class ReasonIn(Schema):
    reason: str = Field(max_length=4000)


class AssigneeIn(Schema):
    username: str
    kind: str = Field(pattern="^(lead|support|info)$")


class AssignIn(Schema):
    instruction: str = Field(max_length=4000)
    due_on: date | None = None
    assignees: list[AssigneeIn] = Field(min_length=1, max_length=100)
    confirm_past_due: bool = Field(False, description="giao cả khi hạn xử lý đã qua")


class AssignmentOut(Schema):
    id: int
    document_id: int
    notation: str
    subject: str
    kind: str
    state: str
    due_on: date | None
    overdue: bool

    @staticmethod
    def of(a: Assignment, today: date) -> AssignmentOut:
        return AssignmentOut(id=a.pk, document_id=a.document_id, notation=a.document.notation,
                             subject=a.document.subject, kind=a.kind, state=a.state, due_on=a.due_on,
                             overdue=bool(a.due_on and a.due_on < today and a.state in workflow.OPEN_STATES))


class CompleteIn(Schema):
    result: str = Field("", max_length=4000)


def _doc(request: HttpRequest, pk: int) -> Document:
    d = (Document.objects.select_related("agency", "incoming").filter(pk=pk, direction=Document.Direction.INCOMING)
         .first())
    if d is None or not permissions.can_view(request.user, d):
        raise ApiError(404, "DOCUMENT_NOT_FOUND", "Không tìm thấy văn bản.")
    return d


def _run(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except DocumentError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc


@router.get("", response={200: list[IncomingOut], **ERRORS}, summary="Văn bản đến của cơ quan")
def list_incoming(request: HttpRequest, state: str = "", limit: int = 50, offset: int = 0) -> list[IncomingOut]:
    agency = current_agency(request)
    if agency is None:
        raise ApiError(403, "FORBIDDEN", "Tài khoản không thuộc cơ quan nào.")
    qs = (Document.objects.filter(agency=agency, direction=Document.Direction.INCOMING)
          .filter(permissions.visible_q(request.user)).select_related("incoming").order_by("-arrived_at"))
    if state:
        qs = qs.filter(state=state)
    limit = max(1, min(limit, 200))
    offset = max(0, min(offset, 1_000_000))
    return [IncomingOut.of(d) for d in qs[offset:offset + limit]]


@router.get("/{pk}", response={200: IncomingOut, **ERRORS}, summary="Một văn bản đến, với kết quả kiểm tra")
def get_incoming(request: HttpRequest, pk: int) -> IncomingOut:
    return IncomingOut.of(_doc(request, pk))


@router.post("/{pk}/accept", response={200: IncomingOut, **ERRORS}, summary="Tiếp nhận, vào sổ đến (trạng thái 03)")
def accept(request: HttpRequest, pk: int) -> IncomingOut:
    return IncomingOut.of(_run(incoming.accept_package, actor=request.user, document=_doc(request, pk)))


@router.post("/{pk}/reject", response={200: IncomingOut, **ERRORS}, summary="Từ chối tiếp nhận (trạng thái 02)")
def reject(request: HttpRequest, pk: int, payload: ReasonIn) -> IncomingOut:
    return IncomingOut.of(_run(incoming.reject_package, actor=request.user, document=_doc(request, pk),
                               reason=payload.reason))


@router.post("/{pk}/assign", response={200: IncomingOut, **ERRORS}, summary="Chỉ đạo, phân công (trạng thái 04)")
def assign(request: HttpRequest, pk: int, payload: AssignIn) -> IncomingOut:
    doc = _doc(request, pk)
    people = []
    for a in payload.assignees:
        user = User.objects.filter(username=a.username, memberships__agency=doc.agency).distinct().first()
        if user is None:
            raise ApiError(422, "ASSIGNEE_OUTSIDE", f"{a.username} không thuộc cơ quan.")
        people.append(workflow.AssigneeInput(user, a.kind))
    _run(workflow.assign, actor=request.user, document=doc, instruction=payload.instruction, assignees=people,
         due_on=payload.due_on, confirm_past_due=payload.confirm_past_due)
    doc.refresh_from_db()
    return IncomingOut.of(doc)


work_router = Router(auth=[SessionAuth()])


@work_router.get("", response={200: list[AssignmentOut], **ERRORS}, summary="Công việc được giao của tôi")
def my_work(request: HttpRequest) -> list[AssignmentOut]:
    today = timezone.localdate()
    return [AssignmentOut.of(a, today) for a in queries.my_work(request.user)]


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    a = Assignment.objects.select_related("document").filter(pk=pk, assignee=signed_in(request)).first()
    if a is None:
        raise ApiError(404, "ASSIGNMENT_NOT_FOUND", "Không tìm thấy phần việc.")
    return a


@work_router.post("/{pk}/start", response={200: AssignmentOut, **ERRORS}, summary="Bắt đầu xử lý (05)")
def start(request: HttpRequest, pk: int) -> AssignmentOut:
    a = _run(workflow.start, actor=request.user, assignment=_assignment(request, pk))
    return AssignmentOut.of(a, timezone.localdate())


@work_router.post("/{pk}/complete", response={200: AssignmentOut, **ERRORS}, summary="Hoàn thành (06 khi xong)")
def complete(request: HttpRequest, pk: int, payload: CompleteIn) -> AssignmentOut:
    a = _run(workflow.complete, actor=request.user, assignment=_assignment(request, pk), result=payload.result)
    return AssignmentOut.of(a, timezone.localdate())
