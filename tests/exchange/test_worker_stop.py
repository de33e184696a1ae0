"""A worker stopped with SIGTERM (a deploy, `docker stop`, systemd) frees the rows it holds on
its way out: another worker — on this machine or any other, where `jobs.holders` cannot look —
takes them at once instead of when their 60-s lease runs out. It gives its threads
VANBAN_WORKER_STOP_SECONDS to finish the piece in hand first, and queues the rounds that take the
freed rows."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from huey import SqliteHuey

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b
from tests.hub.live_hubs import wait_until
from tests.live import child_env, vanban
from vanban.exchange.models import HubConnection, OutboxEntry

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def silent_hub() -> Iterator[str]:
    """A hub that takes the connection and never answers: a worker sending to it holds its
    rows for as long as its read waits (30 s), so the test knows what it holds when stopped."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hub/api/v1"
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_frees_the_rows_the_worker_holds(province: Province, silent_hub: str, tmp_path: Path,
                                               stop: signal.Signals) -> None:
    """SIGTERM: Huey does not wait for its threads, the worker gives them the grace. Ctrl-C:
    Huey's graceful stop, which waited for the running task without end, waits the grace."""
    HubConnection.objects.update(is_active=False)
    issue_to_b(province)
    issue_to_b(province)
    HubConnection.objects.update(url=silent_hub, is_active=True)
    queue_file = tmp_path / "queue.sqlite3"
    env = child_env(VANBAN_QUEUE_URL=f"sqlite:///{queue_file}", VANBAN_WORKER_STOP_SECONDS="2")
    log = tmp_path / "worker.log"
    worker = vanban("worker", "--workers", "2", env=env, log=log)
    try:
        def held() -> list[OutboxEntry]:
            return list(OutboxEntry.objects.filter(kind="document", lease_until__gt=timezone.now()))

        wait_until(lambda: len(held()) == 2, timeout=60, what="the worker claims both documents")
        holder = {row.lease_holder for row in held()}
        assert len(holder) == 1 and str(worker.pid) in next(iter(holder))  # named after the worker
        stopped_at = time.monotonic()
        os.kill(worker.pid, stop)
        worker.wait(timeout=30)  # before its read of the silent hub would have timed out
        stop_took = time.monotonic() - stopped_at
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
    rows = OutboxEntry.objects.filter(kind="document")
    assert [r.lease_until for r in rows] == [None, None]  # free now, not in 60 s
    assert {r.state for r in rows} == {OutboxEntry.State.PENDING}
    text = log.read_text()
    assert "Đã trả lại các việc tiến trình này còn giữ (khi dừng): exchange.OutboxEntry 2." in text
    # Its sending thread, waiting on the silent hub, was given VANBAN_WORKER_STOP_SECONDS, not 30 s.
    assert "still running after 2 s; freeing their rows anyway" in text and stop_took < 20
    # A round to take the freed rows is queued for the other workers (or this one, restarted).
    huey = SqliteHuey("vanban", filename=str(queue_file))
    waiting = [huey.serializer.deserialize(message).name for message in huey.storage.enqueued_items()]
    assert "vanban.exchange.tasks.send_outbox_now" in waiting, waiting


@pytest.mark.django_db
def test_a_stop_ends_the_rounds_after_the_piece_in_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """`stopping.request()` (the worker command, once its consumer returned): a coalesced run
    does no next round, and the sender claims no next batch."""
    from vanban.exchange import services
    from vanban.exchange.tasks import Coalesced
    from vanban.jobs import stopping

    rounds: list[int] = []

    def one_round() -> int:
        rounds.append(1)
        if len(rounds) == 2:
            stopping.request()  # asked while the second round runs
        return 1  # every round did work: without a stop it would go on

    assert Coalesced().run(one_round) == 2 and len(rounds) == 2
    assert Coalesced().run(one_round) == 0 and len(rounds) == 2  # a run asked for after the stop
    claimed: list[int] = []
    monkeypatch.setattr(services, "active_connection", object)
    monkeypatch.setattr(services, "claim_due", lambda n: claimed.append(n) or [])
    assert services.send_pending(client=object()) == 0 and claimed == []
    stopping.reset()
    assert services.send_pending(client=object()) == 0 and len(claimed) == 1  # not stopping: it asks
