"""The province administrator's page: preview a merger, a re-coding or a split, then carry it out."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vanban.agencies.models import Reorganisation
from vanban.reorg import services
from vanban.reorg.forms import ReorganiseForm
from vanban.reorg.rename import plan_rename, rename
from vanban.reorg.split import plan_split, split


@login_required
def reorganise(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    form = ReorganiseForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid() and form.cleaned_data["kind"] == Reorganisation.Kind.SPLIT:
        return _split(request, form)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["kind"] == Reorganisation.Kind.RENAME:
        return _rename(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = services.plan_merge(data["predecessors"], data["successor"], data["effective_on"], kind=data["kind"])
        if request.POST.get("confirm") == "1" and not plan.problems:
            if data["kind"] == Reorganisation.Kind.RECODE:
                done = _done(request, services.recode, data["predecessors"][0], data["successor"],
                             data["effective_on"], decision=data["decision"])
            else:
                done = _done(request, services.merge, data["predecessors"], data["successor"], data["effective_on"],
                             decision=data["decision"])
            if done is not None:
                return done
    return _page(request, form, plan=plan)


def _page(request: HttpRequest, form: ReorganiseForm, **plans: object) -> HttpResponse:
    history = Reorganisation.objects.select_related("successor").prefetch_related("predecessors")[:100]
    return render(request, "reorg/reorganise.html", {"form": form, "history": history, **plans})


def _done(request: HttpRequest, fn: Any, *args: Any, **kwargs: Any) -> HttpResponse | None:
    """Carry it out; back to the page with what was done, or None (and the refusal shown)."""
    try:
        done = fn(*args, actor=request.user, **kwargs)
    except services.ReorgError as exc:
        messages.error(request, f"{exc.message} ({exc.code})")
        return None
    messages.success(request, f"Đã thực hiện: {done.summary_text} từ {done.effective_on:%d/%m/%Y}.")
    return redirect("reorganise")


def _split(request: HttpRequest, form: ReorganiseForm) -> HttpResponse:
    """Preview a split, each open document with the agency it goes to (changeable), then do it."""
    data = form.cleaned_data
    chosen = {int(k[4:]): request.POST.get(k, "") for k in request.POST if k.startswith("doc-") and k[4:].isdecimal()}
    args = (data["predecessors"][0], data["successor"], data["parts"], data["effective_on"])
    plan = plan_split(*args, documents=chosen)
    if request.POST.get("confirm") == "1" and not plan.problems:
        done = _done(request, split, *args, documents=chosen, decision=data["decision"])
        if done is not None:
            return done
    return _page(request, form, split_plan=plan)


def _rename(request: HttpRequest, form: ReorganiseForm) -> HttpResponse:
    data = form.cleaned_data
    args = (data["predecessors"][0], data["new_name"], data["effective_on"])
    names = {"short_name": data["new_short_name"], "abbreviation": data["new_abbreviation"]}
    plan = plan_rename(*args, **names)
    if request.POST.get("confirm") == "1" and not plan.problems:
        done = _done(request, rename, *args, decision=data["decision"], **names)
        if done is not None:
            return done
    return _page(request, form, rename_plan=plan)
