"""Errors of `vanban.pki`: a stable code for machines, a Vietnamese message for people."""

from __future__ import annotations

from vanban.core.text import nfc

__all__ = ["PkiError"]


class PkiError(Exception):
    """Anything the caller must show or map to an exit code (the CLI maps it to 2).

    Codes are stable (`PKI_NOT_A_PDF`, `PKI_CORRUPT_PDF`, `PKI_BAD_P12`, `PKI_BAD_CERT`,
    `PKI_SIGNING_FAILED`, `PKI_BAD_BOX`); the message is Vietnamese for a clerk.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(nfc(message))
        self.code = code
        self.message = nfc(message)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}
