"""Attachment bodies decoded through `vanban.core.b64` (pybase64, the standard library's
verdicts: tests/core/test_b64.py): what the strict decoder refuses is refused whole, with its
reason; what it takes — excess padding after a complete group too — is taken as before."""

from __future__ import annotations

import base64
import os

import pytest

from vanban.edxml import EdxmlError
from vanban.edxml.limits import DEFAULT_LIMITS
from vanban.edxml.payload import EncodedSource, decode_payload

pytestmark = pytest.mark.unit


def _decode(body: bytes) -> bytes | None:
    _, kept = decode_payload(EncodedSource(body, 0, len(body)), DEFAULT_LIMITS,
                             element="ContentTransferEncoded", keep=True)
    return kept


@pytest.mark.parametrize(("body", "why"), [
    (b"QU=I", "Discontinuous padding"),
    (b"QUJD*AAA", "Only base64 data is allowed"),
    (b"QUJD=AAA", "Discontinuous padding"),
    (b"QUJD=", "bị cắt cụt"),
    (b"QUI", "bị cắt cụt"),
    (b"QQ==QUJD", "Excess data after padding"),
])
def test_a_body_the_strict_decoder_refuses_is_refused_naming_why(body: bytes, why: str) -> None:
    with pytest.raises(EdxmlError) as caught:
        _decode(body)
    assert caught.value.code == "EDXML_BAD_BASE64"
    assert why in caught.value.message


def test_excess_padding_after_a_complete_group_is_taken_as_before() -> None:
    """pybase64 alone refuses `QUJD====`; the strict standard decoder, which read every package
    before, takes it: a sender's package read yesterday still reads."""
    assert _decode(b"QUJD====") == b"ABC"


def test_a_body_split_by_line_breaks_decodes_to_its_bytes() -> None:
    data = os.urandom(5000)
    assert _decode(base64.encodebytes(data)) == data  # 76 characters a line
