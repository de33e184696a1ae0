"""A worker killed with SIGKILL in the middle of submitting, and restarted: every package
reaches the hub exactly once and every document arrives exactly once."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b
from tests.hub.live_hubs import wait_until
from tests.live import child_env, vanban
from vanban.documents.models import Document
from vanban.exchange import inbound
from vanban.exchange.models import HubConnection, OutboxEntry
from vanban.hub.models import Package

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
DOCUMENTS = 12


def sent() -> int:
    """Documents sent. B answers with statuses from the same install, and statuses go first."""
    return OutboxEntry.objects.filter(state="sent", kind="document").count()


def test_sigkill_during_submission_delivers_each_package_once(province: Province, tmp_path: Path) -> None:
    p = province
    HubConnection.objects.update(is_active=False)  # issue everything first, send nothing yet
    docs = [issue_to_b(p) for _ in range(DOCUMENTS)]
    assert OutboxEntry.objects.filter(state="pending", kind="document").count() == DOCUMENTS
    HubConnection.objects.update(is_active=True)

    # Small batches, so the worker is killed between batches and in the middle of one. The leases
    # are the default 60 s: what a killed worker held (its batch, the arrivals for B it had claimed:
    # the same installation receives) is taken back by the next worker, or by this process's
    # polls below, at once (jobs.holders), not when the lease runs out.
    env = child_env(VANBAN_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}", VANBAN_EXCHANGE_BATCH_SIZE="2")
    held_at_kill: dict[int, datetime] = {}  # outbox row → the lease the killed worker had on it
    kills = 0
    deadline = time.monotonic() + 240
    while sent() < DOCUMENTS and time.monotonic() < deadline:
        before = sent()
        worker = vanban("worker", "--workers", "1", env=env, log=tmp_path / f"worker{kills}.log")
        try:
            # Kill once this worker has moved a few rows: it is mid-way through the rest, and each
            # restart (a process start of a few seconds) still leaves rows for the next one.
            while sent() < min(before + 3, DOCUMENTS) and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:  # also when the loop fails: a worker left running would outlive the test's database
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        kills += 1
        held_at_kill.update(OutboxEntry.objects.filter(lease_until__gt=timezone.now(),
                                                       lease_holder__contains=f"/{worker.pid}/")
                            .values_list("pk", "lease_until"))
    print(f"rows held by a killed worker: {len(held_at_kill)}")
    assert sent() == DOCUMENTS, (tmp_path / f"worker{kills - 1}.log").read_text()[-2000:]
    assert kills >= 2
    # Whatever a killed worker held was sent before that lease ran out. (A kill between two batches
    # holds nothing; each kill comes right after a batch was marked sent, when the next is claimed.)
    assert held_at_kill, "no kill caught the worker holding rows: nothing was taken back"
    sent_at = dict(OutboxEntry.objects.filter(pk__in=held_at_kill).values_list("pk", "sent_at"))
    assert all(sent_at[pk] is not None and sent_at[pk] < until for pk, until in held_at_kill.items()), \
        (held_at_kill, sent_at)

    ids = [d.identifier_code for d in docs]
    at_hub = list(Package.objects.filter(document_id__in=ids, kind="document").values_list("document_id", flat=True))
    assert sorted(at_hub) == sorted(ids)  # each exactly once, however often it was submitted

    def arrived() -> list[str]:
        return sorted(Document.objects.filter(agency=p.b, direction="incoming").values_list("external_id", flat=True))

    def all_arrived() -> bool:
        inbound.poll()
        return len(arrived()) >= DOCUMENTS

    wait_until(all_arrived, "every document at B (a killed worker's claims taken back at once)", timeout=50)
    assert arrived() == sorted(ids)  # each exactly once


def test_rows_a_killed_worker_held_are_sent_when_its_lease_runs_out_with_no_sweep(
        province: Province, tmp_path: Path) -> None:
    """The next worker's first round finds the killed worker's rows held and asks the queue for
    a round at the end of their lease. Periodic jobs are off (`--no-periodic`): before
    07/12/2026 only the minute's sweep took such rows up, and this test timed out."""
    from datetime import timedelta

    from huey import SqliteHuey

    from vanban.exchange.tasks import send_outbox_now
    from vanban.jobs import EXCHANGE_PRIORITY, queue

    p = province
    HubConnection.objects.update(is_active=False)
    doc = issue_to_b(p)
    HubConnection.objects.update(is_active=True)
    # Held well past the worker's start (a few seconds of imports), so its first round finds it held.
    OutboxEntry.objects.filter(document_id=doc.pk).update(lease_until=timezone.now() + timedelta(seconds=8))
    path = tmp_path / "queue.sqlite3"
    SqliteHuey("vanban", filename=str(path)).storage.enqueue(  # the wake-up an issue queues
        queue().serialize_task(send_outbox_now.s()), EXCHANGE_PRIORITY)
    log = tmp_path / "worker.log"
    worker = vanban("worker", "--no-periodic", env=child_env(VANBAN_QUEUE_URL=f"sqlite:///{path}"), log=log)
    asked_for_round_done = "job exchange.tasks.send_outbox_when_free done"  # logged when its rounds end

    def sent_by_the_asked_for_round() -> bool:
        return asked_for_round_done in log.read_text() or worker.poll() is not None

    try:
        wait_until(sent_by_the_asked_for_round, "the held row sent after its lease, with no sweep", timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    text = log.read_text()
    assert asked_for_round_done in text, text[-3000:]
    assert OutboxEntry.objects.get(document_id=doc.pk).state == "sent", text[-3000:]
    assert Package.objects.filter(document_id=doc.identifier_code, kind="document").count() == 1
