"""`vanban.core.b64`: pybase64's speed with the standard library's verdicts — same bytes, same
refusals, same reasons — on random input of every length, valid bodies with a bad byte anywhere,
and the excess padding pybase64 alone refuses."""

from __future__ import annotations

import base64
import binascii
import os
import random

import pybase64
import pytest

from vanban.core import b64

pytestmark = pytest.mark.unit

ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
ODD = b"=-_ \n.\x00\xff"


def _outcome(decode, data):
    try:
        return decode(data)
    except (binascii.Error, ValueError) as exc:
        return ("refused", str(exc))


def _strict(data: bytes) -> bytes:
    return binascii.a2b_base64(data, strict_mode=True)


def _validated(data: str | bytes) -> bytes:
    return base64.b64decode(data, validate=True)


def _samples() -> list[bytes]:
    rnd = random.Random(23)
    out = [b"QUJD====", b"QUJD=", b"QUJDQQ===", b"QU=I", b"QUI", b"", b"QQ==", b"QUJD*AAA"]
    for _ in range(20_000):
        data = bytes(rnd.choice(ALPHABET) if rnd.random() < 0.85 else rnd.choice(ODD)
                     for _ in range(rnd.randint(0, 14)))
        if rnd.random() < 0.4:
            data = data + rnd.choice([b"=", b"==", b"===", b"===="])
        out.append(data)
    for _ in range(100):
        body = bytearray(base64.b64encode(os.urandom(rnd.randint(1, 70_000))))
        for _ in range(rnd.randint(0, 2)):
            body[rnd.randrange(len(body))] = rnd.choice(ODD)
        out.append(bytes(body))
    return out


SAMPLES = _samples()


def test_the_fast_path_is_taken_for_valid_input() -> None:
    assert pybase64.b64decode(b"QUJD", validate=True) == b"ABC"  # what the helpers rely on
    with pytest.raises(binascii.Error):  # the one kind of input the standard library decides
        pybase64.b64decode(b"QUJD====", validate=True)


def test_strict_decoding_gives_binasciis_bytes_refusals_and_reasons() -> None:
    for data in SAMPLES:
        assert _outcome(b64.decode_strict, data) == _outcome(_strict, data), data


def test_validated_decoding_gives_b64decodes_bytes_and_refusals() -> None:
    for data in SAMPLES:
        assert _outcome(b64.decode_validated, data) == _outcome(_validated, data), data
        text = data.decode("latin-1")
        assert _outcome(b64.decode_validated, text) == _outcome(_validated, text), text


def test_encoding_is_the_standard_encoding() -> None:
    for size in (0, 1, 2, 3, 57, 4096, 100_001):
        data = os.urandom(size)
        assert b64.encode(data) == base64.b64encode(data).decode("ascii")
