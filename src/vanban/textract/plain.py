"""Plain text and CSV: UTF-8, UTF-16 (with or without BOM), Windows-1258, legacy bytes."""

from __future__ import annotations

import codecs
import unicodedata

from vanban.core import legacy
from vanban.textract.errors import TextractError

__all__ = ["decode_plain"]

_UNICODE_ONLY = frozenset(c for c in legacy.all_vietnamese_letters() if ord(c) > 0xFF)


def decode_plain(data: bytes) -> tuple[str, str]:
    """(text, the encoding used). Legacy TCVN3/VNI bytes come back as Latin-1 characters,
    for `detect_legacy` to decide on."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    sample = data[:4000]
    if len(sample) >= 4:
        even_nul = sample[0::2].count(0)
        odd_nul = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_nul > half * 0.3 and even_nul < half * 0.05:
            return data.decode("utf-16-le", errors="replace"), "utf-16-le"
        if even_nul > half * 0.3 and odd_nul < half * 0.05:
            return data.decode("utf-16-be", errors="replace"), "utf-16-be"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in sample:
        raise TextractError("bad_encoding", detail="byte 0 trong tệp văn bản")
    # Windows-1258 writes Vietnamese with combining tone bytes; a good decode yields
    # Unicode-only letters once composed.
    cp = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    latin = data.decode("latin-1")
    if sum(1 for c in cp if c in _UNICODE_ONLY) > 3 and not legacy.detect_legacy(latin).encoding:
        return cp, "cp1258"
    return latin, "latin-1"
