"""Signatures as the real ecosystem carries them (docs/edxml.md, "Signatures in the real ecosystem").

- `<Signature>` unprefixed in the edXML namespace (how VNPT's EdXML102 model writes it back),
  its value computed over the XML-DSig form;
- the reference transform named `http://www.w3.org/TR/xml-exc-c14n#` (VNPT's sample code);
- TraceHeaders appended by a hub after signing.
Each is built here from a signature we make, so a pass proves the rule and a change proves
it is still a signature check.
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from vanban.edxml import DSIG_NS, build_package, sign_package, verify_package
from vanban.edxml.signature import EXC_C14N_VARIANT, signature_certificates

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("each_backend")]

DSIG_OPEN = b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"


@pytest.fixture
def signed(document, agency) -> bytes:
    return sign_package(build_package(document), agency.key, agency.cert)


def _in_edxml_namespace(data: bytes) -> bytes:
    """What VNPT's model writes: the same elements, no namespace declaration of their own."""
    assert data.count(DSIG_OPEN) == 1
    return data.replace(DSIG_OPEN, b"<Signature>")


def _hub_appends_trace(data: bytes, organ: str = "001.00.20.TT2") -> bytes:
    """A TraceHeader appended after the last one, indented as the rest (as a hub does)."""
    head, sep, tail = data.rpartition(b"</edXML:TraceHeader>")
    entry = (f"\n        <edXML:TraceHeader>\n          <edXML:OrganId>{organ}</edXML:OrganId>\n"
             "          <edXML:Timestamp>2025/03/02 10:00:00</edXML:Timestamp>\n"
             "        </edXML:TraceHeader>").encode()
    return head + sep + entry + tail


def test_signature_in_the_edxml_namespace_verifies(signed, agency):
    data = _in_edxml_namespace(signed)
    root = etree.fromstring(data)
    sig = next(el for el in root.iter() if etree.QName(el).localname == "Signature")
    assert etree.QName(sig).namespace == "http://www.mic.gov.vn/TBT/QCVN_102_2016"
    result = verify_package(data, [agency.cert])
    assert result.valid is True, result.reason
    assert any("không gian tên edXML" in n for n in result.notes)
    assert [c.subject for c in signature_certificates(data)] == [agency.cert.subject]


def test_edxml_namespace_signature_still_catches_tampering_and_wrong_keys(signed, agency, stranger):
    data = _in_edxml_namespace(signed)
    changed = data.replace("V/v triển khai".encode(), "V/v hủy bỏ".encode(), 1)
    assert changed != data
    assert verify_package(changed, [agency.cert]).code == "EDXML_SIGNATURE_INVALID"
    assert verify_package(data, [stranger.cert]).code == "EDXML_SIGNATURE_UNTRUSTED"


def test_trace_header_appended_by_a_hub_after_signing(signed, agency):
    for data in (_hub_appends_trace(signed), _hub_appends_trace(_in_edxml_namespace(signed))):
        result = verify_package(data, [agency.cert])
        assert result.valid is True, result.reason
        assert result.trace_added_after_signing == ("001.00.20.TT2",)
        # what is handed back is what was signed: without the hub's entry
        assert [t.organ_id for t in result.package.document.trace_headers] == ["000.00.00.H16"]
    twice = _hub_appends_trace(_hub_appends_trace(signed), "000.00.00.G22")
    assert verify_package(twice, [agency.cert]).trace_added_after_signing == ("001.00.20.TT2", "000.00.00.G22")


def test_only_trailing_trace_entries_are_set_aside(signed, agency):
    data = _hub_appends_trace(signed)
    tampered = data.replace(b"<edXML:Subject>", b"<edXML:Subject>X", 1)
    assert verify_package(tampered, [agency.cert]).code == "EDXML_SIGNATURE_INVALID"
    # an entry slipped in before the signed one is not "appended": the digest fails
    head, sep, tail = signed.partition(b"<edXML:TraceHeader>")
    inserted = head + b"<edXML:TraceHeader><edXML:OrganId>X</edXML:OrganId></edXML:TraceHeader>" + sep + tail
    assert verify_package(inserted, [agency.cert]).code == "EDXML_SIGNATURE_INVALID"


