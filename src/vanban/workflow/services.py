"""Processing an accepted incoming document: forward to a leader, instruct and assign
(status 04), work on it (05 on the first action), complete (06). Each step audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from vanban.accounts.models import UnitMembership, User
from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.accounts.services import primary_unit, staff_info
from vanban.agencies.models import Unit
from vanban.audit.services import record_event
from vanban.core.text import nfc
from vanban.documents.errors import DocumentError, DocumentForbiddenError, DocumentMovedOnError
from vanban.documents.files import FileInput, store_working_file
from vanban.documents.models import Document
from vanban.exchange.services import queue_status
from vanban.workflow import events
from vanban.workflow.deadlines import proposed_due
from vanban.workflow.mail import mail_notification
from vanban.workflow.models import (
    Assignment,
    Instruction,
    Notification,
    ProcessRun,
    Proposal,
    UnitAssignment,
    WorkNote,
)

OPEN_STATES = (Assignment.State.OPEN, Assignment.State.IN_PROGRESS)
UNIT_OPEN = (UnitAssignment.State.OPEN, UnitAssignment.State.IN_PROGRESS)
UNIT_HANDLERS = (UnitMembership.Rank.HEAD, UnitMembership.Rank.DEPUTY)


@dataclass
class AssigneeInput:
    user: User
    kind: str


@dataclass
class UnitInput:
    unit: Unit
    kind: str


def unit_handlers(unit: Unit) -> list[User]:
    """Who acts for a unit: its head and deputies (active accounts)."""
    return list(User.objects.filter(unit_memberships__unit=unit, unit_memberships__rank__in=UNIT_HANDLERS,
                                    is_active=True).distinct().order_by("unit_memberships__rank", "full_name"))


def handles_unit(user: Any, unit: Unit) -> bool:
    pk = getattr(user, "pk", None)  # an anonymous user handles no unit
    return pk is not None and UnitMembership.objects.filter(user_id=pk, unit=unit, rank__in=UNIT_HANDLERS).exists()


def document_url(document: Document) -> str:
    name = "incoming_detail" if document.direction == Document.Direction.INCOMING else "document_detail"
    return reverse(name, args=[document.pk])


def notify(user: User, text: str, document: Document, kind: str) -> Notification:
    """A notification on the user's list, and an e-mail after the step commits (if they have one)."""
    return notify_at(user, text, document_url(document), kind)


def notify_at(user: User, text: str, url: str, kind: str) -> Notification:
    """The same for what is not a document (a dossier's package, for instance)."""
    note = Notification.objects.create(user=user, text=text[:500], kind=kind, url=url[:300])
    if user.email:
        transaction.on_commit(lambda: mail_notification(note.pk))
    return note


def send_status(document: Document, code: str, description: str, staff: Any = None, department: str = "") -> None:
    info = staff_info(staff, document.agency)
    if department:  # the lead unit, as QCVN 102's StaffInfo/Department names it
        info["staff_department"] = department
    queue_status(document_id=document.pk, sender_code=document.agency.code, recipient_code=document.issuer_code,
                 recipient_name=document.issuer_name, edxml_document_id=document.external_id, status_code=code,
                 description=description, response_notation=document.notation, response_date=document.issued_on,
                 **info)


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("agency").get(pk=document.pk)


def _not_on_own_process(document: Document) -> None:
    """A document running through the agency's own process moves only along its steps."""
    run = ProcessRun.objects.filter(document=document, finished_at__isnull=True).select_related(
        "version__process", "step").first()
    if run is not None:
        raise DocumentError("PROCESS_IN_FORCE", f"Văn bản xử lý theo “{run.version.process.name}”, đang ở bước "
                            f"“{run.step.name}”: hãy dùng các thao tác của quy trình.", 409)


DOUBLE_SUBMIT_SECONDS = 600


