from __future__ import annotations

import pytest

from tests.records.pdfs import minimal_pdf, pdfa_pdf
from vanban.pki.samplepdf import make_pdf
from vanban.records.pdfinfo import inspect_pdf, pdfa_claim

pytestmark = pytest.mark.unit


def test_plain_pdf_is_not_pdfa_and_has_its_page_count() -> None:
    info = inspect_pdf(make_pdf("QUYET DINH"))
    assert info is not None
    assert (info.page_count, info.pdfa, info.is_pdfa) == (1, "", False)


def test_pdfa_claim_in_xmp_is_found() -> None:
    info = inspect_pdf(pdfa_pdf())
    assert info is not None and info.pdfa == "2B"


def test_attribute_form_and_hostile_xmp() -> None:
    attr = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            b'<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="1" '
            b'pdfaid:conformance="a"/></rdf:RDF></x:xmpmeta>')
    assert pdfa_claim(attr) == "1A"
    entity = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    assert pdfa_claim(entity) == ""
    assert pdfa_claim(b"not xml") == ""
    assert inspect_pdf(minimal_pdf(b"<junk")).pdfa == ""
    assert inspect_pdf(minimal_pdf(None)).pdfa == ""


def test_not_a_pdf() -> None:
    assert inspect_pdf(b"PK\x03\x04 a zip") is None
    assert inspect_pdf(b"%PDF-1.7 truncated") is None
