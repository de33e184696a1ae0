"""Documents asks for someone's attention (`documents.signals.attention`); this app keeps the
notification list, so it answers. An accepted arrival enters the agency's own process, if any;
a document its sender revoked has its open work closed."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from vanban.documents.signals import accepted, attention, revoked
from vanban.workflow.processes import start_run
from vanban.workflow.services import close_for_revocation, notify


@receiver(attention)
def _notify(sender: Any, document: Any, users: list[Any], text: str, kind: str, **kwargs: Any) -> None:
    for user in {u.pk: u for u in users}.values():
        notify(user, text, document, kind)


@receiver(accepted)
def _start_process(sender: Any, document: Any, actor: Any, **kwargs: Any) -> None:
    start_run(document, actor)


@receiver(revoked)
def _close_work(sender: Any, document: Any, **kwargs: Any) -> None:
    close_for_revocation(document)
