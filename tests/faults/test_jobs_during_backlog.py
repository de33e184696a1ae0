"""Upkeep jobs keep running while the worker drains an exchange backlog; indexing follows it.

Under a backlog the exchange's sending round and polling round each loop in a worker thread
until the backlog is gone (vanban.exchange.tasks.Coalesced). With only two threads, every
other job waited for the end of the drain: the audit sequencer (events unsealed, so
unprotected, for the whole drain — minutes for a large backlog) and the heartbeat. `vanban
worker` now runs a third thread by default (vanban.jobs.config.WORKER_THREADS), while indexing
an arrival waits for the end of a long drain (vanban.jobs.drains), so it does not slow the
statuses going back. This test drains a backlog from A through a live hub to B with one
default worker for both offices, and watches: an audit event recorded by the drain must be
sealed, and a heartbeat asked for a fifth of the way in must be recorded, before half the
statuses 01 are back; after the drain every arrival is indexed. With `--workers 2` it fails.

N: VANBAN_BACKLOG_PACKAGES (default 120).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.exchange.test_exchange_flow import issue_to_b
from tests.faults.harness import (
    Proc,
    Province,
    Wake,
    enrol,
    hub_process,
    issue_many,
    progress,
    skip_on_sqlite_by_default,
    start_hub,
    status_latency,
    steady_rate,
    until,
)
from tests.hub.live_hubs import LiveHub
from tests.live import child_env
from tests.office_fixtures import Office
from vanban.agencies.models import Agency
from vanban.audit.models import AuditEvent
from vanban.audit.seal import seal_pending
from vanban.exchange.models import HubConnection
from vanban.jobs.models import Heartbeat
from vanban.jobs.tasks import heartbeat_now
from vanban.search.models import SearchEntry

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PACKAGES = int(os.environ.get("VANBAN_BACKLOG_PACKAGES", "120"))
WORKER_ARGS = os.environ.get("VANBAN_BACKLOG_WORKER_ARGS", "").split()  # e.g. "--workers 2", to see it fail


def test_upkeep_runs_during_a_drain_and_indexing_follows_it(signing_office: Office, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    skip_on_sqlite_by_default()
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    a = signing_office
    b = Agency.objects.get(code="000.00.02.H16")
    hub = LiveHub(tmp_path / "hub", "truc-tinh")
    hub_proc = hub_process(hub)
    queue = tmp_path / "queue.sqlite3"
    worker = Proc(["worker", *WORKER_ARGS], child_env(VANBAN_QUEUE_URL=f"sqlite:///{queue}"), tmp_path / "worker.log")
    try:
        enrol(hub, a, b)
        issue_many(issue_to_b(Province(a, b)), PACKAGES - 1)
        seal_pending()  # the chain so far: whatever is sealed later was recorded during the drain
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        assert not SearchEntry.objects.filter(document__agency=b).exists()
        HubConnection.objects.update(is_active=True)

        wake = Wake(queue)
        wake.huey._registry.register(heartbeat_now.task_class)
        start_hub(hub_proc, hub)
        worker.start()
        wake()
        seen: dict[str, dict[str, int]] = {}
        beats: list[int] = []

        def drained() -> bool:
            now = progress(b)
            if "sealed" not in seen and AuditEvent.objects.filter(pk__gt=before, hash__isnull=False).exists():
                seen["sealed"] = now
            if "asked" not in seen and now["arrived"] >= PACKAGES // 5:  # well into the drain
                seen["asked"] = now
                beats.append(Heartbeat.objects.count())  # the worker's own beats before it
                wake.huey.enqueue(heartbeat_now.s())  # the operator's button, mid-drain
            if "asked" in seen and "beat" not in seen and Heartbeat.objects.count() > beats[0]:
                seen["beat"] = now
            return now["arrived"] == PACKAGES and now["statuses_back"] >= PACKAGES

        until(drained, f"the drain: {progress(b)}\n--- worker\n{worker.tail()}\n--- hub\n{hub_proc.tail()}",
              timeout=max(180, PACKAGES * 0.5), on_wait=wake)
        print(f"\njobs during a backlog of {PACKAGES}: first seal at {seen.get('sealed')}, heartbeat asked at "
              f"{seen.get('asked')}, done at {seen.get('beat')}; {steady_rate(PACKAGES)}; {status_latency(b.code)}")
        assert AuditEvent.objects.filter(pk__gt=before).exists(), "the drain recorded no audit event"
        for job in ("sealed", "beat"):
            assert job in seen and seen[job]["statuses_back"] < PACKAGES // 2, (
                f"{job} only after the drain: {seen.get(job)}\n{worker.tail()}")
        # The arrivals waited for the drain (vanban.jobs.drains), then one sweep indexed them all.
        until(lambda: SearchEntry.objects.filter(document__agency=b).count() == PACKAGES,
              f"every arrival indexed after the drain\n{worker.tail()}", timeout=120)
        # Hundreds of jobs ran; none left its return value in the queue (only the wake-up keys
        # of enqueue_once may be there, waiting for their job).
        with sqlite3.connect(queue) as db:
            kept = [k for (k,) in db.execute("SELECT key FROM kv") if not k.startswith("vanban.once.")]
        assert kept == [], f"{len(kept)} job results kept in the queue"
    finally:
        worker.stop()
        hub_proc.stop()
        hub.destroy()
