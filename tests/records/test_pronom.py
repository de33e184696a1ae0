"""Issue 18: PRONOM identifiers for archive packages by fido (DROID signatures v109), on files
made by real producers where we have them (LibreOffice's PDF and Word 97, pyHanko-signed
PDFs, Pillow images) and on our own generated docx/odt/xlsx; hostile or empty bytes give
no identification or one by extension, never an error."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from PIL import Image

from vanban.pki.samplepdf import make_pdf
from vanban.records.pronom import identify
from vanban.textract.samples import Para, make_docx, make_odt, make_xlsx
from vanban.textract.samples import Run as TextRun
from vanban.textract.topdf import converter, to_pdf


def _image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "key", "basis"), [
    ("quyet-dinh.pdf", make_pdf("QUYET DINH"), None, "signature"),
    ("du-thao.docx", make_docx([Para.of("Dự thảo")]), "fmt/412", "container"),
    ("ke-hoach.odt", make_odt([[TextRun("Kế hoạch")]]), "fmt/290", "signature"),
    ("bang.xlsx", make_xlsx([["Số", 1]]), "fmt/214", "container"),
    ("scan.png", _image("PNG"), None, "signature"),
    ("anh.jpg", _image("JPEG"), None, "signature"),
    ("ghi-chu.txt", "Ghi chú".encode(), "x-fmt/111", "extension"),
])
def test_identified(name: str, data: bytes, key: str | None, basis: str) -> None:
    got = identify(data, name)
    assert got is not None and got.basis == basis, got
    assert got.key == key if key else got.key.startswith(("fmt/", "x-fmt/"))
    if name.endswith(".pdf"):
        assert "PDF" in got.name
    if name.endswith(".png"):
        assert "Portable Network Graphics" in got.name


@pytest.mark.skipif(converter() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_pdf() -> None:
    got = identify(to_pdf("cv.docx", make_docx([Para.of("Công văn")])), "cv.pdf")
    assert got is not None and got.basis == "signature" and "PDF" in got.name


def test_hostile_bytes_never_raise() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<" * 5_000_000)
    damaged = bytearray(make_docx([Para.of("Dự thảo " * 200)]))  # fido raised zlib.error on this one
    rnd = random.Random(0)
    for _ in range(8):
        damaged[rnd.randrange(30, 400)] = rnd.randrange(256)
    for name, data in (("rong.pdf", b""), ("hong.docx", bomb.getvalue()), ("x", b"\x00" * 100),
                       ("../../etc/passwd", b"%PDF-1.4 broken"), ("hong2.docx", bytes(damaged)),
                       ("hong.doc", bytes.fromhex("d0cf11e0a1b11ae1") + b"\x07" * 3000)):
        got = identify(data, name)
        assert got is None or got.key.startswith(("fmt/", "x-fmt/"))
