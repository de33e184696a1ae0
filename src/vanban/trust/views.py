"""The trust page: province-wide anchors (hub operators: ask, a second one approves) and
an agency's own anchors (its admin), every change listed from the audit log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vanban.accounts.current import current_agency
from vanban.accounts.permissions import can_manage_trust, can_see_operations
from vanban.agencies.models import Agency
from vanban.audit.models import AuditEvent
from vanban.trust import events, services
from vanban.trust.models import TrustAnchor

MAX_UPLOAD = 1024 * 1024
ACTION_TEXT = {
    events.ANCHOR_ADDED: "Thêm (có hiệu lực)",
    "trust.anchor_requested": "Đề nghị thêm cho toàn tỉnh (chờ phê duyệt)",
    "trust.anchor_approved": "Phê duyệt",
    "trust.anchor_rejected": "Từ chối",
    "trust.anchor_removed": "Gỡ khỏi kho tin cậy",
}


class AnchorUploadForm(forms.Form):
    certificate = forms.FileField(label="Tệp chứng thư CA (.pem, .cer, .crt)")
    scope = forms.ChoiceField(label="Phạm vi", choices=TrustAnchor.Scope.choices,
                              initial=TrustAnchor.Scope.AGENCY)


@login_required
def anchor_list(request: HttpRequest) -> HttpResponse:
    agency = current_agency(request)
    if not can_manage_trust(request.user, agency.pk if agency else None):
        raise PermissionDenied
    operator = can_see_operations(request.user)
    form = AnchorUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("action") in ("approve", "reject", "remove"):
        return _decide(request, agency)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["certificate"]
        scope = form.cleaned_data["scope"]
        if upload.size > MAX_UPLOAD:
            form.add_error("certificate", "Tệp chứng thư quá lớn (giới hạn 1 MB).")
        elif scope == TrustAnchor.Scope.PROVINCE and not operator:
            raise PermissionDenied
        elif scope == TrustAnchor.Scope.AGENCY and agency is None:
            form.add_error("scope", "Chọn cơ quan trước khi thêm chứng thư riêng của cơ quan.")
        else:
            try:
                added = services.add_anchors(actor=request.user, agency=agency, scope=scope,
                                             data=upload.read())
            except services.TrustError as exc:
                form.add_error("certificate", exc.message)
            else:
                pending = [a for a in added if a.status == TrustAnchor.Status.PENDING]
                if pending:
                    messages.success(request, f"Đã gửi đề nghị {len(pending)} chứng thư cho toàn tỉnh; "
                                     "cần một quản trị trục khác phê duyệt.")
                else:
                    messages.success(request, f"Đã thêm {len(added)} chứng thư vào kho tin cậy."
                                     if added else "Chứng thư này đã có trong kho tin cậy.")
                return redirect("trust_anchors")
    rows = services.anchors(agency, everything=operator)
    codes = [agency.code] if agency else []
    history = (AuditEvent.objects.filter(action__startswith="trust.anchor_")
               .filter(Q(agency_code="") | Q(agency_code__in=codes) if not operator else Q())
               .order_by("-at")[:50])
    return render(request, "trust/anchors.html", {
        "anchors": rows, "form": form, "operator": operator, "agency": agency,
        "history": [(e, ACTION_TEXT.get(e.action, e.action)) for e in history],
        "policy": "bắt buộc (hard-fail)" if services.revocation_hard_fail() else "mềm (soft-fail)",
        "fetching": services.revocation_fetch()})


def _decide(request: HttpRequest, agency: Agency | None) -> HttpResponse:
    action = request.POST["action"]
    try:
        anchor_id = int(request.POST.get("anchor", ""))
    except ValueError:
        messages.error(request, "Thiếu chứng thư cần xử lý.")
        return redirect("trust_anchors")
    try:
        if action == "remove":
            services.remove_anchor(actor=request.user, anchor_id=anchor_id, agency=agency)
            messages.success(request, "Đã gỡ chứng thư khỏi kho tin cậy.")
        else:
            services.approve_anchor(actor=request.user, anchor_id=anchor_id, approve=action == "approve")
            messages.success(request, "Đã phê duyệt chứng thư." if action == "approve" else "Đã từ chối chứng thư.")
    except services.TrustError as exc:
        if exc.code == "TRUST_FORBIDDEN":
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    return redirect("trust_anchors")
