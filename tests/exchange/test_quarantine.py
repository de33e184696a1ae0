"""Poison packages set aside: every received package is processed on its own.

Broken packages of every kind reach agency B's inbox through the live hub (real HTTP) —
a self-signed certificate, an unknown signer, garbage, an oversized package, a wrong
recipient, and one whose processing crashes — and the good package sent after them still
arrives. Each broken one is failed with its code, audited, shown to B's clerk, answered with
status 02 where it can be, and can be retried or discarded.
"""

from __future__ import annotations

import os
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b, statuses
from tests.hub.packages import document, make_identity
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document
from vanban.exchange import inbound, quarantine
from vanban.exchange.models import InboxEntry, OutboxEntry
from vanban.hub import blobs
from vanban.hub import services as hub
from vanban.hub.models import Delivery, Endpoint, Package

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROGUE = "000.00.05.H16"  # an agency whose system registered a self-signed certificate at the hub


def deliver_raw(p: Province, data: bytes, *, to: str, sender: str = "000.00.09.H16") -> str:
    """Put bytes in B's hub inbox as a misbehaving hub upstream could (the hub's own intake
    would refuse them): a Package and a Delivery row naming the blob."""
    received = blobs.receive_bytes(data)
    blobs.commit(received)
    package = Package.objects.create(kind="document", sender_code=sender, document_id=f"raw-{uuid.uuid4()}",
                                     recipients=[to], sha256=received.sha256, size=received.size,
                                     received_at=timezone.now())
    Delivery.objects.create(package=package, endpoint=Endpoint.objects.get(name="qlvb-tinh"), agency_code=to,
                            created_at=timezone.now())
    return str(package.pk)


def entry_of(hub_id: str) -> InboxEntry:
    return InboxEntry.objects.get(hub_package_id=hub_id)


