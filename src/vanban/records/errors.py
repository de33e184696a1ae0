"""Refusals of dossiers and the archive: a stable code for machines, Vietnamese for people."""

from __future__ import annotations


class RecordsError(ValueError):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class RecordsForbiddenError(RecordsError):
    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
        super().__init__("FORBIDDEN", message, 403)


class RecordsNotFoundError(RecordsError):
    def __init__(self, message: str = "Không tìm thấy.") -> None:
        super().__init__("NOT_FOUND", message, 404)
