"""read_header on real published headers (tests/textract/realheaders) and on the shapes
that broke it: upper-case and wrapped subjects, "Thực hiện …" plans, liên tịch documents,
hyphenated places, a national title wrapped in a narrow column, wrapped signature lines."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vanban.textract.header import read_header
from vanban.textract.realset import load_records, record_truth

pytestmark = pytest.mark.unit

REAL = Path(__file__).parent / "realheaders" / "headers.json"


def test_corpus_is_real_and_sourced() -> None:
    records = load_records(REAL)
    assert len(records) >= 30
    assert len({r["id"] for r in records}) == len(records)
    assert all(r["url"].startswith("http") for r in records)
    types = {r["type_name"] for r in records}
    assert {"Quyết định", "Kế hoạch", "Nghị quyết", "Thông tư", "Thông tư liên tịch", "Công văn"} <= types
    assert sum(1 for r in records if r.get("signer")) >= 4
    for r in records:
        truth = record_truth(r)
        assert truth["number"] and truth["notation"] and truth["subject"]


def test_real_headers_accuracy_floor() -> None:
    """The bench on the real corpus: subject ≥ 0.9 in every rendering the system reads."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from header_bench import measure_real

    fast = measure_real(formats=("txt", "txt-rows", "docx"))
    pdf = measure_real(formats=("pdf",), step=3)
    formats = fast["formats"] | pdf["formats"]
    for fmt, fields in formats.items():
        assert fields["subject"] >= 0.9, (fmt, fields["subject"], [m for m in fast["misses"] + pdf["misses"]
                                                                 if m["field"] == "subject"][:5])
        for name in ("agency", "number", "notation", "code", "place", "date", "type_name"):
            assert fields[name] >= 0.9, (fmt, name, fields[name])
        assert fields["overall"] >= 0.95, (fmt, fields["overall"])


# Plain PDF text of a header whose title wrapped in the right column (columns merged).
WRAPPED_TITLE = """\
ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
TỈNH AN GIANG NAM
Độc lập - Tự do - Hạnh phúc
Số: 04/2018/QĐ-UBND An Giang, ngày 31 tháng 01 năm 2018
QUYẾT ĐỊNH
QUY ĐỊNH VIỆC LẬP DỰ TOÁN, QUẢN LÝ, SỬ DỤNG VÀ QUYẾT TOÁN KINH PHÍ
NGÂN SÁCH NHÀ NƯỚC BẢO ĐẢM CHO CÔNG TÁC XÂY DỰNG VĂN BẢN
ỦY BAN NHÂN DÂN TỈNH AN GIANG
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
"""


def test_wrapped_title_does_not_enter_the_agency() -> None:
    v = read_header(WRAPPED_TITLE).values()
    assert v["agency"] == "ỦY BAN NHÂN DÂN TỈNH AN GIANG"
    assert v["code"] == "04/2018/QĐ-UBND" and v["place"] == "An Giang" and v["date"] == "2018-01-31"
    # upper case, two lines, ends before the issuing authority
    assert v["subject"] == ("QUY ĐỊNH VIỆC LẬP DỰ TOÁN, QUẢN LÝ, SỬ DỤNG VÀ QUYẾT TOÁN KINH PHÍ "
                            "NGÂN SÁCH NHÀ NƯỚC BẢO ĐẢM CHO CÔNG TÁC XÂY DỰNG VĂN BẢN")


def test_agency_ending_in_nam_keeps_it() -> None:
    """"NAM" of "QUẢNG NAM" is not the title's last word when the title is whole."""
    text = ("ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "TỈNH QUẢNG NAM             Độc lập - Tự do - Hạnh phúc\n"
            "Số: 4544/KH-UBND           Quảng Nam, ngày 13 tháng 7 năm 2023\n")
    assert read_header(text).agency.value == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"


def test_joint_circular_and_hyphenated_place() -> None:
    text = ("BỘ TÀI CHÍNH\nBỘ NỘI VỤ\nSố: 163/2013/TTLT-BTC-BNV\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Phan Rang-Tháp Chàm, ngày 14 tháng 11 năm 2013\n"
            "THÔNG TƯ LIÊN TỊCH\nHướng dẫn quản lý kinh phí\nCăn cứ Luật Ngân sách nhà nước;\n")
    v = read_header(text).values()
    assert v["type_name"] == "Thông tư liên tịch" and v["subject"] == "Hướng dẫn quản lý kinh phí"
    assert v["agency"] == "BỘ TÀI CHÍNH - BỘ NỘI VỤ" and v["parent_agency"] is None
    assert v["place"] == "Phan Rang-Tháp Chàm" and v["date"] == "2013-11-14"


@pytest.mark.parametrize("subject", [
    "Thực hiện Đề án trồng 1 tỷ cây xanh trên địa bàn tỉnh",
    "THỰC HIỆN ĐỀ ÁN TRỒNG 1 TỶ CÂY XANH TRÊN ĐỊA BÀN TỈNH",
])
def test_plan_subject_starting_with_thuc_hien(subject: str) -> None:
    text = (f"ỦY BAN NHÂN DÂN\nTỈNH TUYÊN QUANG\nSố: 62/KH-UBND\nTuyên Quang, ngày 28 tháng 4 năm 2021\n"
            f"KẾ HOẠCH\n{subject}\nThực hiện Quyết định số 524/QĐ-TTg ngày 01/4/2021 của Thủ tướng;\n")
    assert read_header(text).subject.value == subject


