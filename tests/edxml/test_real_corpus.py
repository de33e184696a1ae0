"""Real packages from public repositories (tests/edxml/real/README.md): what each must give."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from vanban.edxml import EDXML_NS, EdxmlError, parse_package, signature_certificates, verify_package

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("each_backend")]
REAL = Path(__file__).parent / "real"
DSIG = "http://www.w3.org/2000/09/xmldsig#"


def _read(name: str) -> bytes:
    return (REAL / name).read_bytes()


def test_every_real_file_is_listed_with_its_provenance():
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for path in REAL.glob("*.edxml"):
        assert f"`{path.name}` | " in readme, path.name


@pytest.mark.parametrize("strict", [True, False])
def test_package_delivered_by_the_national_hub_2019(strict):
    data = _read("pvn-2019-852e179c.edxml")
    parsed = parse_package(data, strict=strict)
    doc = parsed.document
    assert (parsed.kind, parsed.signed) == ("document", True)
    assert doc.signer_info.full_name == "Trương Minh Tuấn"  # decomposed in the file, NFC here
    assert [t.organ_id for t in doc.trace_headers] == ["01.02.G22", "001.00.20.TT2"]
    [att] = parsed.attachments
    data_pdf = att.read()
    assert (att.name, att.content_type, att.size, att.zipped) == (
        "GUIDE_INSTALL OPENVPN.SIGNED.PDF", "application/pdf", 17, True)
    assert hashlib.sha256(data_pdf).hexdigest().startswith("c0469bc8")


def test_hub_2019_signature_sits_in_the_edxml_namespace_and_does_not_verify():
    data = _read("pvn-2019-852e179c.edxml")
    root = etree.fromstring(data)
    sig = root.find(f"{{{EDXML_NS}}}edXMLEnvelope/{{{EDXML_NS}}}edXMLHeader/{{{EDXML_NS}}}Signature")
    assert sig is not None
    [cert] = signature_certificates(data)
    assert "TRẦN ANH TUẤN" in cert.subject.rfc4514_string()
    result = verify_package(data, [cert])
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_UNTRUSTED")


def test_hub_2019_signature_value_was_made_over_the_xmldsig_form_of_signed_info():
    """The evidence behind reading edXML-namespace signatures in their XML-DSig form: the RSA
    value verifies over the compact SignedInfo in the XML-DSig namespace (as a JSR-105 signer
    writes it), not over what the package prints (edXML namespace, re-indented)."""
    data = _read("pvn-2019-852e179c.edxml")
    root = etree.fromstring(data)
    sig = root.find(f".//{{{EDXML_NS}}}Signature")
    value = base64.b64decode(sig.findtext(f"{{{EDXML_NS}}}SignatureValue"))
    key = signature_certificates(data)[0].public_key()

    def verifies(signed_info: bytes) -> bool:
        try:
            key.verify(value, signed_info, padding.PKCS1v15(), hashes.SHA1())
        except InvalidSignature:
            return False
        return True

    printed = etree.tostring(sig.find(f"{{{EDXML_NS}}}SignedInfo"), method="c14n")
    compact = etree.Element(f"{{{DSIG}}}SignedInfo", nsmap={None: DSIG})
    _copy_without_whitespace(sig.find(f"{{{EDXML_NS}}}SignedInfo"), compact)
    assert not verifies(printed)
    assert verifies(etree.tostring(compact, method="c14n"))


def _copy_without_whitespace(src: etree._Element, dst: etree._Element) -> None:
    dst.text = src.text if src.text and src.text.strip() else None
    for name, value in src.attrib.items():
        dst.set(name, value)
    for child in src:
        _copy_without_whitespace(child, etree.SubElement(dst, f"{{{DSIG}}}{etree.QName(child).localname}"))


@pytest.mark.parametrize("strict", [True, False])
def test_package_built_with_the_sdk_example_code(strict):
    data = _read("all4u1089-dc0bdef0.edxml")
    parsed = parse_package(data, strict=strict)
    [att] = parsed.attachments
    assert (att.name, att.size) == ("1896_QD-TTg_m_294779.doc", 8381)
    assert hashlib.sha256(att.read()).hexdigest().startswith("e7de316a")
    assert b'Algorithm="http://www.w3.org/TR/xml-exc-c14n#"' in data


def test_sdk_placeholder_signature_cannot_be_checked(agency):
    data = _read("all4u1089-dc0bdef0.edxml")
    assert signature_certificates(data) == []  # `MIIFqTCCBJG` is no certificate
    assert verify_package(data, []).code == "EDXML_SIGNATURE_UNTRUSTED"
    result = verify_package(data, [agency.cert])
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_INVALID")


def test_gateway_package_is_lenient_only():
    data = _read("pvn-gateway-2025-b6e1f29d.edxml")
    with pytest.raises(EdxmlError) as err:
        parse_package(data)
    assert err.value.code == "EDXML_BAD_AGENCY_CODE"
    parsed = parse_package(data, strict=False)
    assert [w.code for w in parsed.warnings] == ["EDXML_BAD_AGENCY_CODE", "EDXML_BAD_AGENCY_CODE",
                                                  "EDXML_MISSING_FIELD"]
    assert [(a.name, a.content_type, a.size) for a in parsed.attachments] == [
        ("metaA.txt", "text/plain", 6), ("metaB.txt", "text/plain", 6)]
    assert verify_package(data, []).code == "EDXML_SIGNATURE_MISSING"


@pytest.mark.parametrize("strict", [True, False])
def test_real_status_package_is_unsigned(strict):
    data = _read("quangchuit-status_processing_05.edxml")
    parsed = parse_package(data, strict=strict)
    assert (parsed.kind, parsed.status.status_code, parsed.signed) == ("status", "05", False)
    assert parsed.status.response_for.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert verify_package(data, []).code == "EDXML_SIGNATURE_MISSING"
