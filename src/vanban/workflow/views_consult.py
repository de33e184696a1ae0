"""Xin ý kiến on a draft's page: the drafter asks units (and names the letter sent to other
agencies); a consulted unit's head answers. The service (`workflow.consultation`) decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from vanban.agencies.models import Unit
from vanban.documents import permissions
from vanban.documents.actions import perform
from vanban.documents.models import Document
from vanban.workflow import consultation
from vanban.workflow.models import ConsultationRequest


def _visible(request: HttpRequest, pk: int) -> Document:
    doc = Document.objects.select_related("agency").filter(pk=pk, direction=Document.Direction.OUTGOING).first()
    if doc is None or not permissions.can_view(request.user, doc):
        raise Http404
    return doc


@login_required
@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _visible(request, pk)
    try:
        due = forms.DateField(required=False).clean(request.POST.get("due_on") or None)
    except forms.ValidationError:
        due = None
    ids = [int(v) for v in request.POST.getlist("consult_units") if v.isdigit()]
    units = list(Unit.objects.filter(pk__in=ids, agency=doc.agency))
    letter_id = request.POST.get("letter", "")
    letter = Document.objects.filter(pk=int(letter_id), agency=doc.agency).first() if letter_id.isdigit() else None
    return _run(request, pk, "Đã gửi xin ý kiến.", consultation.ask, document=doc, due_on=due, units=units,
                letter=letter, question=request.POST.get("question", ""))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    doc = _visible(request, pk)
    row = ConsultationRequest.objects.filter(pk=request_id, consultation__document=doc).first()
    if row is None:
        raise Http404
    return _run(request, pk, "Đã gửi ý kiến của đơn vị.", consultation.answer, request=row,
                text=request.POST.get("answer", ""), agree=bool(request.POST.get("agree")))


def _run(http: HttpRequest, pk: int, done: str, fn: Callable[..., object], /, **kwargs: Any) -> HttpResponse:
    """The service decides; its refusal is shown on the draft's page (403 for a forbidden one)."""
    return perform(http, fn, done, "document_detail", pk, **kwargs)
