"""The office side of the exchange: the outbox (written in the caller's transaction) and
its sender. Never imports `documents`: callers pass plain values and package bytes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from vanban import edxml
from vanban.agencies.models import Agency
from vanban.audit.services import new_event, record_events
from vanban.blobs import get_store
from vanban.exchange import events
from vanban.exchange.models import DeliveryStatus, HubConnection, OutboxEntry
from vanban.hubclient import BATCH_MAX, HubBackend, HubClient, HubHttpError, HubUnreachableError
from vanban.jobs import stopping, workitems
from vanban.trust import services as trust

HubError = (HubHttpError, HubUnreachableError)


class NoCredentialError(Exception):
    pass

log = logging.getLogger(__name__)


def backoff() -> workitems.Backoff:
    """Wait after a failed attempt: VANBAN_EXCHANGE_RETRY_BASE_SECONDS (30) doubling, at most
    VANBAN_EXCHANGE_RETRY_MAX_SECONDS (3600), less up to a fifth at random (jitter)."""
    return workitems.Backoff(settings.VANBAN_EXCHANGE_RETRY_BASE_SECONDS, settings.VANBAN_EXCHANGE_RETRY_MAX_SECONDS)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt before jitter (what the document page explains)."""
    return timedelta(seconds=backoff().wait(attempts))


@dataclass(frozen=True)
class OutgoingRecipient:
    code: str
    name: str


def queue_document(*, document_id: int, sender_code: str, edxml_document_id: str,
                   recipients: list[OutgoingRecipient], package: bytes,
                   kind: str = OutboxEntry.Kind.DOCUMENT) -> list[OutboxEntry]:
    """One outbox row per recipient; the package blob is written first, the rows in the
    caller's transaction, so an issue and its outbox commit or roll back together."""
    sha = get_store().put(package)
    now = timezone.now()
    rows = []
    for r in recipients:
        row, _ = OutboxEntry.objects.get_or_create(
            document_id=document_id, kind=kind, recipient_code=r.code, status_code="",
            defaults={"sender_code": sender_code, "recipient_name": r.name, "package_sha256": sha,
                      "edxml_document_id": edxml_document_id, "next_attempt_at": now})
        rows.append(row)
    transaction.on_commit(_wake_sender, robust=True)
    return rows


def queue_status(*, document_id: int, sender_code: str, recipient_code: str, recipient_name: str,
                 edxml_document_id: str, status_code: str, description: str = "",
                 response_notation: str = "", response_date: date | None = None, staff: str = "",
                 staff_department: str = "", staff_email: str = "", staff_mobile: str = "",
                 at: datetime | None = None, first: bool = False) -> OutboxEntry | None:
    """A status package back to the original sender; the same status twice is sent once.

    `first`: the document was made in the caller's transaction, so no status of it can be
    queued yet — one INSERT instead of get_or_create's four statements (a SELECT, and the
    INSERT in a savepoint)."""
    if not recipient_code:
        return None  # a paper document: nobody to answer electronically
    key = {"document_id": document_id, "kind": OutboxEntry.Kind.STATUS, "recipient_code": recipient_code,
           "status_code": status_code}
    fields = {"sender_code": sender_code, "recipient_name": recipient_name,
              "edxml_document_id": edxml_document_id, "description": description[:4000],
              "status_at": at or timezone.now(), "response_notation": response_notation,
              "response_date": response_date, "staff": staff[:200], "staff_department": staff_department[:200],
              "staff_email": staff_email[:254], "staff_mobile": staff_mobile[:60],
              "next_attempt_at": timezone.now()}
    if first:
        row, created = OutboxEntry.objects.create(**key, **fields), True
    else:
        row, created = OutboxEntry.objects.get_or_create(**key, defaults=fields)
    if created:
        transaction.on_commit(_wake_sender, robust=True)
    return row


def _wake_sender() -> None:
    """On commit, robustly: a queue that cannot be reached is logged, and the row waits for the
    minute's sweep; the request that committed it does not fail after the fact."""
    from vanban.exchange.tasks import wake_sender  # noqa: PLC0415 - the jobs module imports this one

    wake_sender()


def active_connection() -> HubConnection | None:
    return HubConnection.objects.filter(is_active=True).order_by("-id").first()


def witness_client(url: str | None = None) -> HubClient | None:
    """Where this office's audit checkpoints are witnessed: its own hub, when it talks to a
    vanban hub (the national hub's protocol has no witness). Registered with the audit app."""
    connection = active_connection()
    if connection is None or connection.kind != HubConnection.Kind.VANBAN:
        return None
    return HubClient(url or connection.url, connection.token, timeout=30.0)


