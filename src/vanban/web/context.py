"""What every page needs: the user's agency, roles and the navigation for them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vanban.accounts.permissions import memberships
from vanban.web.current import current_agency, current_roles
from vanban.web.nav import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    agency = current_agency(request)
    roles = current_roles(request)
    role_codes = {m.role for m in roles}
    other = {m.agency_id: m.agency for m in memberships(user) if agency and m.agency_id != agency.pk}
    return {
        "current_agency": agency,
        "current_roles": [m.get_role_display() for m in roles],
        "other_agencies": list(other.values()),
        "nav": nav_for(role_codes, superuser=user.is_superuser),
        "active_nav": getattr(getattr(request, "resolver_match", None), "view_name", ""),
    }
