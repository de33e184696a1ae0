"""The worker really runs: a `vanban worker` process on a real queue records heartbeats."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.live import child_env, redis_available, vanban
from vanban.jobs.models import Heartbeat
from vanban.jobs.services import worker_alive

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for_heartbeat(proc, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Heartbeat.objects.exists():
            return
        if proc.poll() is not None:
            pytest.fail(f"worker exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"no heartbeat within {timeout}s:\n{log.read_text()[-3000:]}")


def _old_queue(url: str) -> Any:
    """The worker's queue as an earlier version configured it (results kept)."""
    from huey import RedisHuey, SqliteHuey

    if url.startswith("redis"):
        huey = RedisHuey("vanban", url=url)
        huey.storage.flush_results()  # the database is shared by test runs
        return huey
    return SqliteHuey("vanban", filename=url.removeprefix("sqlite:///"))


QUEUES = [pytest.param("sqlite", id="sqlite-queue"),
          pytest.param("redis", id="redis-queue",
                       marks=pytest.mark.skipif(not redis_available(), reason="no Redis here"))]


@pytest.mark.parametrize("queue", QUEUES)
def test_worker_records_periodic_heartbeat(queue: str, tmp_path: Path) -> None:
    url = (f"sqlite:///{tmp_path / 'queue.sqlite3'}" if queue == "sqlite"
           else "redis://127.0.0.1:6379/15")
    assert not worker_alive()
    left = _old_queue(url)
    left.put("c0ffee-result-of-an-earlier-version", 42)  # what a worker before 07/12/2026 left
    left.put("vanban.once.some-wake-up", b"1")  # an enqueue_once key: its job is waiting
    log = tmp_path / "worker.log"
    proc = vanban("worker", "--workers", "1", env=child_env(VANBAN_QUEUE_URL=url), log=log)
    try:
        _wait_for_heartbeat(proc, log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # The newest beat: a slow first minute (or a beat left queued in Redis) can make a second row.
    beat = Heartbeat.objects.order_by("-pk").first()
    assert beat is not None
    assert ":" in beat.worker
    assert worker_alive()
    if queue == "sqlite":
        assert (tmp_path / "queue.sqlite3").stat().st_size > 0
    assert left.get("c0ffee-result-of-an-earlier-version") is None  # dropped at start
    assert left.get("vanban.once.some-wake-up", peek=True) is not None  # kept
    assert "Đã dọn 1 kết quả tác vụ cũ khỏi hàng đợi." in log.read_text()
    # One thread is allowed, but the operator is told what it costs under an exchange backlog.
    assert "Cảnh báo: với 1 luồng, khi trao đổi văn bản tồn đọng" in log.read_text()
