"""read_header on hand-written headers in the three shapes text arrives in, and the bench floor."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.textract.header import read_header

pytestmark = pytest.mark.unit

# PDF layout mode: two columns separated by wide gaps.
DECISION = """\
   UBND TỈNH ĐẮK LẮK              CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
     SỞ NỘI VỤ                         Độc lập - Tự do - Hạnh phúc
   Số: 05/2026/QĐ-SNV           Đắk Lắk, ngày 05 tháng 01 năm 2026

                              QUYẾT ĐỊNH
           Về việc ban hành Quy chế quản lý văn bản điện tử
                         của Sở Nội vụ
                        GIÁM ĐỐC SỞ NỘI VỤ
Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020;
                             QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy chế.

Nơi nhận:                                KT. GIÁM ĐỐC
- Như Điều 3;                            PHÓ GIÁM ĐỐC
- Lưu: VT, VP.
                                         Trần Thị Bình
"""

# docx table cells: the left column, then the right one.
LETTER = """\
ỦY BAN NHÂN DÂN
TỈNH ĐẮK LẮK
Số: 123/UBND-VP
V/v triển khai thực hiện Nghị định
số 30/2020/NĐ-CP về công tác văn thư
THƯỢNG KHẨN
CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Đắk Lắk, ngày 15 tháng 02 năm 2026
Kính gửi: Các sở, ban, ngành thuộc tỉnh.
Thực hiện chỉ đạo của Chủ tịch, đề nghị các cơ quan thực hiện.
Nơi nhận:
- Như trên;
- Lưu: VT, VP.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
(Đã ký)
Y Giang Gry Niê Knơng
"""

# plain PDF text: columns merged with single spaces.
MERGED = """\
ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
HUYỆN KRÔNG PẮC Độc lập - Tự do - Hạnh phúc
Số: 07/KH-UBND Krông Pắc, ngày 9 tháng 10 năm 2025
HỎA TỐC
KẾ HOẠCH
Tổ chức kiểm tra công tác văn thư, lưu trữ năm 2025
I. MỤC ĐÍCH, YÊU CẦU
Nơi nhận: TM. ỦY BAN NHÂN DÂN
- Như trên; CHỦ TỊCH
- Lưu: VT. (Đã ký)
Lê Hoàng Cường
"""


def test_decision_in_layout_mode() -> None:
    g = read_header(DECISION)
    v = g.values()
    assert v["parent_agency"] == "UBND TỈNH ĐẮK LẮK" and v["agency"] == "SỞ NỘI VỤ"
    assert (v["number"], v["notation"], v["code"]) == ("05", "QĐ-SNV", "05/2026/QĐ-SNV")
    assert (v["place"], v["date"]) == ("Đắk Lắk", "2026-01-05")
    assert v["type_name"] == "Quyết định"
    assert v["subject"] == "Về việc ban hành Quy chế quản lý văn bản điện tử của Sở Nội vụ"
    assert (v["competence"], v["signer_position"], v["signer_name"]) == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
                                                                         "Trần Thị Bình")
    assert v["urgency"] is None
    assert g.number.confidence >= 0.9 and "Số: 05/2026/QĐ-SNV" in g.number.evidence
    assert g.date.evidence.strip().endswith("năm 2026")


def test_cong_van_column_by_column() -> None:
    v = read_header(LETTER).values()
    assert v["agency"] == "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK" and v["parent_agency"] is None
    assert v["code"] == "123/UBND-VP" and v["type_name"] == "Công văn"
    assert v["subject"] == "triển khai thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư"
    assert (v["place"], v["date"]) == ("Đắk Lắk", "2026-02-15")
    assert v["urgency"] == "Thượng khẩn"
    assert v["competence"] == "TM. ỦY BAN NHÂN DÂN; KT. CHỦ TỊCH"
    assert (v["signer_position"], v["signer_name"]) == ("PHÓ CHỦ TỊCH", "Y Giang Gry Niê Knơng")


def test_merged_plain_text() -> None:
    g = read_header(MERGED)
    v = g.values()
    assert v["agency"] == "ỦY BAN NHÂN DÂN HUYỆN KRÔNG PẮC"
    assert (v["code"], v["place"], v["date"]) == ("07/KH-UBND", "Krông Pắc", "2025-10-09")
    assert g.date.confidence < 0.95  # "ngày 9 tháng 10": no leading zero, read but flagged
    assert (v["type_name"], v["subject"]) == ("Kế hoạch", "Tổ chức kiểm tra công tác văn thư, lưu trữ năm 2025")
    assert v["urgency"] == "Hỏa tốc"
    assert (v["competence"], v["signer_position"], v["signer_name"]) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
                                                                         "Lê Hoàng Cường")


def test_type_from_notation_when_the_title_is_missing() -> None:
    g = read_header("SỞ NỘI VỤ\nSố: 14/TB-SNV\nĐắk Lắk, ngày 01 tháng 12 năm 2025\n")
    assert g.type_name.value == "Thông báo" and g.type_name.confidence < 0.9


def test_impossible_date_is_not_invented() -> None:
    g = read_header("Số: 01/QĐ-UBND   Đắk Lắk, ngày 31 tháng 02 năm 2026")
    assert g.date.value is None and g.date.confidence < 0.5


def test_text_without_a_header_gives_empty_fields() -> None:
    v = read_header("Biên bản họp tổ dân phố.\nCó 12 người tham dự.").values()
    assert all(value is None for value in v.values())


@given(st.text(max_size=600))
@settings(max_examples=300, deadline=None)
def test_never_raises(text: str) -> None:
    g = read_header(text)
    for field in g.to_dict().values():
        assert 0.0 <= field["confidence"] <= 1.0


def test_generated_set_accuracy_floor() -> None:
    """The bench on 48 generated documents (docx, tab docx, TCVN3 docx, PDF)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from header_bench import measure

    result = measure(48, 2026)
    system = result["system"]
    assert result["documents"] >= 40
    for field in ("number", "notation", "code", "date", "type_name", "subject"):
        assert system[field] >= 0.9, (field, system[field], result["misses"][:5])
    for field in ("agency", "place", "signer_name", "signer_position", "urgency"):
        assert system[field] >= 0.8, (field, system[field])
    assert system["overall"] >= 0.9
    assert result["pdf_plain"]["overall"] >= 0.8


@pytest.mark.parametrize(("line", "notation"), [
    ("Số: 2629/QĐ-TTg", "QĐ-TTg"),  # Thủ tướng Chính phủ: written with a lower-case g
    ("Số: 224/CĐ-TTg", "CĐ-TTg"),
    ("Số: 15/QĐ-UBNDAn Giang, ngày 01 tháng 3 năm 2026", "QĐ-UBND"),  # a place glued on is still cut
])
def test_notation_keeps_ttg_and_still_cuts_a_glued_place(line: str, notation: str) -> None:
    text = f"ỦY BAN NHÂN DÂN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n{line}\nQUYẾT ĐỊNH\nVề việc thử\n"
    assert read_header(text).notation.value == notation
