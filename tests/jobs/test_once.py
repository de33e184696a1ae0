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
