"""Submission deadlines (hạn nộp lưu, NĐ 30/2020 Art. 31) and their reminders.

A dossier is due at the agency archive within 1 year after its work ended (its end date, else
its latest document's date, else the day it was closed); a construction dossier within 3 months
of the works' final settlement. Only dossiers kept 5 years or more (or permanently) must be
submitted. A unit may keep a due dossier longer with the head of the agency's written approval,
at most 2 years after it fell due. Due dates are computed, never stored, so editing an end date
or a retention moves them at once; the reminders remember the date they were about.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone

from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.core.text import nfc
from vanban.records import events, permissions
from vanban.records.errors import RecordsError, RecordsForbiddenError, RecordsNotFoundError
from vanban.records.models import Dossier, SubmissionExtension, SubmissionReminder
from vanban.workflow.services import notify_at

MUST_SUBMIT_YEARS = 5  # retention from which a dossier must go to the archive
GENERAL_MONTHS = 12  # 1 year after the work ends
CONSTRUCTION_MONTHS = 3  # 3 months after the final settlement
EXTENSION_MAX_MONTHS = 24  # kept by the unit at most 2 years after the due date
DUE_STATES = (Dossier.State.OPEN, Dossier.State.CLOSED)


def notice_days() -> int:
    """How long before the deadline the creator is reminded (VANBAN_RECORDS_DUE_NOTICE_DAYS)."""
    return int(getattr(settings, "VANBAN_RECORDS_DUE_NOTICE_DAYS", 30))


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (31/01 → 28/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    """A dossier's submission deadline, or why it has none."""

    dossier: Dossier
    counted_from: date | None  # end of the work, or the settlement
    basis: str  # what `counted_from` is, in Vietnamese
    legal_on: date | None  # the decree's date
    due_on: date | None  # the date in force (an approved extension moves it)
    extension: SubmissionExtension | None
    why_none: str = ""

    @property
    def latest_extension(self) -> date | None:
        return add_months(self.legal_on, EXTENSION_MAX_MONTHS) if self.legal_on else None

    def days_left(self, today: date) -> int | None:
        return (self.due_on - today).days if self.due_on else None

    def status(self, today: date, within: int) -> str:
        """'overdue', 'near' (within `within` days), 'later' or 'none'."""
        left = self.days_left(today)
        if left is None:
            return "none"
        return "overdue" if left < 0 else "near" if left <= within else "later"


def _work_end(dossier: Dossier, last_document: str | None) -> tuple[date | None, str]:
    if dossier.end_date:
        return dossier.end_date, "thời gian kết thúc của hồ sơ"
    if dossier.state == Dossier.State.CLOSED:
        if last_document:
            try:
                return date.fromisoformat(last_document[:10]), "ngày của văn bản cuối cùng trong hồ sơ"
            except ValueError:
                pass
        if dossier.closed_at:
            return timezone.localdate(dossier.closed_at), "ngày đóng hồ sơ"
    return None, ""


def due_of(dossier: Dossier, *, last_document: str | None = None,
           extension: SubmissionExtension | None = None, lookup: bool = True) -> Due:
    """The deadline by the decree's rules; `lookup` fetches what the list queries pass in."""
    if lookup:
        last_document = dossier.items.aggregate(m=Max(KeyTextTransform("issuedDate", "metadata")))["m"]
        extension = dossier.submission_extensions.first()
    if dossier.state not in DUE_STATES:
        return Due(dossier, None, "", None, None, None, f"Hồ sơ ở trạng thái “{dossier.get_state_display()}”.")
    if dossier.retention_years is not None and dossier.retention_years < MUST_SUBMIT_YEARS:
        return Due(dossier, None, "", None, None, None,
                   "Thời hạn bảo quản dưới 05 năm: không bắt buộc nộp lưu vào Lưu trữ cơ quan.")
    start: date | None
    if dossier.construction:
        if dossier.settled_on is None:
            return Due(dossier, None, "", None, None, None,
                       "Hồ sơ xây dựng cơ bản chưa ghi ngày quyết toán công trình.")
        start, basis, months = dossier.settled_on, "ngày quyết toán công trình", CONSTRUCTION_MONTHS
    else:
        start, basis = _work_end(dossier, last_document)
        months = GENERAL_MONTHS
        if start is None:
            return Due(dossier, None, "", None, None, None,
                       "Công việc chưa kết thúc (hồ sơ đang lập, chưa ghi thời gian kết thúc).")
    legal = add_months(start, months)
    due = legal
    if extension is not None:  # judged against today's legal date, which edits may have moved
        due = max(legal, min(extension.new_due_on, add_months(legal, EXTENSION_MAX_MONTHS)))
    return Due(dossier, start, basis, legal, due, extension if due != legal else None)


