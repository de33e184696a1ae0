"""Time in Vietnam (UTC+07:00, no daylight saving).

Two outward formats exist and must not be mixed: ISO 8601 with `+07:00` for our API,
exports and audit; `dd/mm/yyyy HH:MM` for people. edXML has its own formats, kept in
`vanban.edxml`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = [
    "VN_TZ",
    "display_date",
    "display_datetime",
    "from_iso",
    "now_vn",
    "to_iso",
    "to_vn",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_FIXED = timezone(timedelta(hours=7))


def now_vn() -> datetime:
    return datetime.now(VN_TZ)


def to_vn(moment: datetime) -> datetime:
    """Convert an aware datetime to Vietnam time; naive input is refused, not guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Thời điểm không có múi giờ (naive datetime)")
    return moment.astimezone(VN_TZ)


def to_iso(moment: datetime) -> str:
    """ISO 8601 with the `+07:00` offset, seconds precision unless microseconds are set."""
    vn = to_vn(moment).astimezone(_FIXED)
    spec = "microseconds" if vn.microsecond else "seconds"
    return vn.isoformat(timespec=spec)


def from_iso(text: str) -> datetime:
    """Parse ISO 8601; a value without an offset is taken as Vietnam local time."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Chuỗi thời gian trống")
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ)


def display_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = to_vn(value)
    return value.strftime("%d/%m/%Y")


def display_datetime(moment: datetime) -> str:
    return to_vn(moment).strftime("%d/%m/%Y %H:%M")


def display_iso_date(text: str | None) -> str:
    """An ISO date kept as text (archival metadata) as people read it; anything else unchanged."""
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y") if text else ""
    except (TypeError, ValueError):
        return text or ""
