"""The audit actions of `agencies` (vanban.audit.services.record_event), one name for each;
the Vietnamese a person reads for each is in `vanban.audit.labels`."""

from __future__ import annotations

CHANGED = "agencies.changed"  # sửa thông tin cơ quan
DELETED = "agencies.deleted"  # xóa cơ quan khỏi danh bạ
IMPORTED = "agencies.imported"  # nhập danh bạ cơ quan
REORGANISED = "agencies.reorganised"  # tổ chức lại cơ quan (sáp nhập, chia tách, đổi tên, đổi mã)
SPLIT = "agencies.split"  # chia tách cơ quan
UNIT_CHANGED = "agencies.unit_changed"  # sửa đơn vị
UNIT_CREATED = "agencies.unit_created"  # thêm đơn vị
UNITS_IMPORTED = "agencies.units_imported"  # nhập danh sách đơn vị
