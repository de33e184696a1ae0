"""Leases of dead processes (vanban.jobs.holders, workitems.release_dead): a row held by a
process of this machine that no longer runs — killed, a zombie, or its PID given to another
process since — is taken at once, not when its lease runs out; a row held by a live process,
by a process elsewhere, or by one this process may not look at keeps its lease."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.exchange.test_statuses_first import _row
from vanban.exchange.models import OutboxEntry
from vanban.exchange.services import due_rows
from vanban.jobs import holders, workitems

pytestmark = pytest.mark.skipif(holders.local_prefix() is None, reason="/proc: Linux")


def _name_of(pid: int) -> str:
    started = holders._started(pid)
    assert started is not None
    return f"{holders.local_prefix()}{pid}/{started}"


@pytest.fixture(autouse=True)
def _first_claim() -> None:
    """Each test claims as a process that has not looked for dead holders yet (they look on the
    first claim, then at most every LOOK_SECONDS)."""
    workitems._looked.clear()


@pytest.fixture
def running() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    proc.kill()
    proc.wait(timeout=10)


@pytest.fixture
def dead_holder() -> str:
    """The name a process had while it ran; it has been killed and reaped since."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    name = _name_of(proc.pid)
    proc.kill()
    proc.wait(timeout=10)
    return name


@pytest.mark.unit
def test_this_process_is_alive_and_named_on_this_machine() -> None:
    me = holders.this_process()
    assert me.startswith(holders.local_prefix() or "?") and len(me) <= 200
    assert holders.alive(me) is True


@pytest.mark.unit
def test_a_killed_process_is_dead_and_a_reused_pid_is_not_it(running: subprocess.Popen[bytes],
                                                              dead_holder: str) -> None:
    assert holders.alive(dead_holder) is False
    live = _name_of(running.pid)
    assert holders.alive(live) is True
    # Same PID, another start time: the PID was given to another process since.
    prefix, _, started = live.rpartition("/")
    assert holders.alive(f"{prefix}/{int(started) + 1}") is False


@pytest.mark.unit
def test_a_process_whose_entry_cannot_be_read_is_not_judged_dead(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path, dead_holder: str) -> None:
    """`hidepid`, SELinux: the entry is missing or refused although the process runs."""
    me = holders.this_process()
    monkeypatch.setattr(holders, "_PROC", tmp_path)  # a /proc that shows nothing
    assert holders.alive(me) is None  # the kernel says it runs: cannot be told, not dead
    assert holders.alive(dead_holder) is False  # the kernel says there is no such process
    refused = tmp_path / str(os.getpid())
    refused.mkdir()
    (refused / "stat").mkdir()  # reading it fails with another error than "no such file"
    assert holders.alive(me) is None


@pytest.mark.unit
def test_a_process_elsewhere_or_a_strange_name_cannot_be_judged() -> None:
    me = holders.this_process()
    host, boot, namespace, pid, started = me.split("/")
    assert holders.alive(f"{host}/{'0' * len(boot)}/{namespace}/{pid}/{started}") is None  # another boot
    assert holders.alive(f"{host}/{boot}/{namespace}9/{pid}/{started}") is None  # another container
    assert holders.alive(f"other-host/{boot}/{namespace}/{pid}/{started}") is None
    assert holders.alive("") is None
    assert holders.alive(f"{host}/{boot}/{namespace}/x/{started}") is None
    assert holders.alive(f"{host}/{boot}/{namespace}/{pid}") is None


def _hold(row: OutboxEntry, holder: str, seconds: float = 60) -> None:
    OutboxEntry.objects.filter(pk=row.pk).update(lease_until=timezone.now() + timedelta(seconds=seconds),
                                                 lease_holder=holder)


@pytest.mark.django_db
def test_rows_of_a_dead_holder_are_taken_at_once_the_others_keep_their_lease(
        running: subprocess.Popen[bytes], dead_holder: str) -> None:
    status = _row(1, "status", status_code="01")
    doc_dead, doc_live, doc_elsewhere, doc_unnamed, doc_free = (_row(n, "document") for n in range(2, 7))
    _hold(status, dead_holder)
    _hold(doc_dead, dead_holder)
    _hold(doc_live, _name_of(running.pid))
    _hold(doc_elsewhere, "another-host/0123456789ab/4026531836/" + dead_holder.rsplit("/", 2)[-2] + "/1")
    _hold(doc_unnamed, "")  # held before holders were named (or by an older version)

    taken = workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=10)
    assert sorted(taken) == sorted([status.pk, doc_dead.pk, doc_free.pk])
    mine = holders.this_process()
    assert set(OutboxEntry.objects.filter(pk__in=taken).values_list("lease_holder", flat=True)) == {mine}
    assert workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=10) == []  # the rest stay held


