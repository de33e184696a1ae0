"""Receiver's report when the envelope signature cannot be checked (issue 16, docs/edxml.md).

Real status packages are unsigned; real documents carry signatures a relaying hub has rewritten.
Such a package is not lost: the report says plainly that the envelope could not be checked,
and the PAdES signatures on the document's PDF decide whether the clerk may accept it.
`verify_document` is called directly: our own hub (strict by default) would refuse these
packages before they reach the receiver (hub acceptance policy is issue 16 item 3).
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b
from vanban import edxml
from vanban.blobs import get_store
from vanban.exchange.verification import verify_document
from vanban.outgoing.edxml_export import document_package
from vanban.pki.samplepdf import make_pdf
from vanban.trust import services as trust

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _package(p: Province, *, pdf: str = "signed") -> edxml.DocumentPackage:
    sent = issue_to_b(p)
    pkg = document_package(sent)
    att = pkg.attachments[0]
    data = get_store().get(sent.main_file().sha256)
    if pdf == "forged":
        at = data.index(b"CONG VAN")
        data = data[:at] + b"X" + data[at + 1:]
    elif pdf == "unsigned":
        data = make_pdf("CONG VAN khong ky")
    return dataclasses.replace(pkg, attachments=(edxml.Attachment(att.name, data, att.content_type),))


def _report(data: bytes) -> dict:
    return verify_document(edxml.parse_package(data), data).as_dict()


def _by_code(report: dict) -> dict[str, dict]:
    return {c["code"]: c for c in report["checks"]}


def test_unsigned_envelope_with_signed_pdf_can_be_accepted(province: Province) -> None:
    report = _report(edxml.build_package(_package(province)))
    checks = _by_code(report)
    envelope = checks["ENVELOPE_SIGNATURE_UNCHECKED"]
    assert envelope["ok"] is False and envelope["integrity"] is False
    assert "Không kiểm tra được chữ ký số của gói tin" in envelope["detail"]
    assert "quyết định bởi chữ ký số trên tệp PDF" in envelope["detail"]
    assert checks["PDF_DECIDES"]["ok"] is True
    assert "cong-van.pdf" in checks["PDF_DECIDES"]["detail"]
    assert (report["ok"], report["integrity_ok"]) == (False, True)  # "cần xem", acceptable


def test_envelope_rewritten_on_the_way_with_signed_pdf_can_be_accepted(province: Province) -> None:
    p = province
    key, chain = trust.key_and_chain_pem(trust.credential_for(p.a.agency, "system"))
    signed = edxml.sign_package(edxml.build_package(_package(p)), key, chain)
    # what a relay through VNPT's model does: Signature re-created in the edXML namespace and
    # re-indented (SignedInfo no longer matches its value)
    head = b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod'
    assert head in signed
    relayed = signed.replace(head, b"<Signature>\n        <SignedInfo>\n          <CanonicalizationMethod", 1)
    report = _report(relayed)
    checks = _by_code(report)
    assert "không khớp với nội dung" in checks["ENVELOPE_SIGNATURE_UNCHECKED"]["detail"]
    assert checks["PDF_DECIDES"]["ok"] is True and report["integrity_ok"] is True
    # the same package as signed is simply valid: no fallback check
    plain = _by_code(_report(signed))
    assert plain["ENVELOPE_SIGNATURE"]["ok"] is True and "PDF_DECIDES" not in plain


def test_unsigned_envelope_with_unsigned_pdf_cannot_be_accepted(province: Province) -> None:
    report = _report(edxml.build_package(_package(province, pdf="unsigned")))
    checks = _by_code(report)
    assert checks["PDF_DECIDES"]["ok"] is False and checks["PDF_DECIDES"]["integrity"] is True
    assert "không thể tiếp nhận" in checks["PDF_DECIDES"]["detail"]
    assert report["integrity_ok"] is False


def test_unsigned_envelope_with_forged_pdf_cannot_be_accepted(province: Province) -> None:
    report = _report(edxml.build_package(_package(province, pdf="forged")))
    checks = _by_code(report)
    assert checks["PDF_SIGNATURES"]["ok"] is False and checks["PDF_SIGNATURES"]["integrity"] is True
    assert checks["PDF_DECIDES"]["ok"] is False
    assert report["integrity_ok"] is False
