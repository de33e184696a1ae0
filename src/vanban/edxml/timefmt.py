"""edXML dates (`yyyy/MM/dd`) and timestamps (`yyyy/MM/dd HH:mm:ss`, Vietnam local, no zone).

ISO 8601 stays for our own API; this module is the only place that speaks the edXML forms.
Lenient reading also takes ISO 8601 and `dd/MM/yyyy`, which real senders emit.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from vanban.core.clock import VN_TZ

__all__ = ["format_date", "format_timestamp", "parse_date", "parse_timestamp"]

_STRICT_DATE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})$")
_STRICT_TS = re.compile(r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
_LOOSE_DATE = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_LOOSE_TS = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


def format_date(value: date) -> str:
    if isinstance(value, datetime):
        value = _to_vn(value).date()
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(moment: datetime) -> str:
    """Aware datetimes are converted to Vietnam time; naive ones are refused, not guessed."""
    vn = _to_vn(moment)
    return vn.strftime("%Y/%m/%d %H:%M:%S")


# Memoised (the values are immutable): a hub or an office reads the same few dates and
# timestamps in package after package; bounded, so hostile input cannot grow them.
@lru_cache(maxsize=1024)
def parse_date(text: str, *, strict: bool) -> date | None:
    """The date, or None when the text is not a date in an accepted form."""
    text = text.strip()
    m = _STRICT_DATE.match(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        if strict:
            return None
        if m := _LOOSE_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        moment = _iso(text)
        return None if moment is None else moment.date()
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def parse_timestamp(text: str, *, strict: bool) -> datetime | None:
    """An aware datetime in Vietnam time, or None when the text is not accepted."""
    text = text.strip()
    try:
        if m := _STRICT_TS.match(text):
            return _moment(m.groups())
        if strict:
            return None
        if m := _LOOSE_TS.match(text):
            return _moment(m.groups())
        if (day := parse_date(text, strict=False)) is not None and len(text) <= 10:
            return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
        return _iso(text)
    except ValueError:
        return None


def _moment(groups: tuple[str | None, ...]) -> datetime:
    """Year, month, day, hour, minute and second (missing: 0) in Vietnam time."""
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in groups)
    return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)


def _iso(text: str) -> datetime | None:
    if not text or len(text) > 40:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ)


def _to_vn(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Thời điểm không có múi giờ (naive datetime)")
    return moment.astimezone(VN_TZ)
