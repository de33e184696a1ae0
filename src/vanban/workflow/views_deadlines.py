"""Thời hạn xử lý: the agency admin's rules of how long incoming documents take, by type and
urgency; leaders see them (they are proposed when assigning)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from vanban.accounts.current import current_agency
from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document, DocumentType
from vanban.workflow import deadlines
from vanban.workflow.models import DeadlineRule


class RuleForm(forms.Form):
    document_type = forms.ModelChoiceField(DocumentType.objects.order_by("order", "name"), required=False,
                                           label="Loại văn bản", empty_label="Mọi loại văn bản")
    urgency = forms.ChoiceField(label="Độ khẩn", required=False,
                                choices=[("", "Mọi độ khẩn"), *Document.Urgency.choices])
    working_days = forms.IntegerField(label="Số ngày làm việc", min_value=1, max_value=deadlines.MAX_DAYS)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    agency = current_agency(request)
    if agency is None or not (deadlines.can_manage(request.user, agency.pk)
                              or has_role(request.user, agency.pk, Role.LEADER)):
        raise PermissionDenied
    manage = deadlines.can_manage(request.user, agency.pk)
    form = RuleForm(request.POST or None) if manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                deadlines.set_rule(actor=request.user, agency=agency, document_type=d["document_type"],
                                   urgency=d["urgency"], working_days=d["working_days"])
            except DocumentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Đã ghi thời hạn xử lý.")
                return redirect("deadline_rules")
    return render(request, "workflow/deadline_rules.html", {
        "agency": agency, "form": form, "manage": manage,
        "rules": DeadlineRule.objects.filter(agency=agency).select_related("document_type")})


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    agency = current_agency(request)
    rule = get_object_or_404(DeadlineRule, pk=pk, agency=agency)
    try:
        deadlines.delete_rule(actor=request.user, rule=rule)
    except DocumentError as exc:
        raise PermissionDenied from exc
    messages.success(request, "Đã bỏ thời hạn xử lý.")
    return redirect("deadline_rules")
