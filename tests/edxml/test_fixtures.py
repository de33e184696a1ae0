"""Our own generated fixtures (tests/edxml/fixtures, written by make_fixtures.py): shaped like
real packages, invented content, not real. Real packages are tested in test_real_corpus.py."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from tests.edxml.fixtures.make_fixtures import DOCX, PDF
from tests.edxml.samples import FIXTURES
from vanban.edxml import BusinessDocType, EdxmlError, Priority, StatusCode, parse_package

pytestmark = pytest.mark.unit

PDF_SHA = hashlib.sha256(PDF).hexdigest()


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def codes(parsed) -> list[str]:
    return [w.code for w in parsed.warnings]


def test_national_sdk_shape_prefixed_zipped_unprefixed_signature():
    p = parse_package(load("national_sdk_zipped.edxml"))
    doc = p.document
    assert p.kind == "document" and p.signed is True and p.warnings == ()
    assert doc.from_.organ_id == "000.00.00.G22"
    assert [t.organ_id for t in doc.to] == ["000.00.00.H16"]
    assert doc.document_id == "000.00.00.G22,2025/03/01,7816/VPCP-TTĐT"
    assert (doc.code.code_number, doc.code.code_notation) == ("7816", "VPCP-TTĐT")
    assert doc.promulgation_info.promulgation_date == dt.date(2025, 3, 1)
    assert doc.document_type.type_name == "Công văn" and doc.document_type.type_detail == ""
    assert doc.due_date == dt.date(2025, 3, 15)
    assert doc.other_info.direction is False and doc.other_info.page_amount == 22
    assert doc.response_for == ()  # `<ResponseFor />` is no reference at all
    assert doc.steering_type == 1
    assert doc.to_places == ("Các bộ", "UBND các tỉnh, TP")
    assert [t.organ_id for t in doc.trace_headers] == ["000.00.00.G22", "001.00.20.TT2"]
    assert doc.trace_headers[1].timestamp.isoformat() == "2025-03-01T18:16:33+07:00"
    assert doc.business is None and doc.business_type == 0
    (att,) = p.attachments
    # manifest says application/pdf, the Attachment says application/zip: the manifest wins
    assert (att.name, att.content_type, att.zipped) == ("HUONG DAN.SIGNED.PDF", "application/pdf", True)
    assert att.size == len(PDF) and att.sha256 == PDF_SHA and att.read() == PDF


def test_default_namespace_plain_base64_three_recipients():
    p = parse_package(load("default_ns_plain.edxml"))
    doc = p.document
    assert p.warnings == () and p.signed is False
    assert [t.organ_id for t in doc.to] == ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"]
    assert doc.other_info.priority is Priority.VERY_URGENT
    assert doc.response_for[0].document_id == "000.00.00.G17,2025/01/06,267/BTTTT-THH"
    assert doc.response_for[0].promulgation_date == dt.date(2025, 1, 6)
    assert doc.business.paper is True and doc.business.staff_info.mobile == "0912000001"
    assert [(a.name, a.zipped, a.size) for a in p.attachments] == [
        ("bao-cao.pdf", False, len(PDF)), ("bao-cao.doc", False, len(DOCX))]
    assert p.attachments[0].description == "Bản ký số"
    assert p.attachments[1].read() == DOCX


def test_bkav_update_with_receiver_list():
    p = parse_package(load("bkav_update.edxml"))
    b = p.document.business
    assert b.business_doc_type is BusinessDocType.UPDATE
    assert b.document_info.document_info and b.document_info.document_receiver
    assert [(r.organ_id, r.receiver_type) for r in b.document_info.receivers] == [
        ("000.00.00.H41", 0), ("000.00.12.H53", 1)]
    (att,) = p.attachments
    assert att.content_id == "209" and att.read() == DOCX and att.description == "1896_QD-TTg.doc"


def test_replacement_reordered_with_line_broken_base64():
    p = parse_package(load("replacement_reordered.edxml"))
    assert codes(p) == ["EDXML_ORDER"]
    doc = p.document
    assert doc.business.business_doc_type is BusinessDocType.REPLACE
    assert doc.business.replacements[0].organ_ids == ("000.03.00.H16", "000.04.00.H16")
    assert doc.document_type.type == "2" and doc.other_info.priority is Priority.EXPRESS
    assert doc.trace_headers[0].organ_id == "000.00.00.H16"
    assert p.attachments[0].read() == PDF and p.attachments[0].zipped is False


def test_lenient_variants_refused_strict():
    with pytest.raises(EdxmlError) as err:
        parse_package(load("lenient_variants.edxml"))
    assert err.value.code == "EDXML_BAD_AGENCY_CODE"
    assert "From" in err.value.message


def test_lenient_variants_read_with_warnings():
    p = parse_package(load("lenient_variants.edxml"), strict=False)
    doc = p.document
    assert doc.promulgation_info.promulgation_date == dt.date(2025, 10, 23)
    assert doc.due_date == dt.date(2025, 11, 1)
    assert doc.trace_headers[0].timestamp.isoformat() == "2025-10-23T16:28:42+07:00"
    assert doc.signer_info is None and doc.steering_type is None
    found = set(codes(p))
    assert {"EDXML_BAD_AGENCY_CODE", "EDXML_BAD_DATE", "EDXML_MISSING_FIELD"} <= found
    (att,) = p.attachments  # base64 inside CDATA is read through lxml, not the fast path
    assert att.original_name == "../../etc/TestTrucLienThong.pdf"
    assert "/" not in att.name and ".." not in att.name and att.name.endswith("TestTrucLienThong.pdf")
    assert att.read() == PDF


def test_status_05():
    p = parse_package(load("status_05.edxml"))
    st = p.status
    assert p.kind == "status" and p.document is None and p.attachments == ()
    assert st.status_code is StatusCode.PROCESSING
    assert st.from_.organ_id == "000.00.00.H41"
    assert st.response_for.code == "7816/VPCP-TTĐT"
    assert st.timestamp.isoformat() == "2025-03-02T11:08:36+07:00"
    assert st.staff_info.email == "tram@nghean.gov.vn"


def test_status_14_is_15_only_when_lenient():
    with pytest.raises(EdxmlError) as err:
        parse_package(load("status_14.edxml"))
    assert err.value.code == "EDXML_BAD_STATUS_CODE"
    p = parse_package(load("status_14.edxml"), strict=False)
    assert p.status.status_code is StatusCode.CHANGE_AGREED
    assert "EDXML_STATUS_14" in codes(p)


def test_status_reordered_default_namespace():
    p = parse_package(load("status_13_reordered_default_ns.edxml"))
    assert p.status.status_code is StatusCode.TAKE_BACK
    assert codes(p) == ["EDXML_ORDER"]