@pytest.mark.django_db
def test_a_full_claim_still_frees_a_dead_holders_statuses_first(dead_holder: str) -> None:
    """A restarted worker's first claim looks for its predecessor's rows before anything else:
    with a backlog, the round would otherwise fill up with free documents and leave the held
    statuses to their lease."""
    held_status = _row(1, "status", status_code="01")
    docs = [_row(n, "document") for n in range(2, 8)]
    _hold(held_status, dead_holder)
    assert workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=3) == [held_status.pk, docs[0].pk,
                                                                                  docs[1].pk]


@pytest.mark.django_db
def test_release_counts_only_what_it_freed(dead_holder: str, running: subprocess.Popen[bytes]) -> None:
    rows = [_row(n, "document") for n in range(1, 4)]
    _hold(rows[0], dead_holder)
    _hold(rows[1], dead_holder, seconds=-5)  # its lease is over already: nothing to free
    _hold(rows[2], _name_of(running.pid))
    assert workitems.release_dead(due_rows()) == 1
    assert OutboxEntry.objects.get(pk=rows[0].pk).lease_until is None
    assert OutboxEntry.objects.get(pk=rows[2].pk).lease_until is not None
    assert workitems.release_dead(due_rows()) == 0


@pytest.mark.django_db
def test_a_sibling_looks_again_after_a_while_even_when_its_claims_are_full(dead_holder: str) -> None:
    """Under a backlog every claim is full: a dead sibling's rows are still taken within
    LOOK_SECONDS, and the claims between spend no statement on it."""
    docs = [_row(n, "document") for n in range(1, 12)]
    assert workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=2) == [docs[0].pk, docs[1].pk]
    held_status = _row(20, "status", status_code="01")
    _hold(held_status, dead_holder)  # the sibling died holding it
    assert held_status.pk not in workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=2)  # looked just now
    workitems._looked[OutboxEntry._meta.label] -= workitems.LOOK_SECONDS  # a while later
    assert workitems.claim(due_rows(), lease=timedelta(seconds=60), limit=2)[0] == held_status.pk


@pytest.mark.django_db
def test_release_mine_frees_only_this_process_rows_in_every_work_item_table(
        running: subprocess.Popen[bytes]) -> None:
    from vanban.exchange.models import InboxEntry
    from vanban.hub.models import Forward
    from vanban.records.models import FixityRun

    assert {InboxEntry, Forward, FixityRun, OutboxEntry} <= set(workitems.work_item_models())
    mine, other = holders.this_process(), _name_of(running.pid)
    rows = [_row(n, "document") for n in range(1, 5)]
    _hold(rows[0], mine)
    _hold(rows[1], mine, seconds=-5)  # over already: nothing to free
    _hold(rows[2], other)
    assert workitems.release_mine() == {OutboxEntry._meta.label: 1}
    leases = dict(OutboxEntry.objects.values_list("pk", "lease_until"))
    assert leases[rows[0].pk] is None and leases[rows[2].pk] is not None and leases[rows[3].pk] is None
    assert workitems.release_mine() == {}


