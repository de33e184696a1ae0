"""Each agency's own processing rules as data (QĐ 16/2019 Art 10.1, 22.3): the agency admin
writes a process (steps, who acts at each, allowed moves, deadlines, the statuses entering a
step answers), checks and publishes it; an incoming document accepted afterwards runs through
the version in force then, one named person holding it at each step. With no process of the
agency's own, the built-in path (`workflow.services`: leader distributes, units assign, people
handle) applies, as before."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from vanban.accounts.models import UnitMembership, User
from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency, Unit
from vanban.audit.services import record_event
from vanban.core.processgraph import Step, check
from vanban.core.text import nfc
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.models import Document, DocumentType
from vanban.workflow import events
from vanban.workflow.deadlines import add_working_days, can_manage
from vanban.workflow.models import (
    STATUS_CHOICES,
    Process,
    ProcessMove,
    ProcessRun,
    ProcessStep,
    ProcessTransition,
    ProcessVersion,
)
from vanban.workflow.services import notify, send_status

MAX_STEPS = 30
STATUSES = {code for code, _ in STATUS_CHOICES}


# ---- who acts at a step -------------------------------------------------------------------

def candidates(step: ProcessStep, agency_id: int) -> QuerySet[User]:
    """The active people of the agency who match the step's role, unit (and rank) and position."""
    qs = User.objects.filter(is_active=True, memberships__agency_id=agency_id)
    if step.role:
        qs = qs.filter(memberships__agency_id=agency_id, memberships__role=step.role)
    if step.unit_id or step.rank:  # one unit membership meets unit, rank and position together
        unit_q = Q(unit_memberships__unit_id=step.unit_id) if step.unit_id else Q(
            unit_memberships__unit__agency_id=agency_id)
        if step.rank:
            unit_q &= Q(unit_memberships__rank=step.rank)
        if step.position:
            unit_q &= Q(unit_memberships__position__iexact=step.position)
        qs = qs.filter(unit_q)
    elif step.position:  # the person's position, or their position in a unit of this agency
        qs = qs.filter(Q(position__iexact=step.position) | Q(unit_memberships__unit__agency_id=agency_id,
                                                             unit_memberships__position__iexact=step.position))
    return qs.distinct().order_by("full_name", "username")


def matches(user: Any, step: ProcessStep, agency_id: int) -> bool:
    pk = getattr(user, "pk", None)  # an anonymous user has none, and matches no step
    return pk is not None and candidates(step, agency_id).filter(pk=pk).exists()


# ---- writing a process (the agency admin) ------------------------------------------------

def _manager(actor: Any, agency_id: int) -> None:
    if not can_manage(actor, agency_id):
        raise DocumentForbiddenError("Chỉ quản trị cơ quan xây dựng quy trình xử lý.")


def _draft(actor: Any, version: ProcessVersion) -> ProcessVersion:
    version = ProcessVersion.objects.select_for_update().select_related("process__agency").get(pk=version.pk)
    _manager(actor, version.process.agency_id)
    if version.state != ProcessVersion.State.DRAFT:
        raise DocumentError("PROCESS_NOT_DRAFT", "Phiên bản này đã ban hành, không sửa được: hãy tạo bản sửa đổi.", 409)
    return version


TEMPLATE: list[dict[str, Any]] = [  # a starting point close to the built-in path, one person at a time
    {"name": "Văn thư tiếp nhận", "role": Role.CLERK},
    {"name": "Lãnh đạo cho ý kiến, phân công", "role": Role.LEADER, "status_code": "04", "working_days": 1},
    {"name": "Trưởng đơn vị phân công", "rank": UnitMembership.Rank.HEAD, "working_days": 1},
    {"name": "Chuyên viên xử lý", "role": Role.SPECIALIST, "status_code": "05"},
    {"name": "Hoàn thành", "status_code": "06", "is_end": True},
]
TEMPLATE_MOVES = [(0, 1, "Trình lãnh đạo", False), (1, 2, "Giao đơn vị", False), (1, 3, "Giao chuyên viên", False),
                  (2, 3, "Phân công", False), (2, 1, "Trả lại lãnh đạo", True), (3, 2, "Trình trưởng đơn vị", False),
                  (3, 4, "Hoàn thành", False)]


