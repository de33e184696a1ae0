"""The dossier lists: one's own dossiers and the agency's archive, on web.listing (sorted by
any column, paged with the total, the search kept in the URL, the same selection as xlsx)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.accounts.models import User
from vanban.agencies.models import Agency
from vanban.records import permissions, queries
from vanban.records.models import Dossier
from vanban.records.views import agency_of
from vanban.web.listing import Column, export_xlsx, listing


def _date(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


CODE = Column("code", "Mã hồ sơ", "notation", lambda d: d.file_code)
YEAR = Column("year", "Năm", "year", lambda d: d.year)
TITLE = Column("title", "Tiêu đề", "title", lambda d: d.title)
RETENTION = Column("retention", "Thời hạn bảo quản", "retention_years", lambda d: d.retention_label)
MINE = [CODE, YEAR, TITLE, RETENTION, Column("opened", "Ngày lập", "opened_at", lambda d: _date(d.opened_at)),
        Column("state", "Trạng thái", "state", lambda d: d.get_state_display())]
ARCHIVE = [CODE, YEAR, TITLE, RETENTION,
           Column("archived", "Vào lưu trữ", "archived_at", lambda d: _date(d.archived_at)
                  + (" (nhập từ gói)" if d.imported_from else ""))]


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    agency = agency_of(request)
    return render(request, "records/my_dossiers.html", {
        "listing": listing(request, queries.my_dossiers(request.user, agency), MINE, default="-year"),
        "is_archivist": permissions.is_archivist(request.user, agency.pk)})


@login_required
def my_dossiers_xlsx(request: HttpRequest) -> HttpResponse:
    agency = agency_of(request)
    person = cast(User, request.user)  # login_required: never anonymous here
    return export_xlsx(request, queries.my_dossiers(person, agency), MINE, default="-year",
                       title=f"Hồ sơ của {person.display_name()} — {agency.name}", filename="ho-so-cua-toi")


def _archive(request: HttpRequest) -> tuple[Agency, str, QuerySet[Dossier]]:
    agency = agency_of(request)
    if not permissions.can_view_archive(request.user, agency.pk):
        raise PermissionDenied
    query = request.GET.get("q", "")[:200]
    return agency, query, queries.archive(agency, text=query)


@login_required
def archive(request: HttpRequest) -> HttpResponse:
    _, query, dossiers = _archive(request)
    return render(request, "records/archive.html", {"listing": listing(request, dossiers, ARCHIVE, default="-year"),
                                                    "q": query})


@login_required
def archive_xlsx(request: HttpRequest) -> HttpResponse:
    agency, _, dossiers = _archive(request)
    return export_xlsx(request, dossiers, ARCHIVE, default="-year", title=f"Kho lưu trữ — {agency.name}",
                       filename="kho-luu-tru")
