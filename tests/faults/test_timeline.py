"""The drain timeline's bucketing and the status latency (tests/faults/harness.py): their figures
are read as evidence of where a slow run lost its time (bench/RESULTS.md), so the counting is
tested on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.faults.harness import _crossed, _quantiles, _spread, bucket_counts, status_latency
from vanban.exchange.models import DeliveryStatus, OutboxEntry


def test_each_offset_counts_once_in_its_step() -> None:
    assert bucket_counts([0.0, 1.9, 2.0, 3.99, 4.0, 5.5], 2.0, 3) == [2, 2, 2]


def test_edges_fall_into_the_first_and_last_columns() -> None:
    # a clock a hair behind the first send, and an answer exactly at the end of the last step
    assert bucket_counts([-0.3, 6.0, 9.0], 2.0, 3) == [1, 0, 2]


def test_nothing_counted_is_all_zeros() -> None:
    assert bucket_counts([], 2.0, 4) == [0, 0, 0, 0]


def test_total_is_kept() -> None:
    offsets = [i * 0.37 for i in range(500)]
    counts = bucket_counts(offsets, 17.0, 11)
    assert sum(counts) == 500 and counts[0] == 46  # 0.00 … 16.65 s: the 46 first offsets


def test_a_kill_falls_on_a_status_made_before_it_and_recorded_after() -> None:
    t = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)
    kills = [t + timedelta(seconds=10), t + timedelta(seconds=30)]
    assert _crossed(t + timedelta(seconds=9), t + timedelta(seconds=12), kills)
    assert not _crossed(t + timedelta(seconds=11), t + timedelta(seconds=14), kills)  # made after it
    assert not _crossed(t + timedelta(seconds=2), t + timedelta(seconds=9), kills)  # back before it
    # the edXML time is cut to the second: made "at 10 s" may be 10.2 s, before a kill at 10.5 s
    assert _crossed(t + timedelta(seconds=10), t + timedelta(seconds=13), [t + timedelta(seconds=10.5)])
    assert _crossed(t + timedelta(seconds=12), t + timedelta(seconds=40), kills)  # the second kill
    assert not _crossed(t, t + timedelta(seconds=5), [])


def test_spread_reads_the_quantiles_of_the_waits() -> None:
    assert _spread([float(i) for i in range(1, 101)]) == "p50 51.0 s, p95 96.0 s, max 100.0 s"
    assert _spread([-0.4, 2.0]) == "p50 2.0 s, p95 2.0 s, max 2.0 s"  # a clock a hair ahead counts as 0


def test_quantiles_read_p50_and_p95() -> None:
    assert _quantiles([float(i) for i in range(1, 101)]) == "p50 51.0 s / p95 96.0 s"


@pytest.mark.django_db
def test_status_latency_counts_from_the_moment_b_made_the_status() -> None:
    """Two statuses: made (B's outbox row, to the microsecond) → taken by the hub → recorded by
    A. The edXML time is cut to the second, so the old measure reads up to a second more."""
    made = datetime(2026, 12, 8, 1, 0, 0, 900000, tzinfo=UTC)
    for n, (sent, recorded) in enumerate([(0.5, 1.5), (2.1, 4.1)]):
        OutboxEntry.objects.create(document_id=n + 1, kind=OutboxEntry.Kind.DOCUMENT, sender_code="A",
                                   recipient_code="B", edxml_document_id=f"A,2026/12/08,{n}", state="sent")
        OutboxEntry.objects.create(document_id=100 + n, kind=OutboxEntry.Kind.STATUS, sender_code="B",
                                   recipient_code="A", edxml_document_id=f"A,2026/12/08,{n}", status_code="01",
                                   state="sent", status_at=made, sent_at=made + timedelta(seconds=sent))
        status = DeliveryStatus.objects.create(document_id=n + 1, recipient_code="B", status_code="01",
                                               status_at=made.replace(microsecond=0))
        DeliveryStatus.objects.filter(pk=status.pk).update(received_at=made + timedelta(seconds=recorded))
    text = status_latency("B", kills=[made + timedelta(seconds=3)])
    assert text == ("status 01 latency p50 4.1 s, p95 4.1 s, max 4.1 s (a kill fell on 1: p50 4.1 s, p95 4.1 s, "
                    "max 4.1 s; the other 1: p50 1.5 s, p95 1.5 s, max 1.5 s); on the way: at B until the hub "
                    "took it p50 2.1 s / p95 2.1 s, hub to A's record p50 2.0 s / p95 2.0 s; "
                    "from the edXML time (to the second) p50 5.0 s, p95 5.0 s, max 5.0 s")