@transaction.atomic
def create_process(*, actor: Any, agency: Agency, name: str, document_type: DocumentType | None = None,
                   urgency: str = "", from_template: bool = False) -> Process:
    """A new process with its first draft: the clerk's receiving step alone, or the template."""
    _manager(actor, agency.pk)
    name = nfc(name or "").strip()
    if not name:
        raise DocumentError("PROCESS_NAME_REQUIRED", "Phải đặt tên quy trình.")
    if urgency and urgency not in Document.Urgency.values:
        raise DocumentError("PROCESS_BAD_URGENCY", f"Độ khẩn không hợp lệ: {urgency}.")
    process = Process.objects.create(agency=agency, name=name[:200], document_type=document_type, urgency=urgency,
                                     created_by=actor)
    version = ProcessVersion.objects.create(process=process, number=1, created_by=actor)
    rows = TEMPLATE if from_template else TEMPLATE[:1]
    steps = [ProcessStep.objects.create(version=version, order=i, **row) for i, row in enumerate(rows, start=1)]
    if from_template:
        for a, b, label, reason in TEMPLATE_MOVES:
            ProcessTransition.objects.create(version=version, source=steps[a], target=steps[b], label=label,
                                             reason_required=reason)
    record_event(events.PROCESS_CREATED, actor=actor, agency_code=agency.code, obj=process,
                 details={"name": process.name, "scope": process.scope_text, "template": from_template})
    return process


