"""Every write the hub makes: packages, deliveries, forwards, endpoints, certificates.

Each function is one transaction with its audit event. Package bytes are on disk (blobs)
before the row that names them commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, QuerySet
from django.utils import timezone

from vanban.agencies.models import Agency
from vanban.audit.services import events_written, new_event, record_event
from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.core.clock import from_iso
from vanban.edxml import parse_package
from vanban.hub import blobs, conf, events, intake, onestatement, routing
from vanban.hub.errors import HubError
from vanban.hub.models import (
    AgencyCertificate,
    Delivery,
    DeliveryState,
    Endpoint,
    EndpointAgency,
    EndpointKind,
    Forward,
    ForwardState,
    Package,
    PackageBody,
    PullProblem,
    RefusalState,
    RefusedPackage,
    SignaturePolicy,
    TraceEvent,
)
from vanban.hub.tokens import hash_token, new_token
from vanban.jobs import workitems

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    package: Package
    duplicate: bool


# -- packages ------------------------------------------------------------------------------

def accept_package(received: blobs.Received, *, caller: Endpoint | None, from_parent: bool = False,
                   parent_package_id: str = "", upstream: Iterable[dict[str, Any]] = (),
                   hold_refused: bool = False) -> Submitted:
    """Check, store and route one received package; the same package again is a duplicate.

    `caller` is the endpoint that submitted it, or None when this hub pulled it from its parent.
    The temp file in `received` is consumed (turned into a blob or removed). With
    `hold_refused`, a refusal of an endpoint's submission is kept for the operator
    (`RefusedPackage`, with the original bytes): the hub API asks for it; the operator's own
    retry does not (it updates the held row instead).
    """
    data = received.map()
    refusal: HubError | None = None
    try:
        try:
            facts = intake.check(data, caller=caller, from_parent=from_parent,
                                 max_bytes=conf.max_package_bytes())
            # No look-up of an earlier copy first: the package's INSERT meets the idempotency
            # key, and a duplicate is answered from that conflict (below).
            route = routing.plan(facts.recipients, caller=caller, from_parent=from_parent)
            if route.unroutable and (caller is not None and caller.kind == EndpointKind.AGENCY):
                if (existing := _existing(facts)) is not None:  # accepted before the route changed
                    return _duplicate(existing, caller)
                raise HubError(422, "RECIPIENT_UNKNOWN",
                               "Trục không phục vụ và không chuyển tiếp được tới nơi nhận: "
                               + ", ".join(route.unroutable))
        except HubError as exc:
            refusal = exc
        except (OperationalError, InterfaceError):
            raise  # passing (database locked or away): a 500, and the sender tries again
        except Exception:  # an unforeseen failure refuses this package only
            log.exception("hub: package from %s could not be checked", caller.name if caller else "parent")
            refusal = HubError(422, "PACKAGE_UNPROCESSABLE",
                               "Trục không xử lý được gói tin này; gói tin đã được giữ lại để người vận hành xem.")
        if refusal is not None and caller is not None and hold_refused:
            _hold_refused(data, received, caller, refusal)
        if refusal is not None:
            raise refusal
        if received.size <= conf.body_in_database_bytes():
            body = bytes(data)  # kept with the row, by the row's own statement: no blob, no fsync
        else:
            body = None
            blobs.commit(received)
    finally:
        if not isinstance(data, bytes):
            with contextlib.suppress(BufferError):  # a parsed view still alive: GC closes it
                data.close()
        received.discard()
    try:
        package = _store(facts, received, route, caller=caller, from_parent=from_parent,
                         parent_package_id=parent_package_id, upstream=list(upstream), body=body)
    except IntegrityError:
        # A concurrent submit of the same package committed first: answer as a duplicate.
        existing = Package.objects.filter(**facts.key()).first()
        if existing is None:
            raise
        return _duplicate(existing, caller)
    return Submitted(package, duplicate=False)


# -- refused submissions (the hub's quarantine) ---------------------------------------------

def _hold_refused(data: intake.PackageData, received: blobs.Received, caller: Endpoint, refusal: HubError) -> None:
    """Keep the refused bytes and the reason; never lets its own failure hide the refusal."""
    try:
        blobs.commit(received)
        sender, document_id, kind = _header_guess(data)
        record_refusal(caller=caller, refusal=refusal, sha256=received.sha256, size=received.size,
                       sender_code=sender, document_id=document_id, kind=kind)
    except Exception:
        log.exception("hub: refused package not kept")


def _header_guess(data: intake.PackageData) -> tuple[str, str, str]:
    """Sender, DocumentId and kind read leniently, for the operator's list; blanks when unreadable."""
    try:
        parsed = parse_package(data, strict=False)
    except Exception:  # garbage: nothing to show but the bytes
        return "", "", ""
    if parsed.kind == "status" and parsed.status is not None:
        return parsed.status.from_.organ_id[:13], parsed.status.response_for.document_id[:500], "status"
    if parsed.document is not None:
        return parsed.document.from_.organ_id[:13], parsed.document.document_id[:500], "document"
    return "", "", ""


