"""Hostile input: each refused with its own code, fast, without large allocations."""

from __future__ import annotations

import base64
import io
import mmap
import re
import struct
import time
import zipfile

import pytest

from tests.edxml.samples import sample_document
from vanban.edxml import Attachment, EdxmlError, Limits, build_package, parse_package

pytestmark = pytest.mark.unit

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def refused(data: bytes | mmap.mmap, code: str, **kw) -> EdxmlError:
    with pytest.raises(EdxmlError) as err:
        parse_package(data, **kw)
    assert err.value.code == code, err.value
    assert err.value.message  # Vietnamese text for people
    return err.value


@pytest.fixture
def package() -> bytes:
    return build_package(sample_document(Attachment("a.pdf", b"%PDF" + b"x" * 3000, "application/pdf"),
                                         Attachment("b.pdf", b"%PDF" + b"y" * 3000, "application/pdf")))


def test_xxe_file_entity():
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            b'<edXML xmlns="' + NS.encode() + b'">&xxe;</edXML>')
    refused(data, "EDXML_DTD_FORBIDDEN")
    refused(data, "EDXML_DTD_FORBIDDEN", strict=False)


def test_billion_laughs():
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    data = (f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{lol}]>'
            f'<edXML xmlns="{NS}">&lol9;</edXML>').encode()
    started = time.perf_counter()
    refused(data, "EDXML_DTD_FORBIDDEN")
    assert time.perf_counter() - started < 1


def test_external_dtd():
    refused(b'<?xml version="1.0"?><!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/evil.dtd"><edXML/>',
            "EDXML_DTD_FORBIDDEN")


def test_doctype_hidden_after_a_comment():
    refused(b'<?xml version="1.0"?><!-- hi --><!DOCTYPE edXML [<!ENTITY a "b">]><edXML/>',
            "EDXML_DTD_FORBIDDEN")


def test_entity_reference_without_dtd(package):
    data = package.replace("V/v triển khai".encode(), b"&xxe;")
    refused(data, "EDXML_ENTITY_FORBIDDEN")


def test_xinclude_is_not_processed(package):
    data = package.replace(
        b"<edXML:Content>",
        b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>'
        b"<edXML:Content>")
    parsed = parse_package(data)
    assert "EDXML_NAMESPACE" in [w.code for w in parsed.warnings]
    assert "root:" not in repr(parsed.document)


