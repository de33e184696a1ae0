from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.accounts.models import User
from vanban.accounts.permissions import can_view_audit
from vanban.audit.labels import SYSTEM_ACTORS, action_label, object_label
from vanban.audit.models import AuditEvent
from vanban.web.current import current_agency


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    agency = current_agency(request)
    if agency is None or not can_view_audit(request.user, agency.pk):
        raise PermissionDenied
    events = AuditEvent.objects.filter(agency_code=agency.code).order_by("-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    logins = {e.actor_name for e in page} - set(SYSTEM_ACTORS)
    names = {u.username: u.display_name() for u in User.objects.filter(username__in=logins)}
    rows = [{"event": e, "who": "hệ thống" if e.actor_name in SYSTEM_ACTORS else names.get(e.actor_name, e.actor_name),
             "what": action_label(e.action), "object": object_label(e.object_type)} for e in page]
    return render(request, "audit/log.html", {"page": page, "rows": rows})