@transaction.atomic
def forward_to_leader(*, actor: Any, document: Document, leader: User, note: str = "",
                      unit: Unit | None = None, seen: int | None = None) -> Document:
    """The clerk passes an accepted document to a leader, with a proposal (ý kiến đề xuất):
    a note and/or the unit proposed to lead. Each forward is kept as a `Proposal` (empty when
    nothing is proposed), so the page can tell how many it showed.

    `seen` is the number of forwards the clerk's page showed: any other number means the
    document was forwarded meanwhile (a second press, another tab) and nothing is written
    (`ALREADY_FORWARDED`). Without it, the same forward again within `DOUBLE_SUBMIT_SECONDS`
    is taken for a second press. A deliberate forward to another leader sends `seen` as shown.
    """
    document = _locked(document)
    if document.state != Document.State.ACCEPTED or not has_role(actor, document.agency_id, Role.CLERK):
        raise DocumentForbiddenError("Chỉ văn thư được chuyển văn bản đã tiếp nhận cho lãnh đạo.")
    _not_on_own_process(document)
    note = nfc(note or "").strip()[:2000]
    _not_forwarded_meanwhile(document, seen, leader=leader, note=note, unit=unit)
    if not has_role(leader, document.agency_id, Role.LEADER):
        raise DocumentError("NOT_A_LEADER", "Người nhận phải là lãnh đạo của cơ quan.")
    if unit is not None and (unit.agency_id != document.agency_id or not unit.is_active):
        raise DocumentError("UNIT_OUTSIDE", f"{unit.name} không phải đơn vị đang hoạt động của cơ quan.")
    Proposal.objects.create(document=document, author=actor, leader=leader, text=note, unit=unit)
    proposal = f" — đề xuất: {unit.name + (': ' if note else '') if unit else ''}{note}" if note or unit else ""
    notify(leader, f"Văn bản đến chờ phân công: {document.notation} — {document.subject}{proposal}", document,
           "to_assign")
    record_event(events.FORWARDED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"leader": leader.get_username(), "note": note,
                          "unit": [unit.code, unit.name] if unit else None})
    return document


def _not_forwarded_meanwhile(document: Document, seen: int | None, *, leader: User, note: str,
                             unit: Unit | None) -> None:
    """Refuses, naming the forward already made, a forward the clerk's page did not know of."""
    last = document.proposals.select_related("leader").first()
    if last is None:
        return
    if seen is None:
        repeated = (last.leader_id == leader.pk and last.text == note and last.unit_id == getattr(unit, "pk", None)
                    and last.created_at >= timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS))
        if not repeated:
            return
    elif seen == document.proposals.count():
        return
    at = timezone.localtime(last.created_at).strftime("%d/%m/%Y %H:%M")
    raise DocumentMovedOnError("ALREADY_FORWARDED", f"Văn bản đã được chuyển {last.leader.display_name()} lúc {at}.",
                               f"{document.get_state_display()} — đã chuyển {last.leader.display_name()} lúc {at}")


@transaction.atomic
def assign_many(*, actor: Any, documents: list[Document], instruction: str, assignees: list[AssigneeInput],
                due_on: date | None = None, units: list[UnitInput] | tuple[UnitInput, ...] = ()) -> list[Instruction]:
    """The same instruction and people for several accepted documents at once (a leader's
    morning pile): all of them or none — a refusal names the document it stopped at."""
    if not documents:
        raise DocumentError("NOTHING_SELECTED", "Chưa chọn văn bản nào.")
    done = []
    for document in documents:
        try:
            done.append(assign(actor=actor, document=document, instruction=instruction, assignees=assignees,
                               due_on=due_on, units=units))
        except DocumentForbiddenError as exc:
            raise DocumentForbiddenError(f"{_label(document)}: {exc.message}") from exc
        except DocumentError as exc:
            raise DocumentError(exc.code, f"{_label(document)}: {exc.message}", exc.status) from exc
    return done


def _label(document: Document) -> str:
    return document.notation or document.subject[:60]


