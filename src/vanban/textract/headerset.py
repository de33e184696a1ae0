"""A generated set of administrative documents with known headers, for the header reader.

Varied on purpose: agencies with and without a governing body (and names over two lines),
types with a type name and công văn without one, numbers with and without a year, places,
dates, one- and two-line subjects, urgency marks, signature blocks TM./KT./TL./TUQ./Q. or
none, and both renderings a clerk receives — a .docx built with tables and a PDF whose
text layer runs row by row.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from vanban.core.legacy import encode, encode_runs
from vanban.textract.samples import Para, Run, Table, make_docx, make_pdf_lines, text_width

__all__ = ["SampleDoc", "extension", "generate", "render"]

# (governing body lines, agency lines, agency abbreviation, place, collective name for TM.)
_AGENCIES = [
    ([], ["ỦY BAN NHÂN DÂN", "TỈNH ĐẮK LẮK"], "UBND", "Đắk Lắk", "ỦY BAN NHÂN DÂN"),
    (["UBND TỈNH ĐẮK LẮK"], ["SỞ NỘI VỤ"], "SNV", "Đắk Lắk", None),
    (["ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"], ["SỞ TÀI NGUYÊN VÀ", "MÔI TRƯỜNG"], "STNMT", "Đắk Lắk", None),
    (["UBND TỈNH ĐẮK LẮK"], ["VĂN PHÒNG"], "VP", "Đắk Lắk", None),
    ([], ["ỦY BAN NHÂN DÂN", "HUYỆN KRÔNG PẮC"], "UBND", "Krông Pắc", "ỦY BAN NHÂN DÂN"),
    ([], ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BUÔN MA THUỘT"], "UBND", "Buôn Ma Thuột", "ỦY BAN NHÂN DÂN"),
    (["UBND HUYỆN EA KAR"], ["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"], "PGDĐT", "Ea Kar", None),
    ([], ["BỘ NỘI VỤ"], "BNV", "Hà Nội", None),
    (["UBND TỈNH ĐẮK LẮK"], ["SỞ THÔNG TIN VÀ TRUYỀN THÔNG"], "STTTT", "Đắk Lắk", None),
    ([], ["HỘI ĐỒNG NHÂN DÂN", "TỈNH ĐẮK LẮK"], "HĐND", "Đắk Lắk", "HỘI ĐỒNG NHÂN DÂN"),
]
_TYPES = [
    ("Quyết định", "QĐ", ["Về việc ban hành Quy chế làm việc của {org}",
                          "Về việc phê duyệt Kế hoạch cải cách hành chính năm {year}",
                          "Về việc thành lập Tổ công tác triển khai văn bản điện tử"]),
    ("Kế hoạch", "KH", ["Triển khai ứng dụng công nghệ thông tin năm {year}",
                        "Tổ chức kiểm tra công tác văn thư, lưu trữ năm {year}"]),
    ("Thông báo", "TB", ["Kết luận của Chủ tịch tại cuộc họp giao ban tháng {month}",
                         "Lịch tiếp công dân định kỳ quý {quarter} năm {year}"]),
    ("Báo cáo", "BC", ["Tình hình thực hiện nhiệm vụ {months} tháng đầu năm {year}",
                       "Kết quả công tác cải cách hành chính quý {quarter} năm {year}"]),
    ("Tờ trình", "TTr", ["Đề nghị phê duyệt dự toán kinh phí ứng dụng công nghệ thông tin năm {year}"]),
    ("Chỉ thị", "CT", ["Về tăng cường kỷ luật, kỷ cương hành chính trong cơ quan nhà nước"]),
    ("Hướng dẫn", "HD", ["Thực hiện lập hồ sơ và nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan"]),
    ("Giấy mời", "GM", ["Dự hội nghị tổng kết công tác năm {year}"]),
]
_CV_SUBJECTS = [
    "Triển khai thực hiện Nghị định số 30/2020/NĐ-CP",
    "Đề nghị cung cấp số liệu báo cáo thống kê năm {year}",
    "Góp ý dự thảo Quyết định ban hành Quy chế quản lý văn bản điện tử",
    "Tăng cường công tác phòng, chống thiên tai trên địa bàn",
    "Cử cán bộ tham dự lớp bồi dưỡng nghiệp vụ văn thư",
]
_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "Y Giang Gry Niê Knơng",
          "Hoàng Minh Đức", "Võ Thị Hồng Nhung", "Đặng Quốc Huy", "H' Yim Kđoh", "Bùi Văn Khải"]
_FORMATS = ["docx-tabs", "pdf", "docx", "pdf", "docx-tcvn3", "pdf", "docx", "pdf"]
_URGENCY = [None, None, None, "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"]


@dataclass
class SampleDoc:
    """One generated document: its known header values and how to render it."""

    ident: str
    fmt: str  # "docx", "docx-tabs" (header as tab-separated paragraphs), "docx-tcvn3", "pdf"
    agency_lines: list[str]
    parent_lines: list[str]
    number: str
    notation: str
    code: str
    place: str
    date: str  # ISO
    date_text: str
    type_name: str
    subject_lines: list[str]
    competence_lines: list[str]
    position: str
    name: str
    urgency: str | None
    motto_variant: str

    def truth(self) -> dict[str, str | None]:
        return {
            "agency": " ".join(self.agency_lines),
            "parent_agency": " ".join(self.parent_lines) or None,
            "number": self.number,
            "notation": self.notation,
            "code": self.code,
            "place": self.place,
            "date": self.date,
            "type_name": self.type_name,
            "subject": " ".join(self.subject_lines),
            "competence": "; ".join(self.competence_lines) or None,
            "signer_position": self.position,
            "signer_name": self.name,
            "urgency": self.urgency.capitalize() if self.urgency else None,
        }

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    return lines


def generate(count: int = 48, seed: int = 2026) -> list[SampleDoc]:
    """`count` documents, deterministic for a seed; a third are công văn."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    docs: list[SampleDoc] = []
    for i in range(count):
        parent, agency, abbr, place, collective = _AGENCIES[i % len(_AGENCIES)]
        is_cv = i % 3 == 2
        year = rng.choice([2025, 2026])
        day, month = rng.randint(1, 28), rng.randint(1, 12)
        num = rng.randint(1, 1500)
        number = f"{num:02d}"
        fill = {"year": year, "month": month, "quarter": (month - 1) // 3 + 1, "months": 6,
                "org": "Sở" if parent else "Ủy ban nhân dân"}
        if is_cv:
            type_name = "Công văn"
            unit = rng.choice(["VP", "TH", "KT", "VX", "NC", "TCCB"])
            notation = f"{abbr}-{unit}"
            subject = rng.choice(_CV_SUBJECTS).format(**fill)
            subject_lines = _wrap(subject, 38)
        else:
            type_name, tabbr, subjects = _TYPES[(i // 3 + i) % len(_TYPES)]
            notation = f"{tabbr}-{abbr}"
            subject = rng.choice(subjects).format(**fill)
            subject_lines = _wrap(subject, 60)
        with_year = not is_cv and type_name == "Quyết định" and i % 4 == 0
        code = f"{number}/{year}/{notation}" if with_year else f"{number}/{notation}"
        standard_date = i % 7 != 3
        d_txt = f"{day:02d}" if standard_date else str(day)
        m_txt = f"{month:02d}" if (standard_date or month > 2) else str(month)
        if not standard_date:
            m_txt = str(month)
        date_text = f"{place}, ngày {d_txt} tháng {m_txt} năm {year}"
        name = rng.choice(_NAMES)
        if collective and i % 2 == 0:
            competence = [f"TM. {collective}", "KT. CHỦ TỊCH"]
            position = "PHÓ CHỦ TỊCH"
        elif collective:
            competence = [f"TM. {collective}"]
            position = "CHỦ TỊCH"
        else:
            style = i % 4
            if style == 0:
                competence, position = ["KT. GIÁM ĐỐC"], "PHÓ GIÁM ĐỐC"
            elif style == 1:
                competence, position = [], "GIÁM ĐỐC" if abbr != "BNV" else "BỘ TRƯỞNG"
            elif style == 2:
                competence, position = ["TL. GIÁM ĐỐC"], "CHÁNH VĂN PHÒNG"
            else:
                competence, position = ["TUQ. GIÁM ĐỐC"], "TRƯỞNG PHÒNG TỔ CHỨC CÁN BỘ"
        docs.append(SampleDoc(
            ident=f"doc{i + 1:02d}", fmt=_FORMATS[i % 8], agency_lines=list(agency),
            parent_lines=list(parent), number=number, notation=notation, code=code, place=place,
            date=f"{year:04d}-{month:02d}-{day:02d}", date_text=date_text, type_name=type_name,
            subject_lines=subject_lines, competence_lines=competence, position=position, name=name,
            urgency=_URGENCY[i % len(_URGENCY)], motto_variant="HÒA" if i % 5 else "HOÀ",
        ))
    return docs


_BODY = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Theo đề nghị của Chánh Văn phòng.",
]
_CV_BODY = [
    "Thực hiện chỉ đạo của cấp trên, đề nghị các cơ quan, đơn vị triển khai thực hiện nội dung sau:",
    "1. Rà soát, tổng hợp và báo cáo kết quả trước ngày 30 hằng tháng.",
    "2. Phân công cán bộ đầu mối theo dõi, đôn đốc việc thực hiện.",
    "Đề nghị các cơ quan, đơn vị quan tâm phối hợp thực hiện./.",
]
_RECIPIENTS = ["Nơi nhận:", "- Như trên;", "- Lưu: VT, VP."]


def _header_rows(doc: SampleDoc) -> list[tuple[str, str]]:
    """(left, right) rows: agency | motto, then number | place and date, then V/v and marks."""
    agency = [*doc.parent_lines, *doc.agency_lines]
    motto = [f"CỘNG {doc.motto_variant} XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    top = max(len(agency), len(motto))
    rows = [(agency[i] if i < len(agency) else "", motto[i] if i < len(motto) else "") for i in range(top)]
    rows.append((f"Số: {doc.code}", doc.date_text))
    if doc.type_name == "Công văn":
        rows += [("V/v " + doc.subject_lines[0], ""), *[(t, "") for t in doc.subject_lines[1:]]]
    if doc.urgency:
        rows.append((doc.urgency, ""))
    return rows


def _left_header(doc: SampleDoc) -> list[str]:
    return [left for left, _ in _header_rows(doc) if left]


def _right_header(doc: SampleDoc) -> list[str]:
    return [right for _, right in _header_rows(doc) if right]


def _middle(doc: SampleDoc) -> list[str]:
    if doc.type_name == "Công văn":
        recipient = "Các sở, ban, ngành thuộc tỉnh" if doc.place == "Đắk Lắk" else "Các phòng, ban chuyên môn"
        return [f"Kính gửi: {recipient}.", *_CV_BODY]
    lines = [doc.type_name.upper(), *doc.subject_lines]
    if doc.type_name == "Quyết định":
        lines += ["CHỦ TỊCH " + " ".join(doc.agency_lines) if doc.agency_lines[0].startswith("ỦY") else
                  "GIÁM ĐỐC " + " ".join(doc.agency_lines), *_BODY, "QUYẾT ĐỊNH:",
                  "Điều 1. Ban hành kèm theo Quyết định này nội dung nêu trên.",
                  "Điều 2. Quyết định này có hiệu lực kể từ ngày ký./."]
    else:
        lines += ["I. MỤC ĐÍCH, YÊU CẦU", "1. Bảo đảm thực hiện đúng quy định của pháp luật.",
                  "2. Nâng cao hiệu quả công tác quản lý văn bản điện tử./."]
    return lines


def _signature(doc: SampleDoc) -> list[str]:
    return [*doc.competence_lines, doc.position, "(Đã ký)", doc.name]


def extension(doc: SampleDoc) -> str:
    return "pdf" if doc.fmt == "pdf" else "docx"


def render(doc: SampleDoc) -> bytes:
    """The document as .docx (tables for the header and signature) or PDF (row-wise text)."""
    if doc.fmt == "docx-tabs":
        header_paras: list[Para | Table] = [Para.of(f"{left}\t\t{right}".strip("\t"))
                                            for left, right in _header_rows(doc)]
        sign_rows = max(len(_RECIPIENTS), len(_signature(doc)))
        sign_paras = [Para.of(f"{_cell(_RECIPIENTS, k)}\t\t{_cell(_signature(doc), k)}".strip("\t"))
                      for k in range(sign_rows)]
        return make_docx([*header_paras, *[Para.of(t) for t in _middle(doc)], *sign_paras])
    if doc.fmt == "docx-tcvn3":
        return make_docx([_tcvn3_table(_left_header(doc), _right_header(doc)),
                          *[_tcvn3_para(t) for t in _middle(doc)],
                          _tcvn3_table(_RECIPIENTS, _signature(doc))], default_font=".VnTime")
    if doc.fmt == "docx":
        header = Table([[[Para.of(t, align="center") for t in _left_header(doc)],
                         [Para.of(t, align="center") for t in _right_header(doc)]]])
        middle = [Para.of(t) for t in _middle(doc)]
        sign = Table([[[Para.of(t) for t in _RECIPIENTS],
                       [Para.of(t, align="center") for t in _signature(doc)]]])
        return make_docx([header, *middle, sign])
    lines: list[tuple[float, float, str, float]] = []
    y = 800.0
    for left, right in _header_rows(doc):
        if left:
            lines.append((max(40.0, 140 - text_width(left, 11) / 2), y, left, 11))
        if right:
            lines.append((440 - text_width(right, 11) / 2, y, right, 11))
        y -= 16
    y -= 20
    for text in _middle(doc):
        for piece in _wrap(text, 85):
            x = 297 - text_width(piece, 11) / 2 if piece.isupper() or text in doc.subject_lines else 70
            lines.append((x, y, piece, 11))
            y -= 16
    y -= 20
    sig = _signature(doc)
    for row in range(max(len(_RECIPIENTS), len(sig))):
        if row < len(_RECIPIENTS):
            lines.append((70, y, _RECIPIENTS[row], 10))
        if row < len(sig):
            lines.append((420 - text_width(sig[row], 11) / 2, y, sig[row], 11))
        y -= 16
    return make_pdf_lines([lines])


def _cell(items: list[str], k: int) -> str:
    return items[k] if k < len(items) else ""


def _tcvn3_para(text: str) -> Para:
    """A paragraph typed the old way: capitals with tones in `.VnTimeH`, the rest `.VnTime`."""
    if text.isupper():
        return Para([Run(encode(text, "tcvn3h"), ".VnTimeH")])
    return Para([Run(t, ".VnTimeH" if enc == "tcvn3h" else ".VnTime") for t, enc in encode_runs(text)])


def _tcvn3_table(left: list[str], right: list[str]) -> Table:
    return Table([[[_tcvn3_para(t) for t in left], [_tcvn3_para(t) for t in right]]])
