"""The drain timeline's bucketing (tests/faults/harness.py): its figures are read as evidence
of where a slow run lost its time (bench/RESULTS.md), so the counting is tested on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.faults.harness import _crossed, _spread, bucket_counts


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
