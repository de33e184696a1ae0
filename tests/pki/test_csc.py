"""Remote signing over the CSC API v2 against a CSC service the test starts (tests/pki/cscserver.py,
our own): the leader's code from the phone app authorises exactly the hash being signed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hub.live_hubs import free_port
from tests.pki.cscserver import CscServer, CscState
from vanban.pki.csc import CscService, credential_certificates, sign_pdf_remote
from vanban.pki.errors import PkiError
from vanban.pki.validate import validate_pdf

pytestmark = pytest.mark.integration


@pytest.fixture
def csc(env) -> Iterator[tuple[CscState, str]]:
    state = CscState(token="dich-vu-vanban", credentials={"lanhdao-01": env.person, "khac": env.seal})
    with CscServer(state) as url:
        yield state, url


def test_remote_signature_is_valid(env, pdf, csc) -> None:
    state, url = csc
    service = CscService(url, token=state.token)
    chain = credential_certificates(service, "lanhdao-01")
    assert chain[0] == env.person.cert and chain[1:] == env.person.chain
    signed = sign_pdf_remote(pdf, service, "lanhdao-01", "123456", expected=env.person.cert,
                             reason="Ký ban hành", description="Quyết định thử")
    report = validate_pdf(signed, env.trust(), allow_fetching=True)
    assert report.valid, report.as_dict()
    assert report.signatures[0].signer.common_name == "Nguyễn Văn An"
    assert state.calls.count("signatures/signHash") == 1 and not state.sads  # the SAD was used once


def test_wrong_code_from_the_phone_is_refused(env, pdf, csc) -> None:
    state, url = csc
    with pytest.raises(PkiError) as err:
        sign_pdf_remote(pdf, CscService(url, token=state.token), "lanhdao-01", "000000")
    assert err.value.code == "PKI_CSC_BAD_OTP"
    assert "signatures/signHash" not in state.calls


def test_wrong_service_token_is_refused(env, pdf, csc) -> None:
    _, url = csc
    with pytest.raises(PkiError) as err:
        sign_pdf_remote(pdf, CscService(url, token="sai"), "lanhdao-01", "123456")
    assert err.value.code == "PKI_CSC_REFUSED"


def test_credential_of_someone_else_signs_nothing(env, pdf, csc) -> None:
    state, url = csc
    with pytest.raises(PkiError) as err:
        sign_pdf_remote(pdf, CscService(url, token=state.token), "khac", "123456", expected=env.person.cert)
    assert err.value.code == "PKI_DEFERRED_MISMATCH"
    assert state.calls == ["credentials/info"]


def test_service_down(env, pdf) -> None:
    with pytest.raises(PkiError) as err:
        sign_pdf_remote(pdf, CscService(f"http://127.0.0.1:{free_port()}", token="x", timeout=5), "a", "1")
    assert err.value.code == "PKI_CSC_UNREACHABLE"
