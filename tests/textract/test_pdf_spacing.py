"""Words split by spaces in PDF text ("h ướ ng d ẫ n"): PDFs from a browser (Chromium's
print to PDF), WeasyPrint and our pyHanko generator come out with whole words; PDFs written by
Microsoft Word (real ones, realdoc.json) are not glued."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from vanban.textract import extract_text
from vanban.textract.samples import make_pdf_lines
from vanban.textract.spacing import rejoin_split_words, split_word_share

pytestmark = pytest.mark.unit

LINES = [
    "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK",
    "Số: 123/UBND-VP",
    "V/v hướng dẫn triển khai thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư",
    "Thực hiện chỉ đạo của Chủ tịch Ủy ban nhân dân tỉnh, đề nghị các cơ quan, đơn vị nghiêm túc "
    "triển khai. Những người được giao nhiệm vụ cần hướng dẫn đầy đủ.",
]
# letter-spacing and justified text make Chromium place glyph runs apart, around marked vowels
HTML = ('<html><head><meta charset="utf-8"><style>body{font-family:sans-serif;font-size:13pt;'
        'letter-spacing:0.3pt;text-align:justify}</style></head><body>'
        + "".join(f"<p>{line}</p>" for line in LINES) + "</body></html>")
WORDS = ["hướng dẫn", "triển khai thực hiện", "Nghị định", "Chủ tịch Ủy ban", "đề nghị", "nhiệm vụ cần",
         "ĐẮK LẮK", "Số: 123/UBND-VP", "đầy đủ."]


def _assert_whole(text: str) -> None:
    flat = " ".join(text.split())
    for words in WORDS:
        assert words in flat, (words, flat[:300])
    assert split_word_share(text) < 0.02


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is installed by .ci/run")
def test_browser_printed_pdf(tmp_path: Path) -> None:
    page = tmp_path / "cv.html"
    page.write_text(HTML, encoding="utf-8")
    out = tmp_path / "cv.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", str(page)], check=True, capture_output=True, timeout=60)
    # Whether this Chromium splits the words ("h ướ ng") depends on the machine's fonts and
    # shaping libraries (it did here until LibreOffice's packages were installed beside it);
    # our text must come out whole either way. The repair itself is pinned by the recorded
    # real Chromium outputs of test_rejoin below.
    _assert_whole(extract_text(out.read_bytes(), "pdf").text)


def test_weasyprint_pdf() -> None:
    weasyprint = pytest.importorskip("weasyprint")
    _assert_whole(extract_text(weasyprint.HTML(string=HTML).write_pdf(), "pdf").text)


def test_generated_pdf() -> None:
    data = make_pdf_lines([[(40, 800 - 20 * k, line[:90], 10) for k, line in enumerate(LINES)]])
    text = extract_text(data, "pdf").text
    assert "hướng dẫn triển khai thực hiện Nghị định" in text and "Chủ tịch Ủy ban" in text


@pytest.mark.parametrize(("split", "whole"), [
    ("V/v h ướ ng d ẫ n tri ể n khai th ự c hi ệ n Ngh ị  đ ị nh s ố  30/2020/NĐ-CP",
     "V/v hướng dẫn triển khai thực hiện Nghị định số 30/2020/NĐ-CP"),
    ("Th ự c hi ệ n ch ỉ  đ ạ o c ủ a Ch ủ  t ị ch Ủ y ban nhân dân t ỉ nh ,",
     "Thực hiện chỉ đạo của Chủ tịch Ủy ban nhân dân tỉnh,"),
    ("nhi ệ m v ụ c ầ n h ướ ng d ẫ n đ ầ y đ ủ .", "nhiệm vụ cần hướng dẫn đầy đủ."),
])
def test_rejoin(split: str, whole: str) -> None:
    assert rejoin_split_words(split) == whole


@pytest.mark.parametrize("clean", [
    *LINES,
    "Ở đây y tế và ý chí, a b c, ô tô, ủy quyền, Ea H'leo, Krông Pắc, Y Giang Gry Niê Knơng.",
    "Điều 1. Ban hành kèm theo Quyết định này Quy chế; Lưu: VT, VP (02 bản).",
])
def test_clean_text_is_left_alone(clean: str) -> None:
    assert rejoin_split_words(clean) == clean
    assert rejoin_split_words(clean, threshold=0.0).split() == clean.split() or split_word_share(clean) < 0.04


# Lines as pdftotext gives them from real PDFs written by Microsoft Word (precedents of the
# Supreme People's Court, realdoc.json "word_pdfs"): anonymised parties (one capital letter),
# point letters and foreign words pushed the share of "pieces" over the threshold, and the
# rejoin then glued "Q yêu" → "Qyêu", "đó anh" → "đóanh", "T ra" → "Tra", "a và n" → "vàn".
WORD_PDF_LINES = [
    "bác Trần Công T và Nguyễn Thị Q yêu cầu chấm dứt việc nuôi con nuôi",
    "chửi C, C không nói gì, tiếp đó anh Q đến chỗ C ngồi",
    "qua tiếng lại với nhau. S gọi T ra ngoài sân và tát T,",
    "phố Hà Nội áp dụng các điểm a và n khoản 1 Điều 93",
    "nhân viên giao hàng công ty cổ phần T) mang theo 01 (một) điện thoại di động Iphone 11 Pro",
]


def test_word_pdf_text_is_not_taken_for_split_text() -> None:
    text = "\n".join(WORD_PDF_LINES)
    assert split_word_share(text) < 0.04
    assert rejoin_split_words(text) == text


@pytest.mark.parametrize("line", WORD_PDF_LINES)
def test_initials_and_whole_words_are_never_glued(line: str) -> None:
    """Even where the rejoin runs (a page that really is split), an initial between whole
    words and a whole word such as "đó" or "có" stay apart."""
    assert rejoin_split_words(line, threshold=0.0).split() == line.split()


WORD_PDFS = json.loads((Path(__file__).parent / "realdoc.json").read_text(encoding="utf-8"))["word_pdfs"]
REAL_DIR = os.environ.get("VANBAN_REAL_DOC_DIR")


@pytest.mark.skipif(not REAL_DIR, reason="real PDFs are not stored here: see realdoc.json")
@pytest.mark.parametrize("entry", WORD_PDFS, ids=[f["name"] for f in WORD_PDFS])
def test_real_word_pdfs(entry: dict) -> None:
    """PDFs Microsoft Word wrote: every page's words come out as pdftotext gives them (the
    same multiset of words, nothing split or glued), with the known lines and pairs."""
    data = (Path(REAL_DIR) / entry["name"]).read_bytes()  # type: ignore[arg-type]
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    got = extract_text(data, "pdf")
    flat = " ".join(got.text.split())
    for phrase in [*entry["phrases"], *entry["pairs"]]:
        assert phrase in flat, phrase
    if shutil.which("pdftotext"):
        ref = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                             check=True).stdout.decode("utf-8")
        words = re.compile(r"[^\W\d_]+")
        assert Counter(words.findall(unicodedata.normalize("NFC", got.text))) == Counter(
            words.findall(unicodedata.normalize("NFC", ref)))
