"""Someone must now act on a document (or learn about it): sent by the document services,
received by whoever delivers notifications (the workflow app), so documents never imports it.

`attention.send(sender=Document, document=…, users=[…], text="…", kind="…")`, inside the
transaction of the step; receivers write in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

from vanban.accounts.models import User

attention = Signal()
# An arrival answers one of this agency's own documents (its edXML ResponseFor names it):
# `replied.send(sender=Document, reply=<incoming>, original=<outgoing>)`, in the arrival's transaction.
replied = Signal()
# An arrival was accepted into the incoming book (from the hub or from paper):
# `accepted.send(sender=Document, document=…, actor=…)`, in the acceptance's transaction; the
# workflow app starts the agency's own process for it, if one applies.
accepted = Signal()
# The sender revoked a received document (now a tombstone): `revoked.send(sender=Document,
# document=…)`, in the revocation's transaction; the workflow app closes its open work.
revoked = Signal()


def ask(document: Any, users: list[Any], text: str, kind: str) -> None:
    users = [u for u in users if u is not None]
    if users:
        attention.send(sender=type(document), document=document, users=users, text=text, kind=kind)


def members_with_role(agency_id: int, role: str) -> list[Any]:
    return list(User.objects.filter(memberships__agency_id=agency_id, memberships__role=role, is_active=True)
                .distinct())
