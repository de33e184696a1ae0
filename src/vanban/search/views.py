"""The search page: parse the form, call `queries.search`, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from vanban.documents.models import Document
from vanban.search.access import agency_ids
from vanban.search.forms import SearchForm
from vanban.search.queries import search


def document_url(doc: Document) -> str:
    """Incoming documents open on the incoming pages when those exist."""
    if doc.direction == Document.Direction.INCOMING:
        try:
            return reverse("incoming_detail", args=[doc.pk])
        except NoReverseMatch:
            pass
    return reverse("document_detail", args=[doc.pk])


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, agency_ids=agency_ids(request.user))
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = search(request.user, data.get("q") or "", form.filters(), sort=data.get("sort") or "relevance",
                        page=data.get("page") or 1)
        for hit in result.hits:
            hit.url = document_url(hit.document)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "search/search.html", {"form": form, "result": result, "params": params.urlencode()})
