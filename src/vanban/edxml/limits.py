"""Bounds that make a hostile package cheap to refuse."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Every bound is checked before the work it protects, never after."""

    max_total_bytes: int = 200 * MIB  # the whole package as received
    max_header_bytes: int = 16 * MIB  # everything except attachment base64
    max_elements: int = 200_000  # upper bound on elements in the header part
    max_depth: int = 64  # element nesting
    max_attachments: int = 500
    max_attachment_bytes: int = 100 * MIB  # one file, after base64 and unzip
    max_zip_ratio: int = 200  # unzipped / zipped, once past zip_ratio_floor
    zip_ratio_floor: int = 1 * MIB
    max_name_chars: int = 255  # sanitised attachment name


DEFAULT_LIMITS = Limits()
