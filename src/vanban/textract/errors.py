"""The one exception textract raises: a stable code for machines, a Vietnamese message for people."""

from __future__ import annotations

__all__ = ["CODES", "TextractError"]

# code -> message shown to a clerk (NFC Vietnamese).
CODES: dict[str, str] = {
    "unsupported": "Định dạng tệp không được hỗ trợ để trích xuất văn bản.",
    "too_large": "Tệp quá lớn để trích xuất văn bản.",
    "zip_bomb": "Tệp nén giải ra quá lớn (nghi ngờ bom nén), không trích xuất.",
    "corrupt": "Tệp bị hỏng hoặc không đúng định dạng, không trích xuất được.",
    "encrypted": "Tệp được đặt mật khẩu, không trích xuất được.",
    "timeout": "Trích xuất văn bản quá thời gian cho phép.",
    "old_binary": "Không trích xuất được văn bản từ tệp Office cũ (.doc/.xls) này.",
    "bad_encoding": "Không nhận ra bảng mã của tệp văn bản.",
    "ocr_failed": "Nhận dạng ký tự (OCR) không thành công.",
    "ocr_unavailable": "Máy chủ chưa cài phần nhận dạng ký tự tiếng Việt (OCR).",
    "has_text": "Tệp PDF đã có lớp chữ, không cần nhận dạng ký tự.",
}


class TextractError(Exception):
    """Bad, hostile or unsupported input. Never any other exception leaves `extract_text`."""

    def __init__(self, code: str, message: str | None = None, detail: str = "") -> None:
        self.code = code if code in CODES else "corrupt"
        self.message = message or CODES[self.code]
        self.detail = detail
        super().__init__(f"{self.code}: {self.message}" + (f" ({detail})" if detail else ""))
