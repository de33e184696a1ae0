"""The drafts lists a user may see: their own, those waiting for their approval, those waiting to be issued."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vanban.accounts.delegation import signing_delegation
from vanban.accounts.permissions import roles_in
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency
from vanban.documents.models import Document


def drafts_for(user: Any, agency: Agency) -> dict[str, QuerySet[Document]]:
    roles = roles_in(user, agency.pk)
    base = Document.objects.filter(agency=agency, direction=Document.Direction.OUTGOING).select_related(
        "document_type", "drafter", "approver")
    out = {"mine": base.filter(drafter=user).exclude(state=Document.State.ISSUED)}
    if Role.LEADER in roles:
        out["to_approve"] = base.filter(state=Document.State.SUBMITTED)
    elif signing_delegation(user, agency.pk) is not None:  # signs TL./TUQ.: what was sent to them
        out["to_approve"] = base.filter(state=Document.State.SUBMITTED, approver=user,
                                        outgoing__delegation__delegate=user)
    if Role.CLERK in roles:
        out["to_issue"] = base.filter(state=Document.State.APPROVED)
    return out