@transaction.atomic
def open_draft(*, actor: Any, process: Process) -> ProcessVersion:
    """The draft to edit: the existing one, or a copy of the version in force (steps and moves)."""
    process = Process.objects.select_for_update().select_related("agency").get(pk=process.pk)
    _manager(actor, process.agency_id)
    draft = process.versions.filter(state=ProcessVersion.State.DRAFT).first()
    if draft is not None:
        return draft
    base = process.versions.exclude(state=ProcessVersion.State.DRAFT).order_by("-number").first()
    number = (process.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ProcessVersion.objects.create(process=process, number=number, created_by=actor)
    if base is not None:
        copies = {}
        for s in base.steps.all():
            copies[s.pk] = ProcessStep.objects.create(
                version=draft, order=s.order, name=s.name, role=s.role, unit_id=s.unit_id, rank=s.rank,
                position=s.position, working_days=s.working_days, status_code=s.status_code, is_end=s.is_end)
        for t in base.transitions.all():
            ProcessTransition.objects.create(version=draft, source=copies[t.source_id], target=copies[t.target_id],
                                             label=t.label, reason_required=t.reason_required)
    record_event(events.PROCESS_DRAFT_OPENED, actor=actor, agency_code=process.agency.code, obj=process,
                 details={"version": number, "from_version": base.number if base else None})
    return draft


@transaction.atomic
def add_step(*, actor: Any, version: ProcessVersion, name: str, role: str = "", unit: Unit | None = None,
             rank: str = "", position: str = "", working_days: int | None = None, status_code: str = "",
             is_end: bool = False) -> ProcessStep:
    version = _draft(actor, version)
    name, position = nfc(name or "").strip(), nfc(position or "").strip()
    if not name:
        raise DocumentError("STEP_NAME_REQUIRED", "Phải đặt tên bước.")
    if role and role not in (Role.CLERK, Role.LEADER, Role.SPECIALIST, Role.ARCHIVIST):
        raise DocumentError("STEP_BAD_ROLE", f"Vai trò không dùng được trong quy trình: {role}.")
    if rank and rank not in UnitMembership.Rank.values:
        raise DocumentError("STEP_BAD_RANK", f"Vị trí trong đơn vị không hợp lệ: {rank}.")
    if unit is not None and unit.agency_id != version.process.agency_id:
        raise DocumentError("STEP_FOREIGN_UNIT", f"{unit.name} không thuộc cơ quan này.")
    if status_code not in STATUSES:
        raise DocumentError("STEP_BAD_STATUS", f"Trạng thái không dùng được: {status_code}.")
    if status_code == "06" and not is_end:
        raise DocumentError("STEP_BAD_STATUS", "Trạng thái 06 (hoàn thành) chỉ gửi ở bước kết thúc.")
    if working_days is not None and not 1 <= int(working_days) <= 365:
        raise DocumentError("STEP_BAD_DAYS", "Thời hạn của bước phải từ 1 đến 365 ngày làm việc.")
    if not is_end and not (role or unit or rank or position):
        raise DocumentError("STEP_NOBODY", "Phải nói ai thực hiện bước: vai trò, đơn vị hoặc chức vụ.")
    if version.steps.count() >= MAX_STEPS:
        raise DocumentError("PROCESS_TOO_LONG", f"Một quy trình có tối đa {MAX_STEPS} bước.")
    order = (version.steps.aggregate(n=Max("order"))["n"] or 0) + 1
    step = ProcessStep.objects.create(version=version, order=order, name=name[:120], role=role, unit=unit, rank=rank,
                                      position=position[:200], working_days=working_days, status_code=status_code,
                                      is_end=is_end)
    record_event(events.PROCESS_STEP_ADDED, actor=actor, agency_code=version.process.agency.code,
                 obj=version.process, details={"version": version.number, "step": step.name, "who": step.who_text,
                                               "status": status_code, "end": is_end})
    return step


@transaction.atomic
def remove_step(*, actor: Any, step: ProcessStep) -> None:
    version = _draft(actor, step.version)
    record_event(events.PROCESS_STEP_REMOVED, actor=actor, agency_code=version.process.agency.code,
                 obj=version.process, details={"version": version.number, "step": step.name})
    step.delete()  # its moves go with it


@transaction.atomic
def add_transition(*, actor: Any, version: ProcessVersion, source: ProcessStep, target: ProcessStep, label: str,
                   reason_required: bool = False) -> ProcessTransition:
    version = _draft(actor, version)
    label = nfc(label or "").strip()
    if source.version_id != version.pk or target.version_id != version.pk:
        raise DocumentError("TRANSITION_FOREIGN_STEP", "Bước chuyển phải nối hai bước của cùng phiên bản.")
    if source.pk == target.pk:
        raise DocumentError("TRANSITION_LOOP", "Không chuyển một bước về chính nó.")
    if source.is_end:
        raise DocumentError("TRANSITION_FROM_END", f"“{source.name}” là bước kết thúc, không chuyển tiếp.")
    if not label:
        raise DocumentError("TRANSITION_LABEL_REQUIRED", "Phải đặt tên thao tác (ví dụ: Trình lãnh đạo).")
    if ProcessTransition.objects.filter(source=source, target=target).exists():
        raise DocumentError("TRANSITION_EXISTS", f"Đã có bước chuyển từ “{source.name}” tới “{target.name}”.")
    t = ProcessTransition.objects.create(version=version, source=source, target=target, label=label[:80],
                                         reason_required=reason_required)
    record_event(events.PROCESS_TRANSITION_ADDED, actor=actor, agency_code=version.process.agency.code,
                 obj=version.process, details={"version": version.number, "from": source.name, "to": target.name,
                                               "label": t.label, "reason_required": reason_required})
    return t


@transaction.atomic
def remove_transition(*, actor: Any, transition: ProcessTransition) -> None:
    version = _draft(actor, transition.version)
    record_event(events.PROCESS_TRANSITION_REMOVED, actor=actor, agency_code=version.process.agency.code,
                 obj=version.process, details={"version": version.number, "label": transition.label})
    transition.delete()


def problems(version: ProcessVersion) -> list[tuple[str, str]]:
    """Why a version cannot be published (code, Vietnamese message); empty when it can."""
    steps = list(version.steps.select_related("unit"))
    moves = [(t.source_id, t.target_id) for t in version.transitions.all()]
    found = [(p.code, p.message) for p in check([Step(s.pk, s.name, s.is_end) for s in steps], moves)]
    agency_id = version.process.agency_id
    if steps and steps[0].role != Role.CLERK:
        found.append(("PROCESS_START_NOT_CLERK",
                      f"Bước đầu “{steps[0].name}” phải do văn thư thực hiện (văn thư tiếp nhận văn bản đến)."))
    for s in steps:
        if not s.is_end and not candidates(s, agency_id).exists():
            found.append(("STEP_NOBODY", f"Không có ai trong cơ quan thực hiện được bước “{s.name}” ({s.who_text})."))
    clash = Process.objects.filter(agency_id=agency_id, document_type_id=version.process.document_type_id,
                                   urgency=version.process.urgency, versions__state=ProcessVersion.State.PUBLISHED
                                   ).exclude(pk=version.process_id).first()
    if clash is not None:
        found.append(("PROCESS_SCOPE_TAKEN",
                      f"Quy trình “{clash.name}” đang áp dụng cho cùng loại văn bản và độ khẩn."))
    return found


@transaction.atomic
def publish(*, actor: Any, version: ProcessVersion) -> ProcessVersion:
    """Put a checked draft in force; the version it replaces is kept for the documents on it."""
    version = _draft(actor, version)
    Agency.objects.select_for_update().filter(pk=version.process.agency_id).first()  # one publication at a time
    found = problems(version)
    if found:
        raise DocumentError("PROCESS_INVALID", "Chưa ban hành được quy trình: " + " ".join(m for _, m in found))
    previous = list(version.process.versions.filter(state=ProcessVersion.State.PUBLISHED))
    ProcessVersion.objects.filter(pk__in=[v.pk for v in previous]).update(state=ProcessVersion.State.RETIRED)
    version.state, version.published_by, version.published_at = ProcessVersion.State.PUBLISHED, actor, timezone.now()
    version.save(update_fields=["state", "published_by", "published_at"])
    record_event(events.PROCESS_PUBLISHED, actor=actor, agency_code=version.process.agency.code,
                 obj=version.process, details={"version": version.number, "replaces": [v.number for v in previous],
                                               "steps": [s.name for s in version.steps.all()]})
    return version


@transaction.atomic
def withdraw(*, actor: Any, process: Process) -> None:
    """Stop applying a process to new documents (those on it finish on their version)."""
    process = Process.objects.select_for_update().select_related("agency").get(pk=process.pk)
    _manager(actor, process.agency_id)
    count = process.versions.filter(state=ProcessVersion.State.PUBLISHED).update(state=ProcessVersion.State.RETIRED)
    if not count:
        raise DocumentError("PROCESS_NOT_IN_FORCE", "Quy trình này không đang áp dụng.", 409)
    record_event(events.PROCESS_WITHDRAWN, actor=actor, agency_code=process.agency.code, obj=process,
                 details={"name": process.name})


# ---- running a document through it --------------------------------------------------------

def version_for(document: Document) -> ProcessVersion | None:
    """The agency's version in force for this document: type and urgency, then type, then urgency,
    then a process for every incoming document."""
    versions = list(ProcessVersion.objects.filter(
        state=ProcessVersion.State.PUBLISHED, process__agency_id=document.agency_id).filter(
        Q(process__document_type__isnull=True) | Q(process__document_type_id=document.document_type_id),
        Q(process__urgency="") | Q(process__urgency=document.urgency)).select_related("process"))
    if not versions:
        return None
    return max(versions, key=lambda v: (2 if v.process.document_type_id else 0) + (1 if v.process.urgency else 0))


def start_run(document: Document, actor: Any) -> ProcessRun | None:
    """On acceptance: the document enters the version in force, held by the clerk who accepted it."""
    if document.direction != Document.Direction.INCOMING or ProcessRun.objects.filter(document=document).exists():
        return None
    version = version_for(document)
    if version is None:
        return None
    first = version.steps.first()
    assert first is not None  # a published version has steps
    holder = actor if isinstance(actor, User) else None
    run = ProcessRun.objects.create(document=document, version=version, step=first, holder=holder,
                                    due_on=_due(document, first))
    mover = holder or version.published_by
    assert mover is not None  # a published version names who published it
    ProcessMove.objects.create(run=run, target=first, actor=mover, holder=holder, label="Tiếp nhận", due_on=run.due_on)
    record_event(events.PROCESS_STARTED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"process": version.process.name, "version": version.number, "step": first.name})
    return run


