"""Login/logout/password pages, and user management for agency admins (own agency only)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from vanban.accounts import services, throttle
from vanban.accounts.current import current_agency
from vanban.accounts.forms import LoginForm, UserCreateForm, UserEditForm
from vanban.accounts.models import Membership, RoleChangeRequest, User
from vanban.accounts.permissions import can_manage_users, has_role
from vanban.accounts.roles import Role
from vanban.accounts.signals import client_ip
from vanban.agencies.models import Agency


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if throttle.address_blocked(client_ip(request)):
            return render(request, "accounts/locked_out.html", {"by_address": True}, status=429)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        services.record_password_change(user=cast(User, self.request.user), ip_address=client_ip(self.request))
        messages.success(self.request, "Đã đổi mật khẩu.")
        return response


def _managed_agency(request: HttpRequest) -> Agency:
    agency = current_agency(request)
    if agency is None or not can_manage_users(request.user, agency.pk):
        raise PermissionDenied
    return agency


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    agency = _managed_agency(request)
    users = services.agency_users(agency)
    waiting = {r.user_id: r for r in RoleChangeRequest.objects.filter(
        agency=agency, decision=RoleChangeRequest.Decision.PENDING)}
    rows = [(u, [m for m in u.memberships.all() if m.agency_id == agency.pk], waiting.get(u.pk)) for u in users]
    return render(request, "accounts/user_list.html", {"rows": rows, "agency": agency})


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    agency = _managed_agency(request)
    form = UserCreateForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, pending = services.create_user(
            actor=request.user, agency=agency, username=data["username"], password=data["password"],
            roles=set(data["roles"]), full_name=data["full_name"], position=data["position"],
            email=data["email"], unit=data["unit"])
        messages.success(request, f"Đã tạo người dùng {user.username}.")
        _say_pending(request, pending)
        return redirect("user_list")
    return render(request, "accounts/user_form.html", {"form": form, "agency": agency,
                                                       "title": "Thêm người dùng"})


def _say_pending(request: HttpRequest, pending: RoleChangeRequest | None) -> None:
    if pending is not None:
        messages.info(request, f"Thay đổi vai trò ({pending.summary()}) đã được gửi, chờ lãnh đạo cơ quan phê duyệt.")


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    agency = _managed_agency(request)
    user = next((u for u in services.agency_users(agency) if u.pk == user_id), None)
    if user is None:  # another agency's user: not found, and nothing learned
        raise Http404
    mine = Membership.objects.filter(user=user, agency=agency)
    initial = {"full_name": user.full_name, "position": user.position, "email": user.email,
               "is_active": user.is_active, "roles": [m.role for m in mine],
               "unit": services.primary_unit(user, agency)}
    shared = not request.user.is_superuser and services.belongs_elsewhere(user, agency)
    form = UserEditForm(request.POST or None, initial=initial, shared=shared, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if user == request.user and not data["is_active"]:
            form.add_error("is_active", "Không thể tự khóa tài khoản của mình.")
        else:
            try:
                services.update_user(actor=request.user, user=user, agency=agency, fields={
                    k: data[k] for k in ("full_name", "position", "email", "is_active")})
                pending = services.change_roles(actor=request.user, user=user, agency=agency,
                                                roles=set(data["roles"]), unit=data["unit"])
            except services.AccountError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Đã cập nhật {user.username}.")
                _say_pending(request, pending)
                return redirect("user_list")
    return render(request, "accounts/user_form.html",
                  {"form": form, "agency": agency, "title": f"Sửa người dùng {user.username}", "shared": shared})


@login_required
def role_requests(request: HttpRequest) -> HttpResponse:
    """Clerk and leader role changes waiting for a second person (leaders, superusers)."""
    agency = current_agency(request)
    if agency is None or not (request.user.is_superuser or has_role(request.user, agency.pk, Role.LEADER)):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.decide_role_change(actor=request.user, request_id=int(request.POST.get("request_id", "0") or 0),
                                        approve=request.POST.get("decision") == "approve",
                                        reason=request.POST.get("reason", ""))
        except (ValueError, services.AccountError) as exc:
            messages.error(request, getattr(exc, "message", "Đề nghị không hợp lệ."))
        else:
            messages.success(request, "Đã ghi quyết định.")
        return redirect("role_requests")
    return render(request, "accounts/role_requests.html",
                  {"agency": agency, "pending": services.pending_role_requests(request.user, agency)})
