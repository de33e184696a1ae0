"""What the shared pages show of the office apps (documents, workflow): the counts beside the
navigation and the home page's figures. Only an office install has those apps, so `context` and
`views` import this module when they run, and only when `office` is among VANBAN_ROLES; it is the
one place the portal reaches into the office apps."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from vanban.documents.models import Document
from vanban.web.listing import count_rows
from vanban.workflow.queries import my_steps, my_work, to_assign, unread_notifications, waiting_for_me


def nav_counts(user: Any, agency: Any, roles: set[str]) -> dict[str, int]:
    """Small numbers beside the navigation: what waits for this person."""
    if agency is None:
        return {}
    counts: dict[str, int] = {}
    if "clerk" in roles:
        counts["incoming_list"] = Document.objects.filter(agency=agency, direction="incoming",
                                                          state="arrived").count()
    work = my_work(user).count() + my_steps(user).filter(document__agency=agency).count()
    if "leader" in roles:
        work += to_assign(agency).count()
    counts["my_work"] = work
    return counts


def unread(user: Any) -> int:
    return unread_notifications(user).count()


def year_figures(agency: Any) -> dict[str, int]:
    """The home page's figures for the agency's documents this year."""
    year = timezone.localdate().year
    mine = Document.objects.filter(agency=agency)
    # The year's totals run to tens of thousands: exact up to 1 000 on every visit, counted
    # once a minute beyond (`count_rows`).
    return {
        "issued_year": count_rows(mine.filter(direction="outgoing", state__in=["issued", "revoked"],
                                              issued_on__year=year)),
        "received_year": count_rows(mine.filter(direction="incoming", arrived_at__year=year)),
        "waiting": count_rows(mine.filter(direction="incoming", state="arrived")),
        "in_progress": count_rows(mine.filter(direction="incoming", state__in=["accepted", "in_progress"])),
        "overdue": count_rows(mine.filter(direction="incoming", state__in=["accepted", "in_progress"],
                                          due_on__lt=timezone.localdate())),
    }


def waiting(user: Any, agency: Any, roles: set[str]) -> list[dict[str, Any]]:
    """"Việc chờ tôi" on the home page."""
    return waiting_for_me(user, agency, roles) if agency else []
