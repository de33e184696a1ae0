"""Exchange jobs: send the outbox and pull the inbox, on a schedule and when woken.

The outbox rows are the durable state; these tasks only do the work. A lost wake-up
delays a delivery until the next sweep (every minute), never loses it. A round that ends
with rows it may not take yet (another worker holds them, or they wait after a failure)
asks for one more round when the first of them falls free: a worker killed mid-batch
delays its rows by their lease, not by the lease and the wait for the sweep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from vanban.core.clock import now_vn
from vanban.exchange.inbound import next_claimable, poll
from vanban.exchange.services import active_connection, next_sendable, send_pending
from vanban.jobs import (
    EXCHANGE_PRIORITY,
    Job,
    claim,
    claim_started,
    enqueue_once,
    every_minutes,
    periodic_task,
    queue,
    requeue_lost,
    stopping,
    task,
    waiting_start,
    wake_at,
)
from vanban.jobs.drains import draining
from vanban.vxp import conf as vxp_conf


class Coalesced:
    """One round of a job at a time in this process; a wake-up that arrives during a round
    makes the running round go once more instead of starting a second one beside it.

    Every issue, arrival and status wakes the sender, so wake-ups come in bursts; two worker
    threads signing and submitting the same rows would only double the work (the hub
    deduplicates, the inbox row lock keeps arrivals single).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._again = threading.Event()

    def nudge(self) -> bool:
        """Ask the round running in this process to go once more; False when none is running
        (the caller then wakes a worker through the queue). The flag is set before the lock is
        looked at, so a round ending at that moment still sees it (`run`'s outer loop)."""
        self._again.set()
        # A stopping run does no next pass: the caller queues a job for another worker instead.
        return self._lock.locked() and not stopping.requested()

    def run(self, one_round: Callable[[], int]) -> int:
        total = 0
        self._again.set()
        while self._again.is_set() and not stopping.requested():
            if not self._lock.acquire(blocking=False):
                return total  # the running round has seen the flag, or will
            try:
                with draining():  # jobs that can wait do, once this has gone on a while
                    while self._again.is_set() and not stopping.requested():  # a stopping worker: no next round
                        self._again.clear()
                        done = one_round()
                        total += done
                        if done:
                            self._again.set()  # a round that did work: more may be waiting
            finally:
                self._lock.release()
        return total


_sending, _polling = Coalesced(), Coalesced()


# The once-keys (`vanban.jobs.wake_at`) of the rounds asked for when held rows fall free.
SEND_WHEN_FREE, POLL_WHEN_FREE = "exchange-send-when-free", "exchange-poll-when-free"
# The once-keys (`vanban.jobs.enqueue_once`) of the rounds asked for now: one waiting job each.
SEND_NOW, POLL_NOW = "exchange-send-now", "exchange-poll-now"
# A wake-up queued this long ago that has not started is taken as lost (a worker killed between
# taking the job and starting it, a flushed queue) by the next wake-up, which queues one more. If
# it was only waiting behind other jobs, the price is one round that finds nothing.
NOW_LOST_SECONDS = 5.0


def _send_round() -> int:
    """One sending round; when it sent anything, the poller is woken at once (on a shared hub
    the answer may already be waiting) rather than after the whole backlog has left: a round
    is 100 rows, the backlog may be thousands. A round that sent nothing ends the run: if rows
    are held or waiting, a round is asked for when the first falls free."""
    sent = send_pending()
    if sent:
        wake_poller()
    elif when := next_sendable():
        wake_at(send_outbox_when_free, SEND_WHEN_FREE, when)
    return sent


def _poll_round() -> int:
    """One polling run (`poll`); when it stored nothing, the same wake-up as `_send_round` for
    stored entries another worker holds or that wait after a passing failure."""
    stored = poll()
    if not stored and (when := next_claimable()):
        wake_at(poll_inbox_when_free, POLL_WHEN_FREE, when)
    return stored


def wake_after_release(freed: dict[str, int]) -> None:
    """A stopping worker freed rows (`workitems.release_mine`): ask the queue for the rounds that
    take them, which another worker runs now — or this one, restarted, at once — instead of at
    the next sweep."""
    if "exchange.OutboxEntry" in freed:
        send_outbox_now()
    if "exchange.InboxEntry" in freed:
        poll_inbox_now()


def wake_sender() -> None:
    """A status or document was queued: the sending round running in this process (the worker
    taking in arrivals) goes once more; with none running, a worker is woken through the queue —
    one job waiting at a time. A backlog's arrivals each queued a job before: while the hub was
    away, a round found nothing to send and ended at once, so every status queued one more, and
    the poller's wake-up waited behind 150 of them (08/12/2026, the kill test)."""
    if not _sending.nudge():
        _queue_once(send_outbox_now, SEND_NOW)


def wake_poller() -> None:
    """The same for the polling round (a sending round sent: the answers may be waiting)."""
    if not _polling.nudge():
        _queue_once(poll_inbox_now, POLL_NOW)


def _queue_once(job: Job[[], int], key: str) -> None:
    """`job` queued unless one under `key` waits (the job claims the key as it starts, so a
    wake-up after that queues the next); a waiting one that has not started in
    NOW_LOST_SECONDS is taken as lost."""
    if enqueue_once(job, key):
        return
    starts = waiting_start(key)
    if starts is None or starts < time.time() - NOW_LOST_SECONDS:
        requeue_lost(job, key)


def _started(job: Job[[], int], key: str) -> bool:
    """A `_queue_once` job starts: it claims its key, so what is committed from now on queues the
    next. In a stopping worker it runs no round (`Coalesced.run`): the wake-up every row since it
    was queued relied on is handed on to another worker, or to this one restarted."""
    if stopping.requested():
        if not queue().immediate:  # inline, the job would run again here, and stop again
            requeue_lost(job, key)
        return False
    claim(key)
    return True


@task(priority=EXCHANGE_PRIORITY)
def send_outbox_now() -> int:
    """Claims its wake-up key first: a row queued after this reads it is woken for again."""
    return _sending.run(_send_round) if _started(send_outbox_now, SEND_NOW) else 0


@task(priority=EXCHANGE_PRIORITY)
def send_outbox_when_free(start: float = 0.0) -> int:
    """The round `_send_round` asked for (`start`: when it was asked to start): held rows have
    fallen free."""
    claim_started(SEND_WHEN_FREE, start)
    return _sending.run(_send_round)


@task(priority=EXCHANGE_PRIORITY)
def poll_inbox_now() -> int:
    """As `send_outbox_now`."""
    return _polling.run(_poll_round) if _started(poll_inbox_now, POLL_NOW) else 0


@task(priority=EXCHANGE_PRIORITY)
def poll_inbox_when_free(start: float = 0.0) -> int:
    """The run `_poll_round` asked for (`start`: as `send_outbox_when_free`): held entries have
    fallen free."""
    claim_started(POLL_WHEN_FREE, start)
    return _polling.run(_poll_round)


@periodic_task(every_minutes(1), priority=EXCHANGE_PRIORITY)
def sweep_outbox() -> int:

    return _sending.run(_send_round)


@periodic_task(every_minutes(1), priority=EXCHANGE_PRIORITY)
def poll_inbox() -> int:

    connection = active_connection()
    if connection is not None and connection.kind == "vxp" and not vxp_conf.poll_due(now_vn()):
        return 0  # the national hub is polled every VANBAN_VXP_POLL_MINUTES (default 5)
    return _polling.run(_poll_round)
