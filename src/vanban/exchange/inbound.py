"""Pulling the hub inbox: store the original bytes, then process, then ack.

The ack comes only after the bytes are in the blob store and the InboxEntry row is
committed, so a crash at any point means the package is pulled again (and recognised by
its hub id), never lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from vanban import edxml
from vanban.accounts.models import Membership
from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.roundcache import round_cache
from vanban.exchange import events
from vanban.exchange.models import DeliveryStatus, InboxEntry
from vanban.exchange.receiving import Arrival, ArrivalFile, receiver
from vanban.exchange.services import (
    HubError,
    active_connection,
    client_for,
    hub_away,
    queue_status,
    resume_after_outage,
)
from vanban.exchange.verification import PdfOutcomes, RoundFacts, start_pdf_checks, verify_document
from vanban.hubclient import HubBackend
from vanban.jobs import stopping, workitems
from vanban.settings.parsers import env_int
from vanban.trust import services as trust

log = logging.getLogger(__name__)


def poll(*, client: HubBackend | None = None, limit: int = 50, documents_per_round: int | None = None,
         budget_seconds: float = 50.0) -> int:
    """Short rounds until the inbox is drained or `budget_seconds` are spent; returns how many
    new packages were stored.

    Each round lists the inbox again and takes every status waiting (cheap: no signature to
    check) and at most `documents_per_round` documents (`VANBAN_INBOX_DOCUMENTS_PER_ROUND`,
    default 16), whose PDF signatures are checked in parallel (`VANBAN_VERIFY_PROCESSES`); so a
    status that reaches the hub while documents are being checked waits one short round,
    not a batch of fifty (issue 23: status latency under a backlog).

    The rounds overlap: the next round is taken (stored, claimed, its PDFs handed to the
    child processes) before this one's arrivals are registered, so the children check while
    this process writes, instead of each waiting for the other.
    """
    if client is None:
        connection = active_connection()
        if connection is None:
            return 0
        client = client_for(connection)
    per_round = documents_per_round or settings.VANBAN_INBOX_DOCUMENTS_PER_ROUND
    started = time.monotonic()
    first = _take(client, limit, per_round, set())
    current: _Taken | None = first
    stored, progressed = first.stored, True
    while current is not None:
        upcoming = None
        if (current.more and progressed and time.monotonic() - started <= budget_seconds
                and not stopping.requested()):  # a stopping worker finishes the round in hand only
            try:
                upcoming = _take(client, limit, per_round, {package_id for package_id, _ in current.entries})
            except Exception:  # the round in hand is claimed and checked: finish it before giving up
                _finish(client, current)
                raise
            stored += upcoming.stored
        progressed = bool(_finish(client, current) or current.stored)
        current = upcoming
    return stored


# This process's listing found the hub away (or the process has not listed yet: a worker started
# during an outage saw none of it); the next listing that answers resumes the rows it missed.
_seen_away = threading.Event()
_seen_away.set()


@dataclass
class _Taken:
    """One round's packages, stored here and claimed, with their PDFs being checked meanwhile."""

    entries: list[tuple[str, InboxEntry]]  # (hub package id, its entry), statuses first
    mine: set[int]  # the entries this round holds (`claim_stored`)
    reads: dict[int, edxml.PackageRead]
    outcomes: Callable[[], PdfOutcomes]
    stored: int  # new packages stored
    more: bool  # more was waiting than was taken