def client_for(connection: HubConnection) -> HubBackend:
    """The backend for this connection: our hub's API, or the national hub's SDK protocol.

    Both offer submit / inbox / fetch / ack with the same meaning, so the outbox and the
    poller do not know which one they talk to.
    """
    if connection.kind == HubConnection.Kind.VXP:
        from vanban.vxp.client import VxpClient  # noqa: PLC0415 - only a national-hub connection needs it; kept off start-up

        return VxpClient(connection.url, connection.system_id, connection.token)
    return HubClient(connection.url, connection.token)


def _system_key(agency_code: str) -> tuple[Any, bytes]:
    agency = Agency.objects.get(code=agency_code)
    credential = trust.credential_for(agency, "system")
    if credential is None:
        raise NoCredentialError(f"Cơ quan {agency_code} chưa có chứng thư số hệ thống để ký gói tin.")
    return trust.key_and_chain_pem(credential)


class SenderKeys:
    """The senders' agencies and system keys, read once per sending round: a backlog's rows
    have the same few senders, and reading them again cost two statements a row. Only what was
    found is kept (a missing key is looked for again, and fails again, row by row)."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[Any, bytes]] = {}
        self._agencies: dict[str, Agency | None] = {}

    def key(self, agency_code: str) -> tuple[Any, bytes]:
        if agency_code not in self._keys:
            self._keys[agency_code] = _system_key(agency_code)
        return self._keys[agency_code]

    def agency(self, agency_code: str) -> Agency | None:
        if agency_code not in self._agencies:
            self._agencies[agency_code] = Agency.objects.filter(code=agency_code).first()
        return self._agencies[agency_code]


def _status_bytes(row: OutboxEntry, keys: SenderKeys | None = None) -> bytes:
    sender = (keys or SenderKeys()).agency(row.sender_code)
    package = edxml.StatusPackage(
        from_=edxml.Organization(organ_id=row.sender_code, organ_name=sender.name if sender else ""),
        response_for=edxml.ResponseFor(organ_id=row.recipient_code, code=row.response_notation,
                                       promulgation_date=row.response_date,
                                       document_id=row.edxml_document_id),
        status_code=edxml.StatusCode(row.status_code),
        timestamp=timezone.localtime(row.status_at or row.created_at),
        description=row.description,
        staff_info=edxml.StaffInfo(department=row.staff_department, staff=row.staff, email=row.staff_email,
                                   mobile=row.staff_mobile) if row.staff or row.staff_department else None,
    )
    return edxml.build_status(package)


def _signed_package(row: OutboxEntry, keys: SenderKeys | None = None) -> bytes:
    """Signed once and kept: a retry sends the very same bytes (the hub deduplicates)."""
    signed, fresh = _sign(row, keys or SenderKeys())
    if fresh:
        OutboxEntry.objects.filter(pk=row.pk).update(package_sha256=row.package_sha256)
    return signed


def _sign(row: OutboxEntry, keys: SenderKeys) -> tuple[bytes, bool]:
    """The bytes to send, and whether they were signed now: then `row.package_sha256` names
    the signed blob, which the caller records before sending (`send_pending`: one statement
    for the whole batch)."""
    store = get_store()
    if row.package_sha256 and row.attempts > 0:
        return store.get(row.package_sha256), False
    raw = store.get(row.package_sha256) if row.package_sha256 else _status_bytes(row, keys)
    key, cert = keys.key(row.sender_code)
    signed = edxml.sign_package(raw, key, cert)
    row.package_sha256 = store.put(signed)
    return signed, True


# Statuses and revocations are small and someone is waiting on them: they never queue behind a
# backlog of documents (issue 23: status 01 came back only after 9 000 documents).
STATUSES_FIRST = Case(When(kind=OutboxEntry.Kind.STATUS, then=Value(0)),
                      When(kind=OutboxEntry.Kind.REVOCATION, then=Value(1)), default=Value(2))


def due_rows() -> QuerySet[OutboxEntry]:
    """The rows to submit now: statuses, then revocations, then documents, each oldest first."""
    return OutboxEntry.objects.filter(
        Q(state=OutboxEntry.State.PENDING) | Q(state=OutboxEntry.State.FAILED), workitems.due(timezone.now()),
    ).order_by(STATUSES_FIRST, "id")


def due_outbox(limit: int = 100) -> list[OutboxEntry]:
    return list(due_rows()[:limit])


def next_sendable() -> datetime | None:
    """When the first outbox row that cannot be sent now can be: another worker's lease runs
    out, or a failure's wait ends (`tasks` wakes a sender then)."""
    return workitems.next_free(OutboxEntry.objects.filter(
        state__in=[OutboxEntry.State.PENDING, OutboxEntry.State.FAILED]))


