"""Audit jobs: sign and timestamp the chain head, and hand it to the hub, on a schedule."""

from __future__ import annotations

import logging

from django.conf import settings

from vanban.audit.anchor import AnchorError, create_checkpoint
from vanban.audit.seal_tasks import audit_seal, audit_seal_now  # registered with the worker here
from vanban.audit.witness import send_pending
from vanban.jobs import every_minutes, periodic_task, task

log = logging.getLogger(__name__)

__all__ = ["audit_checkpoint", "audit_checkpoint_now", "audit_seal", "audit_seal_now", "checkpoint_round"]


def checkpoint_round() -> int:
    """One checkpoint when the chain moved, then send whatever the hub has not confirmed."""
    try:
        create_checkpoint()
    except AnchorError as exc:
        log.warning("audit checkpoint not made: %s %s", exc.code, exc.message,
                    extra={"event": "audit.checkpoint_failed", "error_code": exc.code})
    return send_pending()


@periodic_task(every_minutes(getattr(settings, "VANBAN_AUDIT_CHECKPOINT_MINUTES", 10)))
def audit_checkpoint() -> int:
    return checkpoint_round()


@task()
def audit_checkpoint_now() -> int:
    return checkpoint_round()

