"""Documents asks for someone's attention (`documents.signals.attention`); this app keeps the
notification list, so it answers. An accepted arrival enters the agency's own process, if any."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from vanban.documents.signals import accepted, attention
from vanban.workflow.processes import start_run
from vanban.workflow.services import notify


@receiver(attention)
def _notify(sender: Any, document: Any, users: list[Any], text: str, kind: str, **kwargs: Any) -> None:
    for user in {u.pk: u for u in users}.values():
        notify(user, text, document, kind)


@receiver(accepted)
def _start_process(sender: Any, document: Any, actor: Any, **kwargs: Any) -> None:
    start_run(document, actor)
