"""Code lists of the archival metadata (TT 02/2019/TT-BNV, kept by TT 05/2025/TT-BNV tools).

Values are the two-digit codes archival systems exchange; labels are what people read.
Sources and what is verified: docs/records.md.
"""

from __future__ import annotations

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


def maintenance_code(years: int | None) -> str:
    return MAINTENANCE_BY_YEARS.get(years, MAINTENANCE_OTHER)


def retention_label(years: int | None) -> str:
    return "Vĩnh viễn" if years is None else f"{years} năm"