def _due(document: Document, step: ProcessStep, today: date | None = None) -> date | None:
    if not step.working_days:
        return None
    due = add_working_days(today or timezone.localdate(), step.working_days)
    return min(due, document.due_on) if document.due_on else due


def default_holder(run: ProcessRun, target: ProcessStep) -> User | None:
    """Who takes a step when the mover names no one: whoever held it before in this run (a
    document sent back returns to its handler), else the only person who can."""
    agency_id = run.document.agency_id
    before = run.moves.filter(target=target, holder__isnull=False).select_related("holder").order_by("-at", "-id")
    for m in before[:1]:
        if m.holder is not None and m.holder.is_active and matches(m.holder, target, agency_id):
            return m.holder
    people = list(candidates(target, agency_id)[:2])
    return people[0] if len(people) == 1 else None


def active_run(document: Document) -> ProcessRun | None:
    return (ProcessRun.objects.filter(document=document, finished_at__isnull=True)
            .select_related("step", "holder", "version__process").first())


@transaction.atomic
def move(*, actor: Any, document: Document, transition: ProcessTransition, holder: User | None = None,
         note: str = "") -> ProcessRun:
    """The holder moves the document along an allowed transition to the next person. Entering a
    step answers its status once (never going back: 04 after 05 is not sent); the end step
    completes the document (06)."""
    document = Document.objects.select_for_update().select_related("agency").get(pk=document.pk)  # then the run
    run = ProcessRun.objects.select_for_update().select_related("step", "version").filter(document=document).first()
    if run is None:
        raise DocumentError("PROCESS_NONE", "Văn bản này không xử lý theo quy trình riêng của cơ quan.", 409)
    run.document = document
    if run.finished_at is not None or document.state in (Document.State.REVOKED, Document.State.COMPLETED,
                                                         Document.State.MERGED):
        raise DocumentError("PROCESS_FINISHED", "Văn bản đã kết thúc quy trình xử lý.", 409)
    if run.holder_id != getattr(actor, "pk", None):
        last = run.moves.order_by("-at", "-id").first()
        if last is not None and last.actor_id == getattr(actor, "pk", None):
            raise DocumentError("PROCESS_ALREADY_MOVED", f"Văn bản đã được chuyển sang bước “{run.step.name}”.", 409)
        raise DocumentForbiddenError("Văn bản đang ở bước do người khác xử lý.")
    if transition.source_id != run.step_id:
        raise DocumentError("PROCESS_BAD_MOVE", f"Từ bước “{run.step.name}” không có thao tác “{transition.label}”.",
                            409)
    note = nfc(note or "").strip()
    if transition.reason_required and not note:
        raise DocumentError("REASON_REQUIRED", f"“{transition.label}”: phải ghi lý do.")
    target = transition.target
    agency_id = document.agency_id
    if target.is_end:
        holder = None
    elif holder is None:
        holder = default_holder(run, target)
        if holder is None:
            raise DocumentError("HOLDER_REQUIRED", f"Chọn người thực hiện bước “{target.name}”.")
    elif not matches(holder, target, agency_id):
        raise DocumentError("HOLDER_NOT_ALLOWED",
                            f"{holder.display_name()} không thực hiện được bước “{target.name}” ({target.who_text}).")
    source = run.step
    run.step, run.holder, run.due_on, run.reminded_at = target, holder, _due(document, target), None
    ProcessMove.objects.create(run=run, source=source, target=target, label=transition.label, actor=actor,
                               holder=holder, note=note, due_on=run.due_on)
    if document.state == Document.State.ACCEPTED:
        document.state = Document.State.IN_PROGRESS
    department = target.unit.name if target.unit is not None else ""
    sent = list(run.statuses_sent)
    codes = [target.status_code] if target.status_code else []
    if target.is_end and "06" not in codes:
        codes.append("06")
    for code in codes:
        if code not in sent and code > max(sent, default="03"):
            text = {"04": f"Đã chuyển {holder.display_name() if holder else ''} xử lý",
                    "05": "Đang xử lý", "06": note or "Đã xử lý xong"}[code]
            send_status(document, code, text, holder or actor, department=department)
            sent.append(code)
    run.statuses_sent = sent
    if target.is_end:
        run.finished_at = document.completed_at = timezone.now()
        document.state = Document.State.COMPLETED
    run.save()
    document.save(update_fields=["state", "completed_at", "updated_at"])
    if holder is not None and holder.pk != getattr(actor, "pk", None):
        notify(holder, f"{target.name}: {document.notation} — {document.subject}", document, "process_step")
    record_event(events.PROCESS_MOVED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"from": source.name, "to": target.name, "label": transition.label, "note": note,
                          "holder": holder.get_username() if holder else None,
                          "version": run.version.number, "due_on": run.due_on.isoformat() if run.due_on else None})
    return run


