"""One catalog entry added, changed or taken out by the archivist, without a CSV; the rules,
the role and the audit are the import's (`services.save_catalog_entry`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vanban.agencies.models import Agency
from vanban.records import permissions, queries, services
from vanban.records.errors import RecordsError
from vanban.records.forms import CatalogEntryForm
from vanban.records.models import CatalogEntry
from vanban.records.views import _fail, _year, agency_of


def _archivist_agency(request: HttpRequest) -> Agency:
    agency = agency_of(request)
    if not permissions.is_archivist(request.user, agency.pk):
        raise PermissionDenied
    return agency


def _entry(agency: Agency, entry_id: int) -> CatalogEntry:
    entry = (CatalogEntry.objects.filter(pk=entry_id, catalog__agency=agency)
             .select_related("catalog", "responsible_user").first())
    if entry is None:
        raise Http404
    return entry


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('records:catalog')}?year={year}")


def _initial(entry: CatalogEntry) -> dict[str, str]:
    return {"heading": entry.heading, "subheading": entry.subheading, "notation": entry.notation,
            "title": entry.title, "retention": entry.retention_label, "responsible": entry.responsible,
            "username": entry.responsible_user.username if entry.responsible_user else ""}


@login_required
def entry_form(request: HttpRequest, entry_id: int | None = None) -> HttpResponse:
    agency = _archivist_agency(request)
    entry = _entry(agency, entry_id) if entry_id is not None else None
    year = entry.catalog.year if entry is not None else _year(request)
    if entry is not None and request.method != "POST":
        try:
            services.refuse_if_used(entry, "sửa")  # said at once, not after the archivist typed
        except RecordsError as exc:
            _fail(request, exc)
            return _back(year)
    form = CatalogEntryForm(request.POST if request.method == "POST" else None,
                            initial=_initial(entry) if entry is not None else {})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_catalog_entry(actor=request.user, agency=agency, year=year,
                                                values=form.cleaned_data, entry=entry)
        except services.CatalogEntryInvalidError as exc:
            for error in exc.errors:
                form.add_error(error.field, error.reason[:1].upper() + error.reason[1:] + ".")
            status = 400
        except RecordsError as exc:
            _fail(request, exc)
            return _back(year)
        else:
            done = "Đã sửa" if entry is not None else "Đã thêm"
            messages.success(request, f"{done} mục {saved.notation} — {saved.title} trong danh mục hồ sơ năm {year}.")
            return _back(year)
    return render(request, "records/catalog_entry.html", {
        "form": form, "entry": entry, "year": year, "headings": queries.catalog_headings(agency, year)},
        status=status)


@login_required
@require_POST
def remove_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry(_archivist_agency(request), entry_id)
    try:
        services.remove_catalog_entry(actor=request.user, entry=entry)
    except RecordsError as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"Đã bỏ mục {entry.notation} — {entry.title} khỏi danh mục hồ sơ năm "
                                  f"{entry.catalog.year}.")
    return _back(entry.catalog.year)
