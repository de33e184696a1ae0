"""Code lists of the archival metadata (TT 02/2019/TT-BNV, kept by TT 05/2025/TT-BNV tools).

Values are the two-digit codes archival systems exchange; labels are what people read.
Sources and what is verified: docs/records.md.
"""

from __future__ import annotations

from vanban.core.text import fold

# Thời hạn bảo quản (Maintenance): years → code; None = Vĩnh viễn.
MAINTENANCE_BY_YEARS: dict[int | None, str] = {None: "01", 70: "02", 50: "03", 30: "04", 20: "05", 10: "06"}
MAINTENANCE_OTHER = "07"

# Chế độ sử dụng (Rights / mode).
MODES: dict[str, str] = {"01": "Công khai", "02": "Sử dụng có điều kiện", "03": "Mật"}

# Mức độ tin cậy (confidenceLevel).
RELIABILITY: dict[str, str] = {"01": "Gốc điện tử", "02": "Số hóa", "03": "Hỗn hợp"}

# Tình trạng vật lý.
PHYSICAL: dict[str, str] = {"01": "Tốt", "02": "Bình thường", "03": "Hỏng"}

# Tình trạng dự phòng (required when Chế độ dự phòng = có).
RISK_RECOVERY_STATUS: dict[str, str] = {"01": "Đã dự phòng", "02": "Chưa dự phòng"}

DEFAULT_LANGUAGE = "Tiếng Việt"

# Ngôn ngữ (TT 05/2025 package metadata `language`): code → label; people write the label.
LANGUAGES: dict[str, str] = {
    "01": "Tiếng Việt", "02": "Tiếng Anh", "03": "Tiếng Pháp", "04": "Tiếng Nga", "05": "Tiếng Trung",
    "06": "Việt - Anh", "07": "Việt - Nga", "08": "Việt - Pháp", "09": "Hán Nôm", "10": "Việt - Trung",
    "11": "Khác",
}

# Tên loại tài liệu (TT 05/2025 `typeName`), the list that agrees with NĐ 30/2020's types (see docs/records.md).
DOCUMENT_TYPES: dict[str, str] = {
    "01": "Nghị quyết", "02": "Quyết định", "03": "Chỉ thị", "04": "Quy chế", "05": "Quy định", "06": "Thông cáo",
    "07": "Thông báo", "08": "Hướng dẫn", "09": "Chương trình", "10": "Kế hoạch", "11": "Phương án",
    "12": "Đề án", "13": "Dự án", "14": "Báo cáo", "15": "Tờ trình", "16": "Giấy ủy quyền", "17": "Phiếu gửi",
    "18": "Phiếu chuyển", "19": "Phiếu báo", "20": "Biên bản", "21": "Hợp đồng", "22": "Công văn",
    "23": "Công điện", "24": "Bản ghi nhớ", "25": "Bản thỏa thuận", "26": "Giấy mời", "27": "Giấy giới thiệu",
    "28": "Giấy nghỉ phép", "29": "Thư công", "30": "Bản đồ", "31": "Bản vẽ kỹ thuật", "32": "Khác",
}


def maintenance_code(years: int | None) -> str:
    return MAINTENANCE_BY_YEARS.get(years, MAINTENANCE_OTHER)


def _folded(text: str) -> str:
    return fold(text or "").replace(" ", "").replace("-", "")


def language_code(label: str) -> str:
    """"Tiếng Việt" → "01"; a code passes through; anything else is "11" (Khác)."""
    if label in LANGUAGES:
        return label
    wanted = _folded(label)
    return next((code for code, name in LANGUAGES.items() if _folded(name) == wanted), "11")


def document_type_code(name: str) -> str:
    """"Quyết định" (or "Quyết định (cá biệt)") → "02"; an unlisted type is "32" (Khác)."""
    wanted = _folded((name or "").split("(")[0])
    return next((code for code, label in DOCUMENT_TYPES.items() if _folded(label) == wanted), "32")


def retention_label(years: int | None) -> str:
    return "Vĩnh viễn" if years is None else f"{years} năm"
