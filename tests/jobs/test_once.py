"""`enqueue_once`: a burst of wake-ups queues one job; a wake-up after the job started queues
the next (the audit sequencer's wake-up on every audited commit relies on it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vanban.audit.seal_tasks import SEAL_KEY, audit_seal_now
from vanban.jobs import claim, enqueue_once, queue


@pytest.fixture
def real_queue() -> Iterator[object]:
    """The configured queue (this test's SQLite queue file), not jobs run inline."""
    huey = queue()
    huey.immediate = False
    huey.flush()
    try:
        yield huey
    finally:
        huey.flush()
        huey.immediate = True


def test_a_burst_of_wake_ups_queues_one_job_and_a_later_one_queues_the_next(real_queue) -> None:
    assert [enqueue_once(audit_seal_now, SEAL_KEY) for _ in range(5)] == [True, False, False, False, False]
    assert real_queue.pending_count() == 1
    claim(SEAL_KEY)  # the job started
    assert enqueue_once(audit_seal_now, SEAL_KEY) is True
    assert real_queue.pending_count() == 2
    assert enqueue_once(audit_seal_now, "another-key") is True  # keys are independent
    assert real_queue.pending_count() == 3


def test_a_busy_process_asks_the_queue_once_per_wake_delay(real_queue, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sequencer's wake-up on commit: the first asks for a job starting WAKE_DELAY later; the
    commits until then ask nothing (that job, not yet started, seals them); the next asks again."""
    from vanban.audit import seal

    clock = [1000.0]
    monkeypatch.setattr(seal.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(seal, "_covered_until", [0.0])
    for _ in range(5):
        seal.wake()
    [job] = real_queue.pending()  # Huey queues a delayed job with its start time (eta)
    assert job.eta is not None
    clock[0] += seal.WAKE_DELAY / 2
    seal.wake()
    assert real_queue.pending_count() == 1
    clock[0] += seal.WAKE_DELAY
    seal.wake()  # the job has not started yet (its key is held): it serves this commit too
    assert real_queue.pending_count() == 1
    claim(SEAL_KEY)  # it started
    seal.wake()
    assert real_queue.pending_count() == 2
