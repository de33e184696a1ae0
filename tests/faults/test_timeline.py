"""The drain timeline's bucketing (tests/faults/harness.py): its figures are read as evidence
of where a slow run lost its time (bench/RESULTS.md), so the counting is tested on its own."""

from __future__ import annotations

from tests.faults.harness import bucket_counts


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
