"""Refusals of the document workflow: a stable code for machines, Vietnamese for people."""

from __future__ import annotations

CONFIDENTIAL_RULE = ("khoản 2 Điều 1 Quy định kèm theo Quyết định 16/2019/QĐ-UBND: văn bản mật "
                     "không được gửi, nhận, xử lý trên hệ thống")


class DocumentError(ValueError):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class DocumentForbiddenError(DocumentError):
    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
        super().__init__("FORBIDDEN", message, 403)


class DocumentMovedOnError(DocumentError):
    """The step was already done — a second press, or another tab: a page says so plainly
    (`documents.actions.moved_on`) instead of an error; `state_label` is what it shows as current."""

    def __init__(self, code: str, message: str, state_label: str) -> None:
        super().__init__(code, message, 409)
        self.state_label = state_label


def confidential_refused(mark: str) -> DocumentError:
    return DocumentError("DOCUMENT_CONFIDENTIAL",
                         f"Văn bản có độ mật “{mark}” bị từ chối ({CONFIDENTIAL_RULE}).", 422)
