"""Revocation checked where the office checks incoming packages (envelope and PDF) and in the
archive, with the test PKI's live CRL and OCSP responder on 127.0.0.1."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.hub.packages import document
from vanban.exchange.verification import check_envelope
from vanban.pki import KeyHoldingSigner, sign_pdf, validate_pdf
from vanban.pki import revocation as pure
from vanban.pki.samplepdf import make_pdf
from vanban.pki.testpki import TestPki
from vanban.pki.testserver import PkiServer
from vanban.settings.parsers import SettingError, parse_revocation_policy
from vanban.trust import services
from vanban.trust.models import RevocationEvidence, TrustAnchor

pytestmark = pytest.mark.django_db
CODE = "000.00.01.H16"


class Env:
    def __init__(self, server: PkiServer, pki: TestPki) -> None:
        self.server, self.pki = server, pki


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    server = PkiServer()
    pki = TestPki(base_url=server.url, prefix="REV")
    server.attach(pki)
    with server:
        yield Env(server, pki)


@pytest.fixture(autouse=True)
def _fresh(env: Env, settings) -> Iterator[None]:
    pure.clear_cache()
    env.server.offline = False
    settings.VANBAN_REVOCATION_FETCH = True
    settings.VANBAN_REVOCATION_POLICY = "soft-fail"
    services.add_anchors(actor="test", agency=None, data=env.pki.root.cert_pem())
    yield
    env.server.offline = False


def _hits(env: Env) -> int:
    return sum(env.server.hits.values())


def _revoked(env: Env, kind: str = "system"):
    issued = (env.pki.issue_system("Hệ thống thu hồi", "VP", CODE) if kind == "system"
              else env.pki.issue_seal("Văn phòng", CODE))
    env.pki.revoke(issued.cert, datetime.now(UTC) - timedelta(hours=1))
    return issued


def test_good_certificate_is_checked_answers_kept_and_reused(env: Env) -> None:
    system = env.pki.issue_system("Hệ thống tốt", "VP", CODE)
    check = services.check_chain(system.cert, system.chain[:-1])
    assert (check.ok, check.status) == (True, "trusted")
    assert "chưa bị thu hồi" in check.message
    kept = RevocationEvidence.objects.count()
    assert kept >= 1 and check.evidence
    before = _hits(env)
    pure.clear_cache()  # another process: only the kept rows
    again = services.check_chain(system.cert, system.chain[:-1])
    assert again.status == "trusted"
    assert _hits(env) == before  # answered from the kept CRL/OCSP, no network
    assert RevocationEvidence.objects.count() == kept


def test_a_good_verdict_is_reused_without_reading_the_kept_answers(env: Env) -> None:
    """The envelope of every package of one sender is checked against the same certificate:
    the second check reuses the verdict (vanban.pki.revocation) and reads no kept answer; a
    removed anchor is another anchor set, judged again at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    system = env.pki.issue_system("Hệ thống gửi nhiều gói", "VP", CODE)
    first = services.check_chain(system.cert, system.chain[:-1])
    assert first.status == "trusted"
    hits = _hits(env)
    with CaptureQueriesContext(connection) as queries:
        again = services.check_chain(system.cert, system.chain[:-1])
    assert (again.ok, again.status, again.evidence) == (True, "trusted", first.evidence)
    assert _hits(env) == hits
    assert not [q for q in queries.captured_queries if "trust_revocationevidence" in q["sql"]]
    TrustAnchor.objects.update(status=TrustAnchor.Status.REMOVED)  # the trust page's removal, every anchor
    assert services.check_chain(system.cert, system.chain[:-1]).status == "untrusted"


def test_revoked_certificate_is_refused_plainly(env: Env) -> None:
    system = _revoked(env)
    check = services.check_chain(system.cert, system.chain[:-1])
    assert (check.ok, check.status) == (False, "revoked")
    assert "ĐÃ BỊ THU HỒI" in check.message
    assert not services.certificate_chains_to_anchor(system.cert, system.chain[:-1])


