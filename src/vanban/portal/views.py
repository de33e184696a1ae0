"""Shell pages: home, agency switch, the operator's page, error pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanban.accounts.current import current_agency, current_roles, switch_agency
from vanban.accounts.permissions import can_see_operations
from vanban.accounts.services import agency_users
from vanban.agencies.services import agency_count
from vanban.audit.services import count_events_since
from vanban.jobs.services import last_heartbeat, worker_alive


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if "office" not in settings.VANBAN_ROLES:  # a hub-only process: its operator's dashboard is home
        return redirect("hub:dashboard")
    agency = current_agency(request)
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    stats: dict[str, Any] = {
        "agencies": agency_count(),
        "users": len(agency_users(agency)) if agency else 0,
        "events_today": count_events_since(start_of_day, agency.code if agency else None),
    }
    from vanban.portal import office  # noqa: PLC0415 - office apps: absent from a hub-only install

    if agency is not None:
        stats.update(office.year_figures(agency))
    waiting = office.waiting(request.user, agency, {m.role for m in current_roles(request)})
    return render(request, "web/home.html", {"stats": stats, "worker_alive": worker_alive(),
                                             "last_beat": last_heartbeat(), "waiting": waiting})


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    try:
        agency_id = int(request.POST.get("agency_id", ""))
    except ValueError:
        raise PermissionDenied from None
    if not switch_agency(request, agency_id):
        raise PermissionDenied
    return redirect("home")


@login_required
def operations(request: HttpRequest) -> HttpResponse:
    if not can_see_operations(request.user):
        raise PermissionDenied
    return render(request, "web/operations.html",
                  {"worker_alive": worker_alive(), "last_beat": last_heartbeat()})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"code": 403, "title": "Không có quyền truy cập",
                  "message": "Bạn không có quyền xem trang này."}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"code": 404, "title": "Không tìm thấy trang",
                  "message": "Trang bạn tìm không tồn tại hoặc đã bị chuyển đi."}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"code": 500, "title": "Lỗi hệ thống",
                  "message": "Đã có lỗi xảy ra. Sự cố đã được ghi lại; vui lòng thử lại sau."},
                  status=500)
