"""The province administrator's page: preview a merger or a re-coding, then carry it out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vanban.agencies.models import Reorganisation
from vanban.reorg import services
from vanban.reorg.forms import ReorganiseForm


@login_required
def reorganise(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    form = ReorganiseForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = services.plan_merge(data["predecessors"], data["successor"], data["effective_on"], kind=data["kind"])
        if request.POST.get("confirm") == "1" and not plan.problems:
            try:
                if data["kind"] == Reorganisation.Kind.RECODE:
                    done = services.recode(data["predecessors"][0], data["successor"], data["effective_on"],
                                           decision=data["decision"], actor=request.user)
                else:
                    done = services.merge(data["predecessors"], data["successor"], data["effective_on"],
                                          decision=data["decision"], actor=request.user)
            except services.ReorgError as exc:
                messages.error(request, f"{exc.message} ({exc.code})")
            else:
                messages.success(request, f"Đã thực hiện: {done.summary_text} từ {done.effective_on:%d/%m/%Y}.")
                return redirect("reorganise")
    history = Reorganisation.objects.select_related("successor").prefetch_related("predecessors")[:100]
    return render(request, "reorg/reorganise.html", {"form": form, "plan": plan, "history": history})