def claim_due(limit: int = 100) -> list[OutboxEntry]:
    """The due rows nobody else is sending, held by this worker for
    VANBAN_EXCHANGE_SEND_LEASE_SECONDS (60: a worker killed mid-batch leaves its rows to the
    others after that), in order."""
    lease = timedelta(seconds=settings.VANBAN_EXCHANGE_SEND_LEASE_SECONDS)
    pks = workitems.claim(due_rows(), lease=lease, limit=limit)
    rows = {r.pk: r for r in OutboxEntry.objects.filter(pk__in=pks)}
    return [rows[pk] for pk in pks if pk in rows]


def send_pending(*, client: HubBackend | None = None, limit: int = 100) -> int:
    """Submit every due outbox row, in batches (one request and one transaction each);
    returns how many were accepted by the hub."""
    connection = active_connection()
    if client is None:
        if connection is None:
            return 0
        client = client_for(connection)
    per_batch = max(1, min(settings.VANBAN_EXCHANGE_BATCH_SIZE, BATCH_MAX))
    sent = taken = 0
    keys = SenderKeys()
    while taken < limit and not stopping.requested():  # a batch at a time, each claimed just before it is sent
        rows = claim_due(min(per_batch, limit - taken))
        if not rows:
            break
        taken += len(rows)
        ready: list[tuple[OutboxEntry, bytes]] = []
        signed_now = []
        for row in rows:
            try:
                package, fresh = _sign(row, keys)
            except Exception as exc:  # one bad row never stops the others: it waits and retries
                _not_sent(row, exc)
                continue
            ready.append((row, package))
            if fresh:
                signed_now.append(row)
        # The signed bytes are recorded before anything is sent, so a retry sends the very
        # same bytes (the hub deduplicates): one statement for the batch, not one a row.
        OutboxEntry.objects.bulk_update(signed_now, ["package_sha256"])
        sent += sum(_send_batch(client, batch) for batch in _batches(ready))
    return sent


def _batches(ready: list[tuple[OutboxEntry, bytes]]) -> list[list[tuple[OutboxEntry, bytes]]]:
    """Groups of at most VANBAN_EXCHANGE_BATCH_SIZE rows (20) and about
    VANBAN_EXCHANGE_BATCH_MB (8) of packages; a bigger package goes alone. Order kept, so
    statuses still leave first."""
    count, most = max(1, min(settings.VANBAN_EXCHANGE_BATCH_SIZE, BATCH_MAX)), settings.VANBAN_EXCHANGE_BATCH_MB * 2**20
    batches: list[list[tuple[OutboxEntry, bytes]]] = []
    size = 0
    for row, package in ready:
        if not batches or len(batches[-1]) >= count or size + len(package) > most:
            batches.append([])
            size = 0
        batches[-1].append((row, package))
        size += len(package)
    return batches


def _send_batch(client: HubBackend, batch: list[tuple[OutboxEntry, bytes]]) -> int:
    try:
        results: list[Any] = list(client.submit_many([package for _, package in batch]))
    except Exception as exc:  # the hub away: every row of the batch waits and retries
        for row, _ in batch:
            _not_sent(row, exc)
        return 0
    sent = []
    for (row, _), result in zip(batch, results, strict=True):
        if isinstance(result, Exception):
            _not_sent(row, result)
        else:
            sent.append((row, result))
    if not sent:
        return 0
    now = timezone.now()
    for row, result in sent:
        row.state, row.attempts, row.hub_package_id = OutboxEntry.State.SENT, row.attempts + 1, result.id
        row.sent_at, row.next_attempt_at, row.lease_until, row.last_error = now, None, None, ""
        row.error_code = ""
    with transaction.atomic():  # the batch's rows and their events: two statements, not two a row
        # One UPDATE; only the hub's id differs between the rows. (`bulk_update` of the seven
        # fields built a CASE of every row for each: half the sending thread's CPU, by py-spy.)
        OutboxEntry.objects.filter(pk__in=[row.pk for row, _ in sent]).update(
            state=OutboxEntry.State.SENT, attempts=F("attempts") + 1, sent_at=now, next_attempt_at=None,
            lease_until=None, last_error="", error_code="",
            hub_package_id=Case(*[When(pk=row.pk, then=Value(result.id)) for row, result in sent],
                                output_field=CharField()))
        record_events([new_event(events.PACKAGE_SENT, actor="system", agency_code=row.sender_code,
                                 object_type="exchange.outboxentry", object_id=str(row.pk),
                                 details={"kind": row.kind, "to": row.recipient_code, "hub_id": result.id,
                                          "document_id": row.edxml_document_id, "status": row.status_code,
                                          "duplicate": result.duplicate})
                       for row, result in sent])
    return len(sent)


