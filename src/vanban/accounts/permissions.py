"""Who may do what: plain functions used by views and API alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from vanban.accounts.models import Membership, User
from vanban.accounts.roles import Role


def memberships(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_vanban_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("agency")
                      .order_by("agency__code", "role"))
        user._vanban_memberships = cached
    return cached


def roles_in(user: Any, agency_id: int | None) -> set[str]:
    return {m.role for m in memberships(user) if m.agency_id == agency_id}


def has_role(user: Any, agency_id: int | None, *roles: str) -> bool:
    return bool(roles_in(user, agency_id) & set(roles))


def can_manage_users(user: Any, agency_id: int | None) -> bool:
    """Agency admins manage their own agency's users only; superusers everywhere."""
    if getattr(user, "is_superuser", False):
        return True
    return has_role(user, agency_id, Role.AGENCY_ADMIN)


def can_see_operations(user: Any) -> bool:
    """The hub operator's page (workers, queues)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(m.role == Role.HUB_OPERATOR for m in memberships(user))


def can_view_audit(user: Any, agency_id: int | None) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return has_role(user, agency_id, Role.AGENCY_ADMIN, Role.LEADER)


def can_manage_trust(user: Any, agency_id: int | None) -> bool:
    """Agency admins and hub operators upload CA certificates to the trust store."""
    if getattr(user, "is_superuser", False):
        return True
    return has_role(user, agency_id, Role.AGENCY_ADMIN) or can_see_operations(user)


def signed_in(request: HttpRequest) -> User:
    """The person of a `login_required` view, typed as such (Django types `request.user` as
    possibly anonymous, which such a view never sees)."""
    user = request.user
    if not isinstance(user, User):  # a view without login_required would be a bug: fail loudly
        raise PermissionDenied
    return user
