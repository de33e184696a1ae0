"""Who may see and act on a document: plain functions used by pages and API alike."""

from __future__ import annotations

from typing import Any

from vanban.accounts.permissions import has_role, roles_in
from vanban.accounts.roles import Role
from vanban.documents.models import Document

DRAFT_STATES = {Document.State.DRAFT, Document.State.RETURNED, Document.State.SUBMITTED,
                Document.State.APPROVED}


def can_view(user: Any, document: Document) -> bool:
    """Issued documents: every member of the agency. Drafts: the drafter, the approver,
    leaders once submitted, clerks once approved (they issue it)."""
    roles = roles_in(user, document.agency_id)
    if not roles:
        return False
    if document.state not in DRAFT_STATES or user.pk in (document.drafter_id, document.approver_id):
        return True
    if document.state == Document.State.SUBMITTED:
        return Role.LEADER in roles
    if document.state == Document.State.APPROVED:
        return bool(roles & {Role.LEADER, Role.CLERK})
    return False


def can_draft(user: Any, agency_id: int) -> bool:
    return has_role(user, agency_id, Role.SPECIALIST, Role.LEADER, Role.CLERK)


def can_edit_draft(user: Any, document: Document) -> bool:
    return (document.state in (Document.State.DRAFT, Document.State.RETURNED)
            and document.drafter_id == user.pk)


def can_approve(user: Any, document: Document) -> bool:
    return (document.state == Document.State.SUBMITTED
            and has_role(user, document.agency_id, Role.LEADER))


def can_issue(user: Any, document: Document) -> bool:
    return (document.state == Document.State.APPROVED
            and has_role(user, document.agency_id, Role.CLERK))
