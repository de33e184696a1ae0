"""base64 decoding at SIMD speed with the standard library's verdicts.

pybase64 decodes and checks a megabyte in ~60 µs where CPython's decoder takes ~3.3 ms. On every
input it accepts, the standard library accepts the same bytes (fuzzed: tests/core/test_b64.py);
it refuses a few the standard library takes — excess padding after a complete group, `QUJD====`
— so on a refusal the standard library decides. Verdicts and their messages stay the standard
library's; only the common, valid case is fast.
"""

from __future__ import annotations

import base64
import binascii

import pybase64

__all__ = ["decode_strict", "decode_validated", "encode"]


def decode_validated(data: str | bytes) -> bytes:
    """`base64.b64decode(data, validate=True)`: the standard alphabet, no white space."""
    try:
        return pybase64.b64decode(data, validate=True)
    except ValueError:  # binascii.Error too
        return base64.b64decode(data, validate=True)


def decode_strict(data: bytes) -> bytes:
    """`binascii.a2b_base64(data, strict_mode=True)`, raising its `binascii.Error` and reason."""
    try:
        return pybase64.b64decode(data, validate=True)
    except ValueError:
        return binascii.a2b_base64(data, strict_mode=True)


def encode(data: bytes) -> str:
    """`base64.b64encode(data).decode("ascii")`."""
    return pybase64.b64encode_as_string(data)
