"""Operator page: agency codes VXP systems asked to serve (registerAgency) and wait for approval."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vanban.hub import vxp_claims
from vanban.hub.errors import HubError
from vanban.hub.permissions import operator_required
from vanban.hub.vxp_models import AgencyClaim, AgencyClaimState


@operator_required
def claims(request: HttpRequest) -> HttpResponse:
    pending = list(AgencyClaim.objects.filter(state=AgencyClaimState.PENDING).select_related("endpoint")
                   .order_by("created_at"))
    decided = list(AgencyClaim.objects.exclude(state=AgencyClaimState.PENDING).select_related("endpoint")
                   .order_by("-decided_at")[:50])
    rows = [(c, vxp_claims.reason_texts(c)) for c in pending]
    return render(request, "hub/claims.html", {"rows": rows, "decided": decided, "active_nav": "hub:dashboard"})


@operator_required
@require_POST
def claim_decide(request: HttpRequest, claim_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    try:
        if decision == "approve":
            claim = vxp_claims.approve(claim_id, actor=request.user)
            messages.success(request, f"Đã phê duyệt: {claim.endpoint.name} phục vụ {claim.code}.")
        elif decision == "refuse":
            claim = vxp_claims.refuse(claim_id, actor=request.user, note=request.POST.get("note", "")[:1000])
            messages.success(request, f"Đã từ chối yêu cầu đăng ký {claim.code}.")
        else:
            messages.error(request, "Thao tác không hợp lệ.")
    except HubError as exc:
        messages.error(request, exc.message)
    return redirect("hub:claims")
