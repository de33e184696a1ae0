"""vanban's hex-string reader gives exactly what pyHanko's own gives — the same object, the
same stream position after it, the same error — on any input, and it is what pyHanko uses."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from vanban.pki import hexstrings, pdfio  # noqa: F401 - importing pdfio installs the reader

pytestmark = pytest.mark.unit

_pyhanko = hexstrings._pyhanko_reader


def _outcome(reader: object, data: bytes) -> tuple[object, ...]:
    stream = BytesIO(data)
    try:
        value = reader(stream)  # type: ignore[operator]  # both readers take a stream
    except Exception as exc:  # the error itself is what is compared
        return ("error", type(exc), str(exc))
    return (type(value), bytes(value) if isinstance(value, generic.ByteStringObject) else value, stream.tell())


HEXISH = st.lists(st.sampled_from([*b"0123456789abcdefABCDEF", *b" \n\r\t\f\x00", *b"%>g<"]), max_size=200)


@settings(max_examples=400, deadline=None)
@given(body=HEXISH.map(bytes), tail=st.binary(max_size=20))
def test_same_as_pyhanko_on_hex_like_input(body: bytes, tail: bytes) -> None:
    data = b"<" + body + tail
    assert _outcome(hexstrings.read_hex_string, data) == _outcome(_pyhanko, data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_same_as_pyhanko_on_any_bytes(data: bytes) -> None:
    data = b"<" + data
    assert _outcome(hexstrings.read_hex_string, data) == _outcome(_pyhanko, data)


@pytest.mark.parametrize("data", [
    b"<41 42\n43>rest", b"<414>", b"<>", b"<4142", b"<41%comment\n42>", b"<41g2>",
    b"<" + b"ab" * 40_000 + b">",  # longer than one block
    b"<fe ff 00 56 00 69>",  # UTF-16BE with its mark: a text string
])
def test_known_cases(data: bytes) -> None:
    assert _outcome(hexstrings.read_hex_string, data) == _outcome(_pyhanko, data)


def test_pyhanko_parses_with_it() -> None:
    assert generic.read_hex_string_from_stream is hexstrings.read_hex_string
    parsed: Any = generic.read_object(BytesIO(b"[<3082 01> (x) <41>]"), None)  # type: ignore[arg-type]  # no document
    first, second, third = parsed
    assert (bytes(first), str(second), str(third)) == (b"\x30\x82\x01", "x", "A")
