"""Good chain verdicts reused across packages of the same signer (`vanban.pki.revocation`):
what is reused, and for how long — never past VERDICT_SECONDS, an answer's nextUpdate or a
certificate's expiry; revoked, untrusted and unknown verdicts are always asked again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.pki.conftest import CODE, PkiEnv
from vanban.pki import revocation
from vanban.pki.testpki import Issued, TestPki


class Clock:
    """revocation's own `time.time`, moved forward by the test (the verdicts' expiry)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every certvalidator pass `check_certificate` makes (its mode and whether it fetched)."""
    revocation.clear_cache()
    seen: list[str] = []
    real = revocation._attempt

    async def counted(job: Any, mode: str, fetch: bool) -> Any:
        seen.append(f"{mode}{'+fetch' if fetch else ''}")
        return await real(job, mode, fetch)

    monkeypatch.setattr(revocation, "_attempt", counted)
    yield seen
    revocation.clear_cache()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(revocation, "time", fake)
    return fake


def _check(env: PkiEnv, issued: Issued, **kw: Any) -> revocation.CertCheck:
    return revocation.check_certificate(issued.cert, roots=[env.pki.root.cert], intermediates=issued.chain[:-1],
                                        **kw)


def test_a_good_verdict_is_reused_without_path_building_or_network(env: PkiEnv, runs: list[str]) -> None:
    system = env.pki.issue_system("Hệ thống gửi", "VP", CODE)
    first = _check(env, system)
    assert first.status == revocation.TRUSTED and first.fetched and runs
    passes, hits = len(runs), sum(env.server.hits.values())
    again = _check(env, system)
    assert again.status == revocation.TRUSTED
    assert len(runs) == passes and sum(env.server.hits.values()) == hits  # no certvalidator pass, no request
    assert again.fetched == [] and again.used == first.used  # the answers it rests on, fetched before
    again.status = revocation.UNKNOWN  # a caller changing its copy (check_pinned does) changes nothing kept
    assert _check(env, system).status == revocation.TRUSTED


def test_reuse_ends_after_verdict_seconds(env: PkiEnv, runs: list[str], clock: Clock) -> None:
    system = env.pki.issue_system("Hệ thống hạn", "VP", CODE)
    _check(env, system)
    passes = len(runs)
    clock.offset = revocation.VERDICT_SECONDS - 5
    _check(env, system)
    assert len(runs) == passes
    clock.offset = revocation.VERDICT_SECONDS + 1
    assert _check(env, system).status == revocation.TRUSTED
    assert len(runs) > passes  # judged again


def test_reuse_never_outlives_an_answers_next_update(env: PkiEnv, runs: list[str], clock: Clock) -> None:
    system = env.pki.issue_system("Hệ thống OCSP", "VP", CODE)
    # The OCSP answer is made "a day minus 60 s ago": its nextUpdate (a day later) is 60 s away.
    with env.clock(datetime.now(UTC) - timedelta(days=1) + timedelta(seconds=60)):
        first = _check(env, system)
    assert first.status == revocation.TRUSTED
    passes = len(runs)
    clock.offset = 30
    _check(env, system)
    assert len(runs) == passes
    clock.offset = 61  # before VERDICT_SECONDS, after the answer's nextUpdate
    _check(env, system)
    assert len(runs) > passes


def test_revoked_and_unknown_verdicts_are_asked_again(env: PkiEnv, runs: list[str]) -> None:
    revoked = env.pki.issue_system("Hệ thống thu hồi", "VP", CODE)
    env.pki.revoke(revoked.cert, datetime.now(UTC) - timedelta(hours=1))
    assert _check(env, revoked).status == revocation.REVOKED
    passes = len(runs)
    assert _check(env, revoked).status == revocation.REVOKED
    assert len(runs) > passes

    later = env.pki.issue_system("Hệ thống mạng chập chờn", "VP", CODE)
    env.server.offline = True
    try:
        assert _check(env, later).status == revocation.UNKNOWN
    finally:
        env.server.offline = False
    assert _check(env, later).status == revocation.TRUSTED  # the responder is back: asked, not reused


def test_a_certificate_revoked_after_a_good_verdict_is_seen_once_reuse_ends(
        env: PkiEnv, runs: list[str], clock: Clock) -> None:
    system = env.pki.issue_system("Hệ thống bị thu hồi sau", "VP", CODE)
    assert _check(env, system).status == revocation.TRUSTED
    env.pki.revoke(system.cert, datetime.now(UTC) - timedelta(minutes=1))
    revocation._cache.clear()  # the answers kept: a fresh OCSP answer is asked once the verdict ends
    assert _check(env, system).status == revocation.TRUSTED  # within the reuse window: the verdict stands
    clock.offset = revocation.VERDICT_SECONDS + 1
    assert _check(env, system).status == revocation.REVOKED


def test_other_anchors_a_past_moment_or_no_cache_are_judged_again(env: PkiEnv, runs: list[str]) -> None:
    system = env.pki.issue_system("Hệ thống neo khác", "VP", CODE)
    assert _check(env, system).status == revocation.TRUSTED
    stranger = TestPki(prefix="STRANGER")
    passes = len(runs)
    other = revocation.check_certificate(system.cert, roots=[stranger.root.cert], intermediates=system.chain[:-1])
    assert other.status == revocation.UNTRUSTED and len(runs) > passes
    passes = len(runs)
    _check(env, system, moment=datetime.now(UTC) - timedelta(minutes=5))
    assert len(runs) > passes
    passes = len(runs)
    _check(env, system, cache_seconds=0)
    assert len(runs) > passes


def test_verdicts_kept_are_bounded(env: PkiEnv, runs: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revocation, "_VERDICTS_MAX", 5)
    for i in range(8):
        _check(env, env.pki.issue_system(f"Hệ thống {i}", "VP", CODE))
    assert 0 < len(revocation._verdicts) <= 5
