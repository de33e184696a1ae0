"""Who may do what with dossiers and the archive: plain functions for pages and API alike.

Staff (any role in the agency) open dossiers and file their work; the dossier's creator
closes it and submits it; the archivist keeps the catalog, decides transfers, amends
closed dossiers (audited) and reads the archive.
"""

from __future__ import annotations

from typing import Any

from vanban.accounts.permissions import has_role, roles_in
from vanban.accounts.roles import Role
from vanban.records.models import Dossier

STAFF = (Role.CLERK, Role.LEADER, Role.SPECIALIST, Role.ARCHIVIST)


def is_staff(user: Any, agency_id: int | None) -> bool:
    return has_role(user, agency_id, *STAFF)


def is_archivist(user: Any, agency_id: int | None) -> bool:
    return has_role(user, agency_id, Role.ARCHIVIST)


def is_leader(user: Any, agency_id: int | None) -> bool:
    return has_role(user, agency_id, Role.LEADER)


def can_view_archive(user: Any, agency_id: int | None) -> bool:
    return has_role(user, agency_id, Role.ARCHIVIST, Role.LEADER)


def can_view(user: Any, dossier: Dossier) -> bool:
    """The creator and the agency's archivists and leaders; nobody from another agency."""
    roles = roles_in(user, dossier.agency_id)
    if not roles:
        return False
    return dossier.creator_id == user.pk or bool(roles & {Role.ARCHIVIST, Role.LEADER})


def can_edit_open(user: Any, dossier: Dossier) -> bool:
    return dossier.state == Dossier.State.OPEN and (
        dossier.creator_id == user.pk or is_archivist(user, dossier.agency_id))


def can_amend_closed(user: Any, dossier: Dossier) -> bool:
    """After closing, contents change only by the archivist (and only before the archive)."""
    return dossier.state == Dossier.State.CLOSED and is_archivist(user, dossier.agency_id)


def can_change(user: Any, dossier: Dossier) -> bool:
    return can_edit_open(user, dossier) or can_amend_closed(user, dossier)


def can_close(user: Any, dossier: Dossier) -> bool:
    return can_edit_open(user, dossier)


def can_submit(user: Any, dossier: Dossier) -> bool:
    return dossier.state == Dossier.State.CLOSED and (
        dossier.creator_id == user.pk or is_archivist(user, dossier.agency_id))