@transaction.atomic
def assign(*, actor: Any, document: Document, instruction: str, assignees: list[AssigneeInput],
           due_on: date | None = None, confirm_past_due: bool = False,
           units: list[UnitInput] | tuple[UnitInput, ...] = ()) -> Instruction:
    """The leader's instruction and who handles it — people and/or units (a unit's head then
    assigns within it); answers 04 the first time, naming the lead unit and person.

    The same instruction to the same people again (a double click, a second tab) changes
    nothing; a new lead (person or unit) replaces the open one (re-assignment), which is closed.
    """
    document = _locked(document)
    if document.state not in (Document.State.ACCEPTED, Document.State.IN_PROGRESS) or not has_role(
            actor, document.agency_id, Role.LEADER):
        raise DocumentForbiddenError("Chỉ lãnh đạo được phân công xử lý văn bản đã tiếp nhận.")
    _not_on_own_process(document)
    text = nfc(instruction or "").strip()
    if not text:
        raise DocumentError("INSTRUCTION_REQUIRED", "Phải ghi ý kiến chỉ đạo.")
    units = list(units)
    leads = sum(a.kind == Assignment.Kind.LEAD for a in assignees) + sum(u.kind == "lead" for u in units)
    if not leads:
        raise DocumentError("LEAD_REQUIRED", "Phải giao một người hoặc một đơn vị chủ trì xử lý.")
    for a in assignees:
        if a.kind not in Assignment.Kind.values:
            raise DocumentError("BAD_KIND", f"Vai trò không hợp lệ: {a.kind}.")
        if not has_role(a.user, document.agency_id, *Role.values):
            raise DocumentError("ASSIGNEE_OUTSIDE", f"{a.user.display_name()} không thuộc cơ quan.")
    for u in units:
        if u.kind not in UnitAssignment.Kind.values:
            raise DocumentError("BAD_KIND", f"Vai trò không hợp lệ: {u.kind}.")
        if u.unit.agency_id != document.agency_id:
            raise DocumentError("UNIT_OUTSIDE", f"{u.unit.name} không thuộc cơ quan.")
    if len({a.user.pk for a in assignees}) != len(assignees) or len({u.unit.pk for u in units}) != len(units):
        raise DocumentError("DUPLICATE_ASSIGNEE",
                            "Mỗi người, mỗi đơn vị chỉ được giao một vai trò trong một lần phân công.")
    if leads > 1:
        raise DocumentError("ONE_LEAD", "Chỉ giao một người hoặc một đơn vị chủ trì.")
    if due_on and due_on < timezone.localdate() and not confirm_past_due:
        raise DocumentError("PAST_DUE", f"Hạn xử lý {due_on:%d/%m/%Y} đã qua. Chọn lại hạn, hoặc xác nhận hạn này.")
    from_rule = due_on is None and (due_on := proposed_due(document)) is not None
    wanted = {(a.user.pk, a.kind) for a in assignees}
    wanted_units = {(u.unit.pk, u.kind) for u in units}
    recent = (Instruction.objects.filter(document=document, author=actor, text=text,
                                         created_at__gte=timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS))
              .order_by("-id").first())
    if (recent is not None and {(x.assignee_id, x.kind) for x in recent.assignments.all()} == wanted
            and {(x.unit_id, x.kind) for x in recent.unit_assignments.all()} == wanted_units):
        return recent  # pressed twice: already done
    first = document.state == Document.State.ACCEPTED
    new_lead = next((a.user for a in assignees if a.kind == Assignment.Kind.LEAD), None)
    new_lead_unit = next((u.unit for u in units if u.kind == UnitAssignment.Kind.LEAD), None)
    _close_old_leads(document, new_lead, new_lead_unit)
    already = set(Assignment.objects.filter(document=document, state__in=OPEN_STATES)
                  .values_list("assignee_id", "kind"))
    already_units = set(UnitAssignment.objects.filter(document=document, state__in=UNIT_OPEN)
                        .values_list("unit_id", "kind"))
    assignees = [a for a in assignees if (a.user.pk, a.kind) not in already]
    units = [u for u in units if (u.unit.pk, u.kind) not in already_units]
    if not assignees and not units:
        raise DocumentError("ALREADY_ASSIGNED",
                            "Những người, đơn vị này đã được giao xử lý văn bản với đúng vai trò đó.")
    note = Instruction.objects.create(document=document, author=actor, text=text, due_on=due_on)
    for a in assignees:
        info_only = a.kind == Assignment.Kind.INFO  # "để biết": nothing to do, nothing open
        Assignment.objects.create(document=document, instruction=note, assignee=a.user, kind=a.kind,
                                  due_on=due_on, assigned_by=actor,
                                  state=Assignment.State.DONE if info_only else Assignment.State.OPEN)
        notify(a.user, f"Được giao ({Assignment.Kind(a.kind).label}): {document.notation} — {document.subject}",
               document, "assigned")
    for u in units:
        UnitAssignment.objects.create(document=document, instruction=note, unit=u.unit, kind=u.kind, due_on=due_on,
                                      assigned_by=actor)
        for head in unit_handlers(u.unit):
            notify(head, f"Đơn vị {u.unit.name} được giao ({UnitAssignment.Kind(u.kind).label}): "
                   f"{document.notation} — {document.subject}", document, "unit_assigned")
    document.state = Document.State.IN_PROGRESS
    if due_on:
        document.due_on = due_on
    document.save(update_fields=["state", "due_on", "updated_at"])
    record_event(events.ASSIGNED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"instruction": text, "due_on": due_on.isoformat() if due_on else None,
                          "due_from_rule": from_rule,
                          "assignees": [[a.user.get_username(), a.kind] for a in assignees],
                          "units": [[u.unit.code, u.unit.name, u.kind] for u in units]})
    if first:
        if new_lead is not None:
            unit = primary_unit(new_lead, document.agency)
            send_status(document, "04", f"Đã phân công {new_lead.display_name()}"
                    f"{f' ({unit.name})' if unit else ''} chủ trì xử lý", new_lead)
        elif new_lead_unit is not None:
            heads = unit_handlers(new_lead_unit)
            send_status(document, "04", f"Đã phân công {new_lead_unit.name} chủ trì xử lý",
                    heads[0] if heads else None, department=new_lead_unit.name)
    return note


