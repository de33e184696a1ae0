"""Submission deadlines (hạn nộp lưu): the archivist's list of dossiers due soon and overdue, and
a dossier's own deadline page (construction dossier, approved extension). Thin: parse, call, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from vanban.records import permissions, submission
from vanban.records.errors import RecordsError
from vanban.records.views import _dossier, _fail, agency_of


def _day(value: str) -> date | None:
    """A date typed dd/mm/yyyy (or sent ISO by a date input)."""
    text = (value or "").strip()
    for parse in (date.fromisoformat, lambda t: date(int(t[6:10]), int(t[3:5]), int(t[0:2]))):
        try:
            return parse(text)
        except (ValueError, IndexError):
            continue
    return None


def _within(request: HttpRequest) -> int:
    raw = request.GET.get("ngay", "")
    return min(int(raw), 366) if raw.isdigit() else submission.notice_days()


@login_required
def due_list(request: HttpRequest) -> HttpResponse:
    agency = agency_of(request)
    if not permissions.can_view_archive(request.user, agency.pk):
        raise PermissionDenied
    view = submission.overview(agency, within=_within(request))
    return render(request, "records/submission_due.html", {"view": view, "today": view.today})


@login_required
def dossier_terms(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "construction":
                settled = request.POST.get("settled_on", "")
                if settled.strip() and _day(settled) is None:
                    raise RecordsError("RECORDS_BAD_DATE", "Ngày quyết toán không hợp lệ (dd/mm/yyyy).")
                submission.set_construction(actor=request.user, dossier=dossier,
                                            construction=request.POST.get("construction") == "1",
                                            settled_on=_day(settled))
                messages.success(request, "Đã lưu loại hồ sơ và ngày quyết toán.")
            elif action == "extend":
                submission.extend(actor=request.user, dossier=dossier, reference=request.POST.get("reference", ""),
                                  new_due_on=_day(request.POST.get("new_due_on", "")),
                                  reason=request.POST.get("reason", ""))
                messages.success(request, "Đã ghi việc giữ lại hồ sơ theo văn bản đồng ý.")
            else:
                raise PermissionDenied
        except RecordsError as exc:
            _fail(request, exc)
        return redirect("records:submission_terms", pk=dossier.pk)
    due = submission.due_of(dossier)
    today = timezone.localdate()
    return render(request, "records/submission_terms.html", {
        "dossier": dossier, "due": due, "today": today, "days_left": due.days_left(today),
        "extensions": dossier.submission_extensions.select_related("recorded_by"),
        "can_mark": dossier.state in submission.DUE_STATES and (
            dossier.creator_id == request.user.pk or permissions.is_archivist(request.user, dossier.agency_id)),
        "can_extend": dossier.state in submission.DUE_STATES and due.legal_on is not None
        and permissions.can_view_archive(request.user, dossier.agency_id)})
