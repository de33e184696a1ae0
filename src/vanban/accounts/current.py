"""The agency a signed-in user is working for (a user may belong to several)."""

from __future__ import annotations

from django.http import HttpRequest

from vanban.accounts.models import Membership
from vanban.accounts.permissions import memberships
from vanban.agencies.models import Agency

SESSION_KEY = "vanban_agency_id"


def current_agency(request: HttpRequest) -> Agency | None:
    mine = memberships(request.user)
    if not mine:
        return None
    wanted = request.session.get(SESSION_KEY)
    for m in mine:
        if m.agency_id == wanted:
            return m.agency
    return mine[0].agency


def current_roles(request: HttpRequest) -> list[Membership]:
    agency = current_agency(request)
    if agency is None:
        return []
    return [m for m in memberships(request.user) if m.agency_id == agency.pk]


def switch_agency(request: HttpRequest, agency_id: int) -> bool:
    if any(m.agency_id == agency_id for m in memberships(request.user)):
        request.session[SESSION_KEY] = agency_id
        return True
    return False
