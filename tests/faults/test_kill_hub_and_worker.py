"""N documents from agency A to agency B through a hub, while the office worker (`vanban worker`)
and the hub server (`vanban serve`, its own database) are SIGKILLed at random moments and
restarted: every document reaches the hub exactly once, arrives at B exactly once, and B's
status 01 (arrived) comes back to A for every one of them.

N: VANBAN_FAULT_PACKAGES (default 100 for `make test` on a laptop; `.ci/run` sets 150, `make faults` 10 000).
Kills: VANBAN_FAULT_KILLS (default 6), at points of the run drawn from VANBAN_FAULT_SEED (printed).
"""

from __future__ import annotations

import os
import random
import time
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from tests.exchange.test_exchange_flow import issue_to_b
from tests.faults.cpu import CpuMeter
from tests.faults.harness import (
    Proc,
    Province,
    Wake,
    drain_timeline,
    enrol,
    hub_process,
    hub_sql,
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
from vanban.documents.models import Document
from vanban.exchange.models import DeliveryStatus, HubConnection, InboxEntry, OutboxEntry

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PACKAGES = int(os.environ.get("VANBAN_FAULT_PACKAGES", "100"))
KILLS = int(os.environ.get("VANBAN_FAULT_KILLS", "6"))
SEED = int(os.environ.get("VANBAN_FAULT_SEED", str(int(time.time()))))


def test_sigkill_worker_and_hub_at_random_moments(signing_office: Office, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    skip_on_sqlite_by_default()
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    rng = random.Random(SEED)
    print(f"fault seed {SEED}: {PACKAGES} packages, {KILLS} kills")  # replay with VANBAN_FAULT_SEED
    a = signing_office
    b = Agency.objects.get(code="000.00.02.H16")  # Sở Nội vụ; its leader makes it a served recipient

    hub = LiveHub(tmp_path / "hub", "truc-tinh")
    hub_proc = hub_process(hub)
    # A crash costs a retry: the office waits 1 s, doubling up to 4 s (not 30 s up to an hour),
    # so the test waits for the worker's own retries rather than moving its clock.
    worker = Proc(["worker"],
                  child_env(VANBAN_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
                            VANBAN_EXCHANGE_RETRY_BASE_SECONDS="1", VANBAN_EXCHANGE_RETRY_MAX_SECONDS="4",
                            VANBAN_EXCHANGE_SEND_LEASE_SECONDS="5", VANBAN_EXCHANGE_INBOX_LEASE_SECONDS="5"),
                  tmp_path / "worker.log")
    try:
        enrol(hub, a, b)  # issue first, send nothing yet

        template = issue_to_b(Province(a, b))
        t0 = time.monotonic()
        docs = [template, *issue_many(template, PACKAGES - 1)]
        print(f"issued {PACKAGES} in {time.monotonic() - t0:.1f}s")
        ids = sorted(d.identifier_code for d in docs)
        assert OutboxEntry.objects.filter(kind="document", state="pending").count() == PACKAGES
        HubConnection.objects.update(is_active=True)

        wake = Wake(tmp_path / "queue.sqlite3")
        t0 = time.monotonic()
        start_hub(hub_proc, hub)
        worker.start()
        wake()
        assert worker.popen is not None and hub_proc.popen is not None
        cpu = CpuMeter(worker_pid=worker.popen.pid, hub_pid=hub_proc.popen.pid)

        def done() -> bool:
            p = progress(b)
            cpu.observe(p["sent"])
            return p["arrived"] == PACKAGES and p["statuses_back"] >= PACKAGES

        def keep_going() -> None:
            if not hub_proc.alive():
                start_hub(hub_proc, hub)
            if not worker.alive():
                worker.start()
            wake()

        # The faults: at random points of the whole run (progress counts sends, arrivals and
        # statuses back), kill the worker, the hub or both, a random moment later; restart.
        kills: list[datetime] = []  # when each fault struck: the statuses it fell on are counted apart
        targets = sorted(rng.uniform(0.02, 0.9) * 3 * PACKAGES for _ in range(KILLS))
        for k, target in enumerate(targets):
            until(lambda target=target: sum(progress(b).values()) >= target or done(),
                  f"progress {target:.0f} before kill {k + 1}", timeout=max(300, PACKAGES * 0.5),
                  on_wait=keep_going)
            if done():
                break
            time.sleep(rng.uniform(0.0, 1.5))  # a random moment into the work, not a wait for an outcome
            victim = rng.choice(("worker", "hub", "both"))
            kills.append(timezone.now())
            if victim in ("worker", "both"):
                worker.kill()
            if victim in ("hub", "both"):
                hub_proc.kill()
            print(f"kill {k + 1}: {victim} at {progress(b)}")
            keep_going()

        until(done, f"every document delivered and answered: {progress(b)}\n--- worker\n{worker.tail()}"
                    f"\n--- hub\n{hub_proc.tail()}", timeout=max(180, PACKAGES * 0.5), on_wait=keep_going)

        took = time.monotonic() - t0
        with capsys.disabled():  # in the CI log too: the measurement of the run
            print(f"\nfault test: {PACKAGES} documents delivered and answered in {took:.0f} s "
                  f"({PACKAGES / took:.1f}/s), {worker.kills} worker and {hub_proc.kills} hub kills, seed {SEED}; "
                  f"{status_latency(b.code, kills=kills)}; {steady_rate(PACKAGES)}")
            print(drain_timeline())
            if worker.starts == 1 and hub_proc.starts == 1:  # a process that died took its CPU figures along
                print(cpu.summary(PACKAGES))
        # Exactly once, everywhere.
        at_hub = sorted(r[0] for r in hub_sql(hub, "SELECT document_id FROM hub_package WHERE kind = %s", "document"))
        assert at_hub == ids
        statuses_at_hub = hub_sql(hub, "SELECT count(*) FROM hub_package WHERE kind = %s AND status_code = %s",
                                  "status", "01")[0][0]
        assert statuses_at_hub == PACKAGES
        arrived = list(Document.objects.filter(agency=b, direction="incoming").values_list("external_id", flat=True))
        assert sorted(arrived) == ids
        back = DeliveryStatus.objects.filter(status_code="01", recipient_code=b.code)
        assert sorted(back.values_list("document_id", flat=True)) == sorted(d.pk for d in docs)
        assert not InboxEntry.objects.filter(state="failed").exists()
        assert worker.kills + hub_proc.kills >= min(KILLS, 2), "the faults did not happen"
        until(lambda: not hub_sql(hub, "SELECT 1 FROM hub_delivery WHERE delivered_at IS NULL"),
              "every inbox entry at the hub acknowledged", timeout=120, on_wait=keep_going)
    finally:
        worker.stop()
        hub_proc.stop()
        hub.destroy()
