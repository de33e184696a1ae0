"""Exchange rounds under concurrency: one round at a time per process, and an inbox entry
processed by two workers at once becomes one arrival (guarded twice: the inbox row lock, and
the unique agency + sender + DocumentId constraint — this test passes with either alone)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b
from vanban.documents.models import Document
from vanban.exchange import inbound
from vanban.exchange.models import HubConnection, InboxEntry, OutboxEntry
from vanban.exchange.services import _signed_package
from vanban.exchange.tasks import Coalesced


def test_a_wake_up_during_a_round_runs_the_round_again_not_beside_it() -> None:
    rounds = Coalesced()
    inside, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def one_round() -> int:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            inside.set()
            assert release.wait(10)
        return 0

    first = threading.Thread(target=rounds.run, args=(one_round,), name="first")
    first.start()
    assert inside.wait(10)
    assert rounds.run(one_round) == 0  # returns at once: a round is running
    assert calls == ["first"]
    release.set()
    first.join(10)
    assert calls == ["first", "first"]  # the running round went once more for the wake-up


def test_rounds_that_do_work_repeat_until_one_finds_nothing() -> None:
    batches = [100, 100, 7, 0]
    assert Coalesced().run(lambda: batches.pop(0)) == 207
    assert batches == []


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_one_inbox_entry_processed_by_two_workers_at_once_is_one_arrival(province: Province) -> None:
    p = province
    HubConnection.objects.update(is_active=False)  # the package goes nowhere; we hand it to B ourselves
    sent = issue_to_b(p)
    data = _signed_package(OutboxEntry.objects.get(document_id=sent.pk))
    entry = inbound.store("hub-1", {"kind": "document", "from": p.a.agency.code, "to": p.b.code,
                                    "document_id": sent.identifier_code}, data)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(10)
            inbound.process(InboxEntry.objects.get(pk=entry.pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    arrived = Document.objects.filter(agency=p.b, direction="incoming")
    assert list(arrived.values_list("external_id", flat=True)) == [sent.identifier_code]
    assert InboxEntry.objects.get(pk=entry.pk).state == "processed"
    assert OutboxEntry.objects.filter(kind="status", status_code="01", recipient_code=p.a.agency.code).count() == 1


def test_retry_delay_doubles_from_the_configured_base_up_to_the_cap(settings) -> None:
    from vanban.exchange.services import retry_delay

    settings.VANBAN_EXCHANGE_RETRY_BASE_SECONDS, settings.VANBAN_EXCHANGE_RETRY_MAX_SECONDS = 30, 3600
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 500)] == [30, 60, 120, 1920, 3600, 3600]
    settings.VANBAN_EXCHANGE_RETRY_BASE_SECONDS, settings.VANBAN_EXCHANGE_RETRY_MAX_SECONDS = 1, 4
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 4]


def test_each_sending_round_that_sent_wakes_the_poller_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only when the whole backlog has left: the answers to the first rounds are taken in
    while the later ones are still being sent."""
    from vanban.exchange import tasks

    rounds, events = iter([20, 20, 0]), []

    def send_pending() -> int:
        sent = next(rounds)
        events.append(f"sent {sent}")
        return sent

    monkeypatch.setattr(tasks, "send_pending", send_pending)
    monkeypatch.setattr(tasks, "poll_inbox_now", lambda: events.append("poll"))
    monkeypatch.setattr(tasks, "next_sendable", lambda: None)  # nothing held: no database here
    assert tasks.send_outbox_now.call_local() == 40
    assert events == ["sent 20", "poll", "sent 20", "poll", "sent 0"]


