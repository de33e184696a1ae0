"""`documents.permissions.can_view` as one SQL condition, for lists of many documents.

Kept equal to `can_view` by a test that compares both on every state and role.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from vanban.accounts.permissions import memberships
from vanban.accounts.roles import Role
from vanban.documents.models import Document
from vanban.documents.permissions import DRAFT_STATES


def agency_ids(user: Any) -> list[int]:
    return sorted({m.agency_id for m in memberships(user)})


def visible_q(user: Any) -> Q:
    """Non-drafts of the user's agencies; drafts they wrote or approve; submitted drafts for
    the agency's leaders; approved drafts for its leaders and clerks."""
    by_role: dict[str, set[int]] = {}
    for m in memberships(user):
        by_role.setdefault(m.role, set()).add(m.agency_id)
    every = sorted(set().union(*by_role.values())) if by_role else []
    if not every:
        return Q(pk__in=[])
    leader = sorted(by_role.get(Role.LEADER, set()))
    leader_or_clerk = sorted(by_role.get(Role.LEADER, set()) | by_role.get(Role.CLERK, set()))
    drafts = [str(s) for s in DRAFT_STATES]
    inner = (~Q(state__in=drafts) | Q(drafter_id=user.pk) | Q(approver_id=user.pk))
    q = Q(agency_id__in=every) & inner
    if leader:
        q |= Q(agency_id__in=leader, state=Document.State.SUBMITTED)
    if leader_or_clerk:
        q |= Q(agency_id__in=leader_or_clerk, state=Document.State.APPROVED)
    return q
