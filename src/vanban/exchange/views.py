"""The clerk's quarantine page: received packages that could not be taken in, with retry
and discard (thin: the rules are in `quarantine.py`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vanban.accounts.current import current_agency
from vanban.agencies.models import Agency
from vanban.exchange import quarantine
from vanban.exchange.models import InboxEntry


def _clerk_agency(request: HttpRequest) -> Agency:
    agency = current_agency(request)
    if not quarantine.can_handle(request.user, agency):
        raise PermissionDenied
    assert agency is not None
    return agency


def _entry(agency: Agency, entry_id: int) -> InboxEntry:
    entry = quarantine.entry_for(agency, entry_id)
    if entry is None:
        raise Http404
    return entry


@login_required
def quarantine_list(request: HttpRequest) -> HttpResponse:
    agency = _clerk_agency(request)
    return render(request, "exchange/quarantine.html", {
        "agency": agency, "rows": list(quarantine.for_agency(agency)[:200]),
        "settled": list(quarantine.for_agency(agency, settled=True)[:50]),
        "active_nav": "exchange_quarantine"})


@login_required
@require_POST
def quarantine_retry(request: HttpRequest, entry_id: int) -> HttpResponse:
    agency = _clerk_agency(request)
    entry = _entry(agency, entry_id)
    try:
        entry = quarantine.retry(actor=request.user, agency=agency, entry=entry)
    except quarantine.QuarantineError as exc:
        messages.error(request, exc.message)
    else:
        if entry.state == InboxEntry.State.PROCESSED:
            messages.success(request, "Đã xử lý lại gói tin thành công; văn bản đã vào danh sách văn bản đến.")
        else:
            messages.error(request, f"Xử lý lại vẫn lỗi: {entry.error}")
    return redirect("exchange_quarantine")


@login_required
@require_POST
def quarantine_discard(request: HttpRequest, entry_id: int) -> HttpResponse:
    agency = _clerk_agency(request)
    entry = _entry(agency, entry_id)
    try:
        quarantine.discard(actor=request.user, agency=agency, entry=entry,
                           reason=request.POST.get("reason", "")[:1000])
    except quarantine.QuarantineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã loại bỏ gói tin khỏi danh sách cách ly (bản gốc vẫn được lưu).")
    return redirect("exchange_quarantine")
