"""A demo province modelled on Đắk Lắk (code H16, inferred from the alphabetical order of
the 63 former provinces — see docs/agencies.md), as it is organised since the 2025
reorganisation: departments merged on 1 March 2025, districts abolished on 1 July 2025 (local
government has two levels, province and commune), Đắk Lắk merged with Phú Yên. The former
departments, districts and communes stay in the directory as history (`active_to` set), so old
documents still name them. Codes below level 1 and the choice of communes are illustrative.
Everything here is loaded with `is_demo=True`.
"""

from __future__ import annotations

from datetime import date
from typing import NotRequired, TypedDict

DEPARTMENTS_MERGED_ON = date(2025, 2, 28)  # last day of the departments merged on 1 March 2025
DISTRICTS_ENDED_ON = date(2025, 6, 30)  # last day of district-level government
COMMUNES_FROM = date(2025, 7, 1)

PROVINCE = ("000.00.00.H16", "Ủy ban nhân dân tỉnh Đắk Lắk", "UBND tỉnh Đắk Lắk", "UBND")

# (level-2 number, name, abbreviation used in notations): the departments today.
DEPARTMENTS: list[tuple[int, str, str]] = [
    (1, "Văn phòng Ủy ban nhân dân tỉnh", "VP"),
    (2, "Sở Nội vụ", "SNV"),  # took over Lao động - Thương binh và Xã hội's labour and employment
    (3, "Sở Tài chính", "STC"),  # merged with Kế hoạch và Đầu tư
    (5, "Sở Tư pháp", "STP"),
    (6, "Sở Công Thương", "SCT"),
    (9, "Sở Xây dựng", "SXD"),  # merged with Giao thông vận tải
    (13, "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    (14, "Sở Khoa học và Công nghệ", "SKHCN"),  # merged with Thông tin và Truyền thông
    (15, "Sở Giáo dục và Đào tạo", "SGDĐT"),
    (16, "Sở Y tế", "SYT"),
    (17, "Thanh tra tỉnh", "TTr"),
    (20, "Ban Quản lý các khu công nghiệp tỉnh", "BQLKCN"),
    (21, "Sở Nông nghiệp và Môi trường", "SNNMT"),  # Nông nghiệp và PTNT + Tài nguyên và Môi trường
    (22, "Sở Dân tộc và Tôn giáo", "SDTTG"),  # from Ban Dân tộc
]

# The departments that ended with the merger of 1 March 2025, kept as history.
FORMER_DEPARTMENTS: list[tuple[int, str, str]] = [
    (4, "Sở Kế hoạch và Đầu tư", "SKHĐT"),
    (7, "Sở Nông nghiệp và Phát triển nông thôn", "SNN"),
    (8, "Sở Giao thông vận tải", "SGTVT"),
    (10, "Sở Tài nguyên và Môi trường", "STNMT"),
    (11, "Sở Thông tin và Truyền thông", "STTTT"),
    (12, "Sở Lao động - Thương binh và Xã hội", "SLĐTBXH"),
    (18, "Ban Dân tộc", "BDT"),
    (19, "Sở Ngoại vụ", "SNgV"),
]

# Who took over each former department's duties (level-2 numbers), as the merger decisions say.
FORMER_DEPARTMENT_SUCCESSORS: dict[int, int] = {4: 3, 7: 21, 8: 9, 10: 21, 11: 14, 12: 2, 18: 22, 19: 1}

# Communes and wards directly under the province since 1 July 2025 (a selection).
COMMUNES: list[tuple[int, str]] = [
    (50, "Phường Buôn Ma Thuột"), (51, "Phường Tân An"), (52, "Phường Tân Lập"), (53, "Phường Thành Nhất"),
    (54, "Phường Ea Kao"), (55, "Phường Buôn Hồ"), (56, "Phường Tuy Hòa"), (57, "Phường Sông Cầu"),
    (58, "Xã Hòa Phú"), (59, "Xã Ea Drăng"), (60, "Xã Ea Súp"), (61, "Xã Buôn Đôn"), (62, "Xã Quảng Phú"),
    (63, "Xã Krông Năng"), (64, "Xã Ea Kar"), (65, "Xã Krông Pắc"), (66, "Xã Dray Bhăng"), (67, "Xã Liên Sơn Lắk"),
    (68, "Xã Sơn Hòa"), (69, "Xã Tây Hòa"),
]

# (level-2 number, name, abbreviation, communes): district-level government until 30 June 2025.
DISTRICTS: list[tuple[int, str, str, list[str]]] = [
    (30, "Ủy ban nhân dân thành phố Buôn Ma Thuột", "UBND", [
        "Phường Tân Lợi", "Phường Thắng Lợi", "Phường Ea Tam", "Xã Hòa Thuận", "Xã Ea Kao"]),
    (31, "Ủy ban nhân dân thị xã Buôn Hồ", "UBND", [
        "Phường An Lạc", "Phường Thiện An", "Xã Ea Blang"]),
    (32, "Ủy ban nhân dân huyện Ea H'leo", "UBND", ["Thị trấn Ea Drăng", "Xã Ea Hiao"]),
    (33, "Ủy ban nhân dân huyện Ea Súp", "UBND", ["Thị trấn Ea Súp", "Xã Ea Rốk"]),
    (34, "Ủy ban nhân dân huyện Buôn Đôn", "UBND", ["Xã Krông Na", "Xã Ea Huar"]),
    (35, "Ủy ban nhân dân huyện Cư M'gar", "UBND", ["Thị trấn Quảng Phú", "Xã Ea Pốk"]),
    (36, "Ủy ban nhân dân huyện Krông Búk", "UBND", ["Xã Pơng Drang", "Xã Cư Né"]),
    (37, "Ủy ban nhân dân huyện Krông Năng", "UBND", ["Thị trấn Krông Năng", "Xã Ea Tóh"]),
    (38, "Ủy ban nhân dân huyện Ea Kar", "UBND", ["Thị trấn Ea Kar", "Xã Ea Đar"]),
    (39, "Ủy ban nhân dân huyện M'Đrắk", "UBND", ["Thị trấn M'Đrắk", "Xã Krông Jing"]),
    (40, "Ủy ban nhân dân huyện Krông Bông", "UBND", ["Thị trấn Krông Kmar", "Xã Hòa Sơn"]),
    (41, "Ủy ban nhân dân huyện Krông Pắc", "UBND", ["Thị trấn Phước An", "Xã Ea Yông"]),
    (42, "Ủy ban nhân dân huyện Krông A Na", "UBND", ["Thị trấn Buôn Trấp", "Xã Dray Sáp"]),
    (43, "Ủy ban nhân dân huyện Lắk", "UBND", ["Thị trấn Liên Sơn", "Xã Yang Tao"]),
    (44, "Ủy ban nhân dân huyện Cư Kuin", "UBND", ["Xã Dray Bhăng", "Xã Ea Tiêu"]),
]

# Which of today's communes took over each former commune (illustrative, by name; a former
# commune divided among several new ones has none). A former district's duties went to its
# communes and the province: its successor here is the provincial People's Committee, which
# receives what is still addressed to it.
FORMER_COMMUNE_SUCCESSORS: dict[str, int] = {
    "Phường Tân Lợi": 50, "Phường Thắng Lợi": 50, "Phường Ea Tam": 52, "Xã Hòa Thuận": 50, "Xã Ea Kao": 54,
    "Phường An Lạc": 55, "Phường Thiện An": 55, "Xã Ea Blang": 55, "Thị trấn Ea Drăng": 59,
    "Thị trấn Ea Súp": 60, "Xã Krông Na": 61, "Xã Ea Huar": 61, "Thị trấn Quảng Phú": 62,
    "Thị trấn Krông Năng": 63, "Thị trấn Ea Kar": 64, "Thị trấn Phước An": 65, "Xã Ea Yông": 65,
    "Thị trấn Liên Sơn": 67, "Xã Yang Tao": 67, "Xã Dray Bhăng": 66, "Xã Ea Tiêu": 66,
}

DEMO_PASSWORD = "vanban-demo-2026"

# The units of the two demo agencies people log in to (code, name, kind, parent code). The
# codes are what the agencies' notations append for a drafting unit (…/SNV-TCBC).
UNITS: dict[str, list[tuple[str, str, str, str]]] = {
    "000.00.01.H16": [
        ("LDVP", "Lãnh đạo Văn phòng", "leadership", ""),
        ("HCTC", "Phòng Hành chính - Tổ chức", "department", ""),
        ("TH", "Phòng Tổng hợp", "department", ""),
        ("KT", "Phòng Kinh tế", "department", ""),
        ("KGVX", "Phòng Khoa giáo - Văn xã", "department", ""),
        ("CBTH", "Trung tâm Công báo - Tin học", "subordinate", ""),
    ],
    "000.00.02.H16": [
        ("BGD", "Ban Giám đốc", "leadership", ""),
        ("VP", "Văn phòng Sở", "office", ""),
        ("TTR", "Thanh tra Sở", "department", ""),
        ("TCBC", "Phòng Tổ chức, biên chế và tổ chức phi chính phủ", "department", ""),
        ("CCVC", "Phòng Công chức, viên chức", "department", ""),
        ("XDCQ", "Phòng Xây dựng chính quyền và công tác thanh niên", "department", ""),
        ("LDVL", "Phòng Lao động - Việc làm", "department", ""),
        ("VTLT", "Chi cục Văn thư - Lưu trữ", "subordinate", ""),
        ("VTLT-NV", "Phòng Nghiệp vụ văn thư, lưu trữ", "department", "VTLT"),
    ],
}

# (username, full name, position, agency code, roles, unit code, rank in the unit)
USERS: list[tuple[str, str, str, str, list[str], str, str]] = [
    ("vanthu.ubnd", "Nguyễn Thị Hoa", "Văn thư", "000.00.01.H16", ["clerk"], "HCTC", "member"),
    ("lanhdao.ubnd", "Trần Văn Hùng", "Chánh Văn phòng", "000.00.01.H16", ["leader"], "LDVP", "head"),
    ("chuyenvien.ubnd", "Lê Thị Mai", "Chuyên viên", "000.00.01.H16", ["specialist"], "TH", "member"),
    ("luutru.ubnd", "Phạm Văn Đức", "Lưu trữ viên", "000.00.01.H16", ["archivist"], "HCTC", "member"),
    ("quantri.ubnd", "Võ Minh Tuấn", "Quản trị hệ thống", "000.00.01.H16", ["agency_admin"], "CBTH", "member"),
    ("vanthu.snv", "H'Luyện Niê", "Văn thư", "000.00.02.H16", ["clerk"], "VP", "member"),
    ("lanhdao.snv", "Y Khu Êban", "Giám đốc Sở", "000.00.02.H16", ["leader"], "BGD", "head"),
    ("chuyenvien.snv", "Đặng Thị Thu", "Chuyên viên", "000.00.02.H16", ["specialist"], "CCVC", "member"),
    # A deputy who signs "KT. GIÁM ĐỐC", a unit head who assigns within the unit, and a specialist
    # of another unit (who must not see what was distributed to Phòng Công chức, viên chức).
    ("phogiamdoc.snv", "Nguyễn Thị Thanh Hương", "Phó Giám đốc Sở", "000.00.02.H16", ["leader"], "BGD", "deputy"),
    ("truongphong.snv", "Trần Quốc Toản", "Trưởng phòng Công chức, viên chức", "000.00.02.H16", ["specialist"],
     "CCVC", "head"),
    ("chuyenvien.tcbc", "Lý Văn Bình", "Chuyên viên", "000.00.02.H16", ["specialist"], "TCBC", "member"),
    ("luutru.snv", "Bùi Văn Nam", "Lưu trữ viên", "000.00.02.H16", ["archivist"], "VTLT-NV", "member"),
    ("quantri.snv", "Hoàng Thị Lan", "Quản trị hệ thống", "000.00.02.H16", ["agency_admin"], "VP", "member"),
    ("vanhanh.truc", "Ngô Quốc Bảo", "Kỹ sư vận hành trục", "000.00.14.H16", ["hub_operator"], "", ""),
]

# The demo agencies' processing deadlines in working days, by urgency ("" = any other).
DEADLINES: list[tuple[str, int]] = [("flash", 1), ("very_urgent", 2), ("urgent", 3), ("", 10)]

# Sở Nội vụ's own process for invitations (issue 20: processing rules as data): after the
# clerk's receiving step, (name, role, unit code, working days, status sent, is end); then the
# moves (from, to, label, reason required) by position in that list (0 = the clerk's step).
PROCESS = ("Quy trình xử lý giấy mời", "giay-moi", [
    ("Lãnh đạo Sở phân công dự họp", "leader", "BGD", 1, "04", False),
    ("Chuẩn bị nội dung, dự họp", "specialist", "", None, "05", False),
    ("Hoàn thành", "", "", None, "06", True),
], [(0, 1, "Trình lãnh đạo", False), (1, 2, "Giao dự họp", False), (2, 1, "Xin ý kiến lại", True),
    (1, 3, "Lãnh đạo trực tiếp dự họp", False), (2, 3, "Đã dự họp, báo cáo", False)])

# The province's system administrator (a superuser, no agency role): reorganisations
# (`/to-chuc-lai/`), every report and page. (username, full name, position)
PROVINCE_ADMIN = ("quantri.tinh", "Đinh Công Minh", "Quản trị hệ thống cấp tỉnh")


# The province merged into Đắk Lắk on 1 July 2025 (Nghị quyết 202/2025/QH15), kept as history:
# Phú Yên's People's Committee (H45 by the same alphabetical order as H16 — inferred), a
# selection of its departments (each taken over by the Đắk Lắk department of the same remit),
# and its provincial city with two wards (taken over by today's wards).
FORMER_PROVINCE = ("000.00.00.H45", "Ủy ban nhân dân tỉnh Phú Yên", "UBND tỉnh Phú Yên", "UBND")
FORMER_PROVINCE_DEPARTMENTS: list[tuple[int, str, str, int]] = [
    (1, "Văn phòng Ủy ban nhân dân tỉnh Phú Yên", "VP", 1), (2, "Sở Nội vụ tỉnh Phú Yên", "SNV", 2),
    (3, "Sở Tài chính tỉnh Phú Yên", "STC", 3), (15, "Sở Giáo dục và Đào tạo tỉnh Phú Yên", "SGDĐT", 15),
    (16, "Sở Y tế tỉnh Phú Yên", "SYT", 16),
]
FORMER_PROVINCE_CITY = (30, "Ủy ban nhân dân thành phố Tuy Hòa", [("Phường 1", 56), ("Phường 9", 56),
                                                                 ("Xã Bình Kiến", 56)])


def _commune_name(commune: str) -> str:
    return f"Ủy ban nhân dân {commune[0].lower()}{commune[1:]}"


class AgencyDemoRow(TypedDict):
    """One demo agency, in the shape the directory import takes."""

    code: str
    name: str
    short_name: str
    abbreviation: str
    active_from: NotRequired[date]
    active_to: NotRequired[date]
    successor: NotRequired[str]


def agency_rows() -> list[AgencyDemoRow]:
    """Every demo agency as an import row (code, name, short_name, abbreviation, validity,
    successor)."""
    code, name, short, abbr = PROVINCE
    rows: list[AgencyDemoRow] = [{"code": code, "name": name, "short_name": short, "abbreviation": abbr}]
    for num, dname, dabbr in DEPARTMENTS:
        rows.append({"code": f"000.00.{num:02d}.H16", "name": dname, "short_name": dname, "abbreviation": dabbr})
    for num, commune in COMMUNES:
        rows.append({"code": f"000.00.{num:02d}.H16", "name": _commune_name(commune),
                     "short_name": f"UBND {commune}", "abbreviation": "UBND", "active_from": COMMUNES_FROM})
    for num, dname, dabbr in FORMER_DEPARTMENTS:
        rows.append({"code": f"000.00.{num:02d}.H16", "name": dname, "short_name": dname, "abbreviation": dabbr,
                     "active_to": DEPARTMENTS_MERGED_ON,
                     "successor": f"000.00.{FORMER_DEPARTMENT_SUCCESSORS[num]:02d}.H16"})
    for num, dname, dabbr, communes in DISTRICTS:
        rows.append({"code": f"000.00.{num:02d}.H16", "name": dname, "active_to": DISTRICTS_ENDED_ON,
                     "short_name": dname.replace("Ủy ban nhân dân", "UBND"), "abbreviation": dabbr,
                     "successor": PROVINCE[0]})
        for i, commune in enumerate(communes, start=1):
            after = FORMER_COMMUNE_SUCCESSORS.get(commune)
            rows.append({"code": f"000.{i:02d}.{num:02d}.H16", "name": _commune_name(commune),
                         "short_name": f"UBND {commune}", "abbreviation": "UBND", "active_to": DISTRICTS_ENDED_ON,
                         "successor": f"000.00.{after:02d}.H16" if after else ""})
    rows += _former_province()
    return rows


def _former_province() -> list[AgencyDemoRow]:
    code, name, short, abbr = FORMER_PROVINCE
    rows: list[AgencyDemoRow] = [{"code": code, "name": name, "short_name": short, "abbreviation": abbr,
                                  "active_to": DISTRICTS_ENDED_ON, "successor": PROVINCE[0]}]
    for num, dname, dabbr, after in FORMER_PROVINCE_DEPARTMENTS:
        rows.append({"code": f"000.00.{num:02d}.H45", "name": dname, "short_name": dname, "abbreviation": dabbr,
                     "active_to": DISTRICTS_ENDED_ON, "successor": f"000.00.{after:02d}.H16"})
    num, city, wards = FORMER_PROVINCE_CITY
    rows.append({"code": f"000.00.{num:02d}.H45", "name": city, "short_name": city.replace("Ủy ban nhân dân", "UBND"),
                 "abbreviation": "UBND", "active_to": DISTRICTS_ENDED_ON, "successor": PROVINCE[0]})
    for i, (ward, after) in enumerate(wards, start=1):
        rows.append({"code": f"000.{i:02d}.{num:02d}.H45", "name": f"{_commune_name(ward)}, thành phố Tuy Hòa",
                     "short_name": f"UBND {ward} (Tuy Hòa)", "abbreviation": "UBND", "active_to": DISTRICTS_ENDED_ON,
                     "successor": f"000.00.{after:02d}.H16"})
    return rows
