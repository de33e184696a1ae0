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
    """Small numbers beside the navigation: what waits for this person."""
    if agency is None:
        return {}
    from vanban.documents.models import Document
    from vanban.workflow.queries import my_steps, my_work, to_assign

    counts: dict[str, int] = {}
    if "clerk" in roles:
        counts["incoming_list"] = Document.objects.filter(agency=agency, direction="incoming",
                                                          state="arrived").count()
    work = my_work(user).count() + my_steps(user).filter(document__agency=agency).count()
    if "leader" in roles:
        work += to_assign(agency).count()
    counts["my_work"] = work
    return counts


def _unread(user: Any) -> int:
    from vanban.workflow.queries import unread_notifications

    return unread_notifications(user).count()