def test_a_status_queued_while_this_process_sends_nudges_the_round_not_the_queue(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker taking in a backlog queues a status per arrival: the sending round already
    running here goes once more, and no job is queued for it."""
    from vanban.exchange import tasks

    queued: list[str] = []
    monkeypatch.setattr(tasks, "send_outbox_now", lambda: queued.append("job"))
    monkeypatch.setattr(tasks, "_sending", Coalesced())
    inside, release, rounds = threading.Event(), threading.Event(), []

    def one_round() -> int:
        rounds.append(1)
        if len(rounds) == 1:
            inside.set()
            assert release.wait(10)
        return 0

    running = threading.Thread(target=tasks._sending.run, args=(one_round,))
    running.start()
    assert inside.wait(10)
    tasks.wake_sender()  # what `queue_status` does on commit
    release.set()
    running.join(10)
    assert (queued, len(rounds)) == ([], 2)  # no job; the running round went once more
    tasks.wake_sender()  # nothing running here now: a worker is woken through the queue
    assert queued == ["job"]


@pytest.mark.django_db
def test_a_burst_of_statuses_with_no_round_running_queues_one_sending_job(real_queue,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """While the hub was away a round found nothing to send and ended at once, so each status
    made after it queued a job of its own: 150 of them ran for nothing, and the poller's wake-up
    waited behind them. Now one waits at a time; once it has started, the next status queues
    the next; one that never started is replaced after NOW_LOST_SECONDS."""
    from vanban.exchange import tasks
    from vanban.jobs import ONCE_PREFIX, claim

    def names() -> list[str]:
        return sorted(t.name.rsplit(".", 1)[-1] for t in real_queue.pending())

    for _ in range(20):
        tasks.wake_sender()
    tasks.wake_poller()
    tasks.wake_poller()
    assert names() == ["poll_inbox_now", "send_outbox_now"]
    claim(tasks.SEND_NOW)  # the sending job started: it reads the rows committed until now
    tasks.wake_sender()
    assert names() == ["poll_inbox_now", "send_outbox_now", "send_outbox_now"]
    # The waiting poll job was taken by a worker killed before it started: its key stays.
    real_queue.put(f"{ONCE_PREFIX}{tasks.POLL_NOW}", time.time() - tasks.NOW_LOST_SECONDS - 1)
    tasks.wake_poller()
    assert names().count("poll_inbox_now") == 2
    tasks.wake_poller()  # and the replacement is relied on like the first
    assert names().count("poll_inbox_now") == 2
    monkeypatch.setattr(tasks, "_sending", Coalesced())
    assert tasks.send_outbox_now.call_local() == 0  # the job claims its key as it starts: no hub here
    assert real_queue.get(f"{ONCE_PREFIX}{tasks.SEND_NOW}", peek=True) is None


@pytest.mark.django_db
def test_a_stopping_worker_hands_its_wake_up_on_instead_of_swallowing_it(real_queue) -> None:
    """A job taken by a worker told to stop runs no round; every row committed since it was
    queued relied on it, so it queues itself again for another worker (or this one restarted)."""
    from vanban.exchange import tasks
    from vanban.jobs import ONCE_PREFIX, stopping, waiting_start

    tasks.wake_sender()
    queued_at = waiting_start(tasks.SEND_NOW)
    [job] = real_queue.pending()
    real_queue.dequeue()  # the stopping worker's thread takes it
    stopping.request()
    assert tasks.send_outbox_now.call_local() == 0
    [again] = real_queue.pending()
    assert again.name == job.name and again.id != job.id
    assert queued_at is not None and (waiting_start(tasks.SEND_NOW) or 0) >= queued_at  # the key stands for it
    assert real_queue.get(f"{ONCE_PREFIX}{tasks.SEND_NOW}", peek=True) is not None


@pytest.mark.django_db
def test_a_queue_that_cannot_be_reached_leaves_the_status_committed_and_no_key_behind(
        real_queue, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks) -> None:
    """The wake-up on commit is robust: the row is in, the caller is not failed after the fact,
    and the once-key written before the queue refused the job is taken back (it would stand for
    a job that does not exist)."""
    from vanban.exchange import services, tasks
    from vanban.jobs import ONCE_PREFIX

    def refused(*args: object, **kwargs: object) -> None:
        raise ConnectionError("queue down")

    monkeypatch.setattr(real_queue, "enqueue", refused)
    with django_capture_on_commit_callbacks(execute=True):
        row = services.queue_status(document_id=1, sender_code="000.00.02.H16", recipient_code="000.00.01.H16",
                                    recipient_name="UBND", edxml_document_id="000.00.01.H16-2026.1",
                                    status_code="01")
    assert row is not None and OutboxEntry.objects.filter(pk=row.pk).exists()
    assert real_queue.get(f"{ONCE_PREFIX}{tasks.SEND_NOW}", peek=True) is None
    monkeypatch.undo()
    tasks.wake_sender()  # the queue is back: the next wake-up queues a job
    assert [t.name.rsplit(".", 1)[-1] for t in real_queue.pending()] == ["send_outbox_now"]


def test_exchange_wake_ups_are_taken_before_waiting_search_indexing(tmp_path: Path) -> None:
    """A backlog's arrivals queue a search indexing each (a PDF's text): the wake-ups that move
    statuses and arrivals are not taken after that pile (the SQLite queue has priorities)."""
    from huey import SqliteHuey

    from vanban.exchange import tasks
    from vanban.search.tasks import index_document_task

    huey = SqliteHuey("vanban", filename=str(tmp_path / "queue.sqlite3"))
    for job in (index_document_task, tasks.send_outbox_now, tasks.poll_inbox_now):
        huey._registry.register(job.task_class)
    for n in range(3):
        huey.enqueue(index_document_task.s(n))
    huey.enqueue(tasks.send_outbox_now.s())
    huey.enqueue(tasks.poll_inbox_now.s())
    taken = [huey.dequeue().name for _ in range(5)]
    assert taken[:2] == [tasks.send_outbox_now.task_class.__name__, tasks.poll_inbox_now.task_class.__name__]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_next_round_is_taken_before_this_one_is_registered_and_each_package_arrives_once(
        province: Province, settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rounds overlap: the next round's PDFs are checked in the child processes while this one's
    arrivals are registered. A round's packages, listed again until acked, are not taken twice."""
    from vanban.exchange.services import send_pending

    p = province
    settings.VANBAN_INBOX_DOCUMENTS_PER_ROUND = 2
    HubConnection.objects.update(is_active=False)
    docs = [issue_to_b(p) for _ in range(5)]
    HubConnection.objects.update(is_active=True)
    assert send_pending() == 5
    monkeypatch.setattr("vanban.exchange.services._wake_sender", lambda: None)  # B's 01s wait: no poll inside a poll
    events: list[tuple[str, tuple[str, ...]]] = []
    take, finish = inbound._take, inbound._finish

    def documents(taken: inbound._Taken) -> tuple[str, ...]:
        return tuple(sorted(e.edxml_document_id for _, e in taken.entries
                            if e.kind == "document" and e.pk in taken.mine))

    def taking(*args: object) -> inbound._Taken:
        taken = take(*args)  # type: ignore[arg-type]
        if documents(taken):
            events.append(("take", documents(taken)))
        return taken

    def finishing(client: object, taken: inbound._Taken) -> int:
        if documents(taken):
            events.append(("finish", documents(taken)))
        return finish(client, taken)  # type: ignore[arg-type]

    monkeypatch.setattr(inbound, "_take", taking)
    monkeypatch.setattr(inbound, "_finish", finishing)
    inbound.poll()
    takes = [ids for kind, ids in events if kind == "take"]
    assert [n for ids in takes for n in ids] and sorted(n for ids in takes for n in ids) == sorted(
        d.identifier_code for d in docs)  # each document taken once, two a round
    assert [kind for kind, _ in events][:3] == ["take", "take", "finish"]  # round 2 in hand before round 1 is done
    assert [ids for kind, ids in events if kind == "finish"] == takes  # and finished in the order taken
    arrived = Document.objects.filter(agency=p.b, direction="incoming")
    assert sorted(arrived.values_list("external_id", flat=True)) == sorted(d.identifier_code for d in docs)
    assert InboxEntry.objects.filter(kind="document", acked_at__isnull=True).count() == 0
