"""Operator pages of the hub (Vietnamese): dashboard, package trace, endpoints, certificates,
refused packages (quarantine)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from vanban.hub import conf, queries, services, stats
from vanban.hub.errors import HubError
from vanban.hub.forms import CertificateForm, EndpointForm
from vanban.hub.models import AgencyCertificate, Endpoint, Forward, Package, RefusalState, RefusedPackage
from vanban.hub.permissions import operator_required


@operator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "hub/dashboard.html", {
        "traffic": stats.traffic(), "agencies": stats.per_agency(), "waiting": stats.waiting(),
        "forwards": stats.delayed_forwards(), "active_nav": "hub:dashboard",
        "refused_held": RefusedPackage.objects.filter(state=RefusalState.HELD).count()})


@operator_required
def packages(request: HttpRequest) -> HttpResponse:
    """Find packages by id, DocumentId, number and notation (they are inside the DocumentId,
    e.g. "12/UBND-VP"), sender code or subject — exact or a part of it."""
    q = request.GET.get("q", "").strip()[:500]
    page = None
    if q:
        try:
            cond = Q(pk=uuid.UUID(q))
        except ValueError:
            cond = (Q(document_id=q) | Q(document_id__icontains=q) | Q(subject__icontains=q)
                    | Q(sender_code=q))
        found = Package.objects.filter(cond).order_by("-received_at", "-pk")
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        if page.paginator.count == 1:
            return redirect("hub:package", package_id=page[0].pk)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "hub/packages.html", {"q": q, "page": page, "params": params.urlencode(),
                                                 "active_nav": "hub:dashboard"})


PAGE_SIZE = 50


@operator_required
def package(request: HttpRequest, package_id: uuid.UUID) -> HttpResponse:
    found = get_object_or_404(Package, pk=package_id)
    trace = queries.trace(found)
    events = list(found.trace.order_by("at", "id"))
    return render(request, "hub/package.html", {
        "package": found, "trace": trace, "events": events,
        "deliveries": found.deliveries.select_related("endpoint").order_by("id"),
        "forward": Forward.objects.filter(package=found).first(), "active_nav": "hub:dashboard"})


@operator_required
def endpoints(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, token = services.create_endpoint(
                name=form.cleaned_data["name"], codes=form.cleaned_data["agencies"],
                kind=form.cleaned_data["kind"], cert_pem=form.cleaned_data["cert"], actor=request.user)
        except HubError as exc:
            form.add_error(None, exc.message)
        else:
            # The token is rendered in this response only; it is never stored or shown again.
            return render(request, "hub/token.html", {"endpoint": endpoint, "token": token,
                                                      "active_nav": "hub:dashboard"})
    rows = Endpoint.objects.prefetch_related("agencies").order_by("revoked_at", "name")
    return render(request, "hub/endpoints.html", {"form": form, "rows": rows, "active_nav": "hub:dashboard",
                                                  "hub_policy": conf.signature_policy()},
                  status=400 if form.is_bound else 200)


@operator_required
@require_POST
def endpoint_revoke(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_object_or_404(Endpoint, pk=endpoint_id)
    services.revoke_endpoint(name=endpoint.name, actor=request.user)
    messages.success(request, f"Đã thu hồi khóa của điểm kết nối {endpoint.name}.")
    return redirect("hub:endpoints")


@operator_required
def certificates(request: HttpRequest) -> HttpResponse:
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_certificates(code=form.cleaned_data["code"].strip(), pem=form.cleaned_data["cert"],
                                              actor=request.user)
        except HubError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã đăng ký {len(added)} chứng thư số cho {form.cleaned_data['code']}.")
            return redirect("hub:certificates")
    rows = AgencyCertificate.objects.select_related("agency").order_by("agency__code", "-added_at")
    return render(request, "hub/certificates.html", {"form": form, "rows": rows, "active_nav": "hub:dashboard"},
                  status=400 if form.is_bound else 200)



@operator_required
@require_POST
def endpoint_policy(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_object_or_404(Endpoint, pk=endpoint_id)
    try:
        endpoint = services.set_signature_policy(name=endpoint.name, policy=request.POST.get("policy", ""),
                                                 actor=request.user)
    except HubError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Điểm kết nối {endpoint.name}: {endpoint.get_signature_policy_display()}.")
    return redirect("hub:endpoints")


@operator_required
def refused(request: HttpRequest) -> HttpResponse:
    """Submissions the hub refused, held for the operator: retry after fixing, or discard."""
    return render(request, "hub/refused.html", {
        "rows": RefusedPackage.objects.filter(state=RefusalState.HELD).order_by("-last_at", "-id")[:200],
        "settled": RefusedPackage.objects.exclude(state=RefusalState.HELD).order_by("-settled_at", "-id")[:50],
        "active_nav": "hub:dashboard"})


@operator_required
@require_POST
def refused_retry(request: HttpRequest, refused_id: int) -> HttpResponse:
    row = get_object_or_404(RefusedPackage, pk=refused_id)
    try:
        row = services.retry_refused(row, actor=request.user)
    except HubError as exc:
        messages.error(request, exc.message)
    else:
        if row.state == RefusalState.ACCEPTED:
            messages.success(request, "Trục đã nhận gói tin khi xử lý lại.")
        else:
            messages.error(request, f"Xử lý lại vẫn bị từ chối: {row.error_code}: {row.error_message}")
    return redirect("hub:refused")


@operator_required
@require_POST
def refused_discard(request: HttpRequest, refused_id: int) -> HttpResponse:
    row = get_object_or_404(RefusedPackage, pk=refused_id)
    try:
        services.discard_refused(row, actor=request.user, reason=request.POST.get("reason", "")[:1000])
    except HubError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã loại bỏ gói tin khỏi danh sách cách ly (bản gốc vẫn được lưu).")
    return redirect("hub:refused")
