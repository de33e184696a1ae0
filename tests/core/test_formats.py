from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.core.formats import FormatError, FormatLimits, check_file, clean_filename

pytestmark = pytest.mark.unit

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zip_bytes(entries: dict[str, bytes], first_stored: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if first_stored:
            z.writestr(first_stored, entries.pop(first_stored), compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
                first_stored="mimetype")
ODS = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
                first_stored="mimetype")
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "WordDocument".encode("utf-16-le")
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "Workbook".encode("utf-16-le")


@pytest.mark.parametrize(("name", "data", "ext", "ctype"), [
    ("Quyết định 12.pdf", PDF, "pdf", "application/pdf"),
    ("a.PNG", PNG, "png", "image/png"),
    ("a.jpg", JPEG, "jpeg", "image/jpeg"),
    ("a.docx", DOCX, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("a.xlsx", XLSX, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("a.odt", ODT, "odt", "application/vnd.oasis.opendocument.text"),
    ("a.ods", ODS, "ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("a.doc", DOC, "doc", "application/msword"),
    ("a.xls", XLS, "xls", "application/vnd.ms-excel"),
    ("a.rtf", b"{\\rtf1\\ansi Xin chao}", "rtf", "application/rtf"),
    ("a.txt", "Kính gửi: Sở Nội vụ".encode(), "txt", "text/plain"),
    ("a.csv", "mã,tên\n1,Đắk Lắk\n".encode("utf-8-sig"), "csv", "text/csv"),
    ("a.txt", "Đắk Lắk".encode("utf-16"), "txt", "text/plain"),
])
def test_allowed_formats_pass(name: str, data: bytes, ext: str, ctype: str) -> None:
    checked = check_file(name, data)
    assert (checked.extension, checked.content_type, checked.size) == (ext, ctype, len(data))
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(("name", "data", "code"), [
    ("virus.exe", b"MZ\x90\x00", "FILE_TYPE_NOT_ALLOWED"),
    ("a.zip", DOCX, "FILE_TYPE_NOT_ALLOWED"),
    ("a.html", b"<html>", "FILE_TYPE_NOT_ALLOWED"),
    ("noextension", PDF, "FILE_TYPE_NOT_ALLOWED"),
    ("bao-cao.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "FILE_EXECUTABLE"),
    ("bao-cao.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "FILE_EXECUTABLE"),
    ("bao-cao.docx", b"#!/bin/sh\nrm -rf /\n", "FILE_EXECUTABLE"),
    ("bao-cao.pdf", PNG, "FILE_CONTENT_MISMATCH"),
    ("bao-cao.pdf", b"%PDF-1.7\n1 0 obj", "FILE_CORRUPT"),
    ("bao-cao.docx", zip_bytes({"readme.txt": b"hi"}), "FILE_CONTENT_MISMATCH"),
    ("bao-cao.docx", XLSX, "FILE_CONTENT_MISMATCH"),
    ("bao-cao.odt", ODS, "FILE_CONTENT_MISMATCH"),
    ("bao-cao.docx", b"PK\x03\x04garbage", "FILE_CORRUPT"),
    ("bao-cao.doc", XLS, "FILE_CONTENT_MISMATCH"),
    ("bao-cao.xls", PDF, "FILE_CONTENT_MISMATCH"),
    ("bao-cao.png", JPEG, "FILE_CONTENT_MISMATCH"),
    ("bao-cao.rtf", b"hello", "FILE_CONTENT_MISMATCH"),
    ("a.txt", "Quy\xeat \xf0\xfanh".encode("latin-1"), "FILE_TEXT_NOT_UNICODE"),
    ("a.txt", b"abc\x00def", "FILE_CONTENT_MISMATCH"),
    ("a.pdf", b"", "FILE_EMPTY"),
    ("a.docm.docx", zip_bytes({"[Content_Types].xml": b"<T/>", "word/document.xml": b"<d/>",
                              "word/vbaProject.bin": b"\x00"}), "FILE_MACRO"),
])
def test_refused_with_code(name: str, data: bytes, code: str) -> None:
    with pytest.raises(FormatError) as info:
        check_file(name, data)
    assert info.value.code == code
    assert info.value.message  # Vietnamese, for people


def test_refusal_messages_are_vietnamese_and_cite_the_rule() -> None:
    with pytest.raises(FormatError) as info:
        check_file("a.exe", b"MZ")
    assert "không được phép" in info.value.message
    assert "Quyết định 16/2019/QĐ-UBND" in info.value.message


def test_zip_bomb_docx_is_refused() -> None:
    bomb = zip_bytes({"[Content_Types].xml": b"<T/>", "word/document.xml": b"\x00" * (50 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(FormatError) as info:
        check_file("bom.docx", bomb)
    assert info.value.code == "FILE_ZIP_BOMB"


def test_size_limit_is_configurable() -> None:
    with pytest.raises(FormatError) as info:
        check_file("a.pdf", PDF, FormatLimits(max_bytes=10))
    assert info.value.code == "FILE_TOO_LARGE"


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\a\\Quyết định.pdf", "Quyết định.pdf"),
    ("a\x00b\x1f.pdf", "ab.pdf"),
    ("Quye\u0302\u0301t.pdf", "Quyết.pdf"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_clean_filename(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


@pytest.mark.parametrize("raw", ["", "..", "/", "\x00\x01"])
def test_empty_names_refused(raw: str) -> None:
    with pytest.raises(FormatError):
        clean_filename(raw)


@settings(max_examples=300)
@given(st.text(max_size=30), st.binary(max_size=2000))
def test_garbage_never_crashes(name: str, data: bytes) -> None:
    try:
        check_file(name + ".docx", data)
    except FormatError:
        pass
