"""Code lists of the format: status codes, priorities, business document types."""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = ["BusinessDocType", "Priority", "StatusCode"]


class StatusCode(StrEnum):
    """StatusCode of a status package; the two-digit string is what travels."""

    ARRIVED = "01"  # đã đến
    REJECTED = "02"  # từ chối tiếp nhận
    ACCEPTED = "03"  # đã tiếp nhận
    ASSIGNED = "04"  # phân công
    PROCESSING = "05"  # đang xử lý
    COMPLETED = "06"  # hoàn thành
    TAKE_BACK = "13"  # bên gửi đề nghị lấy lại / thu hồi
    CHANGE_AGREED = "15"  # đồng ý cập nhật / lấy lại
    CHANGE_REFUSED = "16"  # từ chối cập nhật / lấy lại

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REJECTED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận",
    StatusCode.ASSIGNED: "Phân công xử lý",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.COMPLETED: "Hoàn thành",
    StatusCode.TAKE_BACK: "Đề nghị lấy lại văn bản",
    StatusCode.CHANGE_AGREED: "Đồng ý cập nhật/lấy lại",
    StatusCode.CHANGE_REFUSED: "Từ chối cập nhật/lấy lại",
}


class Priority(IntEnum):
    """OtherInfo/Priority (độ khẩn)."""

    NORMAL = 0  # thường
    URGENT = 1  # khẩn
    VERY_URGENT = 2  # thượng khẩn
    EXPRESS = 3  # hỏa tốc
    EXPRESS_TIMED = 4  # hỏa tốc hẹn giờ


class BusinessDocType(IntEnum):
    """TraceHeaderList/Bussiness/BussinessDocType."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3
