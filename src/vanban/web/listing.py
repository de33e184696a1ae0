"""Lists as people use them: a total and page numbers, sorting by any column shown, filters
kept in the URL, and the current selection exported to xlsx. A list declares its columns;
only declared columns can be sorted on, so the URL cannot order by anything else.

Totals are bounded work: up to `COUNT_EXACT_UP_TO` rows are counted on every request; a
longer list (an agency's 60 000 arrivals) is counted once per `COUNT_CACHE_SECONDS` and the
total shown may be that old — the rows themselves are always read fresh."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
COUNT_EXACT_UP_TO = 1000
COUNT_CACHE_SECONDS = 60


class BoundedPaginator(Paginator):
    """A paginator whose total never costs a COUNT(*) over a whole large table on every request."""

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        return count_rows(qs) if isinstance(qs, QuerySet) else super().count


def count_rows(qs: QuerySet[Any]) -> int:
    """How many rows: exact up to `COUNT_EXACT_UP_TO` on every call, cached a minute beyond."""
    qs = qs.order_by()
    bounded = qs[:COUNT_EXACT_UP_TO + 1].count()
    if bounded <= COUNT_EXACT_UP_TO:
        return bounded
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return 0
    key = "list-count:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return int(cache.get_or_set(key, qs.count, COUNT_CACHE_SECONDS) or 0)


@dataclass(frozen=True)
class Column:
    key: str  # the URL's ?sort= value
    label: str
    order_by: str  # a model field path
    value: Callable[[Any], object]  # the cell, for the page and the export


@dataclass
class Listing:
    columns: list[Column]
    page: Page
    sort: str
    descending: bool
    params: str  # the query string without page (filters and sort kept)
    sort_params: str  # without page and sort (for the column links)

    def header(self) -> list[dict[str, object]]:
        out = []
        for c in self.columns:
            active = c.key == self.sort
            flip = "" if active and self.descending else "-"
            out.append({"label": c.label, "key": c.key, "active": active, "descending": active and self.descending,
                        "link": f"?{self.sort_params + '&' if self.sort_params else ''}sort={flip}{c.key}"})
        return out

    def rows(self) -> list[tuple[Any, list[object]]]:
        return [(obj, [c.value(obj) for c in self.columns]) for obj in self.page]


def _sort(request: HttpRequest, columns: list[Column], default: str) -> tuple[Column, bool, str]:
    raw = request.GET.get("sort", default)
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    by_key = {c.key: c for c in columns}
    if key not in by_key:
        descending = default.startswith("-")
        key = default.lstrip("-")
    return by_key[key], descending, key


def listing(request: HttpRequest, qs: QuerySet[Any], columns: list[Column], *, default: str) -> Listing:
    column, descending, key = _sort(request, columns, default)
    ordered = qs.order_by(("-" if descending else "") + column.order_by, "-pk" if descending else "pk")
    page = BoundedPaginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    return Listing(columns, page, key, descending, params.urlencode(), sort_params.urlencode())


def export_xlsx(request: HttpRequest, qs: QuerySet[Any], columns: list[Column], *, default: str, title: str,
                filename: str) -> HttpResponse:
    """The current selection (filters and sort from the URL), every page, as a workbook."""
    column, descending, _ = _sort(request, columns, default)
    ordered = qs.order_by(("-" if descending else "") + column.order_by, "-pk" if descending else "pk")
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Danh sách")
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#DCE6F1", "text_wrap": True,
                            "font_name": "Times New Roman"})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "Times New Roman"})
    sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 13, "font_name": "Times New Roman"}))
    sheet.write_row(2, 0, [c.label for c in columns], head)
    for i, obj in enumerate(ordered[:EXPORT_LIMIT]):
        sheet.write_row(3 + i, 0, [str(c.value(obj) or "") for c in columns], cell)
    for n, c in enumerate(columns):
        sheet.set_column(n, n, 48 if c.key == "subject" else 18)
    sheet.repeat_rows(2)
    book.close()
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