def _close_old_leads(document: Document, new_lead: User | None, new_lead_unit: Unit | None) -> None:
    """A new lead (person or unit) replaces the open one; the old one is closed and told."""
    if new_lead is not None:
        who = new_lead.display_name()
    elif new_lead_unit is not None:
        who = new_lead_unit.name
    else:
        return
    old_people = Assignment.objects.filter(document=document, kind=Assignment.Kind.LEAD, state__in=OPEN_STATES,
                                           unit_assignment__isnull=True).select_related("assignee")
    if new_lead is not None:
        old_people = old_people.exclude(assignee=new_lead)
    for old in old_people:
        old.state = Assignment.State.CLOSED
        old.result = f"Chuyển giao chủ trì cho {who}"
        old.completed_at = timezone.now()
        old.save(update_fields=["state", "result", "completed_at"])
        notify(old.assignee, f"Đã chuyển giao chủ trì cho người khác: {document.notation} — {document.subject}",
               document, "reassigned")
    old_units = UnitAssignment.objects.filter(document=document, kind=UnitAssignment.Kind.LEAD, state__in=UNIT_OPEN)
    if new_lead_unit is not None:
        old_units = old_units.exclude(unit=new_lead_unit)
    for old_unit in old_units.select_related("unit"):
        _close_unit(old_unit, UnitAssignment.State.CLOSED, f"Chuyển giao chủ trì cho {who}")
        for head in unit_handlers(old_unit.unit):
            notify(head, f"Đơn vị {old_unit.unit.name} không còn chủ trì: {document.notation}", document, "reassigned")


def _close_unit(ua: UnitAssignment, state: str, result: str) -> None:
    ua.state = state
    ua.result = result
    ua.completed_at = timezone.now()
    ua.save(update_fields=["state", "result", "completed_at"])
    ua.assignments.filter(state__in=OPEN_STATES).update(state=Assignment.State.CLOSED, completed_at=timezone.now(),
                                                        result=result[:500])