@pytest.mark.django_db
def test_the_worker_command_frees_its_rows_when_it_starts_and_when_it_stops(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`vanban worker` around the consumer: rows under its own name before it runs (a restart in
    place) and those it holds when the consumer returns (SIGTERM, SIGINT) or fails."""
    import io

    from django.core.management import call_command

    from vanban.jobs.management.commands import worker

    mine = holders.this_process()
    before, during = _row(1, "document"), _row(2, "status", status_code="01")
    _hold(before, mine)
    seen: dict[str, object] = {}

    from vanban.jobs import stopping

    class Consumer:  # what the Huey consumer does, then a stop
        def __init__(self) -> None:
            self.stop_flag = threading.Event()

        def run(self) -> None:
            seen["before"] = OutboxEntry.objects.get(pk=before.pk).lease_until
            _hold(during, mine)
            self.stop_flag.set()  # what Huey does first on SIGTERM or SIGINT
            seen["rounds told"] = stopping_seen.wait(5)  # the watcher tells the rounds at once
            raise KeyboardInterrupt

    stopping_seen = threading.Event()
    monkeypatch.setattr(stopping, "request", lambda real=stopping.request: (real(), stopping_seen.set()))
    made: list[tuple[int, bool]] = []
    monkeypatch.setattr(worker, "_consumer", lambda n, periodic: made.append((n, periodic)) or Consumer())
    monkeypatch.setattr(worker, "drop_old_results", lambda: 0)
    out = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        call_command("worker", "--workers", "4", "--no-periodic", stdout=out)
    assert made == [(4, False)] and seen["rounds told"] is True
    assert stopping.requested()  # the rounds were told to end (reset by tests/conftest.py)
    assert seen["before"] is None  # freed before the consumer started
    assert OutboxEntry.objects.get(pk=during.pk).lease_until is None  # freed on the way out
    assert out.getvalue().count("Đã trả lại các việc tiến trình này còn giữ") == 2
    assert "khi dừng): exchange.OutboxEntry 1." in out.getvalue()


@pytest.mark.django_db
def test_the_worker_starts_without_django_s_system_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """They import every URLconf and view, 0.7 s of a 2-s start: a worker restarted after a crash
    resumes the exchange that much sooner (`vanban migrate` and `vanban check` still run them)."""
    from django.core import checks
    from django.core.management import call_command

    from vanban.jobs.management.commands import worker

    ran: list[str] = []

    def failing(**kwargs: object) -> list[checks.CheckMessage]:
        ran.append("check")
        return [checks.Error("a check that fails", id="tests.E001")]

    class Consumer:
        def __init__(self) -> None:
            self.stop_flag = threading.Event()

        def run(self) -> None:
            ran.append("consumer")
            self.stop_flag.set()  # the watcher thread ends

    monkeypatch.setattr(worker, "_consumer", lambda n, periodic: Consumer())
    monkeypatch.setattr(worker, "drop_old_results", lambda: 0)
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)  # run_from_argv's: this test's transaction
    checks.register(failing)
    try:
        worker.Command().run_from_argv(["vanban", "worker"])  # as `vanban worker` runs it
        assert ran == ["consumer"]
        with pytest.raises(Exception, match="a check that fails"):  # what the others still do
            call_command("check")
    finally:
        checks.registry.registry.registered_checks.discard(failing)


@pytest.mark.django_db
def test_the_consumer_the_worker_builds_stops_gracefully_within_its_grace(settings) -> None:
    """Ctrl-C is Huey's graceful signal, which waited for the threads' tasks without end: the
    worker's consumer is given VANBAN_WORKER_STOP_SECONDS (`shutdown_timeout`)."""
    from vanban.jobs.management.commands import worker

    consumer = worker._consumer(3, periodic=False)
    assert consumer.shutdown_timeout == worker.STOP_SECONDS and consumer.workers == 3
    assert consumer.periodic is False


@pytest.mark.django_db
def test_release_mine_frees_every_table_it_can_then_says_what_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import DatabaseError

    row = _row(1, "document")
    _hold(row, holders.this_process())

    class Broken:  # a table whose UPDATE fails (its database away, a lock timeout)
        class _meta:  # noqa: N801 - Django's name
            label = "broken.Table"

        class _default_manager:  # noqa: N801
            @staticmethod
            def filter(**_: object) -> object:
                raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(workitems, "work_item_models", lambda: [Broken, OutboxEntry])
    with pytest.raises(DatabaseError):
        workitems.release_mine()
    assert OutboxEntry.objects.get(pk=row.pk).lease_until is None  # the table after it was freed


@pytest.mark.unit
def test_a_name_made_without_proc_is_unique_and_kept_across_an_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(holders, "_machine", lambda: None)
    monkeypatch.delenv("VANBAN_HOLDER_NONCE", raising=False)
    holders._name.cache_clear()
    try:
        first = holders._name(os.getpid())
        _host, pid, nonce = first.split(":")
        assert pid == str(os.getpid()) and len(nonce) == 12 and holders.alive(first) is None
        holders._name.cache_clear()  # the same process after an exec: its environment kept
        assert holders._name(os.getpid()) == first
        monkeypatch.delenv("VANBAN_HOLDER_NONCE")
        holders._name.cache_clear()  # another container's PID 1 with the same host name
        assert holders._name(os.getpid()) != first
    finally:
        holders._name.cache_clear()
