"""Durable work items (vanban.jobs.workitems) on the office's outbox rows: a claimed row is
nobody else's until its lease runs out, two workers claiming at once get different rows, a
failure waits with jitter but never longer than the plain doubling."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.exchange.test_statuses_first import _row
from vanban.exchange.models import OutboxEntry
from vanban.exchange.services import claim_due, due_rows
from vanban.jobs import workitems


@pytest.mark.unit
def test_backoff_doubles_to_its_cap_and_jitters_below_it() -> None:
    backoff = workitems.Backoff(30, 3600)
    assert [backoff.wait(n) for n in (1, 2, 3, 7, 8, 500)] == [30, 60, 120, 1920, 3600, 3600]
    assert backoff.delay(3, draw=0.0) == timedelta(seconds=120)
    assert backoff.delay(3, draw=1.0) == timedelta(seconds=96)
    drawn = {backoff.delay(3).total_seconds() for _ in range(200)}
    assert all(96 <= d <= 120 for d in drawn) and len(drawn) > 100  # spread, not one value


@pytest.mark.django_db
def test_a_claimed_row_is_nobody_elses_until_its_lease_runs_out() -> None:
    rows = [_row(n, "document") for n in range(1, 6)]
    status = _row(9, "status", status_code="01")
    first = workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=3)
    assert first == [status.pk, rows[0].pk, rows[1].pk]  # in the outbox's order: statuses first
    second = workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=10)
    assert second == [r.pk for r in rows[2:]]
    assert workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=10) == []
    # A worker killed with rows in hand: once the lease is over, they are due for others.
    OutboxEntry.objects.filter(pk=rows[0].pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert [r.pk for r in claim_due(10)] == [rows[0].pk]


@pytest.mark.django_db
def test_success_and_failure_release_the_row() -> None:
    row = _row(1, "document")
    workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=1)
    when = workitems.failed(OutboxEntry, row.pk, attempts=1, error="HTTP 503 " + "x" * 3000,
                            backoff=workitems.Backoff(10, 100), state=OutboxEntry.State.FAILED)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.lease_until, len(row.last_error)) == ("failed", 1, None, 2000)
    assert row.next_attempt_at == when and 8 <= (when - timezone.now()).total_seconds() <= 10
    assert workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=1) == []  # not due yet
    OutboxEntry.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=1) == [row.pk]
    workitems.succeeded(OutboxEntry, row.pk, state=OutboxEntry.State.SENT, attempts=2)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.lease_until, row.last_error) == ("sent", 2, None, "")


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_get_different_rows() -> None:
    rows = {_row(n, "document").pk for n in range(1, 41)}
    start = threading.Barrier(4)
    taken: list[list[int]] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            start.wait(10)
            got = []
            while batch := workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=3):
                got.extend(batch)
            with lock:
                taken.append(got)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    everything = [pk for got in taken for pk in got]
    assert len(taken) == 4
    assert sorted(everything) == sorted(rows)  # every row once: none twice, none lost
    if connection.vendor == "postgresql":
        assert sum(1 for got in taken if got) >= 2  # SKIP LOCKED: workers really share the rows


@pytest.mark.django_db
def test_next_free_is_when_the_first_held_or_waiting_row_can_be_taken() -> None:
    from vanban.exchange.services import next_sendable

    rows = [_row(n, "document") for n in range(1, 5)]
    assert next_sendable() is None  # every row can be taken now
    now = timezone.now()
    OutboxEntry.objects.filter(pk=rows[0].pk).update(lease_until=now + timedelta(seconds=40))  # held
    OutboxEntry.objects.filter(pk=rows[1].pk).update(state="failed", next_attempt_at=now + timedelta(seconds=25))
    OutboxEntry.objects.filter(pk=rows[2].pk).update(lease_until=now - timedelta(seconds=5))  # ran out: free
    assert next_sendable() == now + timedelta(seconds=25)
    OutboxEntry.objects.filter(pk=rows[1].pk).update(state="sent")  # sent rows are nobody's concern
    assert next_sendable() == now + timedelta(seconds=40)
    assert workitems.next_free(OutboxEntry.objects.filter(pk=rows[3].pk)) is None