def test_broken_packages_are_set_aside_and_later_good_ones_arrive(
        province: Province, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.factories import make_agency

    p = province
    monkeypatch.setenv("VANBAN_EXCHANGE_MAX_PACKAGE_MB", "1")
    # 1. Bad certificate: a system registered at the hub with a self-signed certificate.
    make_agency(ROGUE, "Sở Thử nghiệm")
    rogue = make_identity(ROGUE, "Tự ký")
    _, rogue_token = hub.create_endpoint(name="tu-ky", codes=[ROGUE], cert_pem=rogue.cert_pem(), actor="test")
    from vanban.hubclient import HubClient

    bad_cert = HubClient(p.hub_url, rogue_token).submit(document(rogue, p.b.code)[0]).id
    # 2. Unknown signer: a sender nobody here knows, signed by a key nobody trusts.
    unknown_signer = deliver_raw(p, document(make_identity("000.00.09.H16"), p.b.code)[0], to=p.b.code)
    # 3. Garbage.
    garbage = deliver_raw(p, b"\x00\x01 day khong phai edXML <<<", to=p.b.code)
    # 4. Oversized for this office (VANBAN_EXCHANGE_MAX_PACKAGE_MB=1), fine for the hub.
    big, big_id = document(rogue, p.b.code, attachment=b"%PDF-1.4\n" + os.urandom(1024 * 1024 + 10))
    oversized = HubClient(p.hub_url, rogue_token).submit(big).id
    # 5. Wrong recipient: delivered for B, addressed to an agency of another province.
    wrong = deliver_raw(p, document(rogue, "000.00.00.G22")[0], to=p.b.code)
    # 6. A crash while processing (any exception, not only edXML errors): a real document of A.
    crashing: set[str] = set()
    real_verify = inbound.verify_document

    def verify(parsed, data, outcomes=None, **kwargs):  # stands in for a bug
        if parsed.document.document_id in crashing:
            raise RuntimeError("lỗi bất ngờ khi kiểm tra")
        return real_verify(parsed, data, outcomes, **kwargs)

    monkeypatch.setattr(inbound, "verify_document", verify)
    monkeypatch.setattr("vanban.exchange.services._wake_sender", lambda: None)  # we poll by hand
    first = issue_to_b(p)
    crashing.add(first.identifier_code)
    from vanban.exchange.services import send_pending

    assert send_pending() == 1
    # The good one, sent last: it must arrive in the same round as all the broken ones.
    good = issue_to_b(p)
    assert send_pending() == 1

    inbound.poll()

    arrived = Document.objects.filter(agency=p.b, direction="incoming")
    assert list(arrived.values_list("external_id", flat=True)) == [good.identifier_code]
    codes = {hub_id: entry_of(hub_id).error_code for hub_id in (unknown_signer, garbage, oversized, wrong)}
    assert codes[oversized] == "PACKAGE_TOO_LARGE"
    assert codes[wrong] == "RECIPIENT_NOT_SERVED"
    assert codes[garbage].startswith("EDXML_")
    crashed = InboxEntry.objects.get(edxml_document_id=first.identifier_code)
    assert (crashed.state, crashed.error_code) == ("failed", "PROCESSING_ERROR_RUNTIMEERROR")
    assert "lỗi bất ngờ" in crashed.error
    # A self-signed or unknown signer is either set aside or arrives flagged: never "valid".
    for hub_id in (bad_cert, unknown_signer):
        entry = entry_of(hub_id)
        if entry.state == "processed":
            doc = Document.objects.get(agency=p.b, external_id=entry.edxml_document_id)
            assert doc.incoming.verification["integrity_ok"] is False
        else:
            assert entry.state == "failed" and entry.error_code, entry.error
    # Everything was acked: the hub inbox is empty, nothing stalls the next round.
    assert InboxEntry.objects.filter(acked_at__isnull=True).count() == 0
    assert p.client.inbox() == [] or all(i["to"] != p.b.code for i in p.client.inbox())
    failed = InboxEntry.objects.filter(state="failed")
    assert {e.addressee_code for e in failed} == {p.b.code}
    events = AuditEvent.objects.filter(action="exchange.package_quarantined")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(e.pk) for e in failed)
    assert all(e.agency_code == p.b.code for e in events)

    # Status 02 where the rules allow: the crashed document of A (readable, B can sign); the
    # oversized one is never read, garbage has nobody to answer, the wrong recipient is not B's.
    rejected = OutboxEntry.objects.filter(kind="status", status_code="02")
    assert set(rejected.values_list("edxml_document_id", flat=True)) >= {first.identifier_code}
    assert not rejected.filter(edxml_document_id__startswith="raw-").exists()
    assert crashed.rejection_sent is True
    assert send_pending() >= 1
    inbound.poll()
    assert "02" in statuses(first)
    assert big_id not in set(rejected.values_list("edxml_document_id", flat=True))  # never read

    # A later good package still arrives in the next round, the broken ones are not tried again.
    attempts = dict(InboxEntry.objects.filter(state="failed").values_list("pk", "attempts"))
    later = issue_to_b(p)
    send_pending()
    inbound.poll()
    assert arrived.filter(external_id=later.identifier_code).exists()
    assert dict(InboxEntry.objects.filter(state="failed").values_list("pk", "attempts")) == attempts

    # The clerk retries the crashed one once the bug is gone: it arrives.
    crashing.clear()
    retried = quarantine.retry(actor=p.b_clerk, agency=p.b, entry=crashed)
    assert retried.state == "processed", retried.error
    assert arrived.filter(external_id=first.identifier_code).exists()
    assert AuditEvent.objects.filter(action="exchange.quarantine_retried", object_id=str(crashed.pk)).count() == 1
    # Retrying garbage leaves it failed, with one more attempt; discarding settles it.
    junk = entry_of(garbage)
    tried = junk.attempts
    again = quarantine.retry(actor=p.b_clerk, agency=p.b, entry=junk)
    assert (again.state, again.attempts) == ("failed", tried + 1)
    with pytest.raises(quarantine.QuarantineError):
        quarantine.discard(actor=p.b_clerk, agency=p.b, entry=again, reason="  ")
    gone = quarantine.discard(actor=p.b_clerk, agency=p.b, entry=again, reason="Gói tin rác")
    assert (gone.state, gone.settled_by) == ("discarded", p.b_clerk.username)
    event = AuditEvent.objects.get(action="exchange.quarantine_discarded", object_id=str(junk.pk))
    assert event.details["reason"] == "Gói tin rác"


