"""The one way to write an audit event, and the chain checker."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from vanban.audit import seal
from vanban.audit.chain import GENESIS, event_hash
from vanban.audit.models import AuditEvent, ChainHead


def record_event(
    action: str,
    *,
    actor: Any = None,
    agency_code: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    details: dict[str, Any] | None = None,
    ip_address: str = "",
) -> AuditEvent:
    """Append an event to the chain; joins the caller's transaction (atomic with the change)."""
    # One INSERT in the caller's transaction (no savepoint: an event that cannot be written
    # fails the change it records). No lock: the sequencer chains it after the commit.
    event = new_event(action, actor=actor, agency_code=agency_code, obj=obj, object_type=object_type,
                      object_id=object_id, details=details, ip_address=ip_address)
    event.save(force_insert=True)
    _wake_sequencer_on_commit()
    return event


def record_events(events: list[AuditEvent]) -> list[AuditEvent]:
    """Many events made by `new_event`, in one INSERT in the caller's transaction (a batch of
    deliveries acknowledged at once); chained after the commit like any other."""
    if not events:
        return []
    created = AuditEvent.objects.bulk_create(events)
    _wake_sequencer_on_commit()
    return created


def events_written() -> None:
    """For a writer that inserts events made by `new_event` itself (`vanban.hub.onestatement`,
    one statement for a change and its event): the sequencer chains them after the commit."""
    _wake_sequencer_on_commit()


def new_event(action: str, *, actor: Any = None, agency_code: str = "", obj: models.Model | None = None,
              object_type: str = "", object_id: str = "", details: dict[str, Any] | None = None,
              ip_address: str = "") -> AuditEvent:
    """An event not yet written: for `record_events`."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_name = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_name = actor.get_username()
    elif isinstance(actor, str):
        actor_name = actor
    # JSON round-trip so the hash covers exactly what the database will give back.
    clean = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    return AuditEvent(
        at=timezone.now(), actor_id=actor_id, actor_name=actor_name[:200], agency_code=agency_code or "",
        action=action, object_type=object_type, object_id=str(object_id)[:200], details=clean,
        ip_address=ip_address or "")


def _wake_sequencer_on_commit() -> None:
    """Once per transaction, however many events it writes."""
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(callback is seal.wake for _, callback, _ in conn.run_on_commit):
        return
    transaction.on_commit(seal.wake, robust=True)


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    reason: str
    code: str = "AUDIT_CHAIN_BROKEN"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(progress: Callable[[int, int], None] | None = None,
                 batch: int = 2000,
                 each: Callable[[int, AuditEvent], None] | None = None) -> ChainReport:
    """Walk every sealed event in chain order; stop at the first whose place, link or hash
    does not match. Events still waiting for the sequencer are not part of the chain yet
    (`seal.pending_count()`).

    `each(position, event)` sees every event that checked out (position 1 = the first), so
    checkpoints can be compared with the chain in the same walk (vanban.audit.verify)."""
    total = AuditEvent.objects.filter(position__isnull=False).count()
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(position__gt=checked).order_by("position")[:batch])
        if not rows:
            break
        for ev in rows:
            if ev.position != checked + 1:
                return ChainReport(checked, ChainProblem(
                    ev.id, f"thiếu sự kiện ở vị trí {checked + 1} của chuỗi"))
            if ev.prev_hash != prev:
                return ChainReport(checked, ChainProblem(
                    ev.id, "liên kết tới sự kiện trước bị đứt (prev_hash không khớp)"))
            expected = event_hash(
                ev.prev_hash, at=ev.at, actor_id=ev.actor_id, actor_name=ev.actor_name,
                agency_code=ev.agency_code, action=ev.action, object_type=ev.object_type,
                object_id=ev.object_id, details=ev.details, ip_address=ev.ip_address,
            )
            if expected != ev.hash:
                return ChainReport(checked, ChainProblem(
                    ev.id, "nội dung sự kiện đã bị thay đổi (hash không khớp)", "AUDIT_EVENT_CHANGED"))
            prev = ev.hash
            checked += 1
            last_id = ev.id
            if each is not None:
                each(checked, ev)
        if progress:
            progress(checked, total)
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        return ChainReport(checked, ChainProblem(
            last_id, "sự kiện cuối chuỗi đã bị xóa (đầu chuỗi không khớp)", "AUDIT_HEAD_MISMATCH"))
    return ChainReport(checked, None)


def count_events_since(moment: Any, agency_code: str | None = None) -> int:
    qs = AuditEvent.objects.filter(at__gte=moment)
    if agency_code:
        qs = qs.filter(agency_code=agency_code)
    return qs.count()


def events_for_agency(agency_code: str, *, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(agency_code=agency_code)
                .order_by("-id")[offset:offset + limit])