def _take(client: HubBackend, limit: int, per_round: int, in_hand: set[str]) -> _Taken:
    """List the inbox, store what is new, claim it and start its PDF checks. `in_hand`: the
    packages of the round being finished (listed again until acked), left out."""
    try:
        answered = client.inbox(limit, inline=settings.VANBAN_INBOX_INLINE_KB * 1024)
    except HubError as exc:
        log.warning("exchange: inbox not reachable (%s)", exc, extra={"event": "exchange.inbox_unreachable"})
        if hub_away(exc):
            _seen_away.set()
        return _Taken([], set(), {}, dict, 0, False)
    if _seen_away.is_set():  # the hub answers again: once per outage, not at every poll
        _seen_away.clear()
        resume_after_outage(wake=True)
    listed = [i for i in answered if str(i["id"]) not in in_hand]
    statuses = [i for i in listed if i.get("kind") == "status"]
    documents = [i for i in listed if i.get("kind") != "status"]
    items = statuses + documents[:per_round]
    more = len(documents) > per_round or len(answered) >= limit
    known = {e.hub_package_id: e for e in
             InboxEntry.objects.filter(hub_package_id__in=[str(i["id"]) for i in items])}
    fetched: list[tuple[dict[str, Any], bytes]] = []
    for item in items:
        if str(item["id"]) in known:
            continue
        data = item.get("data")
        if not isinstance(data, bytes):  # not inline (too big, or the hub does not inline): fetch it
            try:
                data = client.fetch(str(item["id"]))
            except HubError as exc:
                log.warning("exchange: %s not fetched (%s)", item["id"], exc,
                            extra={"event": "exchange.fetch_failed", "package": str(item["id"])})
                continue
        fetched.append((item, data))
    known.update(store_many(fetched))
    entries = [(str(i["id"]), known[str(i["id"])]) for i in items if str(i["id"]) in known]
    mine = claim_stored([e for _, e in entries])
    reads, outcomes = _prevalidate([e for _, e in entries if e.pk in mine])
    return _Taken(entries, mine, reads, outcomes, len(fetched), more)


def _finish(client: HubBackend, taken: _Taken) -> int:
    """Register the round's statuses, then its arrivals (with its PDF outcomes, waited for
    there: a status needs none, so it is recorded while the documents' checks still run), then
    ack them; returns how many the hub took as acked."""
    outcomes: PdfOutcomes | None = None
    facts = RoundFacts()  # what every package of the round would read again: read once
    done = []
    with round_cache():  # and what the arrivals read in the incoming app (document types, clerks)
        for package_id, entry in taken.entries:  # statuses first
            if entry.state == InboxEntry.State.STORED:
                if entry.pk not in taken.mine:
                    continue  # another worker holds it, or a passing failure waits its backoff: its ack waits too
                if outcomes is None and entry.kind != "status":
                    outcomes = taken.outcomes()
                if process(entry, outcomes, facts=facts, read=taken.reads.get(entry.pk)) == RETRY_LATER:
                    continue  # a passing database failure: not acked, tried again once due
            done.append(package_id)
    try:
        acked = [pid for pid, ok in client.ack_many(done).items() if ok] if done else []
    except HubError as exc:  # acked next round; the entries are already safe here
        log.warning("exchange: %d packages not acked (%s)", len(done), exc,
                    extra={"event": "exchange.ack_failed", "packages": done[:20]})
        acked = []
    if acked:
        InboxEntry.objects.filter(hub_package_id__in=acked, acked_at__isnull=True).update(acked_at=timezone.now())
    return len(acked)


def _prevalidate(entries: list[InboxEntry]) -> tuple[dict[int, edxml.PackageRead], Callable[[], PdfOutcomes]]:
    """The documents among `entries` read (by entry id: `process` uses the same read, not a
    second parse) and their PDF validations started in the child processes; no validations
    when there is nothing to share out (one document or fewer: `process` validates it itself)."""
    reads: dict[int, edxml.PackageRead] = {}
    limit = max_package_bytes()
    for entry in entries:
        if entry.kind != "document" or entry.size > limit:  # too big: `process` sets it aside unread
            continue
        try:
            reads[entry.pk] = edxml.read_package(get_store().get(entry.sha256), strict=False)
        except Exception:  # noqa: S112 - `process` records why, in the quarantine
            continue
    if len(reads) < 2:
        return reads, dict
    try:
        checks = start_pdf_checks([r.parsed for r in reads.values()], processes=settings.VANBAN_VERIFY_PROCESSES)
    except Exception:  # a bad PDF in the batch: each entry is validated alone
        log.exception("exchange: batch PDF validation failed; validating one by one")
        return reads, dict

    def outcomes() -> PdfOutcomes:
        try:
            return checks()
        except Exception:  # a bad PDF in the batch: each entry is validated alone
            log.exception("exchange: batch PDF validation failed; validating one by one")
            return {}
    return reads, outcomes


# A stored entry is a work item (`jobs.workitems`): claimed by the round that processes it, so
# a second worker polling at the same time leaves it alone. The lease is short because it only
# saves double work — `process` takes the row lock and checks the state, so an entry becomes
# one arrival however it is picked up — and a round that could not even record its failure
# (the database away) leaves the entry held until the lease runs out. A passing failure waits
# 2 s, then 4, 8 … at most 2 minutes (the outbox's backoff, up to an hour, would hold an
# arrival long after the database came back). The lease: VANBAN_EXCHANGE_INBOX_LEASE_SECONDS (60).
INBOX_BACKOFF = workitems.Backoff(2, 120)