def _not_sent(row: OutboxEntry, exc: BaseException) -> None:
    """The row waits (doubling delay) and says why; an unexpected error is logged in full."""
    if not isinstance(exc, (*HubError, NoCredentialError, edxml.EdxmlError)):
        log.error("exchange: unexpected error sending %s", row, exc_info=exc,
                  extra={"event": "exchange.send_error", "outbox": row.pk})
    attempts = row.attempts + 1
    code = OutboxEntry.HUB_AWAY if hub_away(exc) else str(getattr(exc, "code", "") or exc.__class__.__name__)[:60]
    workitems.failed(OutboxEntry, row.pk, attempts=attempts, error=str(exc), backoff=backoff(),
                     state=OutboxEntry.State.FAILED, error_code=code)
    log.warning("exchange: %s not sent (%s)", row, exc,
                extra={"event": "exchange.send_failed", "outbox": row.pk, "attempt": attempts,
                       "error_code": code})


# A gateway in front of the hub answering for it: the hub behind it is down (502) or silent (504).
_GATEWAY_FOR_A_HUB_AWAY = frozenset({502, 504})


def hub_away(exc: BaseException) -> bool:
    """The hub was not there: no connection could be made (refused, DNS, connect timeout), or its
    gateway said it is down. Nothing about the package. A request the hub took and then did not
    answer (a read timeout, a connection dropped) may be the package's own doing, and a 503 or
    any other answer is the hub's: those keep their backoff."""
    return (isinstance(exc, HubUnreachableError) and not exc.connected) or (
        isinstance(exc, HubHttpError) and exc.status in _GATEWAY_FOR_A_HUB_AWAY)


def resume_after_outage(*, wake: bool = False) -> int:
    """The hub answers again after it was seen away: the rows that failed only because it was
    away are due now; returns how many. Their backoff grew while it was away — up to an hour
    after a long outage — and would have held them that long after it came back. The attempts
    keep counting. `inbound` calls it once per outage (`wake`: a sender is woken for them)."""
    now = timezone.now()
    resumed = OutboxEntry.objects.filter(state=OutboxEntry.State.FAILED, error_code=OutboxEntry.HUB_AWAY,
                                         next_attempt_at__gt=now).update(next_attempt_at=now)
    if resumed and wake:
        transaction.on_commit(_wake_sender, robust=True)
    return resumed


def deliveries_for(document_id: int) -> list[OutboxEntry]:
    return list(OutboxEntry.objects.filter(document_id=document_id, kind=OutboxEntry.Kind.DOCUMENT)
                .order_by("recipient_code", "id"))


def statuses_for(document_id: int) -> list[DeliveryStatus]:
    return list(DeliveryStatus.objects.filter(document_id=document_id).order_by("recipient_code", "status_at"))


STATUS_STEPS = ["01", "03", "04", "05", "06"]


def status_timeline(document_id: int) -> list[dict[str, object]]:
    """Per recipient: each status with its time, in the order of the normal path, plus any
    other status (02 rejected, 15/16 answers) after it — one row a person reads at a glance."""
    rows: dict[str, dict[str, object]] = {}
    for entry in OutboxEntry.objects.filter(document_id=document_id, kind=OutboxEntry.Kind.DOCUMENT):
        rows[entry.recipient_code] = {"code": entry.recipient_code, "name": entry.recipient_name,
                                      "sent": entry.state == OutboxEntry.State.SENT, "steps": []}
    for st in statuses_for(document_id):
        row = rows.setdefault(st.recipient_code, {"code": st.recipient_code, "name": st.recipient_name,
                                                  "sent": True, "steps": []})
        label = edxml.StatusCode(st.status_code).label if st.status_code in edxml.StatusCode._value2member_map_ else ""
        steps = cast(list[dict[str, object]], row["steps"])
        steps.append({"code": st.status_code, "label": label, "at": st.status_at,
                      "description": st.description, "staff": st.staff,
                      "staff_department": st.staff_department, "staff_contact": st.staff_contact})
    return list(rows.values())
