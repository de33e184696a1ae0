"""The quarantine of received packages: what failed, and the clerk's retry and discard.

A package that could not be taken in (`inbound.process`) stays FAILED with its error and
its original bytes; it is listed for the clerks of the agency it was delivered for. Retry
runs it through `process` again (e.g. after the sender's CA was added to the trust store);
discard settles it for good. Both are audited; the original bytes are kept either way.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.exchange import events, inbound
from vanban.exchange.models import InboxEntry

OPEN = (InboxEntry.State.FAILED,)


class QuarantineError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def can_handle(user: Any, agency: Agency | None) -> bool:
    """Clerks of the agency the package was delivered for (and superusers)."""
    if agency is None:
        return False
    return bool(getattr(user, "is_superuser", False)) or has_role(user, agency.pk, Role.CLERK)


def for_agency(agency: Agency, *, settled: bool = False) -> QuerySet[InboxEntry]:
    """Entries delivered for this agency: open ones, or (settled=True) the discarded ones."""
    states = [InboxEntry.State.DISCARDED] if settled else list(OPEN)
    return (InboxEntry.objects.filter(state__in=states, addressee_code=agency.code)
            .order_by("-failed_at", "-id"))


def open_count(agency: Agency) -> int:
    return for_agency(agency).count()


def entry_for(agency: Agency, entry_id: int) -> InboxEntry | None:
    """The entry if it was delivered for this agency (else None → 404, same as unknown)."""
    entry = InboxEntry.objects.filter(pk=entry_id).first()
    if entry is None or entry.addressee_code != agency.code:
        return None
    return entry


def retry(*, actor: Any, agency: Agency, entry: InboxEntry) -> InboxEntry:
    """Run the entry through intake again; it is processed, or set aside again with the new error."""

    if not can_handle(actor, agency):
        raise QuarantineError("FORBIDDEN", "Chỉ văn thư của cơ quan nhận mới xử lý gói tin bị cách ly.")
    with transaction.atomic():
        moved = InboxEntry.objects.filter(pk=entry.pk, state=InboxEntry.State.FAILED).update(
            state=InboxEntry.State.STORED, next_attempt_at=None, lease_until=None)
        if not moved:
            raise QuarantineError("NOT_QUARANTINED", "Gói tin này không còn trong danh sách cách ly.")
        record_event(events.QUARANTINE_RETRIED, actor=actor, agency_code=agency.code,
                     object_type="exchange.inboxentry", object_id=str(entry.pk),
                     details={"hub_id": entry.hub_package_id, "previous_error": entry.error_code})
    entry.refresh_from_db()
    if inbound.process(entry) == inbound.RETRY_LATER:
        # A passing failure: back in the list (the hub no longer holds it for the poller).
        InboxEntry.objects.filter(pk=entry.pk, state=InboxEntry.State.STORED).update(
            state=InboxEntry.State.FAILED, error_code="RETRY_FAILED_TRANSIENT", failed_at=timezone.now())
    entry.refresh_from_db()
    return entry


def discard(*, actor: Any, agency: Agency, entry: InboxEntry, reason: str) -> InboxEntry:
    """Settle a quarantined entry for good: it leaves the list; its bytes and audit stay."""
    reason = (reason or "").strip()
    if not can_handle(actor, agency):
        raise QuarantineError("FORBIDDEN", "Chỉ văn thư của cơ quan nhận mới xử lý gói tin bị cách ly.")
    if not reason:
        raise QuarantineError("REASON_REQUIRED", "Cần ghi lý do loại bỏ gói tin.")
    with transaction.atomic():
        moved = InboxEntry.objects.filter(pk=entry.pk, state=InboxEntry.State.FAILED).update(
            state=InboxEntry.State.DISCARDED, settled_at=timezone.now(),
            settled_by=str(getattr(actor, "username", actor))[:150])
        if not moved:
            raise QuarantineError("NOT_QUARANTINED", "Gói tin này không còn trong danh sách cách ly.")
        record_event(events.QUARANTINE_DISCARDED, actor=actor, agency_code=agency.code,
                     object_type="exchange.inboxentry", object_id=str(entry.pk),
                     details={"hub_id": entry.hub_package_id, "error": entry.error_code,
                              "reason": reason[:1000]})
    entry.refresh_from_db()
    return entry
