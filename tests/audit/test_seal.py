"""The sequencer: writers only insert, the chain is made after the commit, and nothing but the
one sealing UPDATE may touch an event (issue 23: audit events appended without a global lock)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from itertools import pairwise

import pytest
from django.db import DatabaseError, connection, connections, transaction

from tests.audit.insider import triggers_dropped
from vanban.audit import seal
from vanban.audit.chain import GENESIS
from vanban.audit.models import AuditEvent, ChainHead
from vanban.audit.seal import pending_count, seal_pending
from vanban.audit.services import record_event, verify_chain
from vanban.audit.verify import verify_all


def _refused(sql: str, params: list[object]) -> str:
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(info.value)


@pytest.mark.django_db
def test_an_event_waits_unsealed_until_the_sequencer_chains_it_in_id_order() -> None:
    written = [record_event(f"test.{n}", details={"n": n}) for n in range(5)]
    assert pending_count() == 5
    assert AuditEvent.objects.filter(hash__isnull=False).count() == 0
    assert verify_chain().checked == 0
    assert seal_pending() == 5
    events = list(AuditEvent.objects.order_by("position"))
    assert [e.pk for e in events] == [e.pk for e in written]
    assert [e.position for e in events] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    head = ChainHead.objects.get(pk=1)
    assert (head.count, head.last_hash) == (5, events[-1].hash)
    assert seal_pending() == 0  # nothing twice
    record_event("test.later")
    assert seal_pending() == 1
    later = AuditEvent.objects.get(action="test.later")
    assert (later.position, later.prev_hash) == (6, events[-1].hash)
    report = verify_chain()
    assert report.ok and report.checked == 6


@pytest.mark.django_db
def test_a_large_backlog_is_sealed_in_batches() -> None:
    for n in range(7):
        record_event("test.backlog", details={"n": n})
    assert seal_pending(batch=3) == 7
    assert list(AuditEvent.objects.order_by("id").values_list("position", flat=True)) == list(range(1, 8))
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_database_allows_only_the_one_sealing_update() -> None:
    waiting = record_event("test.one", actor="alice")
    # Unsealed: its content cannot change, it cannot go, and a "seal" that changes content is refused.
    assert "AUDIT_APPEND_ONLY" in _refused("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s",
                                           ["mallory", waiting.pk])
    assert "AUDIT_APPEND_ONLY" in _refused(
        "UPDATE audit_auditevent SET hash = %s, action = %s WHERE id = %s", ["a" * 64, "test.forged", waiting.pk])
    assert "AUDIT_APPEND_ONLY" in _refused("DELETE FROM audit_auditevent WHERE id = %s", [waiting.pk])
    seal_pending()
    sealed = AuditEvent.objects.get(pk=waiting.pk)
    # Sealed: not even its chain columns may be rewritten, and it cannot be "unsealed".
    assert "AUDIT_APPEND_ONLY" in _refused("UPDATE audit_auditevent SET hash = %s WHERE id = %s",
                                           ["b" * 64, waiting.pk])
    assert "AUDIT_APPEND_ONLY" in _refused("UPDATE audit_auditevent SET hash = NULL, position = NULL WHERE id = %s",
                                           [waiting.pk])
    assert "AUDIT_APPEND_ONLY" in _refused("UPDATE audit_auditevent SET position = %s WHERE id = %s",
                                           [99, waiting.pk])
    again = AuditEvent.objects.get(pk=waiting.pk)
    assert (again.actor_name, again.hash, again.position) == ("alice", sealed.hash, 1)


@pytest.mark.django_db
def test_verify_names_events_still_waiting_and_a_gap_in_positions() -> None:
    record_event("test.one")
    seal_pending()
    record_event("test.two")
    report = verify_all(client=None)
    assert "AUDIT_EVENTS_PENDING" in [w.code for w in report.warnings]
    assert report.ok
    seal_pending()
    record_event("test.three")
    seal_pending()
    second = AuditEvent.objects.get(action="test.two")
    with triggers_dropped(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    report = verify_all(client=None)
    assert not report.ok
    assert any("vị trí 2" in p.message for p in report.problems)


@pytest.mark.django_db(transaction=True)
def test_the_commit_of_an_audited_change_wakes_the_sequencer() -> None:
    with transaction.atomic():
        record_event("test.one")
        record_event("test.two")
        assert pending_count() == 2  # nothing sealed before the commit
        wakeups = [cb for _, cb, _ in connection.run_on_commit if cb is seal.wake]
        assert len(wakeups) == 1  # one wake-up per transaction, however many events
    assert pending_count() == 0
    assert list(AuditEvent.objects.order_by("position").values_list("action", flat=True)) == ["test.one",
                                                                                              "test.two"]


@pytest.mark.django_db(transaction=True)
def test_a_wake_up_lost_with_a_rolled_back_savepoint_is_registered_again() -> None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                record_event("test.undone")
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
        record_event("test.kept")
        wakeups = [cb for _, cb, _ in connection.run_on_commit if cb is seal.wake]
        assert len(wakeups) == 1
    assert pending_count() == 0
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.kept"]


@pytest.mark.django_db(transaction=True)
def test_writers_do_not_wait_for_a_sequencer_holding_the_head() -> None:
    """A sequencer holds the head's row lock; another request's audited write still commits
    (before, every writer locked that row). PostgreSQL: SQLite has one writer at a time anyway."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    record_event("test.first")
    seal_pending()
    outcome = {}
    with _another_sequencer_holds_the_head():
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '3s'")  # a wait on the head would fail here
            record_event("test.while_sealing")
        outcome["pending"] = pending_count()
        outcome["skipped"] = seal_pending()  # the other sequencer holds the head: skip, don't wait
    assert outcome == {"pending": 1, "skipped": 0}
    assert seal_pending() == 1
    assert verify_chain().checked == 2


@pytest.mark.django_db(transaction=True)
def test_a_wake_up_that_meets_a_held_head_asks_for_another() -> None:
    """The other sequencer may have read the waiting events before the ones this wake-up was for
    committed, and the processes that relied on this job asked nothing meanwhile: it queues the
    next wake-up rather than leave them to the minute round. PostgreSQL (row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    from vanban.audit.seal_tasks import SEAL_KEY, audit_seal_now
    from vanban.jobs import queue, waiting_start

    huey = queue()
    huey.immediate = False
    huey.flush()
    outcome = {}
    try:
        with _another_sequencer_holds_the_head():
            record_event("test.while_held")  # its wake-up is queued on commit (not run inline)
            huey.flush()  # the wake-up job has started: it claimed its key
            outcome["sealed"] = audit_seal_now.call_local()
            outcome["queued"] = huey.pending_count()
            outcome["key held"] = waiting_start(SEAL_KEY) is not None
    finally:
        huey.flush()
        huey.immediate = True
    assert outcome == {"sealed": 0, "queued": 1, "key held": True}
    assert seal_pending() == 1


@contextlib.contextmanager
def _another_sequencer_holds_the_head() -> Iterator[None]:
    """The chain head's row locked by another connection (a thread) for the `with` block."""
    holding, release = threading.Event(), threading.Event()

    def sequencer_at_work() -> None:
        try:
            with transaction.atomic():
                ChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS, "count": 0})
            with transaction.atomic():
                ChainHead.objects.select_for_update().get(pk=1)
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    worker = threading.Thread(target=sequencer_at_work)
    worker.start()
    try:
        assert holding.wait(30)
        yield
    finally:
        release.set()
        worker.join(30)