@transaction.atomic
def reassign(*, actor: Any, document: Document, holder: User, reason: str) -> ProcessRun:
    """A leader or the agency admin gives the current step to someone else who can do it (the
    holder is away, has left, or moved): the document never stays with nobody able to move it."""
    document = Document.objects.select_for_update().select_related("agency").get(pk=document.pk)
    run = ProcessRun.objects.select_for_update(of=("self",)).select_related("step", "version", "holder").filter(
        document=document, finished_at__isnull=True).first()
    if run is None:
        raise DocumentError("PROCESS_FINISHED", "Văn bản không còn ở bước nào của quy trình.", 409)
    if not (can_manage(actor, document.agency_id) or has_role(actor, document.agency_id, Role.LEADER)):
        raise DocumentForbiddenError("Chỉ lãnh đạo hoặc quản trị cơ quan được giao lại bước xử lý.")
    reason = nfc(reason or "").strip()
    if not reason:
        raise DocumentError("REASON_REQUIRED", "Phải ghi lý do giao lại.")
    if holder.pk == run.holder_id or not holder.is_active or not matches(holder, run.step, document.agency_id):
        raise DocumentError("HOLDER_NOT_ALLOWED", f"{holder.display_name()} không nhận được bước “{run.step.name}” "
                                                  f"({run.step.who_text}).")
    before = run.holder
    run.holder, run.reminded_at = holder, None
    run.save(update_fields=["holder", "reminded_at"])
    ProcessMove.objects.create(run=run, source=run.step, target=run.step, label="Giao lại", actor=actor,
                               holder=holder, note=reason, due_on=run.due_on)
    notify(holder, f"{run.step.name} (giao lại): {document.notation} — {document.subject}", document, "process_step")
    record_event(events.PROCESS_REASSIGNED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"step": run.step.name, "from": before.get_username() if before else None,
                          "to": holder.get_username(), "reason": reason})
    return run


def remind_steps() -> int:
    """Per step: one reminder when its deadline is a day away, one more once it has passed."""
    today = timezone.localdate()
    count = 0
    for run in ProcessRun.objects.filter(finished_at__isnull=True, holder__isnull=False,
                                         due_on__lte=add_working_days(today, 1)).select_related(
                                             "document", "holder", "step"):
        if run.due_on is None or run.holder is None:  # not in the query (due_on__lte, holder__isnull): for mypy
            continue
        late = run.due_on < today
        if run.reminded_at is not None and (not late or timezone.localtime(run.reminded_at).date() > run.due_on):
            continue  # told already: once before the deadline, once after it
        notify(run.holder, ("Quá hạn bước " if late else "Sắp đến hạn bước ")
               + f"“{run.step.name}”: {run.document.notation} — hạn {run.due_on:%d/%m/%Y}", run.document,
               "deadline_passed" if late else "deadline_near")
        ProcessRun.objects.filter(pk=run.pk).update(reminded_at=timezone.now())
        count += 1
    return count


def can_read(user: Any, agency_id: int) -> bool:
    """Every member of the agency may read its processes (specialists should know the path)."""
    return can_manage(user, agency_id) or has_role(user, agency_id, *Role.values)