def _locked_unit_task(actor: Any, unit_assignment: UnitAssignment) -> UnitAssignment:
    ua = (UnitAssignment.objects.select_for_update().select_related("unit", "document__agency")
          .get(pk=unit_assignment.pk))
    if not handles_unit(actor, ua.unit):
        raise DocumentForbiddenError("Chỉ trưởng, phó đơn vị được phân công trong đơn vị.")
    if ua.state not in UNIT_OPEN:
        raise DocumentError("UNIT_ASSIGNMENT_CLOSED", "Việc của đơn vị này đã kết thúc.", 409)
    return ua


@transaction.atomic
def assign_in_unit(*, actor: Any, unit_assignment: UnitAssignment, instruction: str,
                   assignees: list[AssigneeInput]) -> Instruction:
    """The unit's head (or a deputy) gives the unit's part to people of the unit: for a lead unit
    one of them leads (a new lead replaces the open one), others support or are told."""
    ua = _locked_unit_task(actor, unit_assignment)
    document = _locked(ua.document)
    text = nfc(instruction or "").strip() or f"Giao xử lý phần việc của {ua.unit.name}"
    members = set(UnitMembership.objects.filter(unit=ua.unit).values_list("user_id", flat=True))
    for a in assignees:
        if a.user.pk not in members:
            raise DocumentError("ASSIGNEE_OUTSIDE_UNIT", f"{a.user.display_name()} không thuộc {ua.unit.name}.")
        if a.kind not in Assignment.Kind.values:
            raise DocumentError("BAD_KIND", f"Vai trò không hợp lệ: {a.kind}.")
    leads = [a for a in assignees if a.kind == Assignment.Kind.LEAD]
    if ua.kind == UnitAssignment.Kind.LEAD and len(leads) != 1 and not ua.assignments.filter(
            kind=Assignment.Kind.LEAD, state__in=OPEN_STATES).exists():
        raise DocumentError("LEAD_REQUIRED", f"Phải giao một người của {ua.unit.name} chủ trì.")
    if ua.kind != UnitAssignment.Kind.LEAD and leads:
        raise DocumentError("BAD_KIND",
                            f"{ua.unit.name} được giao {ua.get_kind_display().lower()}: không giao chủ trì.")
    if len(leads) > 1 or len({a.user.pk for a in assignees}) != len(assignees) or not assignees:
        raise DocumentError("DUPLICATE_ASSIGNEE", "Chọn người (mỗi người một vai trò, một người chủ trì).")
    if leads:
        for old in ua.assignments.filter(kind=Assignment.Kind.LEAD, state__in=OPEN_STATES).exclude(
                assignee=leads[0].user).select_related("assignee"):
            old.state, old.completed_at = Assignment.State.CLOSED, timezone.now()
            old.result = f"Chuyển giao chủ trì cho {leads[0].user.display_name()}"
            old.save(update_fields=["state", "result", "completed_at"])
            notify(old.assignee, f"Đã chuyển giao chủ trì cho người khác: {document.notation}", document, "reassigned")
    already = set(ua.assignments.filter(state__in=OPEN_STATES).values_list("assignee_id", "kind"))
    assignees = [a for a in assignees if (a.user.pk, a.kind) not in already]
    if not assignees:
        raise DocumentError("ALREADY_ASSIGNED", "Những người này đã được giao với đúng vai trò đó.")
    note = Instruction.objects.create(document=document, author=actor, text=text, due_on=ua.due_on)
    for a in assignees:
        info_only = a.kind == Assignment.Kind.INFO
        Assignment.objects.create(document=document, instruction=note, assignee=a.user, kind=a.kind,
                                  due_on=ua.due_on, assigned_by=actor, unit_assignment=ua,
                                  state=Assignment.State.DONE if info_only else Assignment.State.OPEN)
        notify(a.user, f"{ua.unit.name} giao ({Assignment.Kind(a.kind).label}): {document.notation} — "
               f"{document.subject}", document, "assigned")
    ua.state, ua.handled_by = UnitAssignment.State.IN_PROGRESS, actor
    ua.save(update_fields=["state", "handled_by"])
    record_event(events.UNIT_ASSIGNED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"unit": [ua.unit.code, ua.unit.name], "instruction": text,
                          "assignees": [[a.user.get_username(), a.kind] for a in assignees]})
    return note