def _may_be_due(agency: Agency | None = None) -> QuerySet[Dossier]:
    """Dossiers that may be due: closed ones, and open ones whose work has an end or a settlement."""
    qs = Dossier.objects.filter(Q(state=Dossier.State.CLOSED) | Q(
        state=Dossier.State.OPEN) & (Q(end_date__isnull=False) | Q(construction=True, settled_on__isnull=False)))
    return qs.filter(agency=agency) if agency is not None else qs


def _candidates(agency: Agency | None = None) -> QuerySet[Dossier]:
    return _may_be_due(agency).select_related("agency", "creator").annotate(
        last_document=Max(KeyTextTransform("issuedDate", "items__metadata")))


def dues(agency: Agency | None = None) -> list[Due]:
    dossiers = list(_candidates(agency))
    latest: dict[int, SubmissionExtension] = {}
    # a subquery, not a list of ids: a province's archive outgrows SQLite's bound-parameter limit
    for ext in SubmissionExtension.objects.filter(dossier__in=_may_be_due(agency).values("pk")).order_by(
            "recorded_at", "id"):
        latest[ext.dossier_id] = ext
    # django-stubs: Dossier has no last_document; the annotate() in _candidates adds it
    return [due_of(d, last_document=d.last_document,  # type: ignore[attr-defined]
                   extension=latest.get(d.pk), lookup=False) for d in dossiers]


@dataclass(frozen=True)
class Row:
    due: Due
    days: int  # days late (overdue) or left (near)


@dataclass(frozen=True)
class Overview:
    today: date
    within: int
    overdue: list[Row]
    near: list[Row]
    extended: int


def overview(agency: Agency, *, today: date | None = None, within: int | None = None) -> Overview:
    """The archivist's page: overdue (oldest first), due within `within` days, kept by approval."""
    today = today or timezone.localdate()
    within = notice_days() if within is None else within
    rows = sorted((d for d in dues(agency) if d.due_on), key=lambda d: (d.due_on, d.dossier.file_code))
    # every row has a due_on, so days_left is an int
    overdue = [Row(d, -cast(int, d.days_left(today))) for d in rows if d.status(today, within) == "overdue"]
    near = [Row(d, cast(int, d.days_left(today))) for d in rows if d.status(today, within) == "near"]
    return Overview(today, within, overdue, near, sum(1 for d in rows if d.extension is not None))


# --- what people record ---------------------------------------------------------------------------

def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().select_related("agency").get(pk=dossier.pk)


def _open_to(actor: Any, dossier: Dossier) -> None:
    if not permissions.can_view(actor, dossier):
        raise RecordsNotFoundError("Không tìm thấy hồ sơ.")


def _not_submitted(dossier: Dossier) -> None:
    if dossier.state not in DUE_STATES:
        raise RecordsError("RECORDS_ALREADY_SUBMITTED",
                           f"Hồ sơ {dossier.file_code} đã nộp lưu ({dossier.get_state_display()}).", 409)


