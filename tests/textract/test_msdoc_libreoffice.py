"""Issue 24: the legacy Word (.doc, Word 97) reader on files a real third-party writer made.
No real agency .doc could be obtained as text, so LibreOffice (installed by .ci/run; skipped
where it is not) writes Word 97 files from our own generated .docx — a header laid out in a
two-column table as agencies type it — and the .doc reader must give the same text and the
same header as the .docx. What LibreOffice's .doc showed us: a document mixing TCVN3 and VNI
runs loses its per-run fonts in our .doc reader (see docs/text.md), so it is pinned here as a
known limit, not hidden."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from vanban.textract import extract_text
from vanban.textract.header import read_header
from vanban.textract.samples import Para, Table, make_docx
from vanban.textract.topdf import converter, isolation

pytestmark = pytest.mark.skipif(converter() is None, reason="LibreOffice (soffice) is not installed")

LEFT = ["ỦY BAN NHÂN DÂN", "TỈNH ĐẮK LẮK", "Số: 123/UBND-VP", "V/v triển khai thực hiện Nghị định",
        "số 30/2020/NĐ-CP về công tác văn thư"]
RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Đắk Lắk, ngày 15 tháng 02 năm 2026"]
BODY = ["Kính gửi: Các sở, ban, ngành thuộc tỉnh.", "Thực hiện chỉ đạo của Chủ tịch, đề nghị các cơ quan thực hiện.",
        "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Y Giang Gry Niê Knơng"]


def word97(tmp: Path, docx: bytes) -> bytes:
    source = tmp / "cong-van.docx"
    source.write_bytes(docx)
    subprocess.run([*isolation(), str(converter()), "--headless", "--norestore", "--nologo",
                    f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--convert-to", "doc", "--outdir",
                    str(tmp / "out"), str(source)], check=True, capture_output=True, timeout=120, cwd=tmp)
    return (tmp / "out" / "cong-van.doc").read_bytes()


def test_a_word97_letter_reads_like_its_docx(tmp_path: Path) -> None:
    docx = make_docx([Table([[[Para.of(t) for t in LEFT], [Para.of(t) for t in RIGHT]]]),
                      *(Para.of(t) for t in BODY)])
    doc = word97(tmp_path, docx)
    assert doc[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 compound file, as Word 97 writes
    from_doc, from_docx = extract_text(doc, "doc"), extract_text(docx, "docx")
    for line in [*LEFT, *RIGHT, *BODY]:
        assert line in from_doc.text
    header_doc, header_docx = read_header(from_doc.text).values(), read_header(from_docx.text).values()
    for key in ("agency", "number", "notation", "date", "place", "subject", "competence", "signer_name"):
        assert header_doc[key] == header_docx[key], key
    assert (header_doc["code"], header_doc["date"]) == ("123/UBND-VP", "2026-02-15")
    assert header_doc["subject"] == "triển khai thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư"  # V/v dropped


def test_known_limit_mixed_legacy_fonts_in_a_doc(tmp_path: Path) -> None:
    """TCVN3 and VNI runs in one .doc: the reader guesses one encoding for the whole text (it
    does not read per-run fonts in Word 97 files), so the VNI line stays unreadable. When the
    reader learns per-run fonts, this test fails and the limit leaves docs/text.md."""
    from tests.textract.test_extract import _legacy_docx

    got = extract_text(word97(tmp_path, _legacy_docx()), "doc")
    assert got.legacy is not None and got.legacy.encoding == "tcvn3"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in got.text
    assert "Độc lập - Tự do" not in got.text  # the VNI run, decoded as TCVN3
