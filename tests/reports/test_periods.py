from __future__ import annotations

from datetime import date

import pytest

from vanban.reports.numbers import date_line, vn_decimal, vn_int
from vanban.reports.periods import PeriodError, custom_period, parse_period

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "start", "end", "label"), [
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "quý III năm 2026"),
    ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "quý I năm 2026"),
    ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "năm 2026"),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "tháng 2 năm 2028"),
])
def test_parse(text: str, start: date, end: date, label: str) -> None:
    p = parse_period(text)
    assert (p.start, p.end, p.label) == (start, end, label)
    assert p.starts_at.isoformat() == f"{start.isoformat()}T00:00:00+07:00"


@pytest.mark.parametrize("text", ["", "2026-Q5", "2026-H3", "26", "2026-13", "2026/Q1", "abc", "9999"])
def test_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="không hợp lệ"):
        parse_period(text)


def test_custom() -> None:
    p = custom_period(date(2026, 3, 5), date(2026, 4, 4))
    assert p.label == "từ ngày 05/03/2026 đến ngày 04/04/2026" and p.days == 31
    with pytest.raises(PeriodError):
        custom_period(date(2026, 3, 5), date(2026, 3, 4))
    with pytest.raises(PeriodError):
        custom_period(date(2020, 1, 1), date(2026, 1, 1))


def test_vietnamese_numbers_and_date_line() -> None:
    assert vn_int(1234567) == "1.234.567"
    assert vn_decimal(3.75) == "3,8" and vn_decimal(None) == "–"
    assert date_line("Đắk Lắk", date(2026, 2, 5)) == "Đắk Lắk, ngày 05 tháng 02 năm 2026"
    assert date_line("Đắk Lắk", date(2026, 11, 25)) == "Đắk Lắk, ngày 25 tháng 11 năm 2026"
