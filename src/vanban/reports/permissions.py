"""Who may see which report: plain functions used by pages, API and tests alike."""

from __future__ import annotations

from typing import Any

from vanban.accounts.permissions import can_see_operations, has_role, memberships
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency
from vanban.core.agency_code import AgencyCodeError, parse_agency_code

REPORT_ROLES = (Role.LEADER, Role.CLERK)  # leaders read them, clerks prepare them (Art. 22.6)
PROVINCE_OFFICE_GROUPS = ("00", "01")  # level-2 group of the People's Committee and its Office


def _provincial(agency: Agency) -> bool:
    """The province's level-1 unit (UBND tỉnh) or its Office (Văn phòng UBND tỉnh)."""
    try:
        code = parse_agency_code(agency.code)
    except AgencyCodeError:
        return False
    return code.level4 == "000" and code.level3 == "00" and code.level2 in PROVINCE_OFFICE_GROUPS


def can_view_agency_report(user: Any, agency: Agency) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return has_role(user, agency.pk, *REPORT_ROLES)


def can_view_province_report(user: Any) -> bool:
    """Whole-province figures: leaders and clerks of UBND tỉnh or Văn phòng UBND tỉnh."""
    if getattr(user, "is_superuser", False):
        return True
    return any(m.role in REPORT_ROLES and _provincial(m.agency) for m in memberships(user))


def can_view_leader_dashboard(user: Any, agency: Agency | None) -> bool:
    return agency is not None and has_role(user, agency.pk, Role.LEADER)


def can_view_clerk_dashboard(user: Any, agency: Agency | None) -> bool:
    return agency is not None and has_role(user, agency.pk, Role.CLERK)


def can_view_hub_dashboard(user: Any) -> bool:
    return can_see_operations(user)
