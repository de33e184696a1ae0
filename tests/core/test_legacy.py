"""Legacy Vietnamese encodings: full tables, round trips, detection only on evidence."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.core import legacy
from vanban.core.legacy import (
    LegacyEncodeError,
    all_vietnamese_letters,
    convert,
    decode,
    decode_runs,
    detect_legacy,
    encode,
    encode_runs,
    encoding_for_font,
)

pytestmark = pytest.mark.unit

LETTERS = all_vietnamese_letters()
UPPER = [c for c in LETTERS if c.isupper()]
LOWER = [c for c in LETTERS if c.islower()]

# Real-looking administrative phrases (≥ 20) for the corpus round trips.
CORPUS = [
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Quyết định về việc ban hành Quy chế làm việc",
    "Ủy ban nhân dân tỉnh Đắk Lắk",
    "Sở Tài nguyên và Môi trường",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
    "Theo đề nghị của Giám đốc Sở Nội vụ",
    "Điều 1. Ban hành kèm theo Quyết định này Quy chế quản lý văn bản điện tử",
    "Chánh Văn phòng, Thủ trưởng các sở, ban, ngành chịu trách nhiệm thi hành",
    "Kính gửi: Ủy ban nhân dân các huyện, thị xã, thành phố",
    "Nơi nhận: Như Điều 3; Lưu: VT, TH",
    "Kế hoạch triển khai ứng dụng công nghệ thông tin năm 2026",
    "Báo cáo tình hình thực hiện nhiệm vụ sáu tháng đầu năm",
    "Thông báo kết luận của Chủ tịch Ủy ban nhân dân tỉnh",
    "Phó Chủ tịch thường trực Hội đồng nhân dân huyện Krông Pắc",
    "Tờ trình đề nghị phê duyệt dự toán kinh phí",
    "Giấy mời dự hội nghị tổng kết công tác văn thư, lưu trữ",
    "Thành phố Buôn Ma Thuột, ngày 05 tháng 01 năm 2026",
    "Người ký: Nguyễn Thị Hồng Nhung, Trưởng phòng Tổ chức cán bộ",
    "Đồng chí Y Giang Gry Niê Knơng, Bí thư Đảng ủy xã Ea Tu",
    "Hướng dẫn lập hồ sơ và nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan",
    "Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính",
    "Trường Trung học phổ thông Nguyễn Huệ tổ chức lễ khai giảng",
    "Ngữ văn, Lịch sử, Địa lý, Giáo dục công dân",
]


# ------------------------------------------------------------------ tables
def test_alphabet_is_complete() -> None:
    # 12 vowels × 6 tones × 2 cases + đ/Đ, all distinct and NFC.
    assert len(LETTERS) == 146 and len(set(LETTERS)) == 146
    assert all(unicodedata.is_normalized("NFC", c) and len(c) == 1 for c in LETTERS)


def test_known_legacy_strings_decode() -> None:
    # Strings as they look when a .VnTime/.VnTimeH or VNI-Times font is missing.
    assert decode("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", "tcvn3h") == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert decode("§éc lËp - Tù do - H¹nh phóc", "tcvn3") == "Độc lập - Tự do - Hạnh phúc"
    assert decode("B¶o Th¾ng, M\xadêng Kh\xac¬ng", "tcvn3") == "Bảo Thắng, Mường Khơơng"
    assert decode("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "vni") == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert decode("Ñoäc laäp - Töï do - Haïnh phuùc", "vni") == "Độc lập - Tự do - Hạnh phúc"
    assert decode("Vie^.t Nam, DDa('k La('k", "viqr") == "Việt Nam, Đắk Lắk"


def test_tcvn3_byte_positions() -> None:
    # Spot checks against TCVN 5712:1993 positions.
    expected = {0xA7: "Đ", 0xAE: "đ", 0xAD: "ư", 0xB5: "à", 0xB8: "á", 0xB9: "ạ", 0xCB: "ậ",
                0xD6: "ệ", 0xDC: "ĩ", 0xE9: "ộ", 0xF1: "ủ", 0xF9: "ự", 0xFD: "ý", 0xFE: "ỵ", 0xFF: "Ố"}
    for byte, char in expected.items():
        assert decode(chr(byte), "tcvn3") == char


def test_tcvn3_lower_font_has_every_lowercase_letter() -> None:
    for ch in LOWER:
        assert len(encode(ch, "tcvn3")) == 1


def test_tcvn3_lower_font_lacks_most_toned_capitals() -> None:
    with pytest.raises(LegacyEncodeError):
        encode("Ủ", "tcvn3")


@pytest.mark.parametrize("ch", LETTERS)
def test_every_letter_round_trips_in_every_encoding(ch: str) -> None:
    assert decode_runs([(t, enc) for t, enc in encode_runs(ch)]) == ch
    assert decode(encode(ch, "vni"), "vni") == ch
    assert decode(encode(ch, "viqr"), "viqr") == ch
    if ch.isupper():
        assert decode(encode(ch, "tcvn3h"), "tcvn3h") == ch


@given(st.text(alphabet=st.sampled_from([*LETTERS, *"bcdghklmnpqrstvx BCDGHKLMNPQRSTVX.,;:?!'()-/0123456789\n"]),
               max_size=80))
@settings(max_examples=300, deadline=None)
def test_random_vietnamese_text_round_trips(text: str) -> None:
    text = unicodedata.normalize("NFC", text)
    assert decode_runs([(t, enc) for t, enc in encode_runs(text)]) == text
    assert decode(encode(text, "vni"), "vni") == text
    assert decode(encode(text, "viqr"), "viqr") == text


@pytest.mark.parametrize("text", ["DĐ", "dđ", "dd", "ddd", "đd", "Dd", "dĐa"])
def test_viqr_literal_d_next_to_dd(text: str) -> None:
    assert decode(encode(text, "viqr"), "viqr") == text


@pytest.mark.parametrize("phrase", CORPUS)
@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "viqr"])
def test_corpus_is_detected_and_converted(phrase: str, encoding: str) -> None:
    if encoding == "tcvn3":
        runs = encode_runs(phrase)
        legacy_text = "".join(t for t, _ in runs)
        assert decode_runs(runs) == phrase
        if all(enc == "tcvn3" for _, enc in runs):
            guess = detect_legacy(legacy_text)
            assert guess.encoding == "tcvn3", guess
            assert convert(legacy_text, "tcvn3") == phrase
        return
    legacy_text = encode(phrase, encoding)
    guess = detect_legacy(legacy_text)
    assert guess.encoding == encoding, guess
    assert guess.confidence >= 0.6
    assert convert(legacy_text, encoding) == phrase


def test_whole_corpus_detected_as_one_text() -> None:
    body = "\n".join(CORPUS)
    for enc in ("vni", "viqr"):
        assert detect_legacy(encode(body, enc)).encoding == enc
    tcvn = "".join(t for t, _ in encode_runs(body))
    assert detect_legacy(tcvn).encoding == "tcvn3"


def test_vntimeh_heading_recovers_capitals_without_fonts() -> None:
    # Typists in .VnTimeH typed ASCII capitals; the legacy codes stay lower-case.
    assert convert("CéNG HßA X· HéI CHñ NGHÜA VIÖT NAM", "tcvn3") == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    # A single capital starting a word is ordinary title case, not a heading.
    assert convert("§éc lËp - Tù do", "tcvn3") == "Độc lập - Tự do"


# ------------------------------------------------------------------ never touch Unicode
@pytest.mark.parametrize("phrase", CORPUS)
def test_unicode_corpus_is_not_legacy(phrase: str) -> None:
    guess = detect_legacy(phrase, {".VnTime"} if len(phrase) % 2 else None)
    assert guess.encoding is None, guess


@pytest.mark.parametrize("text", [
    "Lê Tám", "Tô Hoài", "Hà Tĩnh", "Tám Lê Hà Tô Nê",  # only letters TCVN3 also uses (ê, á, à, ô…)
    "Müller, façade, café, naïve, Ångström",  # other Latin-1 languages
    "Số: 12/QĐ-UBND", "", "   ", "12345", "UBND TỈNH ĐẮK LẮK",
])
def test_ordinary_text_is_not_converted(text: str) -> None:
    assert detect_legacy(text).encoding is None


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_detection_never_raises(text: str) -> None:
    guess = detect_legacy(text, {"VNI-Times", ".VnTime", "Arial"})
    assert 0.0 <= guess.confidence <= 1.0
    for enc in legacy.ENCODINGS:
        decode(text, enc)
        convert(text, enc)


@given(st.text(alphabet=st.sampled_from(LETTERS + list(" ,.")), min_size=1, max_size=60))
@settings(max_examples=200, deadline=None)
def test_unicode_vietnamese_never_detected_as_legacy(text: str) -> None:
    if any(ord(c) > 0xFF for c in text):
        assert detect_legacy(text).encoding is None


# ------------------------------------------------------------------ fonts
@pytest.mark.parametrize(("font", "expected"), [
    (".VnTime", "tcvn3"), (".VnTimeH", "tcvn3h"), (".VnArial", "tcvn3"), (".VnArialH", "tcvn3h"),
    ("ABCDEF+.VnTime,Bold", "tcvn3"), ("VnTimeH", "tcvn3h"), (".VnCentury Schoolbook", "tcvn3"),
    ("VNI-Times", "vni"), ("VNI-Helve", "vni"), ("VNI-Times-Bold", "vni"),
    ("Times New Roman", None), ("Arial", None), ("Vni", None), (None, None), ("", None),
])
def test_font_names(font: str | None, expected: str | None) -> None:
    assert encoding_for_font(font) == expected


def test_font_evidence_is_reported() -> None:
    text = encode("Quyết định về việc ban hành", "tcvn3")
    guess = detect_legacy(text, {".VnTime", "Arial"})
    assert guess.encoding == "tcvn3" and guess.confidence >= 0.9
    assert any(".VnTime" in e for e in guess.evidence)
    assert guess.label == "đã chuyển mã từ TCVN3"