PARENT_NAME = "Trục cấp trên (gói tin kéo về)"


def hold_pulled(data: bytes, parent_package_id: str, refusal: HubError) -> RefusedPackage | None:
    """A package pulled from the parent and refused here for good: kept on the same quarantine
    page as refused submissions, for the operator to retry or discard."""
    try:
        received = blobs.receive_bytes(data)
        blobs.commit(received)
        sha256 = received.sha256
        sender, document_id, kind = _header_guess(data)
        return record_refusal(caller=None, refusal=refusal, sha256=sha256, size=len(data), sender_code=sender,
                              document_id=document_id, kind=kind, parent_package_id=parent_package_id)
    except Exception:
        log.exception("hub: refused pulled package not kept")
        return None


def record_refusal(*, caller: Endpoint | None, refusal: HubError, sha256: str = "", size: int = 0,
                   sender_code: str = "", document_id: str = "", kind: str = "",
                   parent_package_id: str = "") -> RefusedPackage:
    """One row per (endpoint or parent, bytes, reason) while held; a resubmission counts on it."""
    now = timezone.now()
    name = caller.name[:100] if caller is not None else PARENT_NAME
    with transaction.atomic():
        row = (RefusedPackage.objects.select_for_update()
               .filter(endpoint=caller, sha256=sha256, error_code=refusal.code[:60], state=RefusalState.HELD)
               .first() if sha256 else None)
        if row is not None:
            RefusedPackage.objects.filter(pk=row.pk).update(times=F("times") + 1, last_at=now)
            row.refresh_from_db()
            return row
        row = RefusedPackage.objects.create(
            received_at=now, last_at=now, endpoint=caller, endpoint_name=name,
            sender_code=sender_code, document_id=document_id, kind=kind, http_status=refusal.status,
            error_code=refusal.code[:60], error_message=refusal.message[:2000], sha256=sha256, size=size,
            parent_package_id=parent_package_id[:64])
        record_event(events.PACKAGE_REFUSED, actor=caller.name if caller else "hub", agency_code=sender_code,
                     obj=row, details={"code": refusal.code, "message": refusal.message[:500], "sha256": sha256,
                                       "size": size, "document_id": document_id, "endpoint": name,
                                       "parent_package_id": parent_package_id})
    return row


def retry_refused(row: RefusedPackage, *, actor: Any) -> RefusedPackage:
    """Submit the kept bytes again as their endpoint did (e.g. after its certificate was
    registered or its policy changed); accepted → linked to the package, else the new error."""
    if row.state != RefusalState.HELD:
        raise HubError(409, "NOT_HELD", "Gói tin này không còn trong danh sách cách ly.")
    if not row.sha256:
        raise HubError(409, "NO_BYTES", "Trục không giữ bản gốc của gói tin này (bị từ chối trước khi đọc xong), "
                       "không xử lý lại được; bên gửi cần gửi lại.")
    endpoint = row.endpoint
    pulled = bool(row.parent_package_id)
    if not pulled and (endpoint is None or not endpoint.is_active):
        raise HubError(409, "ENDPOINT_REVOKED", "Điểm kết nối đã gửi gói tin này không còn hoạt động.")
    try:
        data = blobs.read(row.sha256)
    except (OSError, blobs.BlobCorruptError):
        raise HubError(500, "BLOB_UNREADABLE", "Bản gốc của gói tin không đọc được hoặc đã hỏng.") from None
    try:
        if pulled:  # taken in as the pull would have; the parent is acked when it offers it again
            result = accept_package(blobs.receive_bytes(data), caller=None, from_parent=True,
                                    parent_package_id=row.parent_package_id)
            clear_pull_problem(row.parent_package_id)
        else:
            result = accept_package(blobs.receive_bytes(data), caller=endpoint, hold_refused=False)
    except HubError as exc:
        with transaction.atomic():
            RefusedPackage.objects.filter(pk=row.pk).update(
                error_code=exc.code[:60], error_message=exc.message[:2000], http_status=exc.status,
                last_at=timezone.now())
            record_event(events.REFUSED_RETRIED, actor=actor, agency_code=row.sender_code, obj=row,
                         details={"accepted": False, "code": exc.code, "message": exc.message[:500]})
        row.refresh_from_db()
        return row
    with transaction.atomic():
        RefusedPackage.objects.filter(pk=row.pk).update(
            state=RefusalState.ACCEPTED, package=result.package, settled_at=timezone.now(),
            settled_by=str(getattr(actor, "username", actor))[:150])
        record_event(events.REFUSED_RETRIED, actor=actor, agency_code=row.sender_code, obj=row,
                     details={"accepted": True, "package": str(result.package.pk),
                              "duplicate": result.duplicate})
    row.refresh_from_db()
    return row