def _resign_with_variant_transform(data: bytes, key) -> bytes:
    """Name the reference transform as VNPT's sample code does, and sign SignedInfo again."""
    root = etree.fromstring(data)
    sig = root.find(f".//{{{DSIG_NS}}}Signature")
    signed_info = sig.find(f"{{{DSIG_NS}}}SignedInfo")
    transforms = signed_info.findall(f".//{{{DSIG_NS}}}Transform")
    assert EXC in [t.get("Algorithm") for t in transforms]
    for t in transforms:
        if t.get("Algorithm") == EXC:
            t.set("Algorithm", EXC_C14N_VARIANT)
    c14n = etree.tostring(signed_info, method="c14n", exclusive=True)
    value = key.sign(c14n, padding.PKCS1v15(), hashes.SHA256())
    sig.find(f"{{{DSIG_NS}}}SignatureValue").text = base64.b64encode(value).decode()
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")


def test_variant_transform_uri_is_read_as_exclusive_c14n(document, agency):
    # an unused namespace declaration on the root: inclusive c14n keeps it, exclusive drops it,
    # so the digest matches only if the variant URI really means exclusive c14n
    data = build_package(document).replace(
        b'<edXML xmlns="', b'<edXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="', 1)
    signed = _resign_with_variant_transform(sign_package(data, agency.key, agency.cert), agency.key)
    assert EXC_C14N_VARIANT.encode() in signed
    result = verify_package(signed, [agency.cert])
    assert result.valid is True, result.reason
    # and in the edXML namespace too, as the real samples carry it
    assert verify_package(_in_edxml_namespace(signed), [agency.cert]).valid is True


def test_unknown_transform_is_still_refused(signed, agency):
    transform = f'<Transform Algorithm="{EXC}"'.encode()
    assert transform in signed
    data = signed.replace(transform, b'<Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"', 1)
    assert verify_package(data, [agency.cert]).code == "EDXML_SIGNATURE_SCOPE"


def test_signature_in_a_foreign_namespace_is_not_a_signature(signed, agency):
    data = signed.replace(DSIG_OPEN, b'<Signature xmlns="urn:other">')
    assert verify_package(data, [agency.cert]).code == "EDXML_SIGNATURE_INVALID"


def test_cli_verify_says_what_was_set_aside(signed, agency, tmp_path, capsys):
    import json

    from vanban.cli import main as vanban

    (tmp_path / "cert.pem").write_bytes(agency.cert_pem())
    (tmp_path / "p.edxml").write_bytes(_hub_appends_trace(_in_edxml_namespace(signed)))
    code = vanban(["edxml", "verify", str(tmp_path / "p.edxml"), "--cert", str(tmp_path / "cert.pem")])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["valid"] is True
    assert out["trace_added_after_signing"] == ["001.00.20.TT2"]
    assert len(out["notes"]) == 2
    (tmp_path / "q.edxml").write_bytes(signed)
    assert vanban(["edxml", "verify", str(tmp_path / "q.edxml"), "--cert", str(tmp_path / "cert.pem")]) == 0
    assert "notes" not in json.loads(capsys.readouterr().out)  # the plain case keeps its contract


def test_at_most_four_trailing_trace_entries_are_set_aside(signed, agency):
    data = signed
    for i in range(4):
        data = _hub_appends_trace(data, f"hub-{i}")
    assert verify_package(data, [agency.cert]).trace_added_after_signing == ("hub-0", "hub-1", "hub-2", "hub-3")
    assert verify_package(_hub_appends_trace(data, "hub-4"), [agency.cert]).code == "EDXML_SIGNATURE_INVALID"
