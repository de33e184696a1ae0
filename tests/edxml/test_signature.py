"""Enveloped XML-DSig: valid, tampered header, tampered attachment, wrong cert, removed."""

from __future__ import annotations

import os
import re

import pytest
from lxml import etree

from tests.edxml.samples import sample_document
from vanban.edxml import (
    DSIG_NS,
    EDXML_NS,
    Attachment,
    EdxmlError,
    build_package,
    parse_package,
    sign_package,
    verify_package,
)

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("each_backend")]


@pytest.fixture
def signed(document, agency) -> bytes:
    return sign_package(build_package(document), agency.key, agency.cert)


def test_valid_signature_names_the_signer(signed, agency):
    result = verify_package(signed, [agency.cert])
    assert result.valid is True
    assert "CN=UBND tỉnh Đắk Lắk" in result.signer
    assert result.algorithm == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    # the package handed back is read from what the verifier says was signed
    assert result.package.document == parse_package(signed).document


def test_signature_sits_in_the_header_and_covers_everything(signed):
    root = etree.fromstring(signed)
    sig = root.find(f"{{{EDXML_NS}}}edXMLEnvelope/{{{EDXML_NS}}}edXMLHeader/{{{DSIG_NS}}}Signature")
    assert sig is not None
    (ref,) = sig.findall(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}Reference")
    assert ref.get("URI") == ""
    algos = [t.get("Algorithm") for t in ref.iter(f"{{{DSIG_NS}}}Transform")]
    assert algos == ["http://www.w3.org/2000/09/xmldsig#enveloped-signature",
                     "http://www.w3.org/2001/10/xml-exc-c14n#"]
    assert parse_package(signed).signed is True


def test_signed_package_still_parses_strictly_and_keeps_prefixes(signed, document):
    assert b"<edXML:MessageHeader>" in signed
    assert signed.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    parsed = parse_package(signed)
    assert parsed.warnings == ()
    assert [a.read() for a in parsed.attachments] == [a.data for a in document.attachments]


def test_tampered_header_fails(signed, agency):
    tampered = signed.replace("triển khai".encode(), "hủy bỏ".encode())
    result = verify_package(tampered, [agency.cert])
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_INVALID")


def test_one_changed_attachment_byte_fails(signed, agency):
    m = re.search(rb"<edXML:ContentTransferEncoded[^>]*>([^<]+)<", signed)
    pos = m.start(1) + 100
    flipped = b"B" if signed[pos:pos + 1] != b"B" else b"C"
    tampered = signed[:pos] + flipped + signed[pos + 1:]
    result = verify_package(tampered, [agency.cert])
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_INVALID")


def test_changed_attachment_metadata_fails(signed, agency):
    result = verify_package(signed.replace(b"du-thao.docx", b"du-thao.exe"), [agency.cert])
    assert result.valid is False


def test_wrong_certificate_fails(signed, stranger):
    result = verify_package(signed, [stranger.cert])
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_UNTRUSTED")


def test_any_of_several_trusted_certificates(signed, agency, stranger):
    assert verify_package(signed, [stranger.cert, agency.cert]).valid is True


def test_embedded_certificate_is_not_trusted_by_itself(signed):
    result = verify_package(signed, [])
    assert result.valid is False and result.code == "EDXML_SIGNATURE_UNTRUSTED"


def test_removed_signature_fails(signed, agency):
    stripped = re.sub(rb"<Signature xmlns=.*?</Signature>", b"", signed, flags=re.DOTALL)
    assert b"SignatureValue" not in stripped
    result = verify_package(stripped, [agency.cert])
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_MISSING")


def test_partial_reference_is_refused(signed, agency):
    result = verify_package(signed.replace(b'<Reference URI="">', b'<Reference URI="#x">'),
                            [agency.cert])
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_SCOPE")


def test_second_signature_is_refused(signed, agency):
    sig = re.search(rb"<Signature xmlns=.*?</Signature>", signed, flags=re.DOTALL).group(0)
    doubled = signed.replace(b"</edXML:edXMLHeader>", sig + b"</edXML:edXMLHeader>")
    result = verify_package(doubled, [agency.cert])
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_INVALID")


def test_resigning_replaces_the_old_signature(signed, agency, stranger):
    again = sign_package(signed, stranger.key, stranger.cert)
    assert again.count(b"<SignatureValue>") == 1
    assert verify_package(again, [stranger.cert]).valid is True
    assert verify_package(again, [agency.cert]).valid is False


def test_placeholder_signature_of_the_sdk_samples_is_invalid(agency):
    """Our fixture copies the SDK sample's placeholder (`MIIFqTCCBJG` is no certificate)."""
    from tests.edxml.samples import FIXTURES

    data = (FIXTURES / "national_sdk_zipped.edxml").read_bytes()
    result = verify_package(data, [agency.cert])
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_INVALID")


def test_hostile_input_is_an_error_not_an_invalid_signature(agency):
    with pytest.raises(EdxmlError) as err:
        verify_package(b'<!DOCTYPE x [<!ENTITY a "b">]><edXML/>', [agency.cert])
    assert err.value.code == "EDXML_DTD_FORBIDDEN"


def test_signing_accepts_pem(document, agency):
    data = sign_package(build_package(document), agency.key_pem(), agency.cert_pem())
    assert verify_package(data, [agency.cert_pem()]).valid is True


def test_bad_key_is_an_error(document, agency):
    with pytest.raises(EdxmlError) as err:
        sign_package(build_package(document), b"not a key", agency.cert)
    assert err.value.code == "EDXML_BAD_KEY"


def test_attachment_over_libxml2s_text_limit_verifies(agency):
    # 9 MiB is over 10 MB as base64: libxml2 refuses such a text node unless the parser is
    # told `huge_tree`, and signxml re-reads the package with the parser given to verify().
    big = sample_document(Attachment("ban-scan.pdf", b"%PDF-1.4\n" + os.urandom(9 * 1024 * 1024),
                                     "application/pdf"))
    result = verify_package(sign_package(build_package(big), agency.key, agency.cert), [agency.cert])
    assert result.valid is True, result.reason
    assert result.package.attachments[0].size == 9 * 1024 * 1024 + 9
