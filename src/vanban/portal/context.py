"""What every page needs: the user's agency, roles and the navigation for them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from vanban.accounts.current import current_agency, current_roles
from vanban.accounts.permissions import memberships
from vanban.portal.nav import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    office = "office" in settings.VANBAN_ROLES
    agency = current_agency(request)
    roles = current_roles(request)
    role_codes = {m.role for m in roles}
    other = {m.agency_id: m.agency for m in memberships(user) if agency and m.agency_id != agency.pk}
    return {
        "current_agency": agency,
        "current_roles": [m.get_role_display() for m in roles],
        "other_agencies": list(other.values()),
        "nav": nav_for(role_codes, superuser=user.is_superuser,
                       counts=_counts(user, agency, role_codes) if office else {}),
        "unread_notifications": _unread(user) if office else 0,
        "serves_office": office,
        "active_nav": getattr(getattr(request, "resolver_match", None), "view_name", ""),
    }


def _counts(user: Any, agency: Any, roles: set[str]) -> dict[str, int]:
    from vanban.portal import office  # noqa: PLC0415 - office apps: absent from a hub-only install

    return office.nav_counts(user, agency, roles)


def _unread(user: Any) -> int:
    from vanban.portal import office  # noqa: PLC0415 - office apps: absent from a hub-only install

    return office.unread(user)
