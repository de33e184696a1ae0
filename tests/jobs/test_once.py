"""`enqueue_once`: a burst of wake-ups queues one job; a wake-up after the job started queues
the next (the audit sequencer's wake-up on every audited commit relies on it)."""

from __future__ import annotations

import pytest

from tests.live import redis_available
from vanban.audit.seal_tasks import SEAL_KEY, audit_seal_now
from vanban.jobs import claim, enqueue_once, queue


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
    monkeypatch.setattr(seal, "_overdue_until", [0.0])
    for _ in range(5):
        seal.wake()
    # Relied on until the clock margin before its start: the worker's clock may be ahead of ours.
    assert seal._covered_until[0] == 1000.0 + seal.WAKE_DELAY - seal.CLOCK_MARGIN
    [job] = real_queue.pending()  # Huey queues a delayed job with its start time (eta)
    assert job.eta is not None
    clock[0] += seal.WAKE_DELAY / 2
    seal.wake()
    assert real_queue.pending_count() == 1
    clock[0] += seal.WAKE_DELAY
    seal.wake()  # the job has not started yet (its key is held): it serves this commit too
    assert real_queue.pending_count() == 1
    claim(SEAL_KEY)  # it started
    clock[0] += seal.WAKE_DELAY  # past the start the last commit read under its key
    seal.wake()
    assert real_queue.pending_count() == 2


