"""Validation in worker processes gives the same outcome, PDF for PDF, as validation here."""

from __future__ import annotations

import pytest

from vanban.pki import PkiError, sign_pdf, validate_pdf
from vanban.pki.pool import validate_many


@pytest.fixture
def both_signed(env, pdf) -> bytes:
    once = sign_pdf(pdf, env.signer(env.person), role="person", reason="Ký ban hành")
    return sign_pdf(once, env.signer(env.seal), role="seal", timestamper=env.server.tsa_url)


def test_pool_outcomes_match_inline_validation_in_order(env, pdf, both_signed):
    signed = sign_pdf(pdf, env.signer(env.person))
    at = signed.index(b"QUYET DINH")
    tampered = signed[:at] + b"X" + signed[at + 1:]
    batch = [both_signed, tampered, b"%PDF-1.7 not really", signed]

    pooled = validate_many(batch, env.trust(), processes=2)

    assert [type(o).__name__ for o in pooled] == ["ValidationReport", "ValidationReport", "PkiError",
                                                   "ValidationReport"]
    assert [o.verdict for o in pooled if not isinstance(o, PkiError)] == [
        validate_pdf(p, env.trust()).verdict for p in (both_signed, tampered, signed)]
    assert pooled[1].verdict == "invalid" and pooled[1].signatures[0].integrity == "broken"
    assert pooled[0].signatures[0].signer.common_name == "Nguyễn Văn An"
    assert pooled[0].signatures[1].signer.agency_code == "000.00.00.H16"
    error = pooled[2]
    assert isinstance(error, PkiError) and error.code.startswith("PKI_") and error.message


def test_one_process_or_one_pdf_validates_here(env, both_signed):
    assert validate_many([], env.trust(), processes=4) == []
    (only,) = validate_many([both_signed], env.trust(), processes=4)
    assert only.verdict == validate_pdf(both_signed, env.trust()).verdict


def test_a_broken_pool_falls_back_to_validating_here_and_is_replaced(env, both_signed):
    import os
    import signal

    from vanban.pki import pool

    validate_many([both_signed, both_signed], env.trust(), processes=2)
    for pid in list(pool._pools[2]._processes):
        os.kill(pid, signal.SIGKILL)  # what the out-of-memory killer would do
    outcomes = validate_many([both_signed, both_signed], env.trust(), processes=2)
    assert [o.verdict for o in outcomes] == ["valid", "valid"]
    assert 2 not in pool._pools or pool._pools[2]._broken is False
    again = validate_many([both_signed, both_signed], env.trust(), processes=2)
    assert [o.verdict for o in again] == ["valid", "valid"]


def test_checks_started_go_on_while_the_caller_works_and_give_the_same_outcomes(env, pdf, both_signed):
    """`start_many`: the children validate while this process does something else (the receiver
    registers the previous round's arrivals); the outcomes are those of `validate_many`."""
    from vanban.pki.pool import start_many

    signed = sign_pdf(pdf, env.signer(env.person))
    checking = start_many([both_signed, signed], env.trust(), processes=2)
    meanwhile = validate_pdf(signed, env.trust())  # this process's own work, the children busy beside it
    outcomes = checking.outcomes()
    assert [o.verdict for o in outcomes] == ["valid", meanwhile.verdict]
    assert outcomes[0].signatures[1].signer.agency_code == "000.00.00.H16"
    assert [o.sha256 for o in outcomes] == [o.sha256 for o in validate_many([both_signed, signed], env.trust(),
                                                                              processes=2)]


def test_a_broken_pool_is_forgotten_but_not_a_newer_one_started_meanwhile():
    """Rounds overlap: the next round's checks may run in a new pool when the old one's
    breakage is seen; only the broken one is dropped."""
    from vanban.pki import pool

    old = pool._pool(3)
    pool._drop_pool(3, old)
    assert 3 not in pool._pools
    new = pool._pool(3)
    try:
        pool._drop_pool(3, old)  # the old pool's breakage, seen late
        assert pool._pools[3] is new
    finally:
        pool._drop_pool(3, new)
        new.shutdown()