def discard_refused(row: RefusedPackage, *, actor: Any, reason: str) -> RefusedPackage:
    reason = (reason or "").strip()
    if not reason:
        raise HubError(400, "REASON_REQUIRED", "Cần ghi lý do loại bỏ gói tin.")
    with transaction.atomic():
        moved = RefusedPackage.objects.filter(pk=row.pk, state=RefusalState.HELD).update(
            state=RefusalState.DISCARDED, settled_at=timezone.now(),
            settled_by=str(getattr(actor, "username", actor))[:150])
        if not moved:
            raise HubError(409, "NOT_HELD", "Gói tin này không còn trong danh sách cách ly.")
        record_event(events.REFUSED_DISCARDED, actor=actor, agency_code=row.sender_code, obj=row,
                     details={"code": row.error_code, "reason": reason[:1000]})
    row.refresh_from_db()
    return row


def _existing(facts: intake.Facts) -> Package | None:
    return Package.objects.filter(**facts.key()).first()


def _store(facts: intake.Facts, received: blobs.Received, route: routing.Route, *,
           caller: Endpoint | None, from_parent: bool, parent_package_id: str,
           upstream: list[dict[str, Any]], body: bytes | None) -> Package:
    """The package, its body when small, deliveries, forward, trace and audit event: one
    statement on PostgreSQL (`onestatement`), all or nothing; IntegrityError when the package
    is already here."""
    hub = conf.hub_code()
    now = timezone.now()
    source = caller.name if caller is not None else "trục cấp trên"
    package = Package(
        **facts.key(), recipients=list(facts.recipients), subject=facts.subject,
        sha256=received.sha256, size=received.size, received_at=now, source_endpoint=caller,
        from_parent=from_parent, parent_package_id=parent_package_id)
    trace = [TraceEvent(package=package, at=t.timestamp, hub=t.organ_id, event="trace_header",
                        detail="TraceHeader trong gói tin", remote=True) for t in facts.trace_headers]
    trace += [_remote_event(package, hop) for hop in upstream]
    trace.append(TraceEvent(package=package, at=now, hub=hub, event="received",
                            agency_code=facts.sender_code, endpoint=source,
                            detail=f"{received.size} byte, sha256 {received.sha256}"))
    trace += [TraceEvent(package=package, at=now, hub=hub, event="note", detail=n) for n in facts.notes]
    if facts.signature_unchecked:
        trace.append(TraceEvent(package=package, at=now, hub=hub, event="signature_unchecked",
                                agency_code=facts.sender_code, endpoint=source, detail=facts.signature_note))
    deliveries = []
    for code, endpoint in route.local.items():
        deliveries.append(Delivery(package=package, endpoint=endpoint, agency_code=code, created_at=now))
        trace.append(TraceEvent(package=package, at=now, hub=hub, event="queued", agency_code=code,
                                endpoint=endpoint.name, detail="Chờ hệ thống nơi nhận lấy về"))
    forwards = []
    if route.upward:
        forwards.append(Forward(package=package, recipient_codes=route.upward, next_attempt_at=now, created_at=now))
        trace.append(TraceEvent(package=package, at=now, hub=hub, event="forward_queued",
                                detail="Chuyển lên trục cấp trên cho: " + ", ".join(route.upward)))
    trace += [TraceEvent(package=package, at=now, hub=hub, event="unroutable", agency_code=code,
                         detail="Không có đường chuyển tới nơi nhận này") for code in route.unroutable]
    trace += [TraceEvent(package=package, at=now, hub=hub, event="redirected", agency_code=old,
                         detail=f"Cơ quan {old} đã thôi hoạt động; chuyển cho cơ quan kế thừa {new}")
              for old, new in route.redirected.items()]
    event = new_event(events.PACKAGE_ACCEPTED, actor=source, agency_code=facts.sender_code, obj=package,
                      details={"kind": facts.kind, "document_id": facts.document_id,
                               "status_code": facts.status_code, "local": sorted(route.local),
                               "upward": route.upward, "unroutable": route.unroutable,
                               "redirected": route.redirected,
                               "sha256": received.sha256,
                               "signature_unchecked": facts.signature_unchecked})
    bodies = [PackageBody(package=package, data=body)] if body is not None else []
    onestatement.write(onestatement.insert([package]) + onestatement.insert(bodies)
                       + onestatement.insert(deliveries)
                       + onestatement.insert(forwards) + onestatement.insert(trace)
                       + onestatement.insert([event]), savepoint=True)
    package._state.adding, package._state.db = False, connection.alias  # saved, as bulk_create leaves it
    events_written()
    if forwards:
        forward_id = Forward.objects.values_list("pk", flat=True).get(package=package)
        transaction.on_commit(lambda: _wake_forward(forward_id))
    return package


