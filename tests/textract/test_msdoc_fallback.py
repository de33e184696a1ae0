"""Issue 24: .doc files the built-in Word 97 reader cannot read go through LibreOffice
headless (time limit, throw-away profile, no network where the kernel allows); without
LibreOffice, or when it cannot read the file either, a plain Vietnamese error. Agencies'
.doc files that are not Word 97 are mostly RTF or "Word HTML" saved under a .doc name, or a
renamed .docx; all three are made here (ours). Real Word-written files: see realdoc.json and test_real_word_files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from vanban.textract import TextractError, extract_text
from vanban.textract.header import read_header
from vanban.textract.limits import Limits
from vanban.textract.topdf import converter

needs_soffice = pytest.mark.skipif(converter() is None, reason="LibreOffice (soffice) is not installed")

LEFT = ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG TRỊ", "Số: 2702/UBND-VP", "V/v triển khai số hóa tài liệu lưu trữ"]
RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Quảng Trị, ngày 18 tháng 11 năm 2025"]
BODY = ["Kính gửi: Các sở, ban, ngành thuộc tỉnh.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Hoàng Nam"]


def _rtf_text(text: str) -> str:
    return "".join(c if ord(c) < 128 and c not in "\\{}" else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?"
                   for c in text)


def rtf_letter() -> bytes:
    """A Công văn as Word saves RTF: the header in a two-cell table row, then the body."""
    cells = "".join(r"\pard\intbl\qc " + r"\line ".join(_rtf_text(t) for t in col) + r"\cell " for col in (LEFT, RIGHT))
    body = "".join(r"\pard " + _rtf_text(t) + r"\par " for t in BODY)
    return (r"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}\uc1\f0\fs26 "
            r"\trowd\cellx4500\cellx9500 " + cells + r"\row " + body + "}").encode("ascii")


def word_html_letter() -> bytes:
    """A Công văn saved by Word as a web page under a .doc name (the header in a table)."""
    col = ("".join(f"<p>{t}</p>" for t in c) for c in (LEFT, RIGHT))
    return ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">'
            '<head><meta http-equiv=Content-Type content="text/html; charset=utf-8">'
            '<meta name=ProgId content=Word.Document><meta name=Generator content="Microsoft Word 12"></head><body>'
            f'<table><tr><td>{next(col)}</td><td>{next(col)}</td></tr></table>'
            + "".join(f"<p>{t}</p>" for t in BODY) + "</body></html>").encode("utf-8")


def renamed_docx_letter() -> bytes:
    """A .docx someone renamed to .doc."""
    from vanban.textract.samples import Para, Table, make_docx

    return make_docx([Table([[[Para.of(t) for t in LEFT], [Para.of(t) for t in RIGHT]]]), *(Para.of(t) for t in BODY)])


@needs_soffice
@pytest.mark.parametrize("make", [rtf_letter, word_html_letter, renamed_docx_letter],
                         ids=["rtf", "word-html", "renamed-docx"])
def test_a_doc_that_is_not_word97_is_read_through_libreoffice(make) -> None:
    data = make()
    got = extract_text(data, "doc")
    assert any("LibreOffice" in w and "không phải tệp OLE" in w for w in got.warnings), got.warnings
    for line in [*LEFT, *RIGHT, *BODY]:
        assert line in got.text, (line, got.text[:300])
    v = read_header(got.text).values()
    assert (v["agency"], v["code"], v["place"], v["date"]) == (
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ", "2702/UBND-VP", "Quảng Trị", "2025-11-18")
    assert v["subject"] == "triển khai số hóa tài liệu lưu trữ"
    assert (v["competence"], v["signer_name"]) == ("KT. CHỦ TỊCH", "Hoàng Nam")


def test_without_libreoffice_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(TextractError) as err:
        extract_text(rtf_letter(), "doc")
    assert err.value.code == "old_binary"
    assert "chưa cài LibreOffice" in err.value.message and "không phải tệp OLE" in err.value.detail


@pytest.mark.parametrize("data", [b"\x00\x01garbage" * 200, bytes.fromhex("d0cf11e0a1b11ae1") + b"broken" * 200],
                         ids=["garbage", "broken-ole"])
def test_garbage_is_refused_without_asking_libreoffice(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice imports what it does not recognise as plain text: garbage never goes to it."""
    from vanban.textract import topdf

    def never(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("LibreOffice must not run on garbage")

    monkeypatch.setattr(topdf, "convert", never)
    with pytest.raises(TextractError) as err:
        extract_text(data, "doc")
    assert err.value.code == "old_binary" and "không phải văn bản Word" in err.value.message


@needs_soffice
def test_libreoffice_is_stopped_at_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from vanban.textract import msdoc

    monkeypatch.setattr(msdoc, "LIBREOFFICE_SECONDS", 0.3)  # LibreOffice needs about a second to start
    with pytest.raises(TextractError) as err:
        extract_text(rtf_letter(), "doc")
    assert err.value.code == "timeout" and "LibreOffice" in err.value.detail


def test_the_callers_deadline_bounds_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """No time left in the caller's budget: LibreOffice is not started at all."""
    from vanban.textract import topdf

    monkeypatch.setattr(topdf, "convert", lambda *a, **k: pytest.fail("started"))
    with pytest.raises(TextractError) as err:
        extract_text(rtf_letter(), "doc", limits=Limits(seconds=0.0))
    assert err.value.code == "timeout"


REAL = json.loads((Path(__file__).parent / "realdoc.json").read_text(encoding="utf-8"))
REAL_DIR = os.environ.get("VANBAN_REAL_DOC_DIR")


@pytest.mark.skipif(not REAL_DIR, reason="real .doc files are not stored here: see realdoc.json")
@pytest.mark.parametrize("entry", REAL["files"], ids=[f["name"] for f in REAL["files"]])
def test_real_word_files(entry: dict) -> None:
    """Files Microsoft Word wrote: the built-in reader gives the known text and header, and
    LibreOffice's reading of the same file (the fallback path) gives the same words."""
    from vanban.textract.limits import Deadline
    from vanban.textract.msdoc import doc_to_docx

    data = (Path(REAL_DIR) / entry["name"]).read_bytes()  # type: ignore[arg-type]
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    native = extract_text(data, "doc")
    assert not any("LibreOffice" in w for w in native.warnings)
    for phrase in entry["phrases"]:
        assert phrase in " ".join(native.text.split())
    v = read_header(native.text).values()
    for key, want in entry["header"].items():
        assert v[key] == want, key
    if converter() is not None:
        failure = TextractError("old_binary", detail="test")
        via = extract_text(doc_to_docx(data, Deadline(60), failure, max_bytes=10**8), "docx").text
        assert set(native.text.split()) <= set(via.split())  # LibreOffice also keeps headers and footers