def claim_stored(entries: list[InboxEntry]) -> set[int]:
    """The stored entries among `entries` that are due and that no other worker holds, now held
    by this one: two workers polling at once never take the same package in twice."""
    stored = [e.pk for e in entries if e.state == InboxEntry.State.STORED]
    if not stored:
        return set()
    rows = (InboxEntry.objects.filter(pk__in=stored, state=InboxEntry.State.STORED)
            .filter(workitems.due(timezone.now())).order_by("pk"))
    lease = timedelta(seconds=settings.VANBAN_EXCHANGE_INBOX_LEASE_SECONDS)
    return set(workitems.claim(rows, lease=lease, limit=len(stored)))


def next_claimable() -> datetime | None:
    """When the first stored entry nobody may take in now can be: another worker's lease runs
    out, or a passing failure's wait ends (`tasks` wakes a poller then)."""
    return workitems.next_free(InboxEntry.objects.filter(state=InboxEntry.State.STORED))


def store(package_id: str, item: dict, data: bytes) -> InboxEntry:
    return store_many([(item | {"id": package_id}, data)])[package_id]


def store_many(fetched: list[tuple[dict[str, Any], bytes]]) -> dict[str, InboxEntry]:
    """The bytes into the blob store first, then every row in one transaction; a package
    stored before (a second worker, an earlier round) keeps its row."""
    if not fetched:
        return {}
    rows = [InboxEntry(hub_package_id=str(item["id"]), kind=str(item.get("kind", "")),
                       sender_code=str(item.get("from", ""))[:13],
                       recipient_codes=[item.get("to")] if item.get("to") else [],
                       addressee_code=str(item.get("to") or "")[:13],
                       edxml_document_id=str(item.get("document_id", ""))[:200],
                       status_code=str(item.get("status_code") or "")[:2], sha256=get_store().put(data), size=len(data))
            for item, data in fetched]
    # One INSERT for the round and one SELECT to read the rows back (ids, and the row another
    # worker stored first, which wins), not a SELECT, a savepoint and an INSERT a package.
    with transaction.atomic():
        InboxEntry.objects.bulk_create(rows, ignore_conflicts=True)
        stored = InboxEntry.objects.filter(hub_package_id__in=[r.hub_package_id for r in rows])
        return {e.hub_package_id: e for e in stored}