def _wake_forward(forward_id: int) -> None:
    from vanban.hub.tasks import forward_task  # noqa: PLC0415 - hub.tasks imports this module

    forward_task(forward_id)


def _remote_event(package: Package, hop: dict[str, Any]) -> TraceEvent:
    return TraceEvent(package=package, at=from_iso(str(hop.get("at", ""))), hub=str(hop.get("hub", ""))[:100],
                      event=str(hop.get("event", ""))[:40], agency_code=str(hop.get("agency", ""))[:13],
                      endpoint=str(hop.get("endpoint", ""))[:100], detail=str(hop.get("detail", ""))[:1000],
                      remote=True)


def _duplicate(existing: Package, caller: Endpoint | None) -> Submitted:
    TraceEvent.objects.create(package=existing, at=timezone.now(), hub=conf.hub_code(), event="duplicate",
                              endpoint=caller.name if caller else "trục cấp trên",
                              detail="Gói tin gửi lại; đã có, không định tuyến lần nữa")
    return Submitted(existing, duplicate=True)


# Written in SQL: the ORM's compilation of this query (two EXISTS) cost more than running it,
# on every fetch (issue 23). tests/hub/test_units.py checks each way in and the refusals.
_VISIBLE_SQL = """
    SELECT {columns} FROM hub_package p
    WHERE p.id = %s AND (
        p.source_endpoint_id = %s
        OR EXISTS (SELECT 1 FROM hub_delivery d WHERE d.package_id = p.id AND d.endpoint_id = %s)
        OR EXISTS (SELECT 1 FROM hub_endpointagency ea JOIN agencies_agency a ON a.id = ea.agency_id
                   WHERE ea.endpoint_id = %s AND a.code = p.sender_code))"""


def _visible_params(package_id: str, caller: Endpoint) -> list[Any] | None:
    try:
        key = uuid.UUID(str(package_id))
    except ValueError:
        return None
    value = Package._meta.pk.get_db_prep_value(key, connection)  # as the ORM sends it (SQLite: hex)
    return [value, caller.pk, caller.pk, caller.pk]


def visible_package(package_id: str, caller: Endpoint) -> Package | None:
    """The package if the caller sent it or is one of its recipients here, or serves its
    sender; else None (→ 404). One statement."""
    params = _visible_params(package_id, caller)
    if params is None:
        return None
    return next(iter(Package.objects.raw(_VISIBLE_SQL.format(columns="p.*"), params)), None)


def visible_original(package_id: str, caller: Endpoint) -> tuple[str, bytes] | None:
    """`visible_package`'s answer for a fetch: (sha256, the original bytes), or None (→ 404).
    The same check and the body kept in the database in one statement, read straight from the
    cursor (a model built from a raw query cost more than the query, on every fetch; issue 23);
    a larger package's bytes come from the blob store. OSError or BlobCorruptError when the
    bytes are gone or no longer match their hash."""
    params = _visible_params(package_id, caller)
    if params is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_VISIBLE_SQL.format(columns="p.sha256, (SELECT b.data FROM hub_packagebody b "
                                                   "WHERE b.package_id = p.id)"), params)
        row = cursor.fetchone()
    if row is None:
        return None
    sha256 = str(row[0])
    return sha256, blobs.original(sha256, row[1])


