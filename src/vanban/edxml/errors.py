"""One exception with a stable English code for machines and a Vietnamese message for people."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CODES", "EdxmlError", "EdxmlWarning"]

# Every code the library raises or warns with; docs/edxml.md explains each.
CODES: dict[str, str] = {
    "EDXML_MALFORMED": "không phải XML hợp lệ hoặc sai cấu trúc edXML",
    "EDXML_MISSING_FIELD": "thiếu phần tử bắt buộc",
    "EDXML_BAD_VALUE": "giá trị không hợp lệ",
    "EDXML_BAD_AGENCY_CODE": "mã định danh cơ quan sai định dạng",
    "EDXML_BAD_DATE": "ngày hoặc thời điểm sai định dạng",
    "EDXML_BAD_STATUS_CODE": "mã trạng thái không thuộc danh mục",
    "EDXML_TOO_LARGE": "vượt giới hạn kích thước",
    "EDXML_TOO_DEEP": "vượt giới hạn độ sâu phần tử",
    "EDXML_TOO_MANY_ELEMENTS": "vượt giới hạn số phần tử",
    "EDXML_TOO_MANY_ATTACHMENTS": "vượt giới hạn số tệp đính kèm",
    "EDXML_DTD_FORBIDDEN": "không chấp nhận DOCTYPE/DTD",
    "EDXML_ENTITY_FORBIDDEN": "không chấp nhận thực thể (entity)",
    "EDXML_ENCODING": "chỉ chấp nhận mã hóa UTF-8",
    "EDXML_ATTACHMENT_MISMATCH": "danh mục đính kèm và nội dung đính kèm không khớp",
    "EDXML_DUPLICATE_CONTENT_ID": "trùng ContentId",
    "EDXML_BAD_BASE64": "nội dung base64 hỏng",
    "EDXML_BAD_ZIP": "nội dung nén ZIP hỏng",
    "EDXML_ZIP_BOMB": "tỷ lệ nén bất thường (bom nén)",
    "EDXML_INVALID_CHAR": "ký tự không được phép trong XML",
    "EDXML_SIGNATURE_MISSING": "gói tin không có chữ ký số",
    "EDXML_SIGNATURE_INVALID": "chữ ký số không hợp lệ",
    "EDXML_SIGNATURE_UNTRUSTED": "chữ ký không khớp chứng thư số tin cậy nào",
    "EDXML_SIGNATURE_SCOPE": "chữ ký không bao phủ toàn bộ gói tin",
    "EDXML_BAD_KEY": "khóa hoặc chứng thư số không đọc được",
    "EDXML_IO_ERROR": "không đọc/ghi được tệp",
    "EDXML_BAD_SPEC": "tệp mô tả JSON không hợp lệ",
    "EDXML_USAGE": "sai tham số dòng lệnh",
    # Warnings only (lenient reading and harmless deviations).
    "EDXML_ORDER": "phần tử không theo thứ tự chuẩn",
    "EDXML_UNKNOWN_ELEMENT": "phần tử không thuộc định dạng",
    "EDXML_NAMESPACE": "không gian tên khác chuẩn",
    "EDXML_STATUS_14": "mã trạng thái 14 được đọc là 15",
}


class EdxmlError(ValueError):
    """Why a package was refused; `code` is stable, `message` is Vietnamese and names the element."""

    def __init__(self, code: str, message: str, element: str | None = None) -> None:
        assert code in CODES, code
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.element = element

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class EdxmlWarning:
    """A deviation that lenient reading (or any reading, for order) accepted."""

    code: str
    message: str
    element: str | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