class PackageRefusedError(Exception):
    """A package this installation will not take in, with a stable code for the quarantine."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def max_package_bytes() -> int:
    """Bigger packages are set aside unread (`VANBAN_EXCHANGE_MAX_PACKAGE_MB`, default 200)."""
    return max(1, env_int("VANBAN_EXCHANGE_MAX_PACKAGE_MB", 200)) * 1024 * 1024


PROCESSED, SET_ASIDE, RETRY_LATER, SKIPPED = "processed", "set_aside", "retry_later", "skipped"
TRANSIENT_ATTEMPTS = 5  # a database error this many times in a row sets the entry aside too


def process(entry: InboxEntry, pdf_outcomes: PdfOutcomes | None = None, *, facts: RoundFacts | None = None,
            read: edxml.PackageRead | None = None) -> str:
    """Turn one stored package into an arrival or a status; says what became of it.

    `facts`: the round's reads shared between its packages; `read`: the package as the round
    already read it from these bytes (`_prevalidate`).

    Any failure — unreadable XML, a certificate that cannot be read, an unknown signer, a
    recipient not served here, a bug — sets this one entry aside (quarantine) and never
    escapes: the entries after it in the batch are processed as usual. A database error
    (locked, connection lost) is passing: the entry stays stored for the next round, up to
    TRANSIENT_ATTEMPTS times.
    """
    try:
        limit = max_package_bytes()
        if entry.size > limit:  # checked before the bytes are read back
            raise PackageRefusedError("PACKAGE_TOO_LARGE",
                                      f"Gói tin {entry.size} byte vượt giới hạn {limit} byte của hệ thống.")
        if read is None:  # one parse, verified later
            read = edxml.read_package(get_store().get(entry.sha256), strict=False)
        parsed = read.parsed
        with transaction.atomic():
            # The row lock makes a second worker wait here and then see PROCESSED: the entry
            # becomes one arrival, however many rounds picked it up.
            if not list(InboxEntry.objects.select_for_update().filter(pk=entry.pk, state=InboxEntry.State.STORED)
                        .values_list("pk", flat=True)):
                return SKIPPED
            if parsed.kind == "status":
                _status(parsed)
            else:
                _document(parsed, read, entry, pdf_outcomes, facts or RoundFacts())
            workitems.succeeded(InboxEntry, entry.pk, state=InboxEntry.State.PROCESSED, error="", error_code="",
                                attempts=F("attempts") + 1)
        return PROCESSED
    except (OperationalError, InterfaceError) as exc:
        if _retry_later(entry, exc):
            return RETRY_LATER
        return _safely_set_aside(entry, exc)
    except Exception as exc:  # one bad package must never stop the others
        return _safely_set_aside(entry, exc)


def _safely_set_aside(entry: InboxEntry, exc: BaseException) -> str:
    try:
        _set_aside(entry, exc)
    except Exception:
        # Could not even record it (the database went away): leave it stored and unacked.
        log.exception("exchange: package %s could not be set aside", entry.hub_package_id,
                      extra={"event": "exchange.set_aside_failed", "package": entry.hub_package_id})
        return RETRY_LATER
    return SET_ASIDE


def _retry_later(entry: InboxEntry, exc: BaseException) -> bool:
    """Count a passing failure on the entry; False once it has happened too often."""
    log.warning("exchange: package %s not processed this round (%s)", entry.hub_package_id, exc,
                extra={"event": "exchange.retry_later", "package": entry.hub_package_id})
    try:
        entry.refresh_from_db(fields=["attempts"])
        entry.attempts += 1
        workitems.failed(InboxEntry, entry.pk, attempts=entry.attempts, error=str(exc), backoff=INBOX_BACKOFF)
    except (OperationalError, InterfaceError):
        return True  # the database is still away: nothing to count with; the lease runs out, tried again
    return entry.attempts < TRANSIENT_ATTEMPTS


def _error_of(exc: BaseException) -> tuple[str, str]:
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    if not isinstance(code, str) or not code:
        code = "PROCESSING_ERROR_" + exc.__class__.__name__.upper()[:40]
    return code[:60], str(message)[:2000]


def _set_aside(entry: InboxEntry, exc: BaseException) -> None:
    code, message = _error_of(exc)
    if not isinstance(exc, (edxml.EdxmlError, PackageRefusedError)):
        log.exception("exchange: package %s set aside (%s)", entry.hub_package_id, code,
                      extra={"event": "exchange.set_aside", "package": entry.hub_package_id, "error_code": code})
    else:
        log.warning("exchange: package %s set aside (%s: %s)", entry.hub_package_id, code, message,
                    extra={"event": "exchange.set_aside", "package": entry.hub_package_id, "error_code": code})
    with transaction.atomic():
        # Only a stored entry: a second worker that failed on its own must not undo an arrival.
        if not InboxEntry.objects.filter(pk=entry.pk, state=InboxEntry.State.STORED).update(
                state=InboxEntry.State.FAILED, error=f"{code}: {message}", error_code=code,
                attempts=F("attempts") + 1, failed_at=timezone.now(), lease_until=None):
            return
        entry.refresh_from_db()
        record_event(events.PACKAGE_QUARANTINED, actor="system", agency_code=_addressee(entry),
                     object_type="exchange.inboxentry", object_id=str(entry.pk),
                     details={"code": code, "message": message[:500], "hub_id": entry.hub_package_id,
                              "sender": entry.sender_code, "document_id": entry.edxml_document_id,
                              "attempts": entry.attempts})
        # Kept for continuity with the audit actions already recorded by earlier versions.
        if isinstance(exc, edxml.EdxmlError):
            record_event(events.PACKAGE_UNREADABLE, actor="system", object_type="exchange.inboxentry",
                         object_id=str(entry.pk), details={"code": code, "hub_id": entry.hub_package_id})
        _answer_rejected(entry, code, message)


def _addressee(entry: InboxEntry) -> str:
    if entry.addressee_code:
        return entry.addressee_code
    codes = [c for c in entry.recipient_codes or [] if c]
    return str(codes[0])[:13] if codes else ""


def _answer_rejected(entry: InboxEntry, code: str, message: str) -> None:
    """Status 02 (từ chối) back to the sender, where the rules allow it: the package reads as
    a new document (not a status, not a revocation), and the agency it was delivered for is
    served here and can sign. Garbage or a status is never answered (nobody to answer, or a
    status about a status)."""
    if entry.rejection_sent or code == "PACKAGE_TOO_LARGE":
        return  # an oversized package is never read, not even for its header
    try:
        parsed = edxml.parse_package(get_store().get(entry.sha256), strict=False)
    except Exception:  # unreadable: nobody to answer
        return
    pkg = parsed.document
    if parsed.kind != "document" or pkg is None:
        return
    if pkg.business and int(pkg.business.business_doc_type) != int(edxml.BusinessDocType.NEW):
        return
    addressee = _addressee(entry)
    if addressee not in {o.organ_id for o in pkg.to}:
        return  # the hub delivered it for an agency it does not name: do not speak for it
    agency = Agency.objects.filter(code=addressee).first()
    if agency is None or not Membership.objects.filter(agency=agency).exists():
        return

    if trust.credential_for(agency, "system") is None:
        return
    number = pkg.code.code_number
    queue_status(
        # No local document exists: the negative entry id keeps the outbox row apart from
        # every document's own statuses.
        document_id=-entry.pk, sender_code=addressee, recipient_code=pkg.from_.organ_id,
        recipient_name=pkg.from_.organ_name, edxml_document_id=pkg.document_id,
        status_code=edxml.StatusCode.REJECTED.value,
        description=f"Hệ thống nơi nhận không tiếp nhận được gói tin ({code}): {message}"[:4000],
        response_notation=f"{number}/{pkg.code.code_notation}" if number else pkg.code.code_notation,
        response_date=pkg.promulgation_info.promulgation_date)
    InboxEntry.objects.filter(pk=entry.pk).update(rejection_sent=True)
    record_event(events.QUARANTINE_REJECTED, actor="system", agency_code=addressee,
                 object_type="exchange.inboxentry", object_id=str(entry.pk),
                 details={"to": pkg.from_.organ_id, "document_id": pkg.document_id, "status": "02"})


def _local_recipients(pkg: edxml.DocumentPackage) -> list[tuple[Agency, Agency | None]]:
    """Recipients this installation serves (agencies here that have users), each with the
    agency the package named when that one has ended and its successor takes the package
    (`Agency.successor`; one arrival even if the package names both). An ended agency whose
    people still work here (not yet reorganised on this system) keeps receiving its own."""
    codes = [o.organ_id for o in pkg.to]
    named = list(Agency.objects.filter(code__in=codes).select_related("successor"))
    staffed = _staffed([a.pk for a in named])
    targets: dict[int, tuple[Agency, Agency | None]] = {}
    for agency in sorted(named, key=lambda a: a.successor_id is not None):  # the agencies named as they are first
        current = agency if agency.pk in staffed else agency.current()
        if current.pk not in targets:
            targets[current.pk] = (current, None if current.pk == agency.pk else agency)
    served = staffed | _staffed([pk for pk in targets if pk not in staffed])
    return [targets[pk] for pk in targets if pk in served]


def _staffed(agency_ids: list[int]) -> set[int]:
    return set(Membership.objects.filter(agency_id__in=agency_ids).values_list("agency_id", flat=True))


def _redirected_by_hub(pkg: edxml.DocumentPackage, entry: InboxEntry) -> list[tuple[Agency, Agency | None]]:
    """The hub delivered a package for an agency served here that the package does not name:
    taken only when every agency it names has ended in this directory (the hub knew who took
    over before this office did). A package naming an agency unknown here, or one still in
    operation, is refused as before: the hub does not get to re-address documents."""
    agency = Agency.objects.filter(code=entry.addressee_code).first() if entry.addressee_code else None
    if agency is None or not Membership.objects.filter(agency=agency).exists() or not pkg.to:
        return []
    named = {a.code: a for a in Agency.objects.filter(code__in=[o.organ_id for o in pkg.to])}
    if len(named) < len({o.organ_id for o in pkg.to}) or any(a.is_active for a in named.values()):
        return []
    return [(agency, named[pkg.to[0].organ_id])]


def _document(parsed: edxml.ParsedPackage, read: edxml.PackageRead, entry: InboxEntry,
              pdf_outcomes: PdfOutcomes | None, facts: RoundFacts) -> None:
    pkg = parsed.document
    assert pkg is not None
    business = pkg.business.business_doc_type if pkg.business else 0
    recipients = (facts.once(("recipients", *(o.organ_id for o in pkg.to)), lambda: _local_recipients(pkg))
                  or _redirected_by_hub(pkg, entry))
    if not recipients:
        raise PackageRefusedError("RECIPIENT_NOT_SERVED",
                             "Gói tin không gửi cho cơ quan nào do hệ thống này phục vụ (nơi nhận: "
                             + ", ".join(o.organ_id for o in pkg.to) + ").")
    if int(business) == int(edxml.BusinessDocType.REVOKE):
        for agency, named in recipients:
            # The copy may still sit with the agency it was delivered to before a merger.
            for holder in ([agency, named] if named else [agency]):
                receiver().void_revoked(agency=holder, sender_code=pkg.from_.organ_id, external_id=pkg.document_id,
                                      reason=pkg.business.business_doc_reason if pkg.business else "")
        return
    files = [ArrivalFile(a.name, a.read(), a.content_type) for a in parsed.attachments]  # decoded once
    checked = verify_document(parsed, read, pdf_outcomes, facts=facts, contents=[f.data for f in files])
    # Not a duplicate: a document this agency already has is returned by `register_arrival` as it
    # is, and this report is not used (no SELECT a package to ask first).
    report = checked.with_duplicate(False)
    for agency, named in recipients:
        number = pkg.code.code_number
        receiver().register_arrival(Arrival(
            agency=agency, sender_code=pkg.from_.organ_id, sender_name=pkg.from_.organ_name,
            external_id=pkg.document_id, type_name=pkg.document_type.type_name,
            notation=f"{number}/{pkg.code.code_notation}" if number else pkg.code.code_notation,
            number=int(number) if number.isdigit() else None,
            promulgation_date=pkg.promulgation_info.promulgation_date, place=pkg.promulgation_info.place,
            subject=pkg.subject, content=pkg.content,
            signer_name=pkg.signer_info.full_name if pkg.signer_info else "",
            signer_position=pkg.signer_info.position if pkg.signer_info else "",
            signer_competence=pkg.signer_info.competence if pkg.signer_info else "",
            priority=int(pkg.other_info.priority), due_on=pkg.due_date, steering_type=pkg.steering_type or 0,
            sphere=pkg.other_info.sphere_of_promulgation, paper_copy=bool(pkg.business and pkg.business.paper),
            files=files, package_sha256=entry.sha256, verification=_with_addressee(report.as_dict(), named),
            responds_to=[(rf.organ_id, rf.document_id) for rf in pkg.response_for]))


def _with_addressee(verification: dict[str, Any], named: Agency | None) -> dict[str, Any]:
    """Say on the arrival which ended agency the package named, when its successor took it."""
    if named is None:
        return verification
    return {**verification, "addressed_to": {"code": named.code, "name": named.name}}


def _staff(status: edxml.StatusPackage) -> dict[str, str]:
    info = status.staff_info
    if info is None:
        return {}
    contact = " · ".join(v for v in (info.email.strip(), info.mobile.strip()) if v)
    return {"staff": info.staff.strip()[:200], "staff_department": info.department.strip()[:200],
            "staff_contact": contact[:320]}


def _status(parsed: edxml.ParsedPackage) -> None:
    status = parsed.status
    assert status is not None
    rf = status.response_for
    doc = receiver().outgoing_document(agency_code=rf.organ_id, identifier_code=rf.document_id)
    if doc is None:
        log.warning("exchange: status %s for unknown document %s", status.status_code, rf.document_id,
                    extra={"event": "exchange.status_unknown_document", "status": status.status_code,
                           "document_id": rf.document_id})
        return
    sender = status.from_
    _, created = DeliveryStatus.objects.get_or_create(
        document_id=doc.pk, recipient_code=sender.organ_id, status_code=str(status.status_code),
        status_at=status.timestamp,
        defaults={"recipient_name": sender.organ_name, "description": status.description, **_staff(status)})
    if created:
        record_event(events.STATUS_RECEIVED, actor="system", agency_code=doc.agency_code,
                     object_type="documents.document", object_id=str(doc.pk),
                     details={"from": sender.organ_id, "status": str(status.status_code),
                              "description": status.description})
