"""Merging agencies (sáp nhập, hợp nhất) and changing an agency's code, as one operation.

What is still being worked on moves to the successor so its people can finish it; what is
history stays where it happened, under the old name and code, and the successor's members
read it (`documents.permissions.visible_q` follows `Agency.successor`):

- moves: memberships and units (a unit code the successor already uses gets the old agency's
  abbreviation), pending role requests, drafts not yet issued (an approved one goes back to its
  drafter: its signature names the old agency), incoming documents not yet completed (a copy
  the successor already holds is closed in favour of that copy, its open assignments carried
  over), open dossiers, scans waiting for OCR, and the addressee of unissued drafts anywhere here;
- stays: issued and revoked documents, completed and rejected arrivals, register books and
  their numbers, closed dossiers and archive transfers, the old agency's certificates (its
  signatures stay verifiable) and statuses already queued in its name;
- the old agency ends the day before the merger takes effect and names its successor, so
  packages still addressed to it are delivered to the successor (office inbox and hub routing).

`plan_merge` says all this before anything is written (the preview); `merge` does it in one
transaction, or refuses with a stable code and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vanban.accounts.models import ApiToken, Delegation, Membership, RoleChangeRequest
from vanban.agencies import events
from vanban.agencies.models import Agency, Reorganisation, Unit
from vanban.audit.services import record_event
from vanban.core.text import fold
from vanban.documents.models import (
    Comment,
    Document,
    DocumentFile,
    Recipient,
    RegisterBook,
)
from vanban.incoming.models import ScanOcr
from vanban.outgoing.models import PendingSignature
from vanban.records.models import Dossier
from vanban.workflow.models import Assignment, Instruction, Notification, ProcessRun, UnitAssignment

OUTGOING_OPEN = [Document.State.DRAFT, Document.State.RETURNED, Document.State.SUBMITTED]
INCOMING_OPEN = [Document.State.ARRIVED, Document.State.ACCEPTED, Document.State.IN_PROGRESS]

# What the preview and the history say, in the order they are shown.
LABELS: dict[str, str] = {
    "memberships": "Vai trò của người dùng chuyển sang cơ quan kế thừa",
    "units": "Đơn vị (phòng, ban) chuyển sang",
    "role_requests": "Đề nghị thay đổi vai trò đang chờ duyệt",
    "drafts": "Dự thảo chưa phát hành chuyển sang",
    "approved_returned": ("Dự thảo đã ký duyệt nhưng chưa phát hành: trả lại người soạn để ký lại "
                          "dưới tên cơ quan kế thừa"),
    "incoming": "Văn bản đến đang xử lý chuyển sang",
    "incoming_merged": ("Văn bản đến mà cơ quan kế thừa cũng đã nhận: khép bản cũ, chuyển người xử lý "
                        "sang bản của cơ quan kế thừa"),
    "dossiers": "Hồ sơ đang lập chuyển sang",
    "scans": "Bản quét chờ nhận dạng chuyển sang",
    "readdressed": ("Dự thảo (ở mọi cơ quan trên hệ thống) gửi cơ quan cũ: đổi nơi nhận thành cơ quan kế thừa "
                    "(bỏ nơi nhận nếu đó là chính cơ quan soạn)"),
    "api_tokens": "Khóa API của hệ thống đã kết nối nhân danh cơ quan cũ: thu hồi",
    "delegations": "Ủy quyền ký (TL., TUQ., phụ trách khi vắng) của cơ quan cũ còn hiệu lực: thu hồi",
}
STAYS: dict[str, str] = {
    "issued": "Văn bản đi đã phát hành, đã thu hồi (giữ tên, mã và số của cơ quan cũ)",
    "closed_incoming": "Văn bản đến đã xử lý xong hoặc đã từ chối",
    "books": "Sổ đăng ký văn bản (số đã cấp giữ nguyên)",
    "closed_dossiers": "Hồ sơ đã đóng, đã nộp lưu, đã lưu trữ",
}


class ReorgError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class MergePlan:
    """What a merger would do, counted; `problems` non-empty means it would be refused."""

    kind: str
    successor: Agency | None
    predecessors: list[Agency]
    effective_on: date
    moves: dict[str, int] = field(default_factory=dict)
    stays: dict[str, int] = field(default_factory=dict)
    unit_codes: list[tuple[str, str, str]] = field(default_factory=list)  # (agency, old code, new code)
    dossier_codes: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (code, message)

    @property
    def rows(self) -> list[tuple[str, int]]:
        return [(LABELS[k], self.moves.get(k, 0)) for k in LABELS]

    @property
    def stay_rows(self) -> list[tuple[str, int]]:
        return [(STAYS[k], self.stays.get(k, 0)) for k in STAYS]


def plan_merge(predecessor_codes: list[str], successor_code: str, effective_on: date, *,
               kind: str = Reorganisation.Kind.MERGE) -> MergePlan:
    """The preview: reads only."""
    codes = list(dict.fromkeys(c.strip() for c in predecessor_codes if c.strip()))
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[*codes, successor_code.strip()])}
    plan = MergePlan(kind=kind, successor=agencies.get(successor_code.strip()),
                     predecessors=[agencies[c] for c in codes if c in agencies], effective_on=effective_on)
    if plan.successor is None and kind == Reorganisation.Kind.RECODE and len(plan.predecessors) == 1:
        plan.successor = _recoded(plan.predecessors[0], successor_code.strip(), effective_on)
        try:
            plan.successor.full_clean(exclude=["search_text", "level", "successor"], validate_unique=False)
        except ValidationError as exc:
            plan.problems.append(("REORG_BAD_CODE", f"Mã mới {successor_code} không hợp lệ: "
                                  + "; ".join(m for ms in exc.message_dict.values() for m in ms)))
    _check(plan, codes, agencies)
    if plan.successor is None or not plan.predecessors or plan.problems:
        return plan
    olds = [a.pk for a in plan.predecessors]
    docs = Document.objects.filter(agency_id__in=olds)
    duplicates = _duplicate_arrivals(olds, plan.successor.pk)
    plan.moves = {
        "memberships": Membership.objects.filter(agency_id__in=olds).count(),
        "units": Unit.objects.filter(agency_id__in=olds).count(),
        "role_requests": RoleChangeRequest.objects.filter(agency_id__in=olds,
                                                          decision=RoleChangeRequest.Decision.PENDING).count(),
        "drafts": docs.filter(direction=Document.Direction.OUTGOING, state__in=OUTGOING_OPEN).count(),
        "approved_returned": docs.filter(direction=Document.Direction.OUTGOING, state=Document.State.APPROVED).count(),
        "incoming": docs.filter(direction=Document.Direction.INCOMING, state__in=INCOMING_OPEN)
        .exclude(pk__in=duplicates).count(),
        "incoming_merged": len(duplicates),
        "dossiers": Dossier.objects.filter(agency_id__in=olds, state=Dossier.State.OPEN).count(),
        "scans": ScanOcr.objects.filter(agency_id__in=olds, document__isnull=True).count(),
        "readdressed": _readdressed(olds).count(),
        "api_tokens": ApiToken.objects.filter(agency_id__in=olds, revoked_at__isnull=True).count(),
        "delegations": Delegation.objects.filter(agency_id__in=olds, revoked_at__isnull=True).count(),
    }
    plan.stays = {
        "issued": docs.filter(direction=Document.Direction.OUTGOING,
                              state__in=[Document.State.ISSUED, Document.State.REVOKED]).count(),
        "closed_incoming": docs.filter(direction=Document.Direction.INCOMING,
                                       state__in=[Document.State.COMPLETED, Document.State.REJECTED,
                                                  Document.State.MERGED]).count(),
        "books": RegisterBook.objects.filter(agency_id__in=olds).count(),
        "closed_dossiers": Dossier.objects.filter(agency_id__in=olds).exclude(state=Dossier.State.OPEN).count(),
    }
    plan.unit_codes = _new_codes(
        [(a, u.code) for a in plan.predecessors for u in a.units.order_by("code")],
        set(Unit.objects.filter(agency_id=plan.successor.pk).values_list("code", flat=True)))
    taken = set(Dossier.objects.filter(agency_id=plan.successor.pk).values_list("year", "notation"))
    for agency in plan.predecessors:
        for dossier in Dossier.objects.filter(agency=agency, state=Dossier.State.OPEN).order_by("year", "notation"):
            if (dossier.year, dossier.notation) in taken:
                new = _free(dossier.notation, _suffix(agency), {n for y, n in taken if y == dossier.year}, 20)
                plan.dossier_codes.append((agency.code, dossier.notation, new))
                taken.add((dossier.year, new))
            else:
                taken.add((dossier.year, dossier.notation))
    return plan


def _check(plan: MergePlan, codes: list[str], agencies: dict[str, Agency]) -> None:
    problems = plan.problems
    if plan.successor is None:
        problems.append(("REORG_UNKNOWN_AGENCY", "Không có cơ quan kế thừa này trong danh bạ."))
    for code in codes:
        if code not in agencies:
            problems.append(("REORG_UNKNOWN_AGENCY", f"Không có cơ quan {code} trong danh bạ."))
    if not codes:
        problems.append(("REORG_NOTHING", "Chưa chọn cơ quan nào thôi hoạt động."))
    if plan.effective_on > timezone.localdate():
        problems.append(("REORG_FUTURE_DATE", "Chỉ thực hiện tổ chức lại khi đã đến ngày có hiệu lực."))
    successor = plan.successor
    if successor is not None:
        if successor.code in codes:
            problems.append(("REORG_SELF", "Cơ quan kế thừa không thể đồng thời là cơ quan thôi hoạt động."))
        if successor.successor_id is not None or (successor.active_to and successor.active_to < plan.effective_on):
            problems.append(("REORG_SUCCESSOR_ENDED",
                             f"{successor.name} đã thôi hoạt động: chọn cơ quan đang hoạt động làm cơ quan kế thừa."))
    for agency in plan.predecessors:
        if agency.successor_id is not None:
            merged_into = agency.successor
            assert merged_into is not None  # successor_id is set, so this loads an Agency
            problems.append(("REORG_ALREADY_ENDED", f"{agency.name} đã sáp nhập vào {merged_into.name}."))
        if agency.active_from and agency.active_from >= plan.effective_on:
            problems.append(("REORG_DATE", f"{agency.name} bắt đầu hoạt động từ {agency.active_from:%d/%m/%Y}, "
                                           "sau ngày tổ chức lại."))


def _duplicate_arrivals(olds: list[int], new: int) -> list[int]:
    """Open arrivals of the old agencies that the successor received too (same sender and
    DocumentId): one agency keeps one copy, so the old one is closed in favour of it."""
    held = set(Document.objects.filter(agency_id=new, direction=Document.Direction.INCOMING)
               .exclude(external_id="").values_list("issuer_code", "external_id"))
    out, seen = [], set(held)
    for pk, issuer, ext in (Document.objects.filter(agency_id__in=olds, direction=Document.Direction.INCOMING,
                                                   state__in=INCOMING_OPEN).exclude(external_id="")
                            .order_by("pk").values_list("pk", "issuer_code", "external_id")):
        if (issuer, ext) in seen:
            out.append(pk)
        seen.add((issuer, ext))  # two old agencies with the same arrival: the second is a duplicate too
    return out


def _readdressed(olds: list[int]) -> Any:
    return Recipient.objects.filter(agency_id__in=olds, document__direction=Document.Direction.OUTGOING,
                                    document__state__in=[*OUTGOING_OPEN, Document.State.APPROVED])


def _suffix(agency: Agency) -> str:
    text = fold(agency.abbreviation or "").upper()
    text = re.sub(r"[^A-Z0-9]", "", text.replace("đ", "D"))
    return text or agency.code.split(".")[2]


def _free(code: str, suffix: str, taken: set[str], limit: int) -> str:
    candidate, n = f"{code}-{suffix}"[:limit], 2
    while candidate in taken:
        candidate, n = f"{code}-{suffix}{n}"[:limit], n + 1
    return candidate


def _new_codes(units: list[tuple[Agency, str]], taken: set[str]) -> list[tuple[str, str, str]]:
    out = []
    mine = {code for _, code in units}
    for agency, code in units:
        if code in taken:
            new = _free(code, _suffix(agency), taken | mine, 20)
            out.append((agency.code, code, new))
            taken.add(new)
        else:
            taken.add(code)
    return out


def authorised(actor: Any, decision: str) -> str:
    """Who may reorganise (the province's administrator) and on what decision (required)."""
    if not getattr(actor, "is_superuser", False):
        raise ReorgError("REORG_FORBIDDEN", "Chỉ quản trị hệ thống cấp tỉnh được tổ chức lại cơ quan.")
    decision = (decision or "").strip()
    if not decision:
        raise ReorgError("REORG_DECISION_REQUIRED",
                         "Phải ghi căn cứ (số, ký hiệu quyết định hoặc nghị quyết tổ chức lại).")
    return decision


def merge(predecessor_codes: list[str], successor_code: str, effective_on: date, *, decision: str,
          actor: Any, kind: str = Reorganisation.Kind.MERGE) -> Reorganisation:
    """Carry out the merger; everything or nothing."""
    decision = authorised(actor, decision)
    with transaction.atomic():
        # Two operators at once: the second waits here and then finds the agencies ended.
        list(Agency.objects.select_for_update().filter(code__in=[*predecessor_codes, successor_code])
             .order_by("pk").values_list("pk", flat=True))
        plan = plan_merge(predecessor_codes, successor_code, effective_on, kind=kind)
        if plan.problems:
            code, message = plan.problems[0]
            raise ReorgError(code, message)
        successor = plan.successor
        assert successor is not None
        moved_people = _move(plan, successor, decision, actor)
        reorganisation = Reorganisation.objects.create(
            kind=kind, effective_on=effective_on, decision=decision[:300], successor=successor,
            moved={**plan.moves, "stays": plan.stays, "unit_codes": plan.unit_codes,
                   "dossier_codes": plan.dossier_codes},
            performed_by=getattr(actor, "username", str(actor))[:150])
        reorganisation.predecessors.set(plan.predecessors)
        for agency in [*plan.predecessors, successor]:
            record_event(events.REORGANISED, actor=actor, agency_code=agency.code, obj=reorganisation,
                         details={"kind": kind, "successor": successor.code, "effective_on": effective_on.isoformat(),
                                  "predecessors": [a.code for a in plan.predecessors], "decision": decision[:300],
                                  "moved": plan.moves})
        names = ", ".join(a.name for a in plan.predecessors)
        Notification.objects.bulk_create([
            Notification(user_id=uid, kind="reorganised", url=f"/danh-ba/{successor.code}/",
                         text=f"{names} đã sáp nhập vào {successor.name} từ {effective_on:%d/%m/%Y}; "
                              f"việc đang làm của bạn nay thuộc {successor.name}."[:500])
            for uid in sorted(moved_people)])
    return reorganisation


def _move(plan: MergePlan, successor: Agency, decision: str, actor: Any) -> set[int]:
    olds = [a.pk for a in plan.predecessors]
    now = timezone.now()
    note = (f"Chuyển sang {successor.name} do tổ chức lại từ {plan.effective_on:%d/%m/%Y} "
            f"(căn cứ: {decision[:200]}).")
    # People: one membership per (user, agency, role).
    people = set(Membership.objects.filter(agency_id__in=olds).values_list("user_id", flat=True))
    held = set(Membership.objects.filter(agency=successor).values_list("user_id", "role"))
    for m in Membership.objects.filter(agency_id__in=olds).order_by("pk"):
        if (m.user_id, m.role) in held:
            m.delete()
        else:
            held.add((m.user_id, m.role))
            Membership.objects.filter(pk=m.pk).update(agency=successor)
    renames = {(a, old): new for a, old, new in plan.unit_codes}
    for unit in Unit.objects.filter(agency_id__in=olds).select_related("agency"):
        Unit.objects.filter(pk=unit.pk).update(agency=successor,
                                               code=renames.get((unit.agency.code, unit.code), unit.code))
    RoleChangeRequest.objects.filter(agency_id__in=olds, decision=RoleChangeRequest.Decision.PENDING) \
        .update(agency=successor)
    ApiToken.objects.filter(agency_id__in=olds, revoked_at__isnull=True).update(revoked_at=now)
    # Authority given by the old agency's head ends with it (its drafts are re-sent in the successor).
    Delegation.objects.filter(agency_id__in=olds, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
    # Documents still being worked on.
    duplicates = _duplicate_arrivals(olds, successor.pk)
    approved = list(Document.objects.filter(agency_id__in=olds, direction=Document.Direction.OUTGOING,
                                            state=Document.State.APPROVED))
    for document in approved:
        _unsign(document)
    opened = Document.objects.filter(agency_id__in=olds).filter(
        Q(direction=Document.Direction.OUTGOING, state__in=[*OUTGOING_OPEN, Document.State.APPROVED])
        | Q(direction=Document.Direction.INCOMING, state__in=INCOMING_OPEN)).exclude(pk__in=duplicates)
    moving = list(opened.values_list("pk", flat=True))
    Document.objects.filter(pk__in=[d.pk for d in approved]).update(
        state=Document.State.RETURNED, signer_name="", signer_position="", signer_competence="")
    Document.objects.filter(pk__in=moving).update(agency=successor, updated_at=now)
    # After the move: a copy two old agencies both held is kept once, the first one moved.
    _close_duplicates(duplicates, successor, actor, note)
    PendingSignature.objects.filter(document_id__in=moving, state=PendingSignature.State.PENDING) \
        .update(state=PendingSignature.State.SUPERSEDED)
    Comment.objects.bulk_create([Comment(document_id=pk, author=actor, kind=Comment.Kind.NOTE, text=note)
                                 for pk in moving])
    Comment.objects.bulk_create([Comment(
        document=d, author=actor, kind=Comment.Kind.RETURN,
        text=f"{note} Chữ ký duyệt mang tên cơ quan cũ: trình ký lại dưới tên {successor.name}.") for d in approved])
    people |= set(Document.objects.filter(pk__in=[d.pk for d in approved]).values_list("drafter_id", flat=True))
    # Addressed to an old agency in a draft not yet issued (here or in any agency of this
    # install): to the successor instead — unless the draft is now the successor's own, which
    # does not send to itself (the drafter is told).
    for recipient in _readdressed([*olds, successor.pk]).select_related("document"):
        own = recipient.document.agency_id == successor.pk
        if recipient.agency_id == successor.pk and not own:
            continue
        if own or Recipient.objects.filter(document_id=recipient.document_id, agency=successor).exists():
            recipient.delete()
            if own:
                Comment.objects.create(document_id=recipient.document_id, author=actor, kind=Comment.Kind.NOTE,
                                       text=f"Bỏ nơi nhận {recipient.name}: nay là chính {successor.name} "
                                            "(tổ chức lại). Kiểm tra lại nơi nhận trước khi trình.")
        else:
            Recipient.objects.filter(pk=recipient.pk).update(agency=successor, name=successor.name)
    # Records and scans.
    dossier_renames = {(a, old): new for a, old, new in plan.dossier_codes}
    for dossier in Dossier.objects.filter(agency_id__in=olds, state=Dossier.State.OPEN).select_related("agency"):
        Dossier.objects.filter(pk=dossier.pk).update(
            agency=successor, notation=dossier_renames.get((dossier.agency.code, dossier.notation), dossier.notation))
    ScanOcr.objects.filter(agency_id__in=olds, document__isnull=True).update(agency=successor)
    # The old agencies end the day before; packages still addressed to them go to the successor.
    Agency.objects.filter(pk__in=olds).update(active_to=plan.effective_on - timedelta(days=1), successor=successor)
    return {p for p in people if p is not None}


def _close_duplicates(pks: list[int], successor: Agency, actor: Any, note: str) -> None:
    for old in Document.objects.filter(pk__in=pks):
        kept = Document.objects.filter(agency=successor, direction=Document.Direction.INCOMING,
                                       issuer_code=old.issuer_code, external_id=old.external_id).first()
        if kept is None:  # cannot happen: a duplicate matches a copy the successor holds by now
            raise ReorgError("REORG_DUPLICATE_LOST", f"Không tìm thấy bản văn bản đến {old.notation} để gộp.")
        have = set(Assignment.objects.filter(document=kept).values_list("assignee_id", "kind"))
        carried: dict[int, Instruction] = {}  # the old copy's instruction -> its copy on the kept one
        for a in Assignment.objects.filter(document=old, state__in=[Assignment.State.OPEN, Assignment.State.IN_PROGRESS]
                                           ).select_related("instruction").order_by("pk"):
            if (a.assignee_id, a.kind) in have:
                continue
            if a.instruction_id not in carried:
                carried[a.instruction_id] = Instruction.objects.create(
                    document=kept, author_id=a.instruction.author_id, due_on=a.instruction.due_on,
                    text=f"{a.instruction.text} (ý kiến chỉ đạo trên bản của {old.agency.name}, "
                         "chuyển sang khi tổ chức lại)")
            Assignment.objects.create(document=kept, instruction=carried[a.instruction_id], assignee_id=a.assignee_id,
                                      kind=a.kind, due_on=a.due_on, assigned_by=a.assigned_by,
                                      started_at=a.started_at, state=a.state)
        kept_number, old_number = kept.incoming.arrival_number, old.incoming.arrival_number
        label = f"số đến {kept_number}" if kept_number else f"#{kept.pk}"
        Comment.objects.create(document=old, author=actor, kind=Comment.Kind.NOTE,
                               text=f"{note} {successor.name} đã nhận văn bản này ({label}); xử lý tiếp trên bản đó.")
        Comment.objects.create(document=kept, author=actor, kind=Comment.Kind.NOTE,
                               text=f"Người xử lý bản của {old.agency.name} (số đến {old_number or '—'}) "
                                    "được chuyển sang văn bản này do tổ chức lại.")
        Assignment.objects.filter(document=old, state__in=[Assignment.State.OPEN, Assignment.State.IN_PROGRESS]) \
            .update(state=Assignment.State.CLOSED, completed_at=timezone.now())
        UnitAssignment.objects.filter(document=old, state__in=[UnitAssignment.State.OPEN,
                                                               UnitAssignment.State.IN_PROGRESS]) \
            .update(state=UnitAssignment.State.CLOSED, completed_at=timezone.now())
        ProcessRun.objects.filter(document=old, finished_at__isnull=True).update(finished_at=timezone.now())
        Document.objects.filter(pk=old.pk).update(state=Document.State.MERGED)


def _unsign(document: Document) -> None:
    """Back to the last unsigned main file: the approval's signature names the old agency."""
    files = DocumentFile.objects.filter(document=document, role=DocumentFile.Role.MAIN)
    unsigned = files.filter(stage="").order_by("-version", "-pk").first()
    if unsigned is None:
        return
    files.filter(is_current=True).exclude(pk=unsigned.pk).update(is_current=False)
    DocumentFile.objects.filter(pk=unsigned.pk).update(is_current=True)


def _recoded(old: Agency, code: str, effective_on: date) -> Agency:
    return Agency(code=code, name=old.name, short_name=old.short_name, abbreviation=old.abbreviation,
                  parent=old.parent, code_qd20=old.code_qd20, address=old.address, email=old.email,
                  phone=old.phone, website=old.website, active_from=effective_on, is_demo=old.is_demo)


def recode(old_code: str, new_code: str, effective_on: date, *, decision: str, actor: Any) -> Reorganisation:
    """A new identifier code for the same agency: a new directory entry (created here if the
    directory does not have it yet) that takes over the old one. Documents already issued keep
    the code they were issued under."""
    kind = Reorganisation.Kind.RECODE
    with transaction.atomic():
        plan = plan_merge([old_code], new_code, effective_on, kind=kind)
        if plan.problems:
            code, message = plan.problems[0]
            raise ReorgError(code, message)
        assert plan.successor is not None
        if plan.successor.pk is None and getattr(actor, "is_superuser", False):
            plan.successor.save()
        return merge([old_code], new_code, effective_on, decision=decision, actor=actor, kind=kind)
