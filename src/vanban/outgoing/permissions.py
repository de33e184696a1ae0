"""Who may act on an outgoing document at each step of its lifecycle (draft, submit, approve,
issue, revoke). Who may *see* a document, in either direction, is the one shared rule
`documents.permissions.visible_q`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.documents.models import Document
from vanban.outgoing.models import part_of


def can_draft(user: Any, agency_id: int) -> bool:
    return has_role(user, agency_id, Role.SPECIALIST, Role.LEADER, Role.CLERK)


def can_edit_draft(user: Any, document: Document) -> bool:
    return (document.state in (Document.State.DRAFT, Document.State.RETURNED)
            and document.drafter_id == user.pk)


def can_approve(user: Any, document: Document) -> bool:
    """Any leader of the agency; or the person it was sent to under a TL./TUQ. delegation, while
    that delegation is in force (not after it ends or is revoked)."""
    if document.state != Document.State.SUBMITTED:
        return False
    if has_role(user, document.agency_id, Role.LEADER):
        return True
    delegation = part_of(document).delegation
    return (delegation is not None and document.approver_id == user.pk and delegation.delegate_id == user.pk
            and delegation.in_force(timezone.localdate()))


def can_issue(user: Any, document: Document) -> bool:
    return (document.state == Document.State.APPROVED
            and has_role(user, document.agency_id, Role.CLERK))


def can_revoke(user: Any, document: Document) -> bool:
    """The sender's clerks and leaders take back an issued document (QĐ 16/2019: the sender may revoke)."""
    return (document.state == Document.State.ISSUED
            and has_role(user, document.agency_id, Role.CLERK, Role.LEADER))
