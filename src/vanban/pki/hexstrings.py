"""A faster reader for PDF hex strings, installed into pyHanko's parser.

pyHanko 0.38 reads `<…>` one character at a time in Python; a signature's `/Contents` is
such a string of 16–64 KB of hex, so opening a signed PDF spent about 20 ms of a 45 ms
validation there (bench/RESULTS.md, "pki"). This reads up to the closing `>` in blocks and
decodes with binascii. It takes the fast path only when the string holds nothing but hex
digits and PDF whitespace; anything else (a `%` comment, a stray byte, a string cut off by
the end of the file) is handed back to pyHanko's own reader from the same position, so the
result and every error stay pyHanko's (tests/pki/test_hexstrings.py compares both on
arbitrary input).
"""

from __future__ import annotations

import binascii
import os
from typing import Any

from pyhanko.pdf_utils import generic

__all__ = ["install", "read_hex_string"]

_WHITESPACE = b" \n\r\t\f\x00"  # pyhanko.pdf_utils.misc.PDF_WHITESPACE
_HEX = b"0123456789abcdefABCDEF"
_BLOCK = 64 * 1024
_pyhanko_reader = generic.read_hex_string_from_stream


def read_hex_string(stream: Any) -> Any:
    """`generic.read_hex_string_from_stream`, the same object back, in one pass of C code."""
    start = stream.tell()
    stream.read(1)  # the opening "<"
    parts = []
    while True:
        block = stream.read(_BLOCK)
        if not block:  # no closing ">": pyHanko says how the file ends
            stream.seek(start)
            return _pyhanko_reader(stream)
        end = block.find(b">")
        if end < 0:
            parts.append(block)
            continue
        parts.append(block[:end])
        stream.seek(end + 1 - len(block), os.SEEK_CUR)
        break
    digits = b"".join(parts).translate(None, _WHITESPACE)
    if digits.translate(None, _HEX):  # not only hex digits: pyHanko's reading and its errors
        stream.seek(start)
        return _pyhanko_reader(stream)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    """Make pyHanko's object parser use `read_hex_string` (idempotent)."""
    generic.read_hex_string_from_stream = read_hex_string