def test_a_process_that_finds_another_s_job_waiting_is_quiet_until_it_starts(
        real_queue, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another server process asked for the job: this one's commits until that job's start (the
    time stored under its key, less the clock margin) ask the queue once, not each time; a job
    already due may start any moment, so then every commit asks again."""
    import datetime as dt
    import time

    from vanban.audit import seal
    from vanban.jobs import ONCE_PREFIX, waiting_start

    calls: list[str] = []
    for name in ("put_if_empty", "get"):
        real = getattr(real_queue, name)
        monkeypatch.setattr(real_queue, name, lambda *a, _real=real, _name=name, **k: (
            calls.append(_name), _real(*a, **k))[1])
    clock = [1000.0]
    monkeypatch.setattr(seal.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(seal, "_covered_until", [0.0])
    monkeypatch.setattr(seal, "_overdue_until", [0.0])

    started = time.time()
    assert enqueue_once(audit_seal_now, SEAL_KEY, delay=seal.WAKE_DELAY) is True  # "another process"
    start = waiting_start(SEAL_KEY)
    assert start is not None and started + seal.WAKE_DELAY <= start <= time.time() + seal.WAKE_DELAY
    [job] = real_queue.pending()  # the worker starts it at its eta: never before the time stored
    eta = job.eta.replace(tzinfo=dt.UTC) if job.eta.tzinfo is None and real_queue.utc else job.eta
    assert eta.timestamp() >= start
    calls.clear()
    seal.wake()  # its key is held: this commit is that job's; it reads when the job starts
    assert calls == ["put_if_empty", "get"]
    assert real_queue.pending_count() == 1
    for _ in range(5):
        clock[0] += 0.01  # commits well before the job's start (by either clock, on a slow machine)
        seal.wake()
    assert calls == ["put_if_empty", "get"], "asked the queue while another's job was still to start"
    covered = seal._covered_until[0] - 1000.0
    assert 0 < covered <= seal.WAKE_DELAY - seal.CLOCK_MARGIN

    # A job already due: relying on it would miss a commit that lands just after it seals.
    claim(SEAL_KEY)
    assert real_queue.put_if_empty(f"{ONCE_PREFIX}{SEAL_KEY}", time.time() - 5)
    seal._covered_until[0] = 0.0
    calls.clear()
    seal.wake()
    seal.wake()
    assert calls == ["put_if_empty", "get", "put_if_empty"]  # the key is read once a WAKE_DELAY
    assert seal._covered_until[0] == 0.0
    clock[0] += seal.WAKE_DELAY
    seal.wake()
    assert calls == ["put_if_empty", "get", "put_if_empty", "put_if_empty", "get"]
    assert real_queue.pending_count() == 1

    # A key an earlier version wrote (b"1", no time): never relied on.
    claim(SEAL_KEY)
    assert real_queue.put_if_empty(f"{ONCE_PREFIX}{SEAL_KEY}", b"1")
    assert waiting_start(SEAL_KEY) is None
    clock[0] += seal.WAKE_DELAY
    seal.wake()
    assert seal._covered_until[0] == 0.0


@pytest.mark.skipif(not redis_available(), reason="no Redis here")
def test_the_start_under_a_key_reads_back_from_a_redis_queue(real_queue, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cluster's queue is Redis (HSETNX and HGET of Huey's result hash, values pickled): the
    start `enqueue_once` stores is what another process reads; an old version's key is not."""
    import time
    import uuid

    from huey import RedisHuey

    import vanban.jobs
    from vanban.jobs import ONCE_PREFIX, waiting_start

    redis_queue = RedisHuey(f"vanban-test-once-{uuid.uuid4().hex}", url="redis://127.0.0.1:6379/15")
    monkeypatch.setattr(vanban.jobs, "queue", lambda: redis_queue)
    try:
        started = time.time()
        assert enqueue_once(audit_seal_now, SEAL_KEY, delay=1.0) is True
        assert enqueue_once(audit_seal_now, SEAL_KEY, delay=1.0) is False  # held in Redis
        start = waiting_start(SEAL_KEY)
        assert start is not None and started + 1.0 <= start <= time.time() + 1.0
        claim(SEAL_KEY)
        assert waiting_start(SEAL_KEY) is None
        assert redis_queue.put_if_empty(f"{ONCE_PREFIX}{SEAL_KEY}", b"1")  # an earlier version's key
        assert waiting_start(SEAL_KEY) is None
    finally:
        redis_queue.storage.flush_all()


def test_a_wake_up_at_a_time_queues_one_job_unless_asked_for_sooner(real_queue) -> None:
    """`wake_at`: held rows falling free. A later time than the waiting job's start asks for
    nothing (that job will look); a sooner one is queued beside it, and when the later one runs
    it leaves the key of what was asked for since: the two do not go on as two chains."""
    from datetime import UTC, datetime, timedelta

    from vanban.exchange.tasks import send_outbox_when_free as job
    from vanban.jobs import claim_started, waiting_start, wake_at

    now = datetime.now(UTC)
    assert wake_at(job, "held", now + timedelta(seconds=30)) is True
    assert wake_at(job, "held", now + timedelta(seconds=40)) is False
    assert real_queue.pending_count() == 1
    assert wake_at(job, "held", now + timedelta(seconds=10)) is True
    later, sooner = sorted(real_queue.pending(), key=lambda t: t.eta, reverse=True)
    assert (later.eta - sooner.eta).total_seconds() == pytest.approx(20, abs=1)
    assert waiting_start("held") == sooner.args[0]  # each job knows the start it was asked for
    claim_started("held", sooner.args[0])  # the sooner one started: the next ask queues again
    assert waiting_start("held") is None
    assert wake_at(job, "held", now + timedelta(seconds=50)) is True
    asked_since = waiting_start("held")
    claim_started("held", later.args[0])  # the later one starts: not its key any more
    assert waiting_start("held") == asked_since
    assert wake_at(job, "held", now + timedelta(seconds=60)) is False  # one chain, not two
    assert real_queue.pending_count() == 3


def test_with_the_inline_queue_a_wake_up_at_a_time_does_nothing() -> None:
    from datetime import UTC, datetime

    from vanban.exchange.tasks import send_outbox_when_free
    from vanban.jobs import wake_at

    assert queue().immediate
    assert wake_at(send_outbox_when_free, "held", datetime.now(UTC)) is False


def test_a_wake_up_whose_job_was_lost_does_not_refuse_later_ones(real_queue) -> None:
    """A key whose start is long past stands for no waiting job (a worker killed holding it):
    the next wake-up is queued, not refused for good."""
    import time
    from datetime import UTC, datetime, timedelta

    from vanban.exchange.tasks import send_outbox_when_free as job
    from vanban.jobs import ONCE_PREFIX, WAKE_LOST_SECONDS, waiting_start, wake_at

    real_queue.put(f"{ONCE_PREFIX}held", time.time() - WAKE_LOST_SECONDS - 5)  # its job never ran
    assert wake_at(job, "held", datetime.now(UTC) + timedelta(seconds=10)) is True
    assert real_queue.pending_count() == 1
    assert waiting_start("held") > time.time()
    real_queue.put(f"{ONCE_PREFIX}held", time.time() - 1)  # just due: it may start any moment
    assert wake_at(job, "held", datetime.now(UTC) + timedelta(seconds=10)) is False


def test_a_seal_wake_up_whose_job_was_lost_is_queued_again(real_queue, monkeypatch: pytest.MonkeyPatch) -> None:
    """A seal job due long ago never started (a worker killed holding it, as in the cluster
    test): the next commit queues one again instead of leaving every event to the minute's
    round; a job just due is still relied on."""
    import time

    from vanban.audit import seal
    from vanban.jobs import ONCE_PREFIX, waiting_start

    monkeypatch.setattr(seal, "_covered_until", [0.0])
    monkeypatch.setattr(seal, "_overdue_until", [0.0])
    real_queue.put(f"{ONCE_PREFIX}{SEAL_KEY}", time.time() - seal.SEAL_LOST_SECONDS - 5)  # its job never ran
    seal.wake()
    assert real_queue.pending_count() == 1
    start = waiting_start(SEAL_KEY)
    assert start is not None and start > time.time()

    claim(SEAL_KEY)
    real_queue.flush()
    monkeypatch.setattr(seal, "_covered_until", [0.0])
    real_queue.put(f"{ONCE_PREFIX}{SEAL_KEY}", time.time() - 2)  # just due: it may start any moment
    seal.wake()
    assert real_queue.pending_count() == 0
