"""A round that ends with rows it may not take yet asks for one more round when the first of
them falls free: a worker killed mid-batch delays its rows by their lease, not by the lease and
then the wait for the minute's sweep (`test_worker_kill` took ~73 s instead of ~15 in some runs
for that wait)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b
from vanban.documents.models import Document
from vanban.exchange import inbound, tasks
from vanban.exchange.models import HubConnection, InboxEntry, OutboxEntry
from vanban.exchange.services import send_pending
from vanban.hub.models import Package
from vanban.jobs import WAKE_MARGIN

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def queued(huey: Any, job: str) -> list[Any]:
    """The jobs named `job` waiting in the queue (Huey keeps a delayed one with its start, `eta`)."""
    return [t for t in huey.pending() if t.name == job]


def naive_utc(when: datetime) -> datetime:
    """Huey's `eta`: naive, in UTC."""
    return when.astimezone(UTC).replace(tzinfo=None)


def test_rows_a_killed_worker_held_are_sent_once_its_lease_runs_out(province: Province, real_queue: Any) -> None:
    p = province
    HubConnection.objects.update(is_active=False)  # issue, send nothing
    doc = issue_to_b(p)
    HubConnection.objects.update(is_active=True)
    held = timezone.now() + timedelta(seconds=30)
    OutboxEntry.objects.filter(document_id=doc.pk).update(lease_until=held)  # its worker was killed holding it

    assert tasks.send_outbox_now.call_local() == 0  # held: not sent
    [wake] = queued(real_queue, "send_outbox_when_free")
    assert naive_utc(held) < wake.eta <= naive_utc(held + timedelta(seconds=WAKE_MARGIN + 1))
    assert tasks.send_outbox_now.call_local() == 0  # another wake-up meanwhile: still one waiting
    assert len(queued(real_queue, "send_outbox_when_free")) == 1

    OutboxEntry.objects.filter(document_id=doc.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert tasks.send_outbox_when_free.call_local(*wake.args) == 1  # that job's start: the lease has run out
    row = OutboxEntry.objects.get(document_id=doc.pk)
    assert (row.state, row.lease_until) == ("sent", None)
    assert Package.objects.filter(document_id=doc.identifier_code, kind="document").count() == 1
    # Nothing is held any more: it asked for no further round (its key was claimed, so it could).
    assert len(queued(real_queue, "send_outbox_when_free")) == 1


def test_a_row_waiting_after_a_failure_is_tried_when_its_wait_ends(province: Province, real_queue: Any) -> None:
    p = province
    HubConnection.objects.update(is_active=False)
    doc = issue_to_b(p)
    HubConnection.objects.update(is_active=True)
    retry = timezone.now() + timedelta(seconds=45)
    OutboxEntry.objects.filter(document_id=doc.pk).update(state="failed", attempts=1, next_attempt_at=retry)
    assert tasks.send_outbox_now.call_local() == 0
    [wake] = queued(real_queue, "send_outbox_when_free")
    assert naive_utc(retry) < wake.eta <= naive_utc(retry + timedelta(seconds=WAKE_MARGIN + 1))


def test_entries_a_killed_worker_held_are_taken_in_once_its_lease_runs_out(
        province: Province, real_queue: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    p = province
    doc = issue_to_b(p)  # the queue is not inline here: issuing sent nothing
    assert send_pending() == 1
    with monkeypatch.context() as m:
        m.setattr(inbound, "claim_stored", lambda entries: set())  # another worker got there first
        inbound.poll()
    entry = InboxEntry.objects.get(edxml_document_id=doc.identifier_code)
    held = timezone.now() + timedelta(seconds=30)
    InboxEntry.objects.filter(pk=entry.pk).update(lease_until=held)  # and was killed holding it

    assert tasks.poll_inbox_now.call_local() == 0
    entry.refresh_from_db()
    assert (entry.state, entry.acked_at) == ("stored", None)
    [wake] = queued(real_queue, "poll_inbox_when_free")
    assert naive_utc(held) < wake.eta <= naive_utc(held + timedelta(seconds=WAKE_MARGIN + 1))

    InboxEntry.objects.filter(pk=entry.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    tasks.poll_inbox_when_free.call_local(*wake.args)
    entry.refresh_from_db()
    assert entry.state == "processed" and entry.acked_at is not None
    assert Document.objects.filter(agency=p.b, external_id=doc.identifier_code).count() == 1
    assert len(queued(real_queue, "poll_inbox_when_free")) == 1


def test_with_the_inline_queue_of_tests_a_held_row_asks_for_nothing(province: Province) -> None:
    """Inline, the asked-for round would run at once, find the row still held and ask again:
    the round ends instead (the minute's sweep is the fallback there)."""
    p = province
    HubConnection.objects.update(is_active=False)
    doc = issue_to_b(p)
    HubConnection.objects.update(is_active=True)
    OutboxEntry.objects.filter(document_id=doc.pk).update(lease_until=timezone.now() + timedelta(seconds=30))
    assert tasks.send_outbox_now.call_local() == 0
    assert OutboxEntry.objects.get(document_id=doc.pk).state == "pending"
