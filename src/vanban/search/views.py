"""The search page: parse the form, call `queries.search`, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from vanban.accounts.current import current_agency
from vanban.core.clock import display_date, display_datetime
from vanban.documents.models import Document
from vanban.search.access import agency_ids
from vanban.search.forms import SearchForm
from vanban.search.queries import MAX_PAGE_SIZE, search
from vanban.web.printed import PrintedTable, as_file


def document_url(doc: Document) -> str:
    """Incoming documents open on the incoming pages when those exist."""
    if doc.direction == Document.Direction.INCOMING:
        try:
            return reverse("incoming_detail", args=[doc.pk])
        except NoReverseMatch:
            pass
    return reverse("document_detail", args=[doc.pk])


EXPORT_ROWS = 2_000  # a search's export; more is narrowed by the filters
COUNT_LIMIT = 1_000  # the page counts matches up to this many, then says "hơn 1000" (docs/search.md)


def _bound(request: HttpRequest) -> SearchForm:
    return SearchForm(request.GET or None, agency_ids=agency_ids(request.user))


@login_required
def search_xlsx(request: HttpRequest) -> HttpResponse:
    """The current search (words, filters, order) as a workbook, the person's own visibility rules
    applied page by page as on the screen; at most EXPORT_ROWS rows, and the sheet says so."""
    form = _bound(request)
    if not (form.is_bound and form.is_valid()):
        return redirect(f"{reverse('search:search')}?{request.GET.urlencode()}")
    data = form.cleaned_data
    text, sort = data.get("q") or "", data.get("sort") or "relevance"
    docs: list[Document] = []
    total = 0
    for page in range(1, EXPORT_ROWS // MAX_PAGE_SIZE + 1):
        result = search(request.user, text, form.filters(), sort=sort, page=page, page_size=MAX_PAGE_SIZE)
        total = result.total
        docs += [hit.document for hit in result.hits]
        if not result.hits or len(docs) >= total:
            break
    agency = current_agency(request)
    shown = f"{len(docs)} văn bản" + (f" đầu trong {total}" if total > len(docs) else "")
    table = PrintedTable(
        title="Kết quả tìm kiếm văn bản", agency_name=agency.name if agency else "",
        subtitle=(f"Từ khóa: “{text}”. " if text else "") + f"{shown}; xuất lúc {display_datetime(timezone.now())}.",
        columns=["STT", "Số, ký hiệu", "Ngày", "Loại và trích yếu", "Cơ quan", "Văn bản", "Trạng thái", "Hạn xử lý"],
        rows=[[str(n), d.notation, display_date(d.issued_on or d.created_at), f"{d.document_type.name} — {d.subject}",
               d.issuer_name or d.agency.name if d.direction == Document.Direction.INCOMING else d.agency.name,
               "đến" if d.direction == Document.Direction.INCOMING else "đi", d.get_state_display(),
               display_date(d.due_on) if d.due_on else ""] for n, d in enumerate(docs, start=1)],
        widths=[6, 18, 11, 60, 30, 8, 20, 11], stem="ket-qua-tim-kiem", empty="Không có văn bản nào phù hợp.",
        closing=[f"Chỉ xuất {EXPORT_ROWS:,} văn bản đầu; hãy thu hẹp điều kiện tìm kiếm.".replace(",", ".")]
        if total > len(docs) else [])
    return as_file(table, "xlsx")


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = _bound(request)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = search(request.user, data.get("q") or "", form.filters(), sort=data.get("sort") or "relevance",
                        page=data.get("page") or 1, count_limit=COUNT_LIMIT)
        for hit in result.hits:
            hit.url = document_url(hit.document)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "search/search.html", {"form": form, "result": result, "params": params.urlencode()})
