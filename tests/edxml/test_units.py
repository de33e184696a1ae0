"""Small pieces: name sanitising and the two edXML time formats."""

from __future__ import annotations

import datetime as dt

import pytest

from vanban.core.clock import VN_TZ
from vanban.edxml.names import sanitize_name
from vanban.edxml.timefmt import format_date, format_timestamp, parse_date, parse_timestamp

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("raw", "safe"), [
    ("công văn.pdf", "công văn.pdf"),
    ("../../etc/passwd", "____etc_passwd"),
    ("C:\\Windows\\x.dll", "C__Windows_x.dll"),
    ("a\x00b\x1fc.pdf", "a_b_c.pdf"),
    ("..", "_"),
    ("   ", "tep-dinh-kem"),
    (".hidden", "hidden"),
    ("evil\u202egpj.exe", "evil_gpj.exe"),
    ("CON.txt", "_CON.txt"),
    ("0  0.pdf", "0 0.pdf"),  # whitespace runs become one space (found by the round-trip property)
])
def test_sanitize_name(raw, safe):
    assert sanitize_name(raw) == safe


def test_sanitize_name_caps_length_and_keeps_extension():
    name = sanitize_name("á" * 400 + ".pdf", max_chars=100)
    assert len(name) == 100 and name.endswith(".pdf")


def test_dates_and_timestamps():
    assert format_date(dt.date(2025, 1, 5)) == "2025/01/05"
    assert format_timestamp(dt.datetime(2025, 1, 5, 1, 2, 3, tzinfo=dt.UTC)) == "2025/01/05 08:02:03"
    assert parse_date("2025/01/05", strict=True) == dt.date(2025, 1, 5)
    assert parse_date("2025-01-05", strict=True) is None
    assert parse_date("2025-01-05", strict=False) == dt.date(2025, 1, 5)
    assert parse_date("05/01/2025", strict=False) == dt.date(2025, 1, 5)
    assert parse_date("2025/02/30", strict=True) is None
    assert parse_timestamp("2025/01/05 08:02:03", strict=True) == dt.datetime(2025, 1, 5, 8, 2, 3,
                                                                              tzinfo=VN_TZ)
    assert parse_timestamp("2025-01-05T01:02:03Z", strict=True) is None
    assert parse_timestamp("2025-01-05T01:02:03Z", strict=False).isoformat() == "2025-01-05T08:02:03+07:00"
    with pytest.raises(ValueError):
        format_timestamp(dt.datetime(2025, 1, 5))
