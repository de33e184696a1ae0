from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.agencies import services

PAGE = 50


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    rows = list(services.search_agencies(query, limit=PAGE + 1, offset=(page - 1) * PAGE))
    context = {"q": query, "agencies": rows[:PAGE], "page": page, "has_next": len(rows) > PAGE,
               "total": services.agency_count()}
    template = "agencies/_results.html" if request.headers.get("HX-Request") else "agencies/directory.html"
    return render(request, template, context)


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    agency = services.get_agency(code)
    if agency is None:
        raise Http404
    return render(request, "agencies/detail.html",
                  {"agency": agency, "children": agency.children.order_by("code")[:200],
                   "explain": services.explain(agency.code), "current": agency.current(),
                   "predecessors": agency.predecessors.order_by("code")[:200],
                   "history": services.reorganisations_of(agency)})