def test_unknown_status_soft_fail_passes_and_says_so_hard_fail_refuses(env: Env, settings) -> None:
    system = env.pki.issue_system("Hệ thống mất mạng", "VP", CODE)
    env.server.offline = True
    soft = services.check_chain(system.cert, system.chain[:-1])
    assert (soft.ok, soft.status) == (True, "revocation_unknown")
    assert "KHÔNG RÕ TÌNH TRẠNG THU HỒI" in soft.message
    settings.VANBAN_REVOCATION_POLICY = "hard-fail"
    hard = services.check_chain(system.cert, system.chain[:-1])
    assert (hard.ok, hard.status) == (False, "revocation_unknown")
    # a revoked certificate stays revoked whatever the network does, once its answer is kept
    env.server.offline = False
    revoked = _revoked(env)
    assert services.check_chain(revoked.cert, revoked.chain[:-1]).status == "revoked"


def test_untrusted_root_is_not_revocation_unknown(env: Env) -> None:
    stranger = TestPki(prefix="LẠ", base_url=env.server.url).issue_system("Lạ", "Lạ", CODE)
    check = services.check_chain(stranger.cert, stranger.chain[:-1])
    assert (check.ok, check.status) == (False, "untrusted")


def test_office_envelope_check_refuses_a_revoked_signer(env: Env, office) -> None:
    system = _revoked(env)

    class Sender:
        code, key, cert = CODE, system.key, system.cert

    data, _doc_id = document(Sender, "000.00.02.H16")  # type: ignore[arg-type]
    # the envelope carries the signer only; the office finds the issuer CA through the store
    services.add_anchors(actor="test", agency=None, data=env.pki.ca.cert_pem())
    check = check_envelope(data, CODE)
    assert not check.ok and check.integrity
    assert "ĐÃ BỊ THU HỒI" in check.detail


def test_pdf_signed_with_a_revoked_seal_is_invalid_and_evidence_kept(env: Env) -> None:
    seal = _revoked(env, "seal")
    signed = sign_pdf(make_pdf(), KeyHoldingSigner(seal.key, seal.cert, seal.chain), role="seal")
    report = validate_pdf(signed, services.trust_store())  # the office's store: fetches by default
    assert report.verdict == "invalid"
    assert report.signatures[0].revocation == "revoked"
    assert "BỊ THU HỒI" in report.summary.message
    assert report.revocation_evidence and {e["kind"] for e in report.revocation_evidence} <= {"crl", "ocsp"}
    kept = services.keep_report_evidence(report)  # what the office's incoming check does
    assert {r.sha256 for r in kept} == {e["sha256"] for e in report.revocation_evidence}
    assert RevocationEvidence.objects.filter(kind="ocsp").exists() or RevocationEvidence.objects.filter(
        kind="crl").exists()