@transaction.atomic
def return_unit_assignment(*, actor: Any, unit_assignment: UnitAssignment, reason: str) -> UnitAssignment:
    """The unit gives the document back to the leader who distributed it (wrong unit, not its
    remit), with a reason; its people's open parts are closed; the leader re-assigns."""
    ua = _locked_unit_task(actor, unit_assignment)
    text = nfc(reason or "").strip()
    if not text:
        raise DocumentError("REASON_REQUIRED", "Phải ghi lý do trả lại.")
    _close_unit(ua, UnitAssignment.State.RETURNED, text)
    document = ua.document
    notify(ua.assigned_by, f"{ua.unit.name} trả lại văn bản {document.notation}: “{text}”", document, "unit_returned")
    record_event(events.UNIT_RETURNED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"unit": [ua.unit.code, ua.unit.name], "reason": text})
    return ua


def open_unit_tasks(user: Any, document: Document) -> list[UnitAssignment]:
    """The document's units' parts this user acts for (head or deputy) and that are still open."""
    pk = getattr(user, "pk", None)
    if pk is None:  # anonymous: acts for no unit
        return []
    return list(UnitAssignment.objects.filter(
        document=document, state__in=UNIT_OPEN, unit__memberships__user_id=pk,
        unit__memberships__rank__in=UNIT_HANDLERS).select_related("unit").distinct())


def _my_assignment(actor: Any, assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().select_related("document__agency").get(pk=assignment.pk)
    if locked.assignee_id != actor.pk:
        raise DocumentForbiddenError("Chỉ người được giao mới thao tác trên phần việc này.")
    if locked.state not in OPEN_STATES:
        raise DocumentError("ASSIGNMENT_CLOSED", "Phần việc này đã kết thúc.", 409)
    return locked


def _started(assignment: Assignment, actor: Any) -> None:
    """The first action on a document answers 05 (being processed), once."""
    if assignment.state == Assignment.State.OPEN:
        assignment.state = Assignment.State.IN_PROGRESS
        assignment.started_at = timezone.now()
        assignment.save(update_fields=["state", "started_at"])
        document = assignment.document
        if not Assignment.objects.filter(document=document, started_at__isnull=False).exclude(
                pk=assignment.pk).exists():
            send_status(document, "05", "Đang xử lý", actor)


@transaction.atomic
def start(*, actor: Any, assignment: Assignment) -> Assignment:
    assignment = _my_assignment(actor, assignment)
    _started(assignment, actor)
    record_event(events.STARTED, actor=actor, agency_code=assignment.document.agency.code,
                 obj=assignment.document, details={"assignment": assignment.pk})
    return assignment


@transaction.atomic
def add_note(*, actor: Any, assignment: Assignment, text: str, file: tuple[str, bytes] | None = None) -> WorkNote:
    assignment = _my_assignment(actor, assignment)
    text = nfc(text or "").strip()
    if not text and file is None:
        raise DocumentError("NOTE_EMPTY", "Ghi chú trống.")
    stored = None
    if file is not None:
        stored = store_working_file(assignment.document, actor, FileInput(file[0], file[1], "working"))
    _started(assignment, actor)
    note = WorkNote.objects.create(assignment=assignment, author=actor, text=text, file=stored)
    record_event(events.NOTE_ADDED, actor=actor, agency_code=assignment.document.agency.code,
                 obj=assignment.document,
                 details={"assignment": assignment.pk, "file": stored.name if stored else None})
    return note


@transaction.atomic
def complete(*, actor: Any, assignment: Assignment, result: str = "", reply: Document | None = None) -> Assignment:
    """Finish one's part; when every lead part is done the document is completed (06)."""
    assignment = _my_assignment(actor, assignment)
    if assignment.kind == Assignment.Kind.LEAD and not nfc(result or "").strip():
        raise DocumentError("RESULT_REQUIRED", "Người chủ trì phải ghi kết quả xử lý trước khi hoàn thành.")
    _started(assignment, actor)
    assignment.state = Assignment.State.DONE
    assignment.completed_at = timezone.now()
    assignment.result = nfc(result or "")
    assignment.save(update_fields=["state", "completed_at", "result"])
    document = _locked(assignment.document)
    if reply is not None:
        if reply.agency_id != document.agency_id or reply.direction != Document.Direction.OUTGOING:
            raise DocumentError("BAD_REPLY", "Văn bản trả lời phải là văn bản đi của cùng cơ quan.")
        Document.objects.filter(pk=reply.pk).update(reply_to=document)
    record_event(events.COMPLETED_PART, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"assignment": assignment.pk, "kind": assignment.kind, "result": assignment.result})
    if (ua := assignment.unit_assignment) is not None and ua.state in UNIT_OPEN and not ua.assignments.filter(
            state__in=OPEN_STATES).exclude(kind=Assignment.Kind.INFO).exists():
        ua.state, ua.completed_at, ua.result = UnitAssignment.State.DONE, timezone.now(), assignment.result
        ua.save(update_fields=["state", "completed_at", "result"])  # the unit's part is done with its people's
    open_leads = Assignment.objects.filter(document=document, kind=Assignment.Kind.LEAD, state__in=OPEN_STATES)
    open_unit_leads = UnitAssignment.objects.filter(document=document, kind=UnitAssignment.Kind.LEAD,
                                                    state__in=UNIT_OPEN)
    if not open_leads.exists() and not open_unit_leads.exists() and document.state == Document.State.IN_PROGRESS:
        document.state = Document.State.COMPLETED
        document.completed_at = timezone.now()
        document.save(update_fields=["state", "completed_at", "updated_at"])
        record_event(events.DOCUMENT_COMPLETED, actor=actor, agency_code=document.agency.code, obj=document)
        send_status(document, "06", assignment.result or "Đã xử lý xong", actor)
    return assignment


