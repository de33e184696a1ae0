"""An incoming document's own-process state and the holder's move, over the API (a phone app
does what the page does): `GET /api/v1/incoming/{id}/process`, `POST …/process/move`."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from vanban.accounts.apiauth import SessionAuth
from vanban.accounts.models import User
from vanban.apierrors import ApiError, ErrorOut
from vanban.core.clock import to_iso
from vanban.documents import permissions
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.workflow import processes
from vanban.workflow.models import ProcessRun

router = Router(auth=[SessionAuth()])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class PersonOut(Schema):
    username: str
    name: str


class ChoiceOut(Schema):
    transition: int
    label: str
    target: str
    ends: bool
    reason_required: bool
    holders: list[PersonOut]
    proposed_holder: str | None


class MoveOut(Schema):
    at: str
    label: str
    actor: str
    target: str
    holder: str | None
    note: str


class ProcessOut(Schema):
    process: str
    version: int
    step: str
    holder: PersonOut | None
    due_on: date | None
    finished_at: str | None
    choices: list[ChoiceOut] = Field(description="các thao tác người đang giữ văn bản được chọn (rỗng với người khác)")
    moves: list[MoveOut]


class MoveIn(Schema):
    transition: int = 0
    holder: str = Field("", max_length=150, description="tên đăng nhập người thực hiện bước sau")
    note: str = Field("", max_length=2000)


def _person_out(u: User) -> PersonOut:
    return PersonOut(username=u.get_username(), name=u.display_name())


def _person(u: User | None) -> PersonOut | None:
    return _person_out(u) if u is not None else None


def _out(run: ProcessRun, user: User) -> ProcessOut:
    choices = []
    if run.finished_at is None and run.holder_id == user.pk:
        for t in run.step.exits.select_related("target"):
            people = [] if t.target.is_end else list(processes.candidates(t.target, run.document.agency_id))
            chosen = None if t.target.is_end else processes.default_holder(run, t.target)
            choices.append(ChoiceOut(transition=t.pk, label=t.label, target=t.target.name, ends=t.target.is_end,
                                     reason_required=t.reason_required,
                                     holders=[_person_out(u) for u in people],
                                     proposed_holder=chosen.get_username() if chosen else None))
    return ProcessOut(
        process=run.version.process.name, version=run.version.number, step=run.step.name, holder=_person(run.holder),
        due_on=run.due_on, finished_at=to_iso(run.finished_at) if run.finished_at else None, choices=choices,
        moves=[MoveOut(at=to_iso(m.at), label=m.label, actor=m.actor.display_name(), target=m.target.name,
                       holder=m.holder.display_name() if m.holder else None, note=m.note)
               for m in run.moves.select_related("actor", "holder", "target")])


def _run(request: HttpRequest, pk: int) -> ProcessRun:
    doc = Document.objects.filter(pk=pk, direction=Document.Direction.INCOMING).first()
    if doc is None or not permissions.can_view(request.user, doc):
        raise ApiError(404, "DOCUMENT_NOT_FOUND", "Không tìm thấy văn bản.")
    run = ProcessRun.objects.filter(document=doc).select_related(
        "document", "version__process", "step", "holder").first()
    if run is None:
        raise ApiError(404, "PROCESS_NONE", "Văn bản này xử lý theo quy trình mặc định, không theo quy trình riêng.")
    return run


@router.get("/{pk}/process", response={200: ProcessOut, **ERRORS}, summary="Văn bản đến theo quy trình của cơ quan")
def get_process(request: HttpRequest, pk: int) -> ProcessOut:
    return _out(_run(request, pk), cast(User, request.user))  # SessionAuth: never anonymous here


@router.post("/{pk}/process/move", response={200: ProcessOut, **ERRORS}, summary="Chuyển bước theo quy trình")
def move(request: HttpRequest, pk: int, payload: MoveIn) -> ProcessOut:
    run = _run(request, pk)
    if run.holder_id != request.user.pk:
        raise ApiError(403, "FORBIDDEN", "Văn bản đang ở bước do người khác xử lý.")
    transition = run.step.exits.select_related("target").filter(pk=payload.transition).first()
    if transition is None:
        raise ApiError(422, "PROCESS_BAD_MOVE", f"Từ bước “{run.step.name}” không có thao tác này.")
    holder = None
    if payload.holder:
        holder = User.objects.filter(username=payload.holder, is_active=True).first()
        if holder is None:
            raise ApiError(400, "HOLDER_NOT_ALLOWED", f"Không có người dùng {payload.holder}.")
    try:
        processes.move(actor=request.user, document=run.document, transition=transition, holder=holder,
                       note=payload.note)
    except DocumentError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc
    return _out(_run(request, pk), cast(User, request.user))  # SessionAuth: never anonymous here