def test_plan_without_subject_does_not_take_the_body() -> None:
    text = ("ỦY BAN NHÂN DÂN\nTỈNH TUYÊN QUANG\nSố: 62/KH-UBND\nTuyên Quang, ngày 28 tháng 4 năm 2021\n"
            "KẾ HOẠCH\nThực hiện Quyết định số 524/QĐ-TTg ngày 01/4/2021 của Thủ tướng Chính phủ;\n")
    assert read_header(text).subject.value is None


def test_wrapped_authority_line_in_signature() -> None:
    text = ("Số: 554/UBND-KT\nV/v treo cờ\nLong Xuyên, ngày 22 tháng 02 năm 2006\n"
            "Nơi nhận:\n- Lưu VP.\nTL. CHỦ TỊCH ỦY\nBAN NHÂN DÂN TỈNH\nCHÁNH VĂN PHÒNG\n(Đã ký)\nThái Hữu Phép\n")
    v = read_header(text).values()
    assert v["competence"] == "TL. CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH"
    assert (v["signer_position"], v["signer_name"]) == ("CHÁNH VĂN PHÒNG", "Thái Hữu Phép")


def test_tuq_and_q_forms() -> None:
    for form, position in (("TUQ. GIÁM ĐỐC", "TRƯỞNG PHÒNG NGHIỆP VỤ"), ("Q. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")):
        text = f"Số: 12/SNV-VP\nV/v báo cáo\nNơi nhận:\n- Lưu: VT.\n{form}\n{position}\nNguyễn Văn An\n"
        v = read_header(text).values()
        assert (v["competence"], v["signer_position"], v["signer_name"]) == (form, position, "Nguyễn Văn An")


def test_ocr_misreading_of_tinh_in_agency() -> None:
    misread = read_header("ỦY BAN NHÂN DÂN\nTĨNH QUẢNG TRỊ\nSố: 1/QĐ-UBND")
    assert misread.agency.value == "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ"
    assert read_header("ỦY BAN NHÂN DÂN\nTỈNH HÀ TĨNH\nSố: 1/QĐ-UBND").agency.value == "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH"


def test_ocr_rows_with_lower_case_so() -> None:
    text = ("ỦY BAN NHÂN DÂN CÔNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "TỈNH HẢI DƯƠNG Độc lập - Tự do - Hạnh phúc\n"
            "số: 30/2016/QĐ-UBND Hải Dương, ngày 01 tháng 11 năm 2016\nQUYẾT ĐỊNH\n"
            "BAN HÀNH CÁC NGUYÊN TẮC PHÂN BỔ VỐN\nỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG\n")
    v = read_header(text).values()
    assert (v["agency"], v["code"], v["place"], v["date"]) == (
        "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG", "30/2016/QĐ-UBND", "Hải Dương", "2016-11-01")
    assert v["subject"] == "BAN HÀNH CÁC NGUYÊN TẮC PHÂN BỔ VỐN"


# The cases below are ours (hand-written in the shapes the held-out set showed, docs/text.md
# causes (2), (7), (8), (9)); the names and numbers in them are made up.

def test_sentence_case_subject_continues_over_a_cited_number() -> None:
    """'… của Nghị định số' / '15/2021/NĐ-CP ngày …': the cited number and its date go on."""
    text = ("BỘ XÂY DỰNG\nSố: 07/2026/TT-BXD\nHà Nội, ngày 02 tháng 3 năm 2026\nTHÔNG TƯ\n"
            "Sửa đổi, bổ sung một số điều của Thông tư số\n"
            "15/2021/TT-BXD ngày 15 tháng 12 năm 2021 hướng dẫn về công trình\n"
            "Căn cứ Luật Xây dựng số 50/2014/QH13;\n")
    v = read_header(text).values()
    assert v["subject"] == ("Sửa đổi, bổ sung một số điều của Thông tư số 15/2021/TT-BXD ngày 15 "
                            "tháng 12 năm 2021 hướng dẫn về công trình")
    assert v["code"] == "07/2026/TT-BXD" and v["date"] == "2026-03-02"


def test_sentence_case_subject_still_stops_at_a_date_line() -> None:
    """A line that does not continue a citation still ends the subject."""
    text = ("ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH\nSố: 12/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc phê duyệt kế hoạch\n"
            "Bắc Ninh, ngày 10 tháng 3 năm 2026\n")
    assert read_header(text).subject.value == "Về việc phê duyệt kế hoạch"


@pytest.mark.parametrize("name", ["Đào Mỹ", "Lê Na"])
def test_two_word_name_with_short_syllables(name: str) -> None:
    text = f"Số: 5/KH-UBND\nV/v họp\nNơi nhận:\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n(Đã ký)\n{name}\n"
    v = read_header(text).values()
    assert (v["competence"], v["signer_position"], v["signer_name"]) == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", name)


