"""Deferred (two-step) PAdES signing: prepare, sign elsewhere, embed; mismatches refused."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from vanban.pki.deferred import complete_signature, prepare_signature
from vanban.pki.errors import PkiError
from vanban.pki.validate import validate_pdf

pytestmark = pytest.mark.integration


def device_sign(issued, data: bytes) -> bytes:
    """Stands in for the token: signs the prepared attributes with the holder's key."""
    return issued.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def test_two_step_signature_is_valid(env, pdf):
    prepared = prepare_signature(pdf, env.person.cert, env.person.chain, reason="Ký ban hành")
    assert len(prepared.digest) == 32
    signed = complete_signature(prepared, raw_signature=device_sign(env.person,
                                                                    prepared.to_be_signed))
    assert signed.startswith(pdf)  # incremental update: original bytes kept
    report = validate_pdf(signed, env.trust(), allow_fetching=True)
    assert report.valid, report.as_dict()
    assert report.signatures[0].signer.common_name == "Nguyễn Văn An"


def test_signature_from_another_key_is_refused(env, pdf):
    prepared = prepare_signature(pdf, env.person.cert, env.person.chain)
    before = prepared._output.getvalue()
    with pytest.raises(PkiError) as err:
        complete_signature(prepared, raw_signature=device_sign(env.seal, prepared.to_be_signed))
    assert err.value.code == "PKI_DEFERRED_MISMATCH"
    assert prepared._output.getvalue() == before


def test_signature_over_other_document_is_refused(env, pdf):
    first = prepare_signature(pdf, env.person.cert, env.person.chain)
    second = prepare_signature(pdf + b"\n%other\n", env.person.cert, env.person.chain)
    with pytest.raises(PkiError) as err:
        complete_signature(second, raw_signature=device_sign(env.person, first.to_be_signed))
    assert err.value.code == "PKI_DEFERRED_MISMATCH"


def test_cms_from_device_is_checked_then_embedded(env, pdf):
    from vanban.pki.sign import sign_pdf  # a CMS for ANOTHER document, same signer

    prepared = prepare_signature(pdf, env.person.cert, env.person.chain)
    other = sign_pdf(pdf, env.signer(env.person), visible=False)
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    cms_der = PdfFileReader(BytesIO(other)).embedded_signatures[0].signed_data
    from asn1crypto import cms
    wrapped = cms.ContentInfo({"content_type": "signed_data", "content": cms_der}).dump()
    with pytest.raises(PkiError) as err:
        complete_signature(prepared, cms_signature=wrapped)
    assert err.value.code == "PKI_DEFERRED_MISMATCH"
    with pytest.raises(PkiError) as err:
        complete_signature(prepared, cms_signature=b"not a cms")
    assert err.value.code == "PKI_DEFERRED_BAD_CMS"


def test_cms_made_by_device_for_this_document_is_accepted(env, pdf):
    from pyhanko.sign.signers import ExternalSigner

    from vanban.pki.runner import run_coroutine

    prepared = prepare_signature(pdf, env.person.cert, env.person.chain)
    raw = device_sign(env.person, prepared.to_be_signed)
    dev = ExternalSigner(signing_cert=prepared._ext.signing_cert, cert_registry=None,
                         signature_value=raw)
    cms_der = run_coroutine(lambda: dev.async_sign_prescribed_attributes(
        "sha256", signed_attrs=prepared._signed_attrs)).dump()
    signed = complete_signature(prepared, cms_signature=cms_der)
    assert validate_pdf(signed, env.trust(), allow_fetching=True).valid


def test_state_survives_between_requests(env, pdf):
    """What a web server keeps between prepare and complete rebuilds the same signature."""
    import json

    from vanban.pki.deferred import PreparedSignature

    first = prepare_signature(pdf, env.person.cert, env.person.chain, reason="Ký ban hành")
    state = json.loads(json.dumps(first.to_state()))  # through JSON, as a database keeps it
    again = PreparedSignature.from_state(state, first.prepared_pdf)
    assert again.to_be_signed == first.to_be_signed
    signed = complete_signature(again, raw_signature=device_sign(env.person, again.to_be_signed))
    assert validate_pdf(signed, env.trust(), allow_fetching=True).valid


def test_state_with_another_prepared_pdf_is_refused(env, pdf):
    from vanban.pki.deferred import PreparedSignature

    first = prepare_signature(pdf, env.person.cert, env.person.chain)
    with pytest.raises(PkiError) as err:
        PreparedSignature.from_state(first.to_state(), first.prepared_pdf + b" ")
    assert err.value.code == "PKI_DEFERRED_STATE"


def test_timestamp_stamps_the_device_signature(env, pdf):
    """B-T at completion: the TSA token is over the real signature value, so it validates."""
    prepared = prepare_signature(pdf, env.person.cert, env.person.chain, timestamper=f"{env.server.url}/tsa")
    signed = complete_signature(prepared, raw_signature=device_sign(env.person, prepared.to_be_signed))
    report = validate_pdf(signed, env.trust(), allow_fetching=True)
    assert report.valid, report.as_dict()
    assert report.signatures[0].timestamp == "valid"
    assert report.signatures[0].level in ("B-T", "B-LT")


def test_ltv_at_completion_validates_offline(env, pdf):
    """B-LT: timestamp and revocation answers embedded at completion; later, with the CRL/OCSP
    server unreachable, the signature is still valid with revocation known."""
    prepared = prepare_signature(pdf, env.person.cert, env.person.chain, timestamper=f"{env.server.url}/tsa")
    signed = complete_signature(prepared, raw_signature=device_sign(env.person, prepared.to_be_signed),
                                ltv_trust=env.trust())
    report = validate_pdf(signed, env.trust(), allow_fetching=False)
    assert report.valid, report.as_dict()
    assert report.signatures[0].level == "B-LT"
    assert report.signatures[0].revocation == "good"


def test_without_ltv_revocation_is_unknown_offline(env, pdf):
    prepared = prepare_signature(pdf, env.person.cert, env.person.chain)
    signed = complete_signature(prepared, raw_signature=device_sign(env.person, prepared.to_be_signed))
    report = validate_pdf(signed, env.trust(), allow_fetching=False)
    assert report.signatures[0].revocation == "unknown"