def close_for_revocation(document: Document) -> int:
    """A revoked document's open work is closed, not deleted (the trail stays)."""
    UnitAssignment.objects.filter(document=document, state__in=UNIT_OPEN).update(
        state=UnitAssignment.State.CLOSED, completed_at=timezone.now())
    ProcessRun.objects.filter(document=document, finished_at__isnull=True).update(finished_at=timezone.now())
    return Assignment.objects.filter(document=document, state__in=OPEN_STATES).update(
        state=Assignment.State.CLOSED, completed_at=timezone.now())


def remind_near_deadlines(within: timedelta = timedelta(days=1)) -> int:
    """Before a deadline (within a day) and once it has passed: one reminder each, per open
    part; the leader who assigned it hears of the overdue one too."""
    today = timezone.localdate()
    due = (Assignment.objects.filter(state__in=OPEN_STATES, due_on__isnull=False, due_on__lte=today + within)
           .exclude(kind=Assignment.Kind.INFO).select_related("document", "assignee", "assigned_by"))
    count = 0
    for a in due:
        if a.due_on is None:  # not in the query (due_on__isnull=False), said for the reader
            continue
        late = a.due_on < today
        kind = "deadline_passed" if late else "deadline_near"
        url = document_url(a.document)
        if Notification.objects.filter(user=a.assignee, kind=kind, url=url).exists():
            continue
        notify(a.assignee, ("Quá hạn xử lý: " if late else "Sắp đến hạn xử lý: ")
               + f"{a.document.notation} — hạn {a.due_on:%d/%m/%Y}", a.document, kind)
        if late and a.assigned_by_id != a.assignee_id:
            notify(a.assigned_by, f"Quá hạn: {a.assignee.display_name()} chưa xong "
                   f"{a.document.notation} (hạn {a.due_on:%d/%m/%Y})", a.document, kind)
        Assignment.objects.filter(pk=a.pk).update(reminded_at=timezone.now())
        count += 1
    return count
