"""The fonds page: the archivist describes the agency's fonds; leaders read it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vanban.records import fonds as fonds_service
from vanban.records import permissions
from vanban.records.errors import RecordsError
from vanban.records.models import Fonds
from vanban.records.views import _fail, agency_of


@login_required
def fonds(request: HttpRequest) -> HttpResponse:
    agency = agency_of(request)
    if not permissions.can_view_archive(request.user, agency.pk):
        raise PermissionDenied
    if request.method == "POST":
        values: dict[str, Any] = {k: request.POST.get(k, "") for k in fonds_service.EDITABLE}
        values["risk_recovery"] = request.POST.get("risk_recovery") == "1"
        try:
            fonds_service.update_fonds(actor=request.user, agency=agency, values=values)
        except RecordsError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "Đã lưu thông tin phông lưu trữ.")
            return redirect("records:fonds")
    current = fonds_service.fonds_of(agency)
    return render(request, "records/fonds.html", {
        "fonds": current, "figures": fonds_service.figures(agency), "states": Fonds.State.choices,
        "missing": fonds_service.missing_fields(current),
        "is_archivist": permissions.is_archivist(request.user, agency.pk)})
