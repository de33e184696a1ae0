"""Vietnamese OCR as a real part: a header printed to PDF (WeasyPrint), scanned at 300 dpi
askew, OCRed by OCRmyPDF + Tesseract `vie` into a PDF/A whose text is searchable and whose
header pre-fills; the scan itself is left as it was; an empty page is reported."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from vanban.textract import TextractError, extract_text
from vanban.textract.header import read_header
from vanban.textract.ocr import make_searchable, ocr_status
from vanban.textract.realset import load_records, record_html

pytestmark = pytest.mark.unit

REAL = Path(__file__).parent / "realheaders" / "headers.json"
needs_ocr = pytest.mark.skipif(not ocr_status().available,
                               reason=f"OCR parts are installed by .ci/run ({ocr_status().message})")


def _record(ident: str) -> dict:
    return next(r for r in load_records(REAL) if r["id"] == ident)


@needs_ocr
def test_scan_of_a_real_header_becomes_searchable_pdfa_and_prefills() -> None:
    import pikepdf
    import weasyprint

    from vanban.textract.scans import scan_of

    rec = _record("bgddt-tb-455-2017")
    scan = scan_of(weasyprint.HTML(string=record_html(rec)).write_pdf(), 300, skew=2.0)
    before = bytes(scan)
    assert extract_text(scan, "pdf").needs_ocr  # image only: no text layer at all

    seen: list[tuple[int, int]] = []
    result = make_searchable(scan, progress=lambda done, total: seen.append((done, total)))

    assert scan == before  # the scan is never touched; the PDF/A is a new file beside it
    assert result.pdf != scan and result.pdf.startswith(b"%PDF")
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status.startswith("2")  # PDF/A-2
        assert len(pdf.pages) == 1
    assert seen and seen[-1] == (1, 1)  # per-page progress
    assert result.unreadable_pages == []

    extracted = extract_text(result.pdf, "pdf")
    assert not extracted.needs_ocr
    flat = " ".join(extracted.text.split())
    for words in ("Phùng Xuân Nhạ", "Hội nghị Giám đốc", "455/TB-BGDĐT"):
        assert words in flat, (words, flat[:400])
    # the form is pre-filled from the OCR text (rows, both header columns side by side)
    v = read_header(result.pages[0], tail=result.pages[-1]).values()
    assert v["code"] == "455/TB-BGDĐT" and v["date"] == "2017-07-19"
    assert v["agency"] == "BỘ GIÁO DỤC VÀ ĐÀO TẠO" and v["type_name"] == "Thông báo"
    assert v["subject"] and v["subject"].startswith("Kết luận của Bộ trưởng")


@needs_ocr
def test_blank_pages_are_reported_with_progress_per_page() -> None:
    import weasyprint

    from vanban.textract.scans import scan_of

    html = ('<p style="font-size:20pt">Trang một: văn bản điện tử tiếng Việt.</p>'
            '<p style="page-break-before:always"></p><p style="page-break-before:always">Trang ba có chữ.</p>')
    scan = scan_of(weasyprint.HTML(string=html).write_pdf(), 120)
    seen: list[tuple[int, int]] = []
    result = make_searchable(scan, progress=lambda done, total: seen.append((done, total)), rotate=False)
    steps = iter(seen)
    assert all(step in steps for step in [(1, 3), (2, 3), (3, 3)]), seen  # page by page, in order
    assert result.unreadable_pages == [2] and "trang 2" in result.warnings[0]
    assert len(result.pages) == 3 and "Trang" in result.pages[0]


# Known text drawn with Pillow (DejaVu Serif, as the OCR bench's pages are set) on an A4 page.
ROTATED_LINES = ["ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ", "Số: 2702/QĐ-UBND", "QUYẾT ĐỊNH",
                 "Về việc công bố danh mục thủ tục hành chính", "Căn cứ Luật Tổ chức chính quyền địa phương;",
                 "Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính.",
                 "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."]


def _page_turned(angle: int, dpi: int = 200) -> bytes:
    """An image-only PDF of one A4 page of ROTATED_LINES, turned by `angle` degrees as a sheet
    fed sideways (90) or upside down (180) into a scanner."""
    import img2pdf
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype("DejaVuSerif.ttf", int(13 / 72 * dpi))
    for row, line in enumerate(ROTATED_LINES):
        draw.text((int(0.9 * dpi), int(1.0 * dpi) + row * int(0.32 * dpi)), line, font=font, fill=0)
    out = io.BytesIO()
    page.rotate(angle, expand=True).save(out, format="PNG", dpi=(dpi, dpi))
    return img2pdf.convert(out.getvalue())


@needs_ocr
@pytest.mark.parametrize("angle", [90, 180])
def test_a_page_scanned_sideways_or_upside_down_gets_an_upright_searchable_text_layer(angle: int) -> None:
    """OCRmyPDF's rotate_pages (Tesseract's orientation detection, `osd`): the page comes out
    upright, portrait, with the known words in its text layer in reading order; with rotation
    off, the same scan gives none of them (so the upright text is the rotation's doing)."""
    import pikepdf

    scan = _page_turned(angle)
    before = bytes(scan)
    with pikepdf.open(io.BytesIO(scan)) as pdf:
        box = [float(x) for x in pdf.pages[0].mediabox]
    assert (box[2] > box[3]) == (angle == 90)  # sideways: the scan is landscape

    result = make_searchable(scan)

    assert scan == before
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        page = pdf.pages[0]
        width, height = (float(x) for x in page.mediabox[2:])
        if int(page.obj.get("/Rotate", 0)) % 180:
            width, height = height, width
        assert width < height  # shown upright, portrait
    flat = " ".join(extract_text(result.pdf, "pdf").text.split())
    assert " ".join(ROTATED_LINES[:4]) in flat, flat[:300]  # in order, words whole
    assert "Điều 2. Quyết định này có hiệu lực kể từ ngày ký." in flat
    v = read_header(result.pages[0]).values()
    assert (v["code"], v["agency"], v["type_name"]) == ("2702/QĐ-UBND", "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ", "Quyết định")

    unturned = " ".join(make_searchable(scan, rotate=False).text.split())
    assert "2702" not in unturned and "Quyết định" not in unturned, unturned[:200]


@needs_ocr
def test_a_pdf_with_text_is_not_ocred_again() -> None:
    import weasyprint

    with pytest.raises(TextractError) as err:
        make_searchable(weasyprint.HTML(string="<p>Văn bản đã có chữ.</p>").write_pdf())
    assert err.value.code == "has_text"


def test_garbage_is_refused_cleanly() -> None:
    if not ocr_status().available:
        pytest.skip("OCR not installed")
    with pytest.raises(TextractError) as err:
        make_searchable(b"%PDF-1.4 not really a pdf")
    assert err.value.code in {"corrupt", "ocr_failed"}


def test_missing_parts_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from vanban.textract import ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda cmd: None)
    ocr.ocr_status.cache_clear()
    try:
        status = ocr.ocr_status()
        assert not status.available
        assert {"tesseract-ocr", "tesseract-ocr-vie", "ghostscript"} <= set(status.missing)
        assert "tesseract-ocr-vie" in status.message
        with pytest.raises(TextractError) as err:
            ocr.make_searchable(b"%PDF-1.4")
        assert err.value.code == "ocr_unavailable"
    finally:
        ocr.ocr_status.cache_clear()
