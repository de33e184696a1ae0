"""The SDK's request timestamp: `ddMMyyyy'T'HHmmss+SSSS`, Vietnam local time, no offset.

`SimpleDateFormat` pads the milliseconds to four digits (`+0042`); the `+` is a literal, not
a time zone. Some clients put other digits there (PVN's generator writes millis % 10000),
so a reader takes one to four digits and ignores them: seconds are precise enough.
"""

from __future__ import annotations

import re
from datetime import datetime

from vanban.core.clock import VN_TZ, now_vn

_PATTERN = re.compile(r"^(\d{2})(\d{2})(\d{4})T(\d{2})(\d{2})(\d{2})\+(\d{1,4})$", re.ASCII)


def format_timestamp(moment: datetime | None = None) -> str:
    vn = (moment or now_vn()).astimezone(VN_TZ)
    return f"{vn:%d%m%Y}T{vn:%H%M%S}+{vn.microsecond // 1000:04d}"


def parse_timestamp(text: str) -> datetime:
    """An aware datetime in Vietnam time; ValueError if it is not the SDK's format."""
    match = _PATTERN.match((text or "").strip())
    if not match:
        raise ValueError(f"not ddMMyyyyTHHmmss+SSSS: {text!r}")
    day, month, year, hour, minute, second, _ = (int(g) for g in match.groups())
    return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)
