"""Report periods: quarter `2026-Q3`, half-year `2026-H1`, year `2026`, month `2026-07`, or
any from/to. Bounds are Vietnam days: a document issued at 00:30 on 1/7 +07:00 (still
30/6 in UTC) belongs to the third quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from vanban.core.clock import VN_TZ

__all__ = ["Period", "PeriodError", "custom_period", "parse_period"]

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_FORMS = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<q>[Qq][1-4])|(?P<h>[Hh][12])|(?P<m>0[1-9]|1[0-2])))?$")
MAX_DAYS = 3 * 366 + 1


class PeriodError(ValueError):
    """A period that cannot be read; the message is for people (Vietnamese)."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    key: str
    label: str  # "quý III năm 2026"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, VN_TZ)

    @property
    def ends_before(self) -> datetime:
        """First moment after the period (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, VN_TZ)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def parse_period(text: str) -> Period:
    raw = (text or "").strip()
    m = _FORMS.match(raw)
    if not m or not 1900 <= int(m["year"]) <= 2100:
        raise PeriodError(f"Kỳ báo cáo “{raw}” không hợp lệ: dùng dạng 2026, 2026-Q3, 2026-H1 hoặc 2026-07.")
    year = int(m["year"])
    if m["q"]:
        q = int(m["q"][1])
        return Period(date(year, 3 * q - 2, 1), _month_end(year, 3 * q), f"{year}-Q{q}", f"quý {ROMAN[q]} năm {year}")
    if m["h"]:
        h = int(m["h"][1])
        label = f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {year}"
        return Period(date(year, 6 * h - 5, 1), _month_end(year, 6 * h), f"{year}-H{h}", label)
    if m["m"]:
        month = int(m["m"])
        return Period(date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}",
                      f"tháng {month} năm {year}")
    return Period(date(year, 1, 1), date(year, 12, 31), str(year), f"năm {year}")


def custom_period(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError("Ngày kết thúc phải sau ngày bắt đầu.")
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError("Kỳ báo cáo tùy chọn dài tối đa 3 năm.")
    return Period(start, end, f"{start.isoformat()}..{end.isoformat()}",
                  f"từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}")
