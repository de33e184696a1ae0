"""Handing documents to the exchange. Called by `documents` inside its issuing transaction;
never imports `documents` (it receives what it needs as plain values)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from vanban.exchange.models import OutboxEntry


@dataclass(frozen=True)
class OutgoingRecipient:
    code: str
    name: str


def queue_document(*, document_id: int, sender_code: str, edxml_document_id: str,
                   recipients: list[OutgoingRecipient]) -> list[OutboxEntry]:
    """One outbox row per recipient agency; the caller's transaction makes it atomic."""
    now = timezone.now()
    rows = []
    for r in recipients:
        row, _ = OutboxEntry.objects.get_or_create(
            document_id=document_id, kind=OutboxEntry.Kind.DOCUMENT, recipient_code=r.code,
            status_code="",
            defaults={"sender_code": sender_code, "recipient_name": r.name,
                      "edxml_document_id": edxml_document_id, "next_attempt_at": now})
        rows.append(row)
    return rows


def deliveries_for(document_id: int) -> list[OutboxEntry]:
    return list(OutboxEntry.objects.filter(document_id=document_id).order_by("recipient_code", "id"))
