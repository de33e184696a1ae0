"""Jobs that can wait for a long drain do, and their follow-up is queued once, when the
process's drains end; drains close together are one spell."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vanban.jobs import drains


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(drains, "_clock", clock)
    monkeypatch.setattr(drains, "_spell", {"since": 0.0, "idle_since": float("-inf")})
    return clock


@pytest.fixture
def calls() -> list[str]:
    return []


def _follow_up(calls: list[str], name: str = "sweep") -> Callable[[], None]:
    return lambda: calls.append(name)


def test_without_a_drain_the_job_runs_now(clock: Clock, calls: list[str]) -> None:
    assert drains.after_drain("sweep", _follow_up(calls)) is False
    with drains.draining():
        pass
    assert calls == []


def test_a_short_drain_is_ordinary_traffic(clock: Clock, calls: list[str]) -> None:
    with drains.draining():
        clock.now += drains.LONG_DRAIN_SECONDS - 0.1
        assert drains.after_drain("sweep", _follow_up(calls)) is False
    assert calls == []


def test_a_long_drain_keeps_one_follow_up_per_name_for_its_end(clock: Clock, calls: list[str]) -> None:
    with drains.draining():
        clock.now += drains.LONG_DRAIN_SECONDS
        assert drains.after_drain("sweep", _follow_up(calls)) is True
        assert drains.after_drain("sweep", _follow_up(calls, "again")) is True  # one is enough
        assert drains.after_drain("other", _follow_up(calls, "other")) is True
        assert calls == []  # nothing while it drains
    assert calls == ["sweep", "other"]
    with drains.draining():
        pass
    assert calls == ["sweep", "other"]  # queued once, then forgotten


def test_the_follow_up_waits_for_the_last_of_overlapping_drains(clock: Clock, calls: list[str]) -> None:
    sending, polling = drains.draining(), drains.draining()
    sending.__enter__()
    polling.__enter__()
    clock.now += drains.LONG_DRAIN_SECONDS
    assert drains.after_drain("sweep", _follow_up(calls)) is True
    sending.__exit__(None, None, None)
    assert calls == []  # the polling drain goes on
    polling.__exit__(None, None, None)
    assert calls == ["sweep"]


def test_drains_close_together_are_one_spell(clock: Clock, calls: list[str]) -> None:
    for _ in range(3):  # a polling loop that stops whenever the inbox is empty for a moment
        with drains.draining():
            clock.now += 2.0
        clock.now += drains.GAP_SECONDS - 0.5
    with drains.draining():  # 7.5 s into the spell, though this drain has just begun
        assert drains.after_drain("sweep", _follow_up(calls)) is True
    assert calls == ["sweep"]
    clock.now += drains.GAP_SECONDS + 0.5  # a real pause: the next drain is a new spell
    with drains.draining():
        assert drains.after_drain("sweep", _follow_up(calls)) is False


def test_a_follow_up_that_fails_does_not_hide_the_drains_end(clock: Clock,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    def queue_down() -> None:
        raise ConnectionError("the queue is down")

    with drains.draining():
        clock.now += drains.LONG_DRAIN_SECONDS
        assert drains.after_drain("sweep", queue_down) is True
    assert "follow-up of a drain not queued" in caplog.text
    assert drains.after_drain("sweep", queue_down) is False  # no drain left behind