def package_bytes(package: Package) -> bytes:
    """The original bytes of a package row (forwarding, VXP): see `blobs.original`."""
    body = PackageBody.objects.filter(package=package).values_list("data", flat=True).first()
    return blobs.original(package.sha256, body)


def _not_in_inbox() -> HubError:
    return HubError(404, "NOT_FOUND", "Gói tin không có trong hộp thư của điểm kết nối này.")


def acknowledge(package_id: str, caller: Endpoint) -> tuple[str, datetime]:
    """Mark the caller's deliveries of this package delivered; a repeated ack changes nothing.
    Only a recipient acknowledges: anyone else (the sender included) gets 404. Answers the
    package id and when it was delivered."""
    acked = acknowledge_many([package_id], caller)[str(package_id)]
    if isinstance(acked, HubError):
        raise acked
    return acked


MAX_ACKS = 500

# Written in SQL for the same reason as the inbox (queries._INBOX_SQL): the caller's deliveries
# of these packages, with the DocumentId the audit event names, locked where the database can.
_ACK_ROWS_SQL = """
    SELECT d.*, p.document_id AS package_document_id FROM hub_delivery d
    JOIN hub_package p ON p.id = d.package_id
    WHERE d.endpoint_id = %s AND d.package_id IN ({}) ORDER BY d.id"""

# PostgreSQL: the whole ack is this one statement (issue 23: it was BEGIN, the rows locked, the
# writes, COMMIT). The UPDATE takes the caller's waiting deliveries of these packages; its
# RETURNING feeds the trace and audit INSERTs, clauses of the same statement, so the three
# commit together or not at all. The answer is every delivery of the caller for these packages:
# those this statement delivered, and the others as they were before it (already delivered).
# A delivery another ack delivered while this one waited for its row lock is in neither list
# with a time: its time is read once more after the statement (`_acked_in_one_statement`).
_ACK_SQL = """
    WITH acked AS (
        UPDATE hub_delivery d SET state = %s, delivered_at = %s
        FROM hub_package p
        WHERE d.endpoint_id = %s AND d.package_id IN ({keys}) AND d.state = %s AND p.id = d.package_id
        RETURNING d.id, d.package_id, d.agency_code, d.delivered_at, p.document_id),
    trace AS ({trace}),
    audit AS ({audit})
    SELECT package_id, delivered_at, true FROM acked
    UNION ALL
    SELECT d.package_id, d.delivered_at, false FROM hub_delivery d
    WHERE d.endpoint_id = %s AND d.package_id IN ({keys}) AND d.id NOT IN (SELECT id FROM acked)"""


def acknowledge_many(package_ids: Iterable[str], caller: Endpoint) -> dict[str, tuple[str, datetime] | HubError]:
    """`acknowledge` for many packages in one transaction: per id, the package id and when it was
    delivered, or NOT_FOUND (not a UUID, or not in the caller's inbox) — one unknown id never
    stops the others."""
    answers: dict[str, tuple[str, datetime] | HubError] = {}
    wanted: dict[str, uuid.UUID] = {}
    for package_id in package_ids:
        try:
            wanted[str(package_id)] = uuid.UUID(str(package_id))
        except ValueError:
            answers[str(package_id)] = _not_in_inbox()
    keys = list(set(wanted.values()))
    if not keys:
        delivered: dict[uuid.UUID, datetime] = {}
    elif connection.vendor == "postgresql":
        delivered = _acked_in_one_statement(caller, keys)
    else:
        delivered = _acked_in_a_transaction(caller, keys)
    for package_id, key in wanted.items():
        answers[package_id] = (str(key), delivered[key]) if key in delivered else _not_in_inbox()
    return answers


def _ack_trace(caller: Endpoint, now: datetime) -> TraceEvent:
    """The trace row of one delivery acknowledged (its package and agency filled in by the caller)."""
    return TraceEvent(at=now, hub=conf.hub_code(), event="delivered", endpoint=caller.name,
                      detail="Hệ thống nơi nhận xác nhận đã nhận")


