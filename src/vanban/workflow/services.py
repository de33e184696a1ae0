"""Processing an accepted incoming document: forward to a leader, instruct and assign
(status 04), work on it (05 on the first action), complete (06). Each step audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from vanban.accounts.models import User
from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.accounts.services import primary_unit, staff_info
from vanban.audit.services import record_event
from vanban.core.text import nfc
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.models import Document
from vanban.exchange.services import queue_status
from vanban.workflow.mail import mail_notification
from vanban.workflow.models import Assignment, Instruction, Notification, WorkNote

OPEN_STATES = (Assignment.State.OPEN, Assignment.State.IN_PROGRESS)


@dataclass
class AssigneeInput:
    user: User
    kind: str


def document_url(document: Document) -> str:
    name = "incoming_detail" if document.direction == Document.Direction.INCOMING else "document_detail"
    return reverse(name, args=[document.pk])


def notify(user: User, text: str, document: Document, kind: str) -> Notification:
    """A notification on the user's list, and an e-mail after the step commits (if they have one)."""
    note = Notification.objects.create(user=user, text=text[:500], kind=kind, url=document_url(document))
    if user.email:
        transaction.on_commit(lambda: mail_notification(note.pk))
    return note


def _status(document: Document, code: str, description: str, staff: Any = None) -> None:
    queue_status(document_id=document.pk, sender_code=document.agency.code, recipient_code=document.issuer_code,
                 recipient_name=document.issuer_name, edxml_document_id=document.external_id, status_code=code,
                 description=description, response_notation=document.notation, response_date=document.issued_on,
                 **staff_info(staff, document.agency))


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("agency").get(pk=document.pk)


@transaction.atomic
def forward_to_leader(*, actor: Any, document: Document, leader: User, note: str = "") -> Document:
    document = _locked(document)
    if document.state != Document.State.ACCEPTED or not has_role(actor, document.agency_id, Role.CLERK):
        raise DocumentForbiddenError("Chỉ văn thư được chuyển văn bản đã tiếp nhận cho lãnh đạo.")
    if not has_role(leader, document.agency_id, Role.LEADER):
        raise DocumentError("NOT_A_LEADER", "Người nhận phải là lãnh đạo của cơ quan.")
    notify(leader, f"Văn bản đến chờ phân công: {document.notation} — {document.subject}", document, "to_assign")
    record_event("workflow.forwarded", actor=actor, agency_code=document.agency.code, obj=document,
                 details={"leader": leader.get_username(), "note": nfc(note)})
    return document


DOUBLE_SUBMIT_SECONDS = 600


