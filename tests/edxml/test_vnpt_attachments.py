"""Attachments as VNPT's EdXML102 parser reads them (docs/edxml.md, "VNPT's library").

Its parser base64-decodes each attachment and unzips it only when AttachmentEncoded/ContentType
is exactly `application/zip` and the name does not end in `.zip`. These tests hold our writer
and reader to that rule; `make interop` proves it against the jar itself.
"""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from lxml import etree

from tests.edxml.samples import sample_document
from vanban.edxml import EDXML_NS, Attachment, build_package, parse_package
from vanban.edxml.payload import zip_one

pytestmark = pytest.mark.unit
NS = {"e": EDXML_NS}


def _one_entry_zip(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return out.getvalue()


def _wire(data: bytes) -> list[tuple[str, str, bytes]]:
    """(manifest type, AttachmentEncoded type, decoded wire bytes) per attachment."""
    root = etree.fromstring(data)
    manifest = [r.findtext("e:ContentType", namespaces=NS)
                for r in root.iterfind("e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest/e:Reference", NS)]
    wire = [(a.findtext("e:ContentType", namespaces=NS),
             base64.b64decode(a.findtext("e:ContentTransferEncoded", namespaces=NS)))
            for a in root.iterfind("e:AttachmentEncoded/e:Attachment", NS)]
    return [(m, t, b) for m, (t, b) in zip(manifest, wire, strict=True)]


def test_zipped_attachment_says_application_zip_on_the_wire_and_real_type_in_manifest():
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 30
    data = build_package(sample_document(Attachment("quyết định.pdf", pdf, "application/pdf")))
    [(manifest, wire_type, blob)] = _wire(data)
    assert manifest == "application/pdf"
    assert wire_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        assert zf.read(zf.namelist()[0]) == pdf
    [att] = parse_package(data).attachments
    assert (att.content_type, att.zipped, att.read()) == ("application/pdf", True, pdf)


def test_a_zip_file_travels_as_it_is_and_comes_back_byte_identical():
    inner = _one_entry_zip("bảng lương.xlsx", b"x" * 5000)  # one entry: must NOT be unwrapped
    data = build_package(sample_document(Attachment("ho-so.zip", inner, "application/zip")))
    [(manifest, wire_type, blob)] = _wire(data)
    assert (manifest, wire_type, blob) == ("application/zip", "application/zip", inner)
    [att] = parse_package(data).attachments
    assert att.read() == inner and att.size == len(inner) and not att.zipped


def _vnpt_style(name: str, wire_type: str, payload: bytes, manifest_type: str | None) -> bytes:
    """A package laid out as VNPT's builder writes one (our own bytes, invented content)."""
    ours = build_package(sample_document(Attachment(name, b"placeholder", "text/plain")))
    root = etree.fromstring(ours)
    att = root.find("e:AttachmentEncoded/e:Attachment", NS)
    att.find("e:ContentType", NS).text = wire_type
    att.find("e:ContentTransferEncoded", NS).text = base64.b64encode(payload).decode()
    ref = root.find("e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest/e:Reference", NS)
    if manifest_type is None:
        ref.getparent().remove(ref)
    else:
        ref.find("e:ContentType", NS).text = manifest_type
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize(("name", "wire_type", "payload", "expected"), [
    # VNPT's builder: pdf/doc/docx/zip go raw with their own type, anything else zipped
    ("a.pdf", "application/pdf", b"%PDF-1.4 raw", b"%PDF-1.4 raw"),
    ("a.txt", "application/zip", zip_one("x.txt", b"hello"), b"hello"),
    ("goi.zip", "application/zip", _one_entry_zip("x.txt", b"hello"), _one_entry_zip("x.txt", b"hello")),
    ("GOI.ZIP", "application/zip", _one_entry_zip("x.txt", b"hi"), _one_entry_zip("x.txt", b"hi")),
])
def test_vnpt_built_attachments_read_byte_identical(name, wire_type, payload, expected):
    for strict in (True, False):
        [att] = parse_package(_vnpt_style(name, wire_type, payload, "text/plain"), strict=strict).attachments
        assert att.read() == expected


def test_unwrapped_file_without_manifest_gets_its_type_from_the_name_not_the_wrapper():
    data = _vnpt_style("bien-ban.pdf", "application/zip", zip_one("bien-ban.pdf", b"%PDF-1.4 x"), None)
    [att] = parse_package(data, strict=False).attachments
    assert att.read() == b"%PDF-1.4 x"
    assert att.content_type == "application/pdf"
