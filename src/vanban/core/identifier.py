"""Document identifier codes (mã định danh văn bản): `<agency code>-<yyyy>.<N>`.

Đắk Lắk QĐ 16/2019 Art. 11: N counts the documents an agency issues in a year, from 1,
consecutive and unique. Allocating N is the database's job; this module only formats
and parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vanban.core.agency_code import AgencyCode, AgencyCodeError, parse_agency_code

__all__ = ["DocumentIdentifier", "IdentifierError", "format_identifier", "parse_identifier"]

_SHAPE = re.compile(r"^(?P<agency>.{13})-(?P<year>\d{4})\.(?P<seq>[1-9]\d{0,8})$", re.ASCII)


class IdentifierError(ValueError):
    code = "IDENTIFIER_INVALID"

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"Mã định danh văn bản '{value}' không hợp lệ: {reason}")
        self.value = value
        self.reason = reason


@dataclass(frozen=True, slots=True, order=True)
class DocumentIdentifier:
    agency: AgencyCode
    year: int
    sequence: int

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 9999:
            raise IdentifierError(str(self.year), "năm phải có 4 chữ số")
        if not 1 <= self.sequence <= 999_999_999:
            raise IdentifierError(str(self.sequence), "số thứ tự phải từ 1")

    def __str__(self) -> str:
        return f"{self.agency}-{self.year:04d}.{self.sequence}"


def format_identifier(agency: AgencyCode | str, year: int, sequence: int) -> str:
    code = agency if isinstance(agency, AgencyCode) else parse_agency_code(agency)
    return str(DocumentIdentifier(code, year, sequence))


def parse_identifier(value: str) -> DocumentIdentifier:
    m = _SHAPE.match(value.strip()) if isinstance(value, str) else None
    if m is None:
        raise IdentifierError(
            str(value),
            "phải có dạng <mã cơ quan>-<năm 4 chữ số>.<số thứ tự từ 1>, ví dụ 000.00.00.H16-2026.15",
        )
    try:
        agency = parse_agency_code(m["agency"])
    except AgencyCodeError as exc:
        raise IdentifierError(value, exc.reason) from exc
    return DocumentIdentifier(agency, int(m["year"]), int(m["seq"]))