def test_quarantine_page_for_the_clerk_only(province: Province) -> None:
    p = province
    garbage = deliver_raw(p, b"not xml at all", to=p.b.code)
    inbound.poll()
    entry = entry_of(garbage)
    assert entry.state == "failed"
    clerk = Client()
    clerk.force_login(p.b_clerk)
    page = clerk.get(reverse("exchange_quarantine"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Gói tin nhận về bị cách ly" in text and entry.error_code in text
    # Not a clerk of B: refused, and nothing changes.
    specialist = Client()
    specialist.force_login(p.b_specialist)
    assert specialist.get(reverse("exchange_quarantine")).status_code == 403
    assert specialist.post(reverse("exchange_quarantine_discard", args=[entry.pk]),
                           {"reason": "x"}).status_code == 403
    # A's clerk does not see B's entry, and cannot act on it (404, as for an unknown id).
    a_clerk = Client()
    a_clerk.force_login(p.a.clerk)
    assert entry.error_code not in a_clerk.get(reverse("exchange_quarantine")).content.decode()
    assert a_clerk.post(reverse("exchange_quarantine_retry", args=[entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert (entry.state, entry.attempts) == ("failed", 1)
    # B's clerk discards it from the page.
    answer = clerk.post(reverse("exchange_quarantine_discard", args=[entry.pk]), {"reason": "Không phải edXML"})
    assert answer.status_code == 302
    entry.refresh_from_db()
    assert entry.state == "discarded"
    assert "Không có gói tin nào bị cách ly" in clerk.get(reverse("exchange_quarantine")).content.decode()


def test_an_unexpected_error_in_one_entry_does_not_stop_the_batch(province: Province,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The poller's own loop: a crash before processing (reading the blob) fails that entry only."""
    p = province
    monkeypatch.setattr("vanban.exchange.services._wake_sender", lambda: None)
    broken = deliver_raw(p, b"<x/>", to=p.b.code)
    good = issue_to_b(p)
    from vanban.exchange.services import send_pending

    send_pending()
    real_get = inbound.get_store

    class Store:
        def __init__(self) -> None:
            self.inner = real_get()

        def put(self, data: bytes) -> str:
            return self.inner.put(data)

        def get(self, sha: str) -> bytes:
            if sha == Package.objects.get(pk=broken).sha256:
                raise OSError("đĩa lỗi")
            return self.inner.get(sha)

    monkeypatch.setattr(inbound, "get_store", Store)
    inbound.poll()
    assert entry_of(broken).error_code == "PROCESSING_ERROR_OSERROR"
    assert Document.objects.filter(agency=p.b, external_id=good.identifier_code).exists()


def test_status_02_is_not_sent_for_a_revocation(province: Province) -> None:
    p = province
    ident = make_identity(p.a.agency.code)
    pkg, _ = document(ident, p.b.code, business=1)
    revoke = deliver_raw(p, pkg, to=p.b.code, sender=p.a.agency.code)
    inbound.poll()
    # A revocation of an unknown document: processed or set aside, but never answered with 02.
    assert not OutboxEntry.objects.filter(kind="status", status_code="02",
                                          document_id=-entry_of(revoke).pk).exists()


def test_a_passing_database_error_leaves_the_entry_for_the_next_round(province: Province,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from vanban.exchange.services import send_pending

    p = province
    monkeypatch.setattr("vanban.exchange.services._wake_sender", lambda: None)
    doc = issue_to_b(p)
    send_pending()
    real_verify = inbound.verify_document
    failures = iter([OperationalError("database is locked")])

    def verify(parsed, data, outcomes=None, **kwargs):  # the first call meets a locked database
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real_verify(parsed, data, outcomes, **kwargs)

    monkeypatch.setattr(inbound, "verify_document", verify)
    before = timezone.now()
    inbound.poll()
    entry = InboxEntry.objects.get(edxml_document_id=doc.identifier_code)
    assert (entry.state, entry.acked_at, entry.attempts, entry.lease_until) == ("stored", None, 1, None)
    assert "database is locked" in entry.last_error
    assert before < entry.next_attempt_at <= timezone.now() + inbound.INBOX_BACKOFF.delay(1, draw=0)
    inbound.poll()  # listed again by the hub (not acked), but its backoff is not over: left alone
    entry.refresh_from_db()
    assert (entry.state, entry.acked_at, entry.attempts) == ("stored", None, 1)
    InboxEntry.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())  # the backoff is over
    inbound.poll()  # this time it arrives
    entry.refresh_from_db()
    assert entry.state == "processed" and entry.acked_at is not None
    assert (entry.lease_until, entry.last_error) == (None, "")
    assert Document.objects.filter(agency=p.b, external_id=doc.identifier_code).exists()
    assert not AuditEvent.objects.filter(action="exchange.package_quarantined").exists()


def test_an_entry_another_worker_holds_is_left_to_it_until_its_lease_runs_out(
        province: Province, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers polling at once: what one has claimed, the other neither takes in nor acks
    (the hub keeps it listed); a worker killed while holding it only delays it by the lease."""
    from datetime import timedelta

    from vanban.exchange.services import send_pending

    p = province
    monkeypatch.setattr("vanban.exchange.services._wake_sender", lambda: None)
    doc = issue_to_b(p)
    send_pending()
    with monkeypatch.context() as m:
        m.setattr(inbound, "claim_stored", lambda entries: set())  # the other worker got there first
        inbound.poll()  # stored here, but held elsewhere: not taken in, not acked
    entry = InboxEntry.objects.get(edxml_document_id=doc.identifier_code)
    assert (entry.state, entry.acked_at) == ("stored", None)
    assert not Document.objects.filter(agency=p.b, external_id=doc.identifier_code).exists()
    held = timezone.now() + timedelta(seconds=30)
    InboxEntry.objects.filter(pk=entry.pk).update(lease_until=held)  # that worker was killed holding it
    inbound.poll()
    entry.refresh_from_db()
    assert (entry.state, entry.acked_at, entry.lease_until) == ("stored", None, held)
    assert not Document.objects.filter(agency=p.b, external_id=doc.identifier_code).exists()
    InboxEntry.objects.filter(pk=entry.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # ran out
    inbound.poll()
    entry.refresh_from_db()
    assert entry.state == "processed" and entry.acked_at is not None and entry.lease_until is None
    assert Document.objects.filter(agency=p.b, external_id=doc.identifier_code).count() == 1


def test_a_claimed_arrival_is_held_for_the_configured_lease(settings) -> None:
    """VANBAN_EXCHANGE_INBOX_LEASE_SECONDS: how long a killed worker's arrivals wait; a claimed
    entry is not claimed again while it is held, and is again once it ran out."""
    from datetime import timedelta

    entries = [InboxEntry.objects.create(hub_package_id=str(uuid.uuid4()), kind="document", sha256="0" * 64)
               for _ in range(2)]
    for seconds in (60, 7):
        settings.VANBAN_EXCHANGE_INBOX_LEASE_SECONDS = seconds
        InboxEntry.objects.update(lease_until=None)
        before = timezone.now()
        assert inbound.claim_stored(entries) == {e.pk for e in entries}
        after = timezone.now()
        for until in InboxEntry.objects.values_list("lease_until", flat=True):
            assert before + timedelta(seconds=seconds) <= until <= after + timedelta(seconds=seconds)
        assert inbound.claim_stored(entries) == set()  # held: a second worker leaves them
    InboxEntry.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert inbound.claim_stored(entries) == {e.pk for e in entries}