def test_depth_10000():
    data = (b'<edXML xmlns="' + NS.encode() + b'">' + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</edXML>")
    started = time.perf_counter()
    refused(data, "EDXML_TOO_DEEP")
    assert time.perf_counter() - started < 1


def test_depth_over_our_limit_but_under_libxml2s(package):
    nested = b"<x>" * 70 + b"</x>" * 70
    refused(package.replace(b"<edXML:Content>", nested + b"<edXML:Content>"), "EDXML_TOO_DEEP")


def test_utf16_is_refused(package):
    refused(package.decode().encode("utf-16"), "EDXML_ENCODING")


def test_other_declared_encoding_is_refused():
    refused(b'<?xml version="1.0" encoding="ISO-8859-1"?><edXML/>', "EDXML_ENCODING")


def test_not_xml_and_empty():
    refused(b"PK\x03\x04 not xml", "EDXML_MALFORMED")
    refused(b"", "EDXML_MALFORMED")


def test_truncated_base64(package):
    m = re.search(rb"(<edXML:ContentTransferEncoded[^>]*>)([^<]+)(<)", package)
    data = package[: m.start(2)] + m.group(2)[:-3] + package[m.end(2):]
    refused(data, "EDXML_BAD_BASE64")


def test_garbage_in_base64(package):
    m = re.search(rb"<edXML:ContentTransferEncoded[^>]*>([^<]+)<", package)
    body = m.group(1)
    data = package.replace(body, body[:40] + b"!!!!" + body[44:])
    refused(data, "EDXML_BAD_BASE64")


def test_data_after_padding(package):
    m = re.search(rb"<edXML:ContentTransferEncoded[^>]*>([^<]+)<", package)
    data = package.replace(m.group(1), base64.b64encode(b"ab") + b"QUJD")
    refused(data, "EDXML_BAD_BASE64")


def test_manifest_points_to_missing_attachment(package):
    start = package.index(b"    <Attachment>")
    end = package.index(b"</Attachment>", start) + len(b"</Attachment>\n")
    err = refused(package[:start] + package[end:], "EDXML_ATTACHMENT_MISMATCH")
    assert err.element == "Reference"
    refused(package[:start] + package[end:], "EDXML_ATTACHMENT_MISMATCH", strict=False)


def test_attachment_missing_from_manifest_is_strict_only(package):
    start = package.index(b"        <edXML:Reference>")
    end = package.index(b"</edXML:Reference>", start) + len(b"</edXML:Reference>\n")
    data = package[:start] + package[end:]
    refused(data, "EDXML_ATTACHMENT_MISMATCH")
    parsed = parse_package(data, strict=False)
    assert len(parsed.attachments) == 2
    assert "EDXML_ATTACHMENT_MISMATCH" in [w.code for w in parsed.warnings]


def test_duplicate_content_id(package):
    cids = re.findall(rb"<ContentId>cid:([0-9a-f-]+)</ContentId>", package)
    data = package.replace(cids[1], cids[0])
    refused(data, "EDXML_DUPLICATE_CONTENT_ID")
    refused(data, "EDXML_DUPLICATE_CONTENT_ID", strict=False)


def _with_payload(payload: bytes) -> bytes:
    pkg = build_package(sample_document(Attachment("a.pdf", b"placeholder")))
    m = re.search(rb"<edXML:ContentTransferEncoded[^>]*>([^<]+)<", pkg)
    return pkg.replace(m.group(1), base64.b64encode(payload))


def _zip(data: bytes, name: str = "bomb.pdf") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return out.getvalue()


def test_zip_bomb_is_stopped_by_ratio():
    bomb = _zip(bytes(20 * 1024 * 1024))  # 20 MiB of zeros in about 20 KB
    started = time.perf_counter()
    err = refused(_with_payload(bomb), "EDXML_ZIP_BOMB")
    assert "tỷ lệ" in err.message
    assert time.perf_counter() - started < 2


def test_zip_declaring_a_huge_file_is_refused_before_inflating():
    bomb = _zip(bytes(2 * 1024 * 1024))
    refused(_with_payload(bomb), "EDXML_TOO_LARGE", limits=Limits(max_attachment_bytes=1024 * 1024))


def test_zip_that_lies_about_its_size_is_counted_while_inflating():
    bomb = bytearray(_zip(bytes(3 * 1024 * 1024)))
    struct.pack_into("<I", bomb, 22, 10)  # local header: "uncompressed size 10 bytes"
    refused(_with_payload(bytes(bomb)), "EDXML_TOO_LARGE",
            limits=Limits(max_attachment_bytes=1024 * 1024, max_zip_ratio=100_000))


def test_corrupt_zip_crc():
    z = bytearray(_zip(b"hello world" * 100))
    struct.pack_into("<I", z, 14, 0xDEADBEEF)  # local header CRC-32
    refused(_with_payload(bytes(z)), "EDXML_BAD_ZIP")


def test_truncated_zip():
    z = _zip(bytes(range(256)) * 200)
    refused(_with_payload(z[:200]), "EDXML_BAD_ZIP")


def test_multi_entry_zip_is_a_plain_file_sent_as_is():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<x/>")
        zf.writestr("word/document.xml", "<w/>")
    docx = out.getvalue()
    parsed = parse_package(_with_payload(docx))
    assert parsed.attachments[0].zipped is False
    assert parsed.attachments[0].read() == docx


def test_declared_base64_length_is_refused_before_decoding(monkeypatch):
    data = _with_payload(b"A" * 1024 * 1024)

    def never(*_a, **_k):
        raise AssertionError("base64 must not be decoded")

    monkeypatch.setattr("vanban.edxml.payload.binascii.a2b_base64", never)
    err = refused(data, "EDXML_TOO_LARGE", limits=Limits(max_attachment_bytes=64 * 1024))
    assert "ký tự" in err.message and err.element == "ContentTransferEncoded"


def test_one_gigabyte_package_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.edxml"
    with open(path, "wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?><edXML><x><ContentTransferEncoded>')
        fh.truncate(1024**3 + 10)  # sparse: costs no disk and no memory
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        started = time.perf_counter()
        err = refused(mapped, "EDXML_TOO_LARGE")
        assert time.perf_counter() - started < 0.5
    assert "byte" in err.message


def test_too_many_attachments(package):
    refused(package, "EDXML_TOO_MANY_ATTACHMENTS", limits=Limits(max_attachments=1))


def test_header_too_large_and_too_many_elements(package):
    refused(package, "EDXML_TOO_LARGE", limits=Limits(max_header_bytes=500))
    refused(package, "EDXML_TOO_MANY_ELEMENTS", limits=Limits(max_elements=20))


def test_total_size_limit(package):
    refused(package, "EDXML_TOO_LARGE", limits=Limits(max_total_bytes=len(package) - 1))
    assert parse_package(package, limits=Limits(max_total_bytes=len(package))).kind == "document"


def test_placeholder_text_from_the_sender_is_not_trusted(package):
    m = re.search(rb"<edXML:ContentTransferEncoded[^>]*>([^<]+)<", package)
    forged = package.replace(m.group(1), b"vanban-edxml-slice-0000000000000000-0")
    refused(forged, "EDXML_BAD_BASE64")
