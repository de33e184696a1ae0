"""Why the hub refused something: an HTTP status, a stable code and a Vietnamese message."""

from __future__ import annotations


class HubError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
