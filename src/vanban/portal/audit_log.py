"""The agency's audit log for its leaders and admins: filtered by action, person and period,
sorted by any column, paged, exported as the same selection to xlsx (web.listing)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from vanban.accounts.current import current_agency
from vanban.accounts.models import User
from vanban.accounts.permissions import can_view_audit
from vanban.agencies.models import Agency
from vanban.audit.labels import ACTIONS, SYSTEM_ACTORS, action_label, object_label
from vanban.audit.models import AuditEvent
from vanban.core.text import fold
from vanban.web.listing import Column, export_xlsx, listing


class AuditFilter(forms.Form):
    action = forms.ChoiceField(label="Hành động", required=False)
    who = forms.CharField(label="Người thực hiện (tên hoặc tài khoản)", required=False, max_length=100)
    since = forms.DateField(label="Từ ngày", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Đến ngày", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", "Mọi hành động"), *sorted(
            ((k, v) for k, v in ACTIONS.items() if not k.startswith("hub.")), key=lambda kv: fold(kv[1]))]


def _who(e: AuditEvent) -> str:
    if e.actor_name in SYSTEM_ACTORS:
        return "hệ thống"
    return getattr(e, "actor_full", "") or e.actor_name


COLUMNS = [
    Column("id", "#", "id", lambda e: e.id),
    Column("at", "Thời điểm", "at", lambda e: f"{timezone.localtime(e.at):%d/%m/%Y %H:%M:%S}"),
    Column("who", "Người thực hiện", "actor_full", _who),
    Column("action", "Hành động", "action", lambda e: action_label(e.action)),
    Column("object", "Đối tượng", "object_type", lambda e: f"{object_label(e.object_type)} số {e.object_id}"
           if e.object_id else object_label(e.object_type)),
]


def _events(request: HttpRequest) -> tuple[Agency, AuditFilter, QuerySet[AuditEvent]]:
    agency = current_agency(request)
    if agency is None or not can_view_audit(request.user, agency.pk):
        raise PermissionDenied
    form = AuditFilter(request.GET or None)
    full_name = User.objects.filter(username=OuterRef("actor_name")).values("full_name")[:1]
    events = AuditEvent.objects.filter(agency_code=agency.code).annotate(actor_full=Subquery(full_name))
    if form.is_valid():
        d = form.cleaned_data
        if d["action"]:
            events = events.filter(action=d["action"])
        if d["who"].strip():
            events = events.filter(Q(actor_name__icontains=d["who"].strip())
                                   | Q(actor_full__icontains=d["who"].strip()))
        if d["since"]:
            events = events.filter(at__date__gte=d["since"])
        if d["until"]:
            events = events.filter(at__date__lte=d["until"])
    return agency, form, events


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _, form, events = _events(request)
    return render(request, "audit/log.html", {"form": form,
                                              "listing": listing(request, events, COLUMNS, default="-id")})


@login_required
def audit_log_xlsx(request: HttpRequest) -> HttpResponse:
    agency, _, events = _events(request)
    return export_xlsx(request, events, COLUMNS, default="-id", title=f"Nhật ký kiểm toán — {agency.name}",
                       filename="nhat-ky")
