"""Documents asks for someone's attention (`documents.signals.attention`); this app keeps the
notification list, so it answers."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from vanban.documents.signals import attention
from vanban.workflow.services import notify


@receiver(attention)
def _notify(sender: Any, document: Any, users: list[Any], text: str, kind: str, **kwargs: Any) -> None:
    for user in {u.pk: u for u in users}.values():
        notify(user, text, document, kind)