def test_sub_committee_under_its_committee() -> None:
    text = ("ỦY BAN BẦU CỬ XÃ AN PHÚ\nTIỂU BAN AN NINH, TRẬT TỰ\nSố: 02/KH-TBANTT\n"
            "An Phú, ngày 12 tháng 12 năm 2025\nKẾ HOẠCH\nBảo đảm an ninh bầu cử trên địa bàn xã\n")
    v = read_header(text).values()
    assert (v["parent_agency"], v["agency"]) == ("ỦY BAN BẦU CỬ XÃ AN PHÚ", "TIỂU BAN AN NINH, TRẬT TỰ")


def test_long_joint_notation_wrapped_after_so() -> None:
    """A drawn PDF's narrow column: the body names wrap at a dash-less place, 'Số:' stands alone."""
    text = ("BỘ NỘI VỤ - BỘ TÀI CHÍNH - BỘ QUỐC   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "PHÒNG - BỘ CÔNG AN   Độc lập - Tự do - Hạnh phúc\n"
            "Số:   Hà Nội, ngày 05 tháng 01 năm 2026\n"
            "03/2026/TTLT-BNV-BTC-BQP-BCA\n"
            "THÔNG TƯ LIÊN TỊCH\nHướng dẫn chế độ phụ cấp\nCăn cứ Luật Cán bộ, công chức;\n")
    v = read_header(text).values()
    assert (v["number"], v["code"]) == ("03", "03/2026/TTLT-BNV-BTC-BQP-BCA")
    assert v["agency"] == "BỘ NỘI VỤ - BỘ TÀI CHÍNH - BỘ QUỐC PHÒNG - BỘ CÔNG AN"
    assert v["parent_agency"] is None and v["type_name"] == "Thông tư liên tịch"


def test_long_notation_wrapped_after_a_dash() -> None:
    text = ("BỘ NỘI VỤ - BỘ TÀI CHÍNH -\nBỘ QUỐC PHÒNG - BỘ CÔNG AN\n"
            "Số: 03/2026/TTLT-BNV-BTC-\nBQP-BCA\nHà Nội, ngày 05 tháng 01 năm 2026\n"
            "THÔNG TƯ LIÊN TỊCH\nHướng dẫn chế độ phụ cấp\n")
    v = read_header(text).values()
    assert v["notation"] == "TTLT-BNV-BTC-BQP-BCA" and v["code"] == "03/2026/TTLT-BNV-BTC-BQP-BCA"
    assert v["agency"] == "BỘ NỘI VỤ - BỘ TÀI CHÍNH - BỘ QUỐC PHÒNG - BỘ CÔNG AN"


def test_sentence_case_subject_goes_on_over_a_lower_case_xet() -> None:
    # "xét xử …" continues "… truy tố,"; a body opening "Xét …" starts with a capital
    head = ("BỘ NỘI VỤ\nSố: 01/2022/TT-BNV\tHà Nội, ngày 18 tháng 02 năm 2022\nTHÔNG TƯ\n"
            "Quy định về phối hợp trong tiếp nhận, điều tra, truy tố,\n"
            "xét xử sơ thẩm các vụ án người dưới 18 tuổi\n\nCăn cứ Bộ luật Tố tụng hình sự;")
    assert read_header(head).subject.value == ("Quy định về phối hợp trong tiếp nhận, điều tra, truy tố, "
                                               "xét xử sơ thẩm các vụ án người dưới 18 tuổi")
    body = ("BỘ NỘI VỤ\nSố: 01/2022/TT-BNV\tHà Nội, ngày 18 tháng 02 năm 2022\nTHÔNG TƯ\n"
            "Quy định về phối hợp trong tiếp nhận\nXét đề nghị của Vụ trưởng Vụ Pháp chế,")
    assert read_header(body).subject.value == "Quy định về phối hợp trong tiếp nhận"


def test_number_and_day_left_blank_for_the_issuing_stamp() -> None:
    # an issued e-office PDF in column layout: the number and the day are drawn by the
    # issuing signature over blanks, so the page text has "Số:           /BC-UBND"
    head = ("  ỦY BAN NHÂN DÂN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "  TỈNH LÂM ĐỒNG   Độc lập - Tự do - Hạnh phúc\n\n"
            "  Số:           /BC    -UBND    Lâm Đồng, ngày       tháng 12 năm 2025\n\n"
            "             BÁO CÁO\n       Công tác cải cách hành chính năm 2025\n\n"
            "  Thực hiện Công văn số 4625/BNV-CCHC ngày 02/7/2025 của Bộ Nội vụ,")
    got = read_header(head)
    assert got.agency.value == "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG" and got.parent_agency.value is None
    assert got.number.value is None and got.notation.value == "BC-UBND" and got.code.value is None
    assert got.place.value == "Lâm Đồng" and got.date.value is None
    assert got.type_name.value == "Báo cáo"
    assert got.subject.value == "Công tác cải cách hành chính năm 2025"