def _ack_event(caller: Endpoint, now: datetime, *, agency_code: str = "", package_id: str = "",
               document_id: str = "") -> Any:
    """The audit event of one delivery acknowledged, dated as the delivery."""
    event = new_event(events.PACKAGE_DELIVERED, actor=caller.name, agency_code=agency_code,
                      object_type=Package._meta.label_lower, object_id=package_id,
                      details={"document_id": document_id, "endpoint": caller.name})
    event.at = now
    return event


def _acked_in_one_statement(caller: Endpoint, keys: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """PostgreSQL: the ack as one statement (`_ACK_SQL`); per package, its earliest delivery time
    among the caller's deliveries of it (absent: not in the caller's inbox)."""
    now = timezone.now()
    prep, conn = Package._meta.pk.get_db_prep_value, connections[DEFAULT_DB_ALIAS]
    values = [prep(k, conn) for k in keys]
    marks = ", ".join(["%s"] * len(keys))
    trace_sql, trace_params = onestatement.insert_select(
        _ack_trace(caller, now), "acked", {"package": ("acked.package_id", ()),
                                           "agency_code": ("acked.agency_code", ())}, order_by="acked.id")
    audit_sql, audit_params = onestatement.insert_select(
        _ack_event(caller, now), "acked",
        {"agency_code": ("acked.agency_code", ()), "object_id": ("acked.package_id::text", ()),
         "details": ("jsonb_build_object('document_id', acked.document_id, 'endpoint', %s::text)", (caller.name,))},
        order_by="acked.id")
    sql = _ACK_SQL.format(keys=marks, trace=trace_sql, audit=audit_sql)
    params = [DeliveryState.DELIVERED, now, caller.pk, *values, DeliveryState.WAITING,
              *trace_params, *audit_params, caller.pk, *values]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if any(now_acked for _, _, now_acked in rows):
        events_written()
    delivered = _earliest((package_id, at) for package_id, at, _ in rows)
    raced = {package_id for package_id, _, _ in rows} - delivered.keys()
    if raced:  # delivered by another ack while this one waited for the row: committed now, read it
        delivered.update(_earliest(Delivery.objects.filter(endpoint=caller, package_id__in=raced)
                                   .values_list("package_id", "delivered_at")))
    return delivered


def _earliest(pairs: Iterable[tuple[uuid.UUID, datetime | None]]) -> dict[uuid.UUID, datetime]:
    """Per package, the earliest delivery time among (package, time) pairs with a time."""
    earliest: dict[uuid.UUID, datetime] = {}
    for package_id, at in pairs:
        if at is not None and (package_id not in earliest or at < earliest[package_id]):
            earliest[package_id] = at
    return earliest


def _acked_in_a_transaction(caller: Endpoint, keys: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """Elsewhere (SQLite): the caller's deliveries read (locked where the database can), the
    waiting ones updated with their trace and audit events, in one transaction."""
    with transaction.atomic():
        rows = _deliveries_to_ack(caller, keys)
        now = timezone.now()
        waiting = [d for d in rows if d.state == DeliveryState.WAITING]
        for delivery in waiting:
            delivery.state = DeliveryState.DELIVERED
            delivery.delivered_at = now
        if waiting:  # the rows are locked: one statement for the update, the trace and the audit
            trace = []
            for d in waiting:
                row = _ack_trace(caller, now)
                row.package_id, row.agency_code = d.package_id, d.agency_code
                trace.append(row)
            onestatement.write(
                onestatement.update(Delivery.objects.filter(pk__in=[d.pk for d in waiting]),
                                    {"state": DeliveryState.DELIVERED, "delivered_at": now})
                + onestatement.insert(trace)
                + onestatement.insert([
                    _ack_event(caller, now, agency_code=d.agency_code, package_id=str(d.package_id),
                               document_id=getattr(d, "package_document_id"))  # noqa: B009 - from the SQL
                    for d in waiting]))
            events_written()
    return _earliest((d.package_id, d.delivered_at) for d in rows)


def _deliveries_to_ack(caller: Endpoint, keys: list[uuid.UUID]) -> list[Delivery]:
    sql = _ACK_ROWS_SQL.format(", ".join(["%s"] * len(keys)))
    if connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF d"  # two acks of the same package: the second waits, then finds it delivered
    prep, conn = Package._meta.pk.get_db_prep_value, connections[DEFAULT_DB_ALIAS]
    return list(Delivery.objects.raw(sql, [caller.pk, *[prep(k, conn) for k in keys]]))


# -- forwards (the durable side of federation.py) ------------------------------------------

def _pending_forwards() -> QuerySet[Forward]:
    now = timezone.now()
    return Forward.objects.filter(state=ForwardState.PENDING, next_attempt_at__lte=now)


def due_forwards(limit: int = 500) -> list[int]:
    workitems.look_for_dead(_pending_forwards())  # a killed forwarder's rows are not free: free them first
    now = timezone.now()
    return list(_pending_forwards().filter(workitems.free(now))
                .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def claim_forward(forward_id: int, lease: timedelta) -> Forward | None:
    """Take the forward for one attempt, or None if it is done, not due, or leased elsewhere."""
    if not workitems.claim(_pending_forwards().filter(pk=forward_id), lease=lease, limit=1):
        return None
    return Forward.objects.select_related("package").get(pk=forward_id)


def forward_succeeded(forward: Forward, remote_id: str, duplicate: bool) -> None:
    now = timezone.now()
    with transaction.atomic():
        workitems.succeeded(Forward, forward.pk, state=ForwardState.FORWARDED, forwarded_at=now,
                            remote_id=remote_id[:64], attempts=forward.attempts + 1)
        TraceEvent.objects.create(
            package=forward.package, at=now, hub=conf.hub_code(), event="forwarded",
            detail=f"Trục cấp trên đã nhận (mã {remote_id}{', gửi lại' if duplicate else ''})")
        record_event(events.PACKAGE_FORWARDED, actor="hub", agency_code=forward.package.sender_code,
                     obj=forward.package, details={"remote_id": remote_id, "attempts": forward.attempts + 1,
                                                   "recipients": forward.recipient_codes})


def forward_failed(forward: Forward, error: str) -> datetime:
    """Count the attempt and schedule the next with exponential backoff and jitter; returns when."""
    attempts = forward.attempts + 1
    now = timezone.now()
    with transaction.atomic():
        when = workitems.failed(Forward, forward.pk, attempts=attempts, error=error, max_error=1000,
                                backoff=workitems.Backoff(conf.retry_base_seconds(), conf.retry_max_seconds()))
        TraceEvent.objects.create(package=forward.package, at=now, hub=conf.hub_code(), event="forward_failed",
                                  detail=f"Lần {attempts}: {error}"[:1000])
    return when


def record_pull_problem(parent_package_id: str, error: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        row, created = PullProblem.objects.select_for_update().get_or_create(
            parent_package_id=parent_package_id,
            defaults={"attempts": 1, "last_error": error[:1000], "first_seen_at": now, "updated_at": now})
        if not created:
            row.attempts += 1
            row.last_error = error[:1000]
            row.updated_at = now
            row.save(update_fields=["attempts", "last_error", "updated_at"])


def clear_pull_problem(parent_package_id: str) -> None:
    PullProblem.objects.filter(parent_package_id=parent_package_id).delete()


# -- endpoints and certificates --------------------------------------------------------------

def create_endpoint(*, name: str, codes: Iterable[str], kind: str = EndpointKind.AGENCY,
                    cert_pem: bytes | None = None, actor: Any = None) -> tuple[Endpoint, str]:
    """A new endpoint serving these (already imported) agencies; returns the token, shown once."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise HubError(400, "BAD_NAME", "Tên điểm kết nối phải có từ 1 đến 100 ký tự.")
    if kind not in EndpointKind.values:
        raise HubError(400, "BAD_KIND", "Loại điểm kết nối phải là agency hoặc hub.")
    agencies = _agencies(codes)
    certs = _certificates(cert_pem) if cert_pem else []
    if cert_pem and len(agencies) != 1:
        raise HubError(400, "CERT_NEEDS_ONE_AGENCY",
                       "Chỉ đăng ký chứng thư số kèm khi điểm kết nối phục vụ đúng một cơ quan; "
                       "dùng 'vanban hub cert add' cho từng cơ quan.")
    raw = new_token()
    with transaction.atomic():
        if Endpoint.objects.filter(name=name).exists():
            raise HubError(400, "NAME_TAKEN", f"Đã có điểm kết nối tên '{name}'.")
        taken = (EndpointAgency.objects.filter(agency__in=agencies, endpoint__revoked_at__isnull=True)
                 .select_related("agency", "endpoint"))
        for row in taken:
            raise HubError(400, "AGENCY_ALREADY_SERVED",
                           f"Cơ quan {row.agency.code} đã do điểm kết nối '{row.endpoint.name}' phục vụ.")
        endpoint = Endpoint.objects.create(name=name, kind=kind, token_hash=hash_token(raw), token_prefix=raw[:10])
        EndpointAgency.objects.bulk_create([EndpointAgency(endpoint=endpoint, agency=a) for a in agencies])
        record_event(events.ENDPOINT_CREATED, actor=actor, agency_code=agencies[0].code if agencies else "",
                     obj=endpoint, details={"name": name, "kind": kind, "agencies": [a.code for a in agencies]})
        for cert in certs:
            _add_certificate(agencies[0], cert, actor)
    return endpoint, raw


def revoke_endpoint(*, name: str, actor: Any = None) -> Endpoint:
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().filter(name=name).first()
        if endpoint is None:
            raise HubError(404, "ENDPOINT_NOT_FOUND", f"Không có điểm kết nối tên '{name}'.")
        if endpoint.revoked_at is None:
            endpoint.revoked_at = timezone.now()
            endpoint.save(update_fields=["revoked_at"])
            codes = list(endpoint.agencies.values_list("code", flat=True))
            record_event(events.ENDPOINT_REVOKED, actor=actor, agency_code=codes[0] if codes else "",
                         obj=endpoint, details={"name": name, "agencies": codes})
    return endpoint


def set_signature_policy(*, name: str, policy: str, actor: Any = None) -> Endpoint:
    """Strict, lenient, or (`inherit`/"") the hub's own policy for this endpoint; audited."""
    value = "" if policy in ("", "inherit") else policy
    if value not in SignaturePolicy.values:
        raise HubError(400, "BAD_POLICY", "Chính sách chữ ký phải là strict, lenient hoặc inherit.")
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().filter(name=name).first()
        if endpoint is None:
            raise HubError(404, "ENDPOINT_NOT_FOUND", f"Không có điểm kết nối tên '{name}'.")
        before = endpoint.signature_policy
        if before != value:
            endpoint.signature_policy = value
            endpoint.save(update_fields=["signature_policy"])
            codes = list(endpoint.agencies.values_list("code", flat=True))
            record_event(events.ENDPOINT_POLICY_CHANGED, actor=actor, agency_code=codes[0] if codes else "",
                         obj=endpoint, details={"name": name, "from": before or "inherit", "to": value or "inherit"})
    return endpoint


def add_certificates(*, code: str, pem: bytes, actor: Any = None) -> list[AgencyCertificate]:
    """Register every certificate in a PEM file for the agency; already-known ones are kept."""
    agency = _agencies([code])[0]
    certs = _certificates(pem)
    with transaction.atomic():
        return [_add_certificate(agency, cert, actor) for cert in certs]


def _add_certificate(agency: Agency, cert: x509.Certificate, actor: Any) -> AgencyCertificate:
    fingerprint = fingerprint_of(cert)
    row = AgencyCertificate.objects.filter(agency=agency, fingerprint=fingerprint).first()
    if row is not None:
        return row
    row = AgencyCertificate.objects.create(
        agency=agency, fingerprint=fingerprint, subject=cert.subject.rfc4514_string()[:500],
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))
    record_event(events.CERTIFICATE_ADDED, actor=actor, agency_code=agency.code, obj=row,
                 details={"fingerprint": fingerprint, "subject": row.subject})
    return row


def fingerprint_of(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _certificates(pem: bytes) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise HubError(400, "BAD_CERTIFICATE", "Tệp không phải chứng thư số PEM đọc được.") from None
    if not certs:
        raise HubError(400, "BAD_CERTIFICATE", "Tệp PEM không chứa chứng thư số nào.")
    return list(certs)


def _agencies(codes: Iterable[str]) -> list[Agency]:
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not wanted:
        raise HubError(400, "NO_AGENCY", "Cần ít nhất một mã cơ quan (--agency).")
    for code in wanted:
        try:
            parse_agency_code(code)
        except AgencyCodeError as exc:
            raise HubError(400, "BAD_AGENCY_CODE", f"Mã {code}: {exc.reason}") from None
    found = {a.code: a for a in Agency.objects.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise HubError(400, "AGENCY_UNKNOWN", "Chưa có trong danh bạ (hãy nhập danh bạ trước): "
                       + ", ".join(missing))
    return [found[c] for c in wanted]
