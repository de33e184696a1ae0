"""My work (specialists), what I assigned (leaders), notifications."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanban.accounts.current import current_agency
from vanban.accounts.models import User
from vanban.accounts.permissions import has_role, signed_in
from vanban.accounts.roles import Role
from vanban.core.clock import display_datetime
from vanban.documents.actions import perform
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.web.listing import PAGE_SIZE, BoundedPaginator, Column, count_rows, export_xlsx, listing
from vanban.workflow import queries, services
from vanban.workflow.models import Assignment


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    work = queries.my_work(request.user)
    assigned = queries.assigned_by(request.user)
    steps = queries.my_steps(request.user)
    agency = current_agency(request)
    to_assign = queries.to_assign(agency) if agency else None
    listed = listing(request, work, WORK_COLUMNS, default="due")
    return render(request, "workflow/my_work.html", {
        "work": listed, "total": listed.page.paginator.count,
        "overdue": count_rows(queries.overdue(work)),
        "today": timezone.localdate(), "assigned": assigned[:ASSIGNED_SHOWN], "assigned_count": count_rows(assigned),
        "steps": steps[:STEPS_SHOWN], "steps_count": count_rows(steps),
        "to_assign": list(to_assign[:TO_ASSIGN_SHOWN]) if to_assign is not None else [],
        "to_assign_count": count_rows(to_assign) if to_assign is not None else 0,
        "handlers": (User.objects.filter(memberships__agency=agency, memberships__role__in=["specialist", "leader"],
                                         is_active=True).exclude(pk=signed_in(request).pk).distinct()
                     .order_by("full_name")
                     if agency else [])})


@login_required
@require_POST
def assign_many(request: HttpRequest) -> HttpResponse:
    """Several accepted documents to the same people at once (the leader's list "chờ phân công")."""
    agency = current_agency(request)
    if agency is None or not has_role(request.user, agency.pk, Role.LEADER):
        raise PermissionDenied
    ids = [int(v) for v in request.POST.getlist("document") if v.isdigit()]
    documents = list(Document.objects.filter(pk__in=ids, agency=agency, direction=Document.Direction.INCOMING)
                     .order_by("arrived_at", "pk"))
    lead = User.objects.filter(pk=int(v) if (v := request.POST.get("lead", "")).isdigit() else 0,
                               memberships__agency=agency).distinct().first()
    try:
        due = forms.DateField(required=False).clean(request.POST.get("due_on") or None)
        services.assign_many(actor=request.user, documents=documents, instruction=request.POST.get("instruction", ""),
                             assignees=[services.AssigneeInput(lead, "lead")] if lead else [], due_on=due)
    except forms.ValidationError:
        messages.error(request, "Hạn xử lý không phải là một ngày hợp lệ.")
    except DocumentError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã phân công {len(documents)} văn bản.")
    return redirect("my_work")


@login_required
def my_work_xlsx(request: HttpRequest) -> HttpResponse:
    """The same list, in the same order, as a workbook."""
    user = signed_in(request)
    return export_xlsx(request, queries.my_work(user), WORK_COLUMNS, default="due",
                       title=f"Công việc của {user.display_name()}", filename="cong-viec-cua-toi")


def _due(a: Assignment) -> str:
    if a.due_on is None:
        return ""
    late = " (quá hạn)" if a.due_on < timezone.localdate() else ""
    return f"{a.due_on:%d/%m/%Y}{late}"


WORK_COLUMNS = [
    Column("document", "Văn bản", "document__notation",
           lambda a: f"{a.document.notation} — {a.document.subject}" if a.document.notation else a.document.subject),
    Column("issuer", "Cơ quan gửi", "document__issuer_name", lambda a: a.document.issuer_name),
    Column("kind", "Vai trò", "kind", lambda a: a.get_kind_display()),
    Column("by", "Người giao", "assigned_by__full_name", lambda a: a.assigned_by.display_name()),
    Column("due", "Hạn", "due_on", _due),
    Column("state", "Trạng thái", "state", lambda a: a.get_state_display()),
]


ASSIGNED_SHOWN = 20  # on "Công việc của tôi"; the whole list has its own page
TO_ASSIGN_SHOWN = 50  # the leader's accepted arrivals waiting, oldest first; all of them in the incoming list
STEPS_SHOWN = 100  # process steps waiting on me, nearest deadline first; the heading gives the total
ASSIGNED_COLUMNS = [
    Column("document", "Văn bản", "document__notation",
           lambda a: f"{a.document.notation} — {a.document.subject}" if a.document.notation else a.document.subject),
    Column("assignee", "Người xử lý", "assignee__full_name", lambda a: a.assignee.display_name()),
    Column("kind", "Vai trò", "kind", lambda a: a.get_kind_display()),
    Column("given", "Ngày giao", "created_at", lambda a: display_datetime(a.created_at)),
    Column("due", "Hạn", "due_on", _due),
    Column("state", "Trạng thái", "state", lambda a: a.get_state_display()),
]


@login_required
def assigned_list(request: HttpRequest) -> HttpResponse:
    """Everything this person has assigned (a leader's follow-up): totals, pages, sorting, export."""
    assigned = queries.assigned_by(request.user)
    listed = listing(request, assigned, ASSIGNED_COLUMNS, default="-given")
    return render(request, "workflow/assigned.html", {
        "assigned": listed, "total": listed.page.paginator.count,
        "overdue": count_rows(queries.overdue(assigned.exclude(state=Assignment.State.DONE)))})


@login_required
def assigned_xlsx(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    return export_xlsx(request, queries.assigned_by(user), ASSIGNED_COLUMNS, default="-given",
                       title=f"Việc {user.display_name()} đã giao", filename="viec-da-giao")


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    assignment = Assignment.objects.select_related("document").filter(pk=pk, assignee=signed_in(request)).first()
    if assignment is None:
        raise Http404
    return assignment


def _done(request: HttpRequest, assignment: Assignment, fn: Callable[..., object], message: str,
          **kwargs: Any) -> HttpResponse:
    return perform(request, fn, message, "incoming_detail", assignment.document_id, assignment=assignment, **kwargs)


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    return _done(request, _assignment(request, pk), services.start, "Đã bắt đầu xử lý.")


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("file")
    file = (upload.name, upload.read()) if upload else None
    return _done(request, _assignment(request, pk), services.add_note, "Đã ghi nhận.",
                 text=request.POST.get("text", ""), file=file)


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    reply = None
    if reply_id := request.POST.get("reply"):
        reply = Document.objects.filter(pk=reply_id, drafter=signed_in(request)).first()
    return _done(request, assignment, services.complete, "Đã hoàn thành phần việc.",
                 result=request.POST.get("result", ""), reply=reply)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """One's notifications, newest first, unread marked; reading the list changes nothing
    (opening one, or "đánh dấu đã đọc", does)."""
    unread_only = request.GET.get("chua-doc") == "1"
    mine = signed_in(request).notifications
    qs = mine.all()
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = BoundedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workflow/notifications.html", {
        "page": page, "unread_only": unread_only, "params": "chua-doc=1" if unread_only else "",
        "unread": count_rows(mine.filter(read_at__isnull=True))})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open one notification: it is read, and the page it is about opens (a path on this site only)."""
    mine = signed_in(request).notifications
    note = mine.filter(pk=pk).first()
    if note is None:
        raise Http404
    if note.read_at is None:
        mine.filter(pk=pk).update(read_at=timezone.now())
    safe = note.url.startswith("/") and not note.url.startswith("//") and "\\" not in note.url
    return redirect(note.url if safe else "notifications")


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the chosen notifications read, or all of them."""
    qs = signed_in(request).notifications.filter(read_at__isnull=True)
    if request.POST.get("all") != "1":
        qs = qs.filter(pk__in=[int(v) for v in request.POST.getlist("id") if v.isdecimal()])
    count = qs.update(read_at=timezone.now())
    messages.success(request, f"Đã đánh dấu {count} thông báo là đã đọc.")
    return redirect("notifications")
