"""The one search function pages, API and benchmark call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from vanban.core.clock import VN_TZ
from vanban.documents.models import Document
from vanban.search.access import visible_q
from vanban.search.backends import Backend, backend
from vanban.search.models import SearchEntry
from vanban.search.text import ParsedQuery, fold_aligned, parse_query

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000  # deeper pages are refined by filters, never reached by OFFSET (a huge one overflows)
OPEN_INCOMING = (Document.State.ARRIVED, Document.State.ACCEPTED, Document.State.IN_PROGRESS)
SNIPPET_CHARS = 90


@dataclass(frozen=True)
class Filters:
    direction: str = ""
    year: int | None = None
    document_type: str = ""  # DocumentType.code
    agency: str = ""  # Agency.code
    state: str = ""
    overdue: bool = False


@dataclass
class Hit:
    document: Document
    snippet: str = ""
    url: str = ""


@dataclass
class SearchPage:
    query: str
    total: int
    page: int
    page_size: int
    hits: list[Hit] = field(default_factory=list)
    total_capped: bool = False  # `total` is a lower bound: more documents match than were counted

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def today_vn() -> date:
    return timezone.now().astimezone(VN_TZ).date()


def filtered(user: Any, filters: Filters) -> QuerySet[Document]:
    """Documents the user may open, narrowed by the filters (no text yet)."""
    qs = Document.objects.filter(visible_q(user))
    if filters.direction:
        qs = qs.filter(direction=filters.direction)
    if filters.year:
        qs = qs.filter(Q(issued_on__year=filters.year)
                       | Q(issued_on__isnull=True, created_at__year=filters.year))
    if filters.document_type:
        qs = qs.filter(document_type__code=filters.document_type)
    if filters.agency:
        qs = qs.filter(agency__code=filters.agency)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.overdue:
        qs = qs.filter(direction=Document.Direction.INCOMING, state__in=OPEN_INCOMING,
                       due_on__lt=today_vn())
    return qs


def _snippet(body: str, query: ParsedQuery) -> str:
    words = query.folded_words()
    if not body or not words:
        return ""
    folded = fold_aligned(body)
    at = min((i for w in words if (i := folded.find(w)) >= 0), default=-1)
    if at < 0:
        return ""
    start = max(0, at - SNIPPET_CHARS // 3)
    text = " ".join(body[start:start + SNIPPET_CHARS].split())
    return ("…" if start else "") + text + ("…" if start + SNIPPET_CHARS < len(body) else "")


def by_date(qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.order_by(F("issued_on").desc(nulls_last=True), "-created_at", "-id")


def _count_upto(engine: Backend, query: ParsedQuery, base: QuerySet[Document], qs: QuerySet[Document],
                limit: int) -> int:
    """Matching documents the user may open, up to `limit` (the engine's own way where it has one)."""
    if not query.empty and not engine.ids_matched:
        try:
            ids_sql, ids_params = base.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # no agency at all
            return 0
        counted = engine.count_upto(query, ids_sql, list(ids_params), limit)
        if counted is not None:
            return counted
    return qs.order_by()[:limit].count()


def search(user: Any, text: str = "", filters: Filters | None = None, *, sort: str = "relevance",
           page: int = 1, page_size: int = PAGE_SIZE, count_limit: int | None = None) -> SearchPage:
    """Documents the user may open that match `text` and `filters`, ranked or newest first.
    With `count_limit` (the page), matches are counted up to that many and the total says "more
    than" beyond it: a common word must not cost a count over the whole corpus on every page."""
    filters = filters or Filters()
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, min(page, MAX_PAGE))
    query = parse_query(text)
    base = filtered(user, filters)
    qs = base
    engine = backend()
    if not query.empty:
        match_sql, match_params = engine.match_sql(query)
        qs = qs.filter(pk__in=RawSQL(match_sql, match_params))  # noqa: S611 - constant SQL, values as params
    capped = False
    if count_limit is None:
        total = qs.count()
    else:
        total = _count_upto(engine, query, base, qs, count_limit + 1)
        capped = total > count_limit
        total = min(total, count_limit)
        page = min(page, max(1, -(-total // page_size)))
    offset = (page - 1) * page_size
    if query.empty or sort == "date":
        ids = list(by_date(qs).values_list("pk", flat=True)[offset:offset + page_size])
    else:
        try:
            # SQLite: the matched-and-visible ids, driven by the (usually short) match list, so the
            # engine never has to list every document the user may see. PostgreSQL matches in its
            # own ranked query, walking the newest matches: given the match again it would first
            # list every match (30 000 for a common word at 100 000 documents) to join them.
            ids_qs = qs if engine.ids_matched else base
            ids_sql, ids_params = ids_qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # no agency at all: nothing to rank
            ids = []
        else:
            ids = engine.ranked(query, ids_sql, list(ids_params), page_size, offset)
    docs = Document.objects.select_related("agency", "document_type").in_bulk(ids)
    bodies: dict[int, str] = {}
    if query.terms and ids:
        bodies = dict(SearchEntry.objects.filter(document_id__in=ids).values_list("document_id", "body"))
    hits = [Hit(docs[i], _snippet(bodies.get(i, ""), query)) for i in ids if i in docs]
    return SearchPage(query=text, total=total, page=page, page_size=page_size, hits=hits, total_capped=capped)
