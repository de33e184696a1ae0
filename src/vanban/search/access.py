"""Which agencies a user searches in; who sees which document is `documents.permissions.visible_q`."""

from __future__ import annotations

from typing import Any

from vanban.accounts.permissions import memberships
from vanban.documents.permissions import visible_q

__all__ = ["agency_ids", "visible_q"]


def agency_ids(user: Any) -> list[int]:
    return sorted({m.agency_id for m in memberships(user)})
