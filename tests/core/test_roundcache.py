"""`vanban.core.roundcache`: inside a round, a read is made once; outside, every time."""

from __future__ import annotations

import threading

import pytest

from vanban.core.roundcache import once, round_cache

pytestmark = pytest.mark.unit


def test_inside_a_round_a_key_is_read_once_and_outside_every_time() -> None:
    reads: list[str] = []

    def read(name: str) -> str:
        reads.append(name)
        return name.upper()

    assert [once("k", lambda: read("a")) for _ in range(2)] == ["A", "A"]
    assert reads == ["a", "a"]  # no round: read each time
    reads.clear()
    with round_cache():
        assert [once("k", lambda: read("a")) for _ in range(3)] == ["A", "A", "A"]
        assert once("other", lambda: read("b")) == "B"
    assert reads == ["a", "b"]
    with round_cache():  # a new round reads again
        assert once("k", lambda: read("c")) == "C"
    assert reads == ["a", "b", "c"]


def test_a_round_is_its_threads_own() -> None:
    """Two worker threads (a sending and a receiving round) never see each other's values."""
    seen: list[str] = []
    with round_cache():
        once("k", lambda: "main")
        other = threading.Thread(target=lambda: seen.append(once("k", lambda: "thread")))
        other.start()
        other.join(10)
        assert once("k", lambda: "again") == "main"
    assert seen == ["thread"]
