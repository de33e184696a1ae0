"""A DIP asked for on the dossier page: taken at once, built by a job, and its outcome told.

Building a DIP (and a missing AIP's PDF/A conversions) can take minutes, so the page only checks
who, which dossier and why, keeps the request (`DipRequest`, shown as being built) and hands it to
a job. The job builds it with the requester's rights as they are then; a refusal (the dossier left
the archive, the person lost the role) is kept with its Vietnamese reason, logged, and told to
the requester like a finished package is — a dropped request is never silent.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from vanban.records.aip import require_kept
from vanban.records.dip import clean_purpose, guard, request_dip
from vanban.records.errors import RecordsError
from vanban.records.models import DipRequest, Dossier
from vanban.workflow.services import notify_at

logger = logging.getLogger(__name__)

SHOWN_REFUSALS = 5  # the latest refused requests the dossier page still shows


def ask_for_dip(*, actor: Any, dossier: Dossier, purpose: str) -> DipRequest:
    """Refusals at once with nothing written; otherwise the kept request, built after the commit."""
    guard(actor, dossier)
    require_kept(dossier)
    text = clean_purpose(purpose)
    ask = DipRequest.objects.create(dossier=dossier, requested_by=actor, purpose=text)
    from vanban.records import tasks  # noqa: PLC0415 - records.tasks imports this module

    transaction.on_commit(lambda: tasks.build_dip(ask.pk))
    return ask


def fulfil(request_id: int) -> int | None:
    """The job's work: the package id, or None when the request was refused (or already done:
    a retried job builds nothing twice)."""
    ask = (DipRequest.objects.filter(pk=request_id, state=DipRequest.State.WAITING)
           .select_related("dossier__agency", "requested_by").first())
    if ask is None:
        return None
    try:
        if not ask.requested_by.is_active:
            raise RecordsError("RECORDS_REQUESTER_INACTIVE", "Tài khoản người yêu cầu đã bị khóa.", 409)
        package = request_dip(actor=ask.requested_by, dossier=ask.dossier, purpose=ask.purpose)
    except RecordsError as exc:
        refuse(ask, exc.message, code=exc.code)
        return None
    with transaction.atomic():
        DipRequest.objects.filter(pk=ask.pk).update(state=DipRequest.State.DONE, package=package,
                                                     finished_at=timezone.now())
        notify_at(ask.requested_by, f"Đã lập xong gói khai thác (DIP) của hồ sơ {ask.dossier.file_code}: "
                  f"{ask.purpose}", _page(ask), "dip_ready")
    return package.pk


def refuse(ask: DipRequest, reason: str, *, code: str = "RECORDS_DIP_FAILED") -> None:
    """The request ends unbuilt, with its reason on the page and in the requester's notifications."""
    logger.warning("DIP request %s for dossier %s refused: %s %s", ask.pk, ask.dossier_id, code, reason,
                   extra={"event": "records.dip_refused", "dossier": ask.dossier_id, "error_code": code})
    with transaction.atomic():
        if not DipRequest.objects.filter(pk=ask.pk, state=DipRequest.State.WAITING).update(
                state=DipRequest.State.REFUSED, reason=reason[:500], finished_at=timezone.now()):
            return
        notify_at(ask.requested_by, f"Không lập được gói khai thác (DIP) của hồ sơ {ask.dossier.file_code}: "
                  f"{reason}", _page(ask), "dip_refused")


def give_up(request_id: int) -> None:
    """The job failed for a reason of its own (not a refusal) and will not be retried."""
    ask = DipRequest.objects.filter(pk=request_id).select_related("dossier", "requested_by").first()
    if ask is not None:
        refuse(ask, "Hệ thống gặp lỗi khi lập gói; hãy yêu cầu lại hoặc báo quản trị hệ thống.")


def shown(dossier: Dossier) -> dict[str, list[DipRequest]]:
    """What the dossier page says about requests: those being built, and the latest refusals."""
    rows = DipRequest.objects.filter(dossier=dossier).exclude(state=DipRequest.State.DONE).select_related(
        "requested_by")
    return {"waiting": [r for r in rows if r.state == DipRequest.State.WAITING],
            "refused": [r for r in rows if r.state == DipRequest.State.REFUSED][:SHOWN_REFUSALS]}


def _page(ask: DipRequest) -> str:
    return f"{reverse('records:dossier', args=[ask.dossier_id])}#goi-luu-tru"