@transaction.atomic
def assign(*, actor: Any, document: Document, instruction: str, assignees: list[AssigneeInput],
           due_on: date | None = None, confirm_past_due: bool = False) -> Instruction:
    """The leader's instruction and who handles it; answers 04 the first time.

    The same instruction to the same people again (a double click, a second tab) changes
    nothing; a new lead replaces the open one (re-assignment), whose part is closed.
    """
    document = _locked(document)
    if document.state not in (Document.State.ACCEPTED, Document.State.IN_PROGRESS) or not has_role(
            actor, document.agency_id, Role.LEADER):
        raise DocumentForbiddenError("Chỉ lãnh đạo được phân công xử lý văn bản đã tiếp nhận.")
    text = nfc(instruction or "").strip()
    if not text:
        raise DocumentError("INSTRUCTION_REQUIRED", "Phải ghi ý kiến chỉ đạo.")
    if not any(a.kind == Assignment.Kind.LEAD for a in assignees):
        raise DocumentError("LEAD_REQUIRED", "Phải giao một người chủ trì xử lý.")
    for a in assignees:
        if a.kind not in Assignment.Kind.values:
            raise DocumentError("BAD_KIND", f"Vai trò không hợp lệ: {a.kind}.")
        if not has_role(a.user, document.agency_id, *Role.values):
            raise DocumentError("ASSIGNEE_OUTSIDE", f"{a.user.display_name()} không thuộc cơ quan.")
    if len({a.user.pk for a in assignees}) != len(assignees):
        raise DocumentError("DUPLICATE_ASSIGNEE", "Mỗi người chỉ được giao một vai trò trong một lần phân công.")
    if sum(a.kind == Assignment.Kind.LEAD for a in assignees) > 1:
        raise DocumentError("ONE_LEAD", "Chỉ giao một người chủ trì.")
    if due_on and due_on < timezone.localdate() and not confirm_past_due:
        raise DocumentError("PAST_DUE", f"Hạn xử lý {due_on:%d/%m/%Y} đã qua. Chọn lại hạn, hoặc xác nhận hạn này.")
    wanted = {(a.user.pk, a.kind) for a in assignees}
    recent = (Instruction.objects.filter(document=document, author=actor, text=text,
                                         created_at__gte=timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS))
              .order_by("-id").first())
    if recent is not None and {(x.assignee_id, x.kind) for x in recent.assignments.all()} == wanted:
        return recent  # pressed twice: already done
    first = document.state == Document.State.ACCEPTED
    new_lead = next(a.user for a in assignees if a.kind == Assignment.Kind.LEAD)
    for old in Assignment.objects.filter(document=document, kind=Assignment.Kind.LEAD, state__in=OPEN_STATES) \
            .exclude(assignee=new_lead).select_related("assignee"):
        old.state = Assignment.State.CLOSED
        old.result = f"Chuyển giao chủ trì cho {new_lead.display_name()}"
        old.completed_at = timezone.now()
        old.save(update_fields=["state", "result", "completed_at"])
        notify(old.assignee, f"Đã chuyển giao chủ trì cho người khác: {document.notation} — {document.subject}",
               document, "reassigned")
    already = set(Assignment.objects.filter(document=document, state__in=OPEN_STATES)
                  .values_list("assignee_id", "kind"))
    assignees = [a for a in assignees if (a.user.pk, a.kind) not in already]
    if not assignees:
        raise DocumentError("ALREADY_ASSIGNED", "Những người này đã được giao xử lý văn bản với đúng vai trò đó.")
    note = Instruction.objects.create(document=document, author=actor, text=text, due_on=due_on)
    for a in assignees:
        info_only = a.kind == Assignment.Kind.INFO  # "để biết": nothing to do, nothing open
        Assignment.objects.create(document=document, instruction=note, assignee=a.user, kind=a.kind,
                                  due_on=due_on, assigned_by=actor,
                                  state=Assignment.State.DONE if info_only else Assignment.State.OPEN)
        notify(a.user, f"Được giao ({Assignment.Kind(a.kind).label}): {document.notation} — {document.subject}",
               document, "assigned")
    document.state = Document.State.IN_PROGRESS
    if due_on:
        document.due_on = due_on
    document.save(update_fields=["state", "due_on", "updated_at"])
    record_event("workflow.assigned", actor=actor, agency_code=document.agency.code, obj=document,
                 details={"instruction": text, "due_on": due_on.isoformat() if due_on else None,
                          "assignees": [[a.user.get_username(), a.kind] for a in assignees]})
    if first:
        lead = next(a.user for a in assignees if a.kind == Assignment.Kind.LEAD)
        unit = primary_unit(lead, document.agency)
        _status(document, "04", f"Đã phân công {lead.display_name()}{f' ({unit.name})' if unit else ''} chủ trì xử lý",
                lead)
    return note


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
            _status(document, "05", "Đang xử lý", actor)


@transaction.atomic
def start(*, actor: Any, assignment: Assignment) -> Assignment:
    assignment = _my_assignment(actor, assignment)
    _started(assignment, actor)
    record_event("workflow.started", actor=actor, agency_code=assignment.document.agency.code,
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
        from vanban.documents.services import FileInput, store_working_file

        stored = store_working_file(assignment.document, actor, FileInput(file[0], file[1], "working"))
    _started(assignment, actor)
    note = WorkNote.objects.create(assignment=assignment, author=actor, text=text, file=stored)
    record_event("workflow.note_added", actor=actor, agency_code=assignment.document.agency.code,
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
    record_event("workflow.completed_part", actor=actor, agency_code=document.agency.code, obj=document,
                 details={"assignment": assignment.pk, "kind": assignment.kind, "result": assignment.result})
    open_leads = Assignment.objects.filter(document=document, kind=Assignment.Kind.LEAD, state__in=OPEN_STATES)
    if not open_leads.exists() and document.state == Document.State.IN_PROGRESS:
        document.state = Document.State.COMPLETED
        document.completed_at = timezone.now()
        document.save(update_fields=["state", "completed_at", "updated_at"])
        record_event("workflow.document_completed", actor=actor, agency_code=document.agency.code, obj=document)
        _status(document, "06", assignment.result or "Đã xử lý xong", actor)
    return assignment


def close_for_revocation(document: Document) -> int:
    """A revoked document's open work is closed, not deleted (the trail stays)."""
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
