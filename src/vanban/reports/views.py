"""Report pages: parse, call a service, render. Refusals are 403 (not allowed) or 404
(unknown agency), and a report never changes anything."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from vanban.accounts.current import current_agency
from vanban.reports import dashboards, permissions, services
from vanban.reports.errors import ReportError
from vanban.reports.forms import PeriodicForm
from vanban.reports.layout import context


def _refuse(exc: ReportError) -> HttpResponse:
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404(exc.message)
    return HttpResponseBadRequest(exc.message)


def _scopes_or_403(request: HttpRequest) -> list[tuple[str, str]]:
    scopes = services.report_scopes(request.user)
    if not scopes:
        raise PermissionDenied
    return scopes


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The dashboards this user has, in role order; the periodic report if nothing else."""
    agency = current_agency(request)
    links = [(name, label) for name, label, allowed in (
        ("reports:leader", "Tổng quan lãnh đạo", permissions.can_view_leader_dashboard(request.user, agency)),
        ("reports:clerk", "Tổng quan văn thư", permissions.can_view_clerk_dashboard(request.user, agency)),
        ("reports:hub", "Trục liên thông", permissions.can_view_hub_dashboard(request.user)),
        ("reports:periodic", "Báo cáo định kỳ", bool(services.report_scopes(request.user))),
    ) if allowed]
    if not links:
        raise PermissionDenied
    return redirect(links[0][0])


@login_required
def periodic(request: HttpRequest) -> HttpResponse:
    scopes = _scopes_or_403(request)
    agency = current_agency(request)
    initial_scope = agency.code if agency and any(agency.code == v for v, _ in scopes) else scopes[0][0]
    data = request.GET if "scope" in request.GET else None
    form = PeriodicForm(data, scopes=scopes, initial={"scope": initial_scope})
    extra: dict[str, Any] = {}
    if data is not None:
        scope = data.get("scope", "")
        if scope not in dict(scopes):
            try:
                services.scope_for(request.user, scope)  # says 403 or 404
            except ReportError as exc:
                return _refuse(exc)
        if form.is_valid() and form.resolved is not None:
            report, charts = services.build(form.resolved, services.scope_for(request.user, scope))
            extra = {**context(report, charts), "query": request.GET.urlencode()}
    return render(request, "reports/periodic.html", {"form": form, **extra})


def _download(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        agency = services.scope_for(request.user, request.GET.get("scope", ""))
        period = services.period_of(request.GET.get("period", ""), _date(request, "date_from"),
                                    _date(request, "date_to"))
        report, charts = services.build(period, agency)
        out = services.export(report, charts, fmt)
    except ReportError as exc:
        return _refuse(exc)
    response = HttpResponse(out.data, content_type=out.content_type)
    response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    return response


def _date(request: HttpRequest, name: str) -> Any:
    value = request.GET.get(name, "")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ReportError(400, "PERIOD_INVALID", "Ngày không hợp lệ (yyyy-mm-dd).") from None


@login_required
def periodic_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(request, "xlsx")


@login_required
def periodic_pdf(request: HttpRequest) -> HttpResponse:
    return _download(request, "pdf")


@login_required
def leader(request: HttpRequest) -> HttpResponse:
    agency = current_agency(request)
    if agency is None or not permissions.can_view_leader_dashboard(request.user, agency):
        raise PermissionDenied
    return render(request, "reports/leader.html", {"d": dashboards.leader(agency),
                                                   "periodic_url": reverse("reports:periodic")})


@login_required
def clerk(request: HttpRequest) -> HttpResponse:
    agency = current_agency(request)
    if agency is None or not permissions.can_view_clerk_dashboard(request.user, agency):
        raise PermissionDenied
    return render(request, "reports/clerk.html", {"d": dashboards.clerk(agency)})


@login_required
def hub(request: HttpRequest) -> HttpResponse:
    """The hub's figures are the hub's own dashboard (/hub/), where this process serves the hub:
    reports never read hub tables (`make lint`)."""
    if not permissions.can_view_hub_dashboard(request.user):
        raise PermissionDenied
    try:
        return redirect("hub:dashboard")
    except NoReverseMatch:
        raise Http404("Máy chủ này không chạy trục liên thông.") from None