def test_the_same_answers_kept_again_cost_one_statement(env: Env) -> None:
    """Every incoming PDF's report names the answers it rests on, mostly the same few again:
    kept in one SELECT (and one INSERT for the new ones), one row per answer, in order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seal = env.pki.issue_seal("Văn phòng nhiều văn bản", CODE)
    signed = sign_pdf(make_pdf(), KeyHoldingSigner(seal.key, seal.cert, seal.chain), role="seal")
    report = validate_pdf(signed, services.trust_store())
    answers = [(e["kind"], base64.b64decode(e["der_b64"])) for e in report.revocation_evidence]
    assert answers
    first = services.keep_report_evidence(report)
    assert [r.sha256 for r in first] == [e["sha256"] for e in report.revocation_evidence]
    assert all(r.pk and bytes(r.der) == der and r.kind == kind for r, (kind, der) in zip(first, answers, strict=True))
    with CaptureQueriesContext(connection) as queries:
        again = services.keep_answers([*answers, answers[0]])  # a repeat inside one call too
    assert len(queries.captured_queries) == 1
    assert [r.pk for r in again] == [*(r.pk for r in first), first[0].pk]
    assert RevocationEvidence.objects.count() == len({r.sha256 for r in first})


def test_archive_is_hard_fail_office_is_soft_fail(env: Env) -> None:
    seal = env.pki.issue_seal("Văn phòng lưu trữ", CODE)
    signed = sign_pdf(make_pdf(), KeyHoldingSigner(seal.key, seal.cert, seal.chain), role="seal")
    env.server.offline = True
    office = validate_pdf(signed, services.trust_store())
    assert office.verdict == "valid"
    assert "KHÔNG RÕ TÌNH TRẠNG THU HỒI" in office.summary.message
    archive = validate_pdf(signed, services.trust_store(archive=True))
    assert archive.verdict == "indeterminate"
    assert "KHÔNG RÕ TÌNH TRẠNG THU HỒI" in archive.summary.message
    env.server.offline = False
    assert validate_pdf(signed, services.trust_store(archive=True)).verdict == "valid"


def test_policy_parser() -> None:
    assert parse_revocation_policy("") == "soft-fail"
    assert parse_revocation_policy(" Hard_Fail ") == "hard-fail"
    with pytest.raises(SettingError):
        parse_revocation_policy("maybe")


def test_pdf_answers_are_cached_in_the_process(env: Env) -> None:
    seal = env.pki.issue_seal("Văn phòng bộ nhớ đệm", CODE)
    signed = sign_pdf(make_pdf(), KeyHoldingSigner(seal.key, seal.cert, seal.chain), role="seal")
    first = validate_pdf(signed, services.trust_store())
    assert first.verdict == "valid" and first.signatures[0].revocation == "good"
    before = _hits(env)
    assert before > 0
    second = validate_pdf(signed, services.trust_store())
    assert second.verdict == "valid" and second.signatures[0].revocation == "good"
    assert _hits(env) == before  # no network: the fresh answers were reused
    assert second.revocation_evidence  # and still named as what the verdict rests on


def _hub_package(env: Env, system) -> bytes:
    class Sender:
        code, key, cert = CODE, system.key, system.cert

    data, _doc_id = document(Sender, "000.00.02.H16")  # type: ignore[arg-type]
    return data


def test_hub_refuses_a_registered_certificate_since_revoked(env: Env, office, settings) -> None:
    from vanban.hub import services as hub_services
    from vanban.hub.errors import HubError
    from vanban.hub.intake import check

    good, revoked = env.pki.issue_system("Hệ thống", "VP", CODE), _revoked(env)
    # the operator registers the agency's certificates with the issuing CA
    for issued in (good, revoked):
        hub_services.add_certificates(code=CODE, pem=issued.cert_pem() + env.pki.ca.cert_pem())
    facts = check(_hub_package(env, good), caller=None, from_parent=False, max_bytes=10_000_000)
    assert facts.sender_code == CODE
    with pytest.raises(HubError) as info:
        check(_hub_package(env, revoked), caller=None, from_parent=False, max_bytes=10_000_000)
    assert info.value.code == "SENDER_CERTIFICATE_REVOKED"
    assert "ĐÃ BỊ THU HỒI" in info.value.message
    # unreachable CRL/OCSP: soft-fail goes on with a note in the trace, hard-fail refuses
    pure.clear_cache()
    env.server.offline = True
    noted = check(_hub_package(env, good), caller=None, from_parent=False, max_bytes=10_000_000)
    assert any("Không rõ tình trạng thu hồi" in n for n in noted.notes)
    settings.VANBAN_REVOCATION_POLICY = "hard-fail"
    with pytest.raises(HubError) as info:
        check(_hub_package(env, good), caller=None, from_parent=False, max_bytes=10_000_000)
    assert info.value.code == "SENDER_REVOCATION_UNKNOWN"


def test_office_incoming_check_keeps_the_pdf_answers(env: Env, office) -> None:
    from vanban import edxml
    from vanban.exchange.verification import verify_document

    services.add_anchors(actor="test", agency=None, data=env.pki.ca.cert_pem())
    system, seal = env.pki.issue_system("Hệ thống", "VP", CODE), _revoked(env, "seal")
    signed = sign_pdf(make_pdf(), KeyHoldingSigner(seal.key, seal.cert, seal.chain), role="seal")

    class Sender:
        code, key, cert = CODE, system.key, system.cert

    data, _doc_id = document(Sender, "000.00.02.H16", attachment=signed)  # type: ignore[arg-type]
    report = verify_document(edxml.parse_package(data), data)
    checks = {c.code: c for c in report.checks}
    assert checks["ENVELOPE_SIGNATURE"].ok
    assert not checks["PDF_SIGNATURES"].ok and "BỊ THU HỒI" in checks["PDF_SIGNATURES"].detail
    # the OCSP answer about the seal (only the PDF check asked about it) is kept
    assert RevocationEvidence.objects.filter(kind="ocsp",
                                             serials__contains=format(seal.cert.serial_number, "x")).exists()
