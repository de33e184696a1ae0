"""The document types of Nghị định 30/2020/NĐ-CP (Art. 7, Phụ lục III) and the legal
normative documents a province issues (their notation carries the year).

Abbreviations follow the appendix as checked in `shared/spec/vn-standards.md` §6.1:
Bản ghi nhớ BGN and Bản thỏa thuận BTT (GN/TTh are the older TT 01/2011 values).
"""

from __future__ import annotations

from django.db import models

# (code, name, abbreviation, is_legal)
TYPES: list[tuple[str, str, str, bool]] = [
    ("nghi-quyet", "Nghị quyết", "NQ", False),
    ("quyet-dinh", "Quyết định", "QĐ", False),
    ("chi-thi", "Chỉ thị", "CT", False),
    ("quy-che", "Quy chế", "QC", False),
    ("quy-dinh", "Quy định", "QyĐ", False),
    ("thong-cao", "Thông cáo", "TC", False),
    ("thong-bao", "Thông báo", "TB", False),
    ("huong-dan", "Hướng dẫn", "HD", False),
    ("chuong-trinh", "Chương trình", "CTr", False),
    ("ke-hoach", "Kế hoạch", "KH", False),
    ("phuong-an", "Phương án", "PA", False),
    ("de-an", "Đề án", "ĐA", False),
    ("du-an", "Dự án", "DA", False),
    ("bao-cao", "Báo cáo", "BC", False),
    ("bien-ban", "Biên bản", "BB", False),
    ("to-trinh", "Tờ trình", "TTr", False),
    ("hop-dong", "Hợp đồng", "HĐ", False),
    ("cong-van", "Công văn", "", False),
    ("cong-dien", "Công điện", "CĐ", False),
    ("ban-ghi-nho", "Bản ghi nhớ", "BGN", False),
    ("ban-thoa-thuan", "Bản thỏa thuận", "BTT", False),
    ("giay-uy-quyen", "Giấy ủy quyền", "GUQ", False),
    ("giay-moi", "Giấy mời", "GM", False),
    ("giay-gioi-thieu", "Giấy giới thiệu", "GGT", False),
    ("giay-nghi-phep", "Giấy nghỉ phép", "GNP", False),
    ("phieu-gui", "Phiếu gửi", "PG", False),
    ("phieu-chuyen", "Phiếu chuyển", "PC", False),
    ("phieu-bao", "Phiếu báo", "PB", False),
    ("thu-cong", "Thư công", "", False),
    ("quyet-dinh-qppl", "Quyết định (quy phạm pháp luật)", "QĐ", True),
    ("nghi-quyet-qppl", "Nghị quyết (quy phạm pháp luật)", "NQ", True),
]


def seed_document_types(model: type[models.Model]) -> None:
    """Create or update the rows of TYPES (used by the data migration and by tests)."""
    for order, (code, name, abbreviation, is_legal) in enumerate(TYPES, start=1):
        model._default_manager.update_or_create(code=code, defaults={
            "name": name, "abbreviation": abbreviation, "is_legal": is_legal, "order": order})
