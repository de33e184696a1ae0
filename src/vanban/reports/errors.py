"""Report refusals: a stable code for machines, a Vietnamese message for people."""

from __future__ import annotations


class ReportError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
