"""Ủy quyền ký: a leader (or the agency's admin, on the leader's written decision) gives TL.,
TUQ. or acting-in-absence to someone of the agency for a period, and takes it back."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from vanban.accounts import delegation as service
from vanban.accounts.current import current_agency
from vanban.accounts.fields import PersonChoiceField
from vanban.accounts.models import Delegation, User
from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role


class DelegationForm(forms.Form):
    principal = PersonChoiceField(label="Người ủy quyền (lãnh đạo)", queryset=User.objects.none(), with_position=True)
    delegate = PersonChoiceField(label="Người được ủy quyền", queryset=User.objects.none(), with_position=True)
    kind = forms.ChoiceField(label="Hình thức", choices=Delegation.Kind.choices)
    starts_on = forms.DateField(label="Từ ngày", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Đến ngày", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              help_text="Bắt buộc với TUQ. và giao phụ trách; TL. có thể để trống (đến khi thu hồi).")
    scope = forms.CharField(label="Phạm vi", max_length=500, required=False)
    reference = forms.CharField(label="Văn bản ủy quyền, giao nhiệm vụ (số, ký hiệu)", max_length=200, required=False)

    def __init__(self, *args: Any, agency_id: int, leaders_only: User | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__agency_id=agency_id, is_active=True).distinct().order_by("full_name")
        leaders = members.filter(memberships__role=Role.LEADER)
        principal = cast(forms.ModelChoiceField, self.fields["principal"])
        delegate = cast(forms.ModelChoiceField, self.fields["delegate"])
        principal.queryset = leaders.filter(pk=leaders_only.pk) if leaders_only else leaders
        delegate.queryset = members
        if leaders_only:
            self.fields["principal"].initial = leaders_only.pk


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    agency = current_agency(request)
    user = cast(User, request.user)  # login_required
    if agency is None:
        raise PermissionDenied
    admin = has_role(user, agency.pk, Role.AGENCY_ADMIN) or user.is_superuser
    leader = has_role(user, agency.pk, Role.LEADER)
    form = None
    if admin or leader:
        form = DelegationForm(request.POST or None, agency_id=agency.pk, leaders_only=None if admin else user,
                              initial={"starts_on": timezone.localdate()})
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                service.give(actor=user, agency=agency, principal=d["principal"], delegate=d["delegate"],
                             kind=d["kind"], starts_on=d["starts_on"], ends_on=d["ends_on"], scope=d["scope"],
                             reference=d["reference"])
            except service.DelegationError as exc:
                form.add_error(None, f"{exc.message} ({exc.code})")
            else:
                messages.success(request, "Đã ghi ủy quyền.")
                return redirect("delegations")
    rows = Delegation.objects.filter(agency=agency).select_related("principal", "delegate", "created_by")
    if not admin:
        rows = rows.filter(Q(principal=user) | Q(delegate=user))
    today: date = timezone.localdate()
    return render(request, "accounts/delegations.html", {
        "agency": agency, "form": form, "today": today,
        "rows": [(d, d.in_force(today), service.can_give(user, agency.pk, d.principal)) for d in rows[:300]]})


@login_required
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    agency = current_agency(request)
    row = get_object_or_404(Delegation, pk=pk, agency=agency)
    if not service.can_give(request.user, row.agency_id, row.principal):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("delegations")
    try:
        service.revoke(actor=request.user, delegation=row)
    except service.DelegationError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, "Đã thu hồi ủy quyền.")
    return redirect("delegations")
