"""Writing: layout as real systems write it, deterministic bytes, NFC, Vietnam time."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import re
import unicodedata
import zipfile

import pytest
from lxml import etree

from tests.edxml.samples import sample_document
from vanban.core.clock import VN_TZ
from vanban.edxml import (
    EDXML_NS,
    Attachment,
    EdxmlError,
    Organization,
    ResponseFor,
    StaffInfo,
    StatusCode,
    StatusPackage,
    TraceHeader,
    build_package,
    build_status,
    parse_package,
)

pytestmark = pytest.mark.unit


def test_same_input_gives_same_bytes(document):
    assert build_package(document) == build_package(dataclasses.replace(document))


def test_layout_matches_reference_samples(document):
    data = build_package(document)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="' + EDXML_NS.encode())
    assert f'<edXML:edXMLEnvelope xmlns:edXML="{EDXML_NS}">'.encode() in data
    root = etree.fromstring(data)
    ns = {"e": EDXML_NS}
    assert [etree.QName(c).localname for c in root] == ["edXMLEnvelope", "AttachmentEncoded"]
    header = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", ns)
    names = [etree.QName(c).localname for c in header]
    assert names == ["From", "To", "To", "DocumentId", "Code", "PromulgationInfo", "DocumentType",
                     "Subject", "Content", "SignerInfo", "DueDate", "OtherInfo", "SteeringType",
                     "ToPlaces"]
    assert root.findtext("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:DocumentId", namespaces=ns) == \
        "000.00.00.H16,2025/03/01,12/UBND-VP"
    assert b"<edXML:PromulgationDate>2025/03/01</edXML:PromulgationDate>" in data
    assert b"<edXML:Timestamp>2025/03/01 08:30:00</edXML:Timestamp>" in data
    assert b"<edXML:Bussiness>" in data
    # AttachmentEncoded children are unprefixed; ContentTransferEncoded carries the edXML prefix.
    assert b"<Attachment>\n      <ContentId>cid:" in data
    assert b'<edXML:ContentTransferEncoded xmlns:edXML="' in data


def test_attachment_is_one_zip_entry_named_as_the_file_then_base64(document):
    root = etree.fromstring(build_package(document))
    ns = {"e": EDXML_NS}
    atts = root.findall("e:AttachmentEncoded/e:Attachment", ns)
    assert len(atts) == 2
    blob = base64.b64decode(atts[0].findtext("e:ContentTransferEncoded", namespaces=ns))
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["công văn 12.pdf"]
        assert infos[0].date_time == (1980, 1, 1, 0, 0, 0)
        assert zf.read(infos[0]) == document.attachments[0].data
    manifest_cids = [r.findtext("e:ContentId", namespaces=ns)
                     for r in root.iter(f"{{{EDXML_NS}}}Reference")]
    encoded_cids = [a.findtext("e:ContentId", namespaces=ns) for a in atts]
    assert manifest_cids == encoded_cids
    assert all(re.fullmatch(r"cid:[0-9a-f-]{36}", c) for c in manifest_cids)


def test_aware_timestamps_are_written_in_vietnam_time():
    utc = dt.datetime(2025, 3, 1, 1, 30, 5, tzinfo=dt.UTC)
    doc = dataclasses.replace(sample_document(), trace_headers=(TraceHeader("000.00.00.H16", utc),))
    assert b"<edXML:Timestamp>2025/03/01 08:30:05</edXML:Timestamp>" in build_package(doc)


def test_naive_timestamp_is_refused():
    doc = dataclasses.replace(sample_document(), trace_headers=(
        TraceHeader("000.00.00.H16", dt.datetime(2025, 3, 1, 8, 0)),))
    with pytest.raises(EdxmlError) as err:
        build_package(doc)
    assert err.value.code == "EDXML_BAD_DATE"


def test_text_is_written_nfc():
    decomposed = unicodedata.normalize("NFD", "Quyết định về việc")
    doc = dataclasses.replace(sample_document(), subject=decomposed)
    data = build_package(doc)
    assert "Quyết định về việc".encode() in data
    assert decomposed.encode() not in data


def test_markup_in_text_is_escaped_and_reads_back():
    doc = dataclasses.replace(sample_document(), subject="A < B & C > D \"E\" ]]>")
    assert parse_package(build_package(doc)).document.subject == "A < B & C > D \"E\" ]]>"


def test_control_character_is_refused():
    doc = dataclasses.replace(sample_document(), subject="bad \x01 char")
    with pytest.raises(EdxmlError) as err:
        build_package(doc)
    assert err.value.code == "EDXML_INVALID_CHAR"


def test_bad_recipient_code_is_refused():
    doc = dataclasses.replace(sample_document(), to=(Organization("28.22.H17", "X"),))
    with pytest.raises(EdxmlError) as err:
        build_package(doc)
    assert err.value.code == "EDXML_BAD_AGENCY_CODE"


def test_missing_subject_is_refused():
    with pytest.raises(EdxmlError) as err:
        build_package(dataclasses.replace(sample_document(), subject="  "))
    assert err.value.code == "EDXML_MISSING_FIELD"


def test_duplicate_content_ids_are_refused():
    doc = sample_document(Attachment("a.pdf", b"1", content_id="x"),
                          Attachment("b.pdf", b"2", content_id="cid:x"))
    with pytest.raises(EdxmlError) as err:
        build_package(doc)
    assert err.value.code == "EDXML_DUPLICATE_CONTENT_ID"


def test_given_content_id_is_kept():
    doc = sample_document(Attachment("a.pdf", b"1", content_id="cid:36b8a92e-f054-11e7-842b-005056b672fc"))
    parsed = parse_package(build_package(doc))
    assert parsed.attachments[0].content_id == "36b8a92e-f054-11e7-842b-005056b672fc"


def test_unsafe_attachment_name_is_sanitised_on_write():
    doc = sample_document(Attachment("../../etc/passwd", b"x"))
    parsed = parse_package(build_package(doc))
    assert "/" not in parsed.attachments[0].name
    assert ".." not in parsed.attachments[0].name


def test_status_package_layout_and_round_trip():
    status = StatusPackage(
        from_=Organization("000.00.00.H41", "UBND tỉnh Nghệ An"),
        response_for=ResponseFor("000.00.00.G22", "7816/VPCP-TTĐT", dt.date(2025, 3, 1),
                                 "000.00.00.G22,2025/03/01,7816/VPCP-TTĐT"),
        status_code=StatusCode.PROCESSING,
        timestamp=dt.datetime(2025, 3, 2, 11, 8, 36, tzinfo=VN_TZ),
        description="Đang xử lý văn bản đến",
        staff_info=StaffInfo("Phòng Hành chính", "Nguyễn Thị Ngọc Trâm", "tram@nghean.gov.vn", "0912"),
    )
    data = build_status(status)
    assert data == build_status(status)
    root = etree.fromstring(data)
    mh = root.find(f"{{{EDXML_NS}}}edXMLEnvelope/{{{EDXML_NS}}}edXMLHeader/{{{EDXML_NS}}}MessageHeader")
    assert [etree.QName(c).localname for c in mh] == [
        "From", "ResponseFor", "StaffInfo", "StatusCode", "Description", "Timestamp"]
    assert b"<edXML:StatusCode>05</edXML:StatusCode>" in data
    assert b"edXMLBody" not in data
    parsed = parse_package(data)
    assert parsed.kind == "status"
    assert parsed.status == status
    assert parsed.warnings == ()


def test_zipped_attachments_say_application_zip_and_keep_their_type_in_the_manifest():
    """VNPT's EdXML102 parser unzips an attachment only when AttachmentEncoded/ContentType is
    exactly application/zip (the real hub's sample writes it so); the manifest keeps the type."""
    pdf = b"%PDF-1.7 noi dung van ban"
    data = build_package(sample_document(Attachment("quyet-dinh.pdf", pdf, content_type="application/pdf")))
    root = etree.fromstring(data)

    def one(path: str) -> etree._Element:
        return root.xpath("/".join(f"*[local-name()='{p}']" for p in path.split("/")).join(["//", ""]))[0]

    assert one("AttachmentEncoded/Attachment/ContentType").text == "application/zip"
    payload = base64.b64decode(one("AttachmentEncoded/Attachment/ContentTransferEncoded").text)
    assert zipfile.ZipFile(io.BytesIO(payload)).read("quyet-dinh.pdf") == pdf  # it really is a ZIP
    assert one("edXMLManifest/Reference/ContentType").text == "application/pdf"
    parsed = parse_package(data)
    [att] = parsed.attachments
    assert (att.content_type, att.read()) == ("application/pdf", pdf)


def test_packages_that_name_the_real_type_in_both_places_still_read():
    """What vanban wrote before (and some systems write): the real type in AttachmentEncoded too."""
    pdf = b"%PDF-1.7 ban cu"
    data = build_package(sample_document(Attachment("cu.pdf", pdf, content_type="application/pdf")))
    old = data.replace(b"<ContentType>application/zip</ContentType>", b"<ContentType>application/pdf</ContentType>")
    assert old != data
    [att] = parse_package(old).attachments
    assert (att.content_type, att.read()) == ("application/pdf", pdf)
