"""Attachment bodies are decoded by pybase64 (SIMD) instead of the standard library's strict
decoder: it must refuse everything the strict decoder refuses, on the four-character groups
`payload._iter_base64` hands it, and decode the rest to the same bytes."""

from __future__ import annotations

import base64
import binascii
import os
import random

import pybase64
import pytest

from vanban.edxml import EdxmlError
from vanban.edxml.limits import DEFAULT_LIMITS
from vanban.edxml.payload import EncodedSource, decode_payload

pytestmark = pytest.mark.unit

ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _outcome(decode, data: bytes) -> bytes | str:
    try:
        return decode(data)
    except (binascii.Error, ValueError):
        return "refused"


def _strict(data: bytes) -> bytes:
    return binascii.a2b_base64(data, strict_mode=True)


def _fast(data: bytes) -> bytes:
    return pybase64.b64decode(data, validate=True)


def test_short_groups_get_the_standard_librarys_verdict() -> None:
    rnd = random.Random(23)
    odd = b"=-_ \n.\x00\xff"
    for _ in range(20_000):
        size = 4 * rnd.randint(1, 4)
        data = bytes(rnd.choice(ALPHABET) if rnd.random() < 0.85 else rnd.choice(odd) for _ in range(size))
        if rnd.random() < 0.5:
            data = data[:-2] + rnd.choice([b"==", b"A=", b"=A", b"AA"])
        assert _outcome(_fast, data) == _outcome(_strict, data), data


def test_long_bodies_with_a_bad_byte_anywhere_get_the_same_verdict() -> None:
    rnd = random.Random(7)
    for _ in range(200):
        data = bytearray(base64.b64encode(os.urandom(rnd.randint(1, 70_000))))
        for _ in range(rnd.randint(0, 2)):
            data[rnd.randrange(len(data))] = rnd.choice(b"=-_.\x00\xff")
        body = bytes(data[: len(data) - len(data) % 4])
        assert _outcome(_fast, body) == _outcome(_strict, body)


@pytest.mark.parametrize("body", [b"QUJD=", b"QUI=QUJD", b"QU=I", b"QUJD*", b"QUI"])
def test_a_body_the_strict_decoder_refuses_is_refused_whole(body: bytes) -> None:
    with pytest.raises(EdxmlError) as caught:
        decode_payload(EncodedSource(body, 0, len(body)), DEFAULT_LIMITS, element="ContentTransferEncoded")
    assert caught.value.code == "EDXML_BAD_BASE64"


def test_a_body_split_by_line_breaks_decodes_to_its_bytes() -> None:
    data = os.urandom(5000)
    encoded = base64.encodebytes(data)  # 76 characters a line
    facts, kept = decode_payload(EncodedSource(encoded, 0, len(encoded)), DEFAULT_LIMITS,
                                 element="ContentTransferEncoded", keep=True)
    assert kept == data and facts.size == 5000


@pytest.mark.parametrize(("body", "why"), [
    (b"QU=I", "Discontinuous padding"),  # the standard decoder's reason, not pybase64's catch-all
    (b"QUJD*AAA", "Only base64 data is allowed"),
    (b"QUJD=AAA", "Discontinuous padding"),
])
def test_a_refusal_names_what_is_wrong(body: bytes, why: str) -> None:
    with pytest.raises(EdxmlError) as caught:
        decode_payload(EncodedSource(body, 0, len(body)), DEFAULT_LIMITS, element="ContentTransferEncoded")
    assert why in caught.value.message
