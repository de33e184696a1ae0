from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vanban.accounts.permissions import can_manage_trust
from vanban.trust import services
from vanban.web.current import current_agency

MAX_UPLOAD = 1024 * 1024


class AnchorUploadForm(forms.Form):
    certificate = forms.FileField(label="Tệp chứng thư CA (.pem, .cer, .crt)")


@login_required
def anchor_list(request: HttpRequest) -> HttpResponse:
    agency = current_agency(request)
    if not can_manage_trust(request.user, agency.pk if agency else None):
        raise PermissionDenied
    form = AnchorUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["certificate"]
        if upload.size > MAX_UPLOAD:
            form.add_error("certificate", "Tệp chứng thư quá lớn (giới hạn 1 MB).")
        else:
            try:
                added = services.add_anchors(actor=request.user, agency=agency, data=upload.read())
            except services.TrustError as exc:
                form.add_error("certificate", exc.message)
            else:
                messages.success(request, f"Đã thêm {len(added)} chứng thư vào kho tin cậy."
                                 if added else "Chứng thư này đã có trong kho tin cậy.")
                return redirect("trust_anchors")
    return render(request, "trust/anchors.html", {"anchors": services.anchors(), "form": form})
