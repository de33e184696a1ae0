"""Trust store, PKCS#12 loading, identities, the test PKI's own answers (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from vanban.pki import PkiError, TrustStore, identify, load_certificates, load_pkcs12
from vanban.pki.testpki import TestPki

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki(base_url="http://127.0.0.1:1")


def test_trust_store_from_pem_and_der_dedupes_by_fingerprint(pki):
    der = pki.root.cert.public_bytes(serialization.Encoding.DER)
    store = TrustStore.from_bytes([pki.root.cert_pem(), der, pki.chain_pem()])
    assert len(store) == 2  # root twice + issuing CA
    fingerprints = {a.fingerprint for a in store}
    assert identify(pki.root.cert).sha256 in fingerprints
    anchor = next(a for a in store if a.cert == pki.root.cert)
    assert anchor.is_ca
    shown = anchor.as_dict()
    assert shown["not_after"].endswith("+07:00")
    assert "Root CA" in shown["common_name"]


def test_trust_store_rejects_garbage():
    with pytest.raises(PkiError) as err:
        TrustStore.from_bytes([b"not a certificate"])
    assert err.value.code == "PKI_BAD_CERT"
    with pytest.raises(PkiError):
        load_certificates(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


def test_identity_reads_agency_code_from_ou_and_title(pki):
    seal = pki.issue_seal("UBND tỉnh Đắk Lắk", "000.00.00.H16")
    who = identify(seal.cert)
    assert who.agency_code == "000.00.00.H16"
    assert who.organization == "UBND tỉnh Đắk Lắk"
    leader = pki.issue_person("Nguyễn Văn An", "Chủ tịch", "UBND tỉnh Đắk Lắk")
    assert identify(leader.cert).title == "Chủ tịch"
    assert identify(leader.cert).agency_code is None


def test_bad_agency_code_is_refused_when_issuing(pki):
    with pytest.raises(ValueError, match="không hợp lệ"):
        pki.issue_seal("X", "H16")


def test_load_pkcs12_with_and_without_the_right_password(pki):
    person = pki.issue_person("Trần Thị Bình", "Phó Chủ tịch", "UBND tỉnh Đắk Lắk")
    blob = person.pkcs12(b"secret")
    signer = load_pkcs12(blob, "secret")
    assert signer.certificate == person.cert
    assert pki.root.cert in signer.chain
    with pytest.raises(PkiError) as err:
        load_pkcs12(blob, "wrong")
    assert err.value.code == "PKI_BAD_P12"


def test_crl_lists_only_revocations_effective_by_its_time(pki):
    now = datetime.now(UTC).replace(microsecond=0)
    gone = pki.issue_person("A", "B", "C")
    pki.revoke(gone.cert, at=now + timedelta(hours=1))
    early = x509.load_der_x509_crl(pki.crl("ca", this_update=now))
    late = x509.load_der_x509_crl(pki.crl("ca", this_update=now + timedelta(hours=2)))
    assert early.get_revoked_certificate_by_serial_number(gone.cert.serial_number) is None
    entry = late.get_revoked_certificate_by_serial_number(gone.cert.serial_number)
    assert entry is not None and entry.revocation_date_utc == now + timedelta(hours=1)
    assert late.is_signature_valid(pki.ca.key.public_key())


def test_ocsp_answers_good_then_revoked(pki):
    victim = pki.issue_person("D", "E", "F")
    request = (ocsp.OCSPRequestBuilder()
               .add_certificate(victim.cert, pki.ca.cert, hashes.SHA1()).build()
               .public_bytes(serialization.Encoding.DER))
    good = ocsp.load_der_ocsp_response(pki.ocsp_response(request))
    assert good.certificate_status == ocsp.OCSPCertStatus.GOOD
    pki.revoke(victim.cert, at=datetime.now(UTC) - timedelta(minutes=5))
    bad = ocsp.load_der_ocsp_response(pki.ocsp_response(request))
    assert bad.certificate_status == ocsp.OCSPCertStatus.REVOKED
    garbage = ocsp.load_der_ocsp_response(pki.ocsp_response(b"junk"))
    assert garbage.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_embedded_font_widths_are_in_thousandths_of_an_em() -> None:
    """pyHanko writes /W in font units; DejaVu's 2048-unit em made text twice too wide."""
    from io import BytesIO

    from pypdf import PdfReader

    from vanban.pki.appearance import has_unicode_font
    from vanban.pki.footer import stamp_verification_footer
    from vanban.pki.samplepdf import make_pdf

    if not has_unicode_font():
        pytest.skip("no embeddable Unicode font on this machine")
    pdf = stamp_verification_footer(make_pdf("QUYET DINH"), "http://127.0.0.1/xac-thuc/ABCD", "ABCD-EFGH")
    reader = PdfReader(BytesIO(pdf))
    widths: list[int] = []
    for ref in range(1, 200):
        try:
            obj = reader.get_object(ref)
        except Exception:
            continue
        if hasattr(obj, "get") and obj.get("/Subtype") == "/CIDFontType2":
            for item in obj["/W"]:
                if isinstance(item, list) or hasattr(item, "__iter__"):
                    widths += [int(w) for w in item]
    assert widths, "no embedded CID font found"
    assert max(widths) <= 1100
    assert sum(widths) / len(widths) < 800
