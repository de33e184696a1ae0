"""Search over the API (mounted by the lead at /api/v1/search): the same `queries.search`."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from vanban.accounts.apiauth import SessionAuth
from vanban.apierrors import ApiError, ErrorOut
from vanban.documents.models import Document
from vanban.search.queries import MAX_PAGE_SIZE, PAGE_SIZE, Filters, search

# A person searches what they may open: session authentication, like the documents API.
router = Router(auth=[SessionAuth()])
ERRORS = {401: ErrorOut, 422: ErrorOut}


class SearchIn(Schema):
    q: str = Field("", max_length=300, description="từ khóa; có dấu để tìm đúng dấu, \"…\" cho cụm từ")
    direction: str = Field("", pattern="^(|incoming|outgoing)$")
    year: int | None = Field(None, ge=1945, le=2100)
    document_type: str = Field("", max_length=40, description="mã loại văn bản, ví dụ quyet-dinh")
    agency: str = Field("", max_length=13, description="mã định danh cơ quan")
    state: str = Field("", max_length=12)
    overdue: bool = False
    sort: str = Field("relevance", pattern="^(relevance|date)$")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class HitOut(Schema):
    id: int
    direction: str
    state: str
    notation: str
    identifier_code: str | None
    document_type: str
    subject: str
    agency_code: str
    issuer_name: str
    issued_on: date | None
    due_on: date | None
    snippet: str


class SearchOut(Schema):
    total: int
    page: int
    pages: int
    page_size: int
    results: list[HitOut]


@router.get("", response={200: SearchOut, **ERRORS}, summary="Tìm kiếm văn bản được phép xem")
def search_documents(request: HttpRequest, params: Query[SearchIn]) -> SearchOut:
    if params.state and params.state not in Document.State.values:
        raise ApiError(422, "SEARCH_BAD_STATE", "Trạng thái không hợp lệ.")
    filters = Filters(direction=params.direction, year=params.year, document_type=params.document_type,
                      agency=params.agency, state=params.state, overdue=params.overdue)
    page = search(request.user, params.q, filters, sort=params.sort, page=params.page, page_size=params.page_size)
    return SearchOut(total=page.total, page=page.page, pages=page.pages, page_size=page.page_size, results=[
        HitOut(id=h.document.pk, direction=h.document.direction, state=h.document.state,
               notation=h.document.notation, identifier_code=h.document.identifier_code,
               document_type=h.document.document_type.code, subject=h.document.subject,
               agency_code=h.document.agency.code, issuer_name=h.document.issuer_name or h.document.agency.name,
               issued_on=h.document.issued_on, due_on=h.document.due_on, snippet=h.snippet)
        for h in page.hits])