@transaction.atomic
def set_construction(*, actor: Any, dossier: Dossier, construction: bool, settled_on: date | None) -> Dossier:
    """Mark (or unmark) a construction dossier and its settlement date: the creator or an archivist."""
    dossier = _locked(dossier)
    _open_to(actor, dossier)
    if dossier.creator_id != actor.pk and not permissions.is_archivist(actor, dossier.agency_id):
        raise RecordsForbiddenError("Chỉ người lập hồ sơ hoặc lưu trữ viên ghi hồ sơ xây dựng cơ bản.")
    _not_submitted(dossier)
    if not construction:
        settled_on = None
    if settled_on and settled_on > timezone.localdate():
        raise RecordsError("RECORDS_BAD_DATE", "Ngày quyết toán công trình không được sau hôm nay.")
    was_construction, was_settled_on = dossier.construction, dossier.settled_on
    if (was_construction, was_settled_on) == (construction, settled_on):
        return dossier
    dossier.construction, dossier.settled_on = construction, settled_on
    dossier.save(update_fields=["construction", "settled_on"])
    record_event(events.SUBMISSION_TERMS_CHANGED, actor=actor, agency_code=dossier.agency.code, obj=dossier,
                 details={"file_code": dossier.file_code, "construction": construction,
                          "settled_on": settled_on.isoformat() if settled_on else None,
                          "before": {"construction": was_construction,
                                     "settled_on": was_settled_on.isoformat() if was_settled_on else None},
                          "due_on": _iso(due_of(dossier).due_on)})
    return dossier


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@transaction.atomic
def extend(*, actor: Any, dossier: Dossier, reference: str, new_due_on: date | None,
           reason: str = "") -> SubmissionExtension:
    """Record the head of the agency's written approval to keep a due dossier until `new_due_on`
    (an archivist or a leader enters it): at most 2 years after the decree's date."""
    dossier = _locked(dossier)
    _open_to(actor, dossier)
    if not permissions.can_view_archive(actor, dossier.agency_id):
        raise RecordsForbiddenError("Chỉ lưu trữ viên hoặc lãnh đạo ghi việc giữ lại hồ sơ đến hạn nộp lưu.")
    _not_submitted(dossier)
    due = due_of(dossier)
    if due.legal_on is None:
        raise RecordsError("RECORDS_NO_DUE_DATE", f"Hồ sơ {dossier.file_code} chưa có hạn nộp lưu: {due.why_none}")
    reference = nfc(reference or "").strip()
    if not reference:
        raise RecordsError("RECORDS_EXTENSION_REFERENCE",
                           "Phải ghi số, ngày văn bản đồng ý của người đứng đầu cơ quan.")
    if len(reference) > 300:
        raise RecordsError("RECORDS_VALUE_TOO_LONG", "Số, ngày văn bản đồng ý dài quá 300 ký tự.")
    reason = nfc(reason or "").strip()
    if len(reason) > 500:
        raise RecordsError("RECORDS_VALUE_TOO_LONG", "Lý do giữ lại dài quá 500 ký tự.")
    if new_due_on is None:
        raise RecordsError("RECORDS_BAD_DATE", "Phải ghi ngày giữ lại đến (dd/mm/yyyy).")
    if new_due_on <= due.legal_on:
        raise RecordsError("RECORDS_EXTENSION_TOO_SHORT", f"Ngày giữ lại phải sau hạn nộp lưu "
                           f"{due.legal_on:%d/%m/%Y}.")
    latest = due.latest_extension
    assert latest is not None  # legal_on is set (checked above)
    if new_due_on > latest:
        raise RecordsError("RECORDS_EXTENSION_TOO_LONG", "Đơn vị chỉ được giữ lại hồ sơ đến hạn nộp lưu tối đa "
                           f"02 năm: chậm nhất đến {latest:%d/%m/%Y}.")
    ext = SubmissionExtension.objects.create(dossier=dossier, reference=reference[:300], legal_due_on=due.legal_on,
                                             new_due_on=new_due_on, reason=reason, recorded_by=actor)
    record_event(events.SUBMISSION_EXTENDED, actor=actor, agency_code=dossier.agency.code, obj=dossier,
                 details={"file_code": dossier.file_code, "reference": reference, "reason": reason,
                          "legal_due_on": due.legal_on.isoformat(), "new_due_on": new_due_on.isoformat(),
                          "before": _iso(due.due_on)})
    return ext


# --- reminders ------------------------------------------------------------------------------------

def _text(due: Due, kind: str) -> str:
    d = due.dossier
    when = f"{due.due_on:%d/%m/%Y}"
    if kind == SubmissionReminder.Kind.OVERDUE:
        return f"Quá hạn nộp lưu: hồ sơ {d.file_code} “{d.title}” chưa nộp Lưu trữ cơ quan (hạn {when})."
    return f"Sắp đến hạn nộp lưu: hồ sơ {d.file_code} “{d.title}” cần nộp Lưu trữ cơ quan (hạn {when})."


def remind(today: date | None = None) -> int:
    """Tell each due dossier's creator once before the deadline (within `notice_days`) and once
    after it passed; a reminder already sent for that date is not sent again. The count sent."""
    today = today or timezone.localdate()
    within = notice_days()
    sent = 0
    done = set(SubmissionReminder.objects.values_list("dossier_id", "kind", "due_on"))  # one read, not one try each
    for due in dues():
        status = due.status(today, within)
        user = due.dossier.creator
        if status not in ("near", "overdue") or due.due_on is None or user is None or not user.is_active:
            continue
        kind = SubmissionReminder.Kind.OVERDUE if status == "overdue" else SubmissionReminder.Kind.NEAR
        if (due.dossier.pk, kind, due.due_on) in done:
            continue
        try:
            with transaction.atomic():
                SubmissionReminder.objects.create(dossier=due.dossier, kind=kind, due_on=due.due_on, user=user)
                notify_at(user, _text(due, kind), reverse("records:submission_terms", args=[due.dossier.pk]),
                          f"submission_{kind}")
        except IntegrityError:  # sent already (by an earlier run, or a run at the same time)
            continue
        sent += 1
    return sent
