"""VXP settings, read from the environment on every call (like `vanban.hub.conf`).

Pure: no Django. An empty value means "not configured".
"""

from __future__ import annotations

import os
from datetime import datetime


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def poll_minutes() -> int:
    """How often the office polls a VXP hub (getReceivedEdocList); the SDK's users use 5–15."""
    return max(1, _int("VANBAN_VXP_POLL_MINUTES", 5))


def poll_due(now: datetime) -> bool:
    """True on the minutes a once-a-minute scheduler should poll: stateless, so a restart or a
    second worker cannot make it poll more often than every `poll_minutes()`."""
    return now.minute % poll_minutes() == 0


def http_timeout_seconds() -> int:
    return max(1, _int("VANBAN_VXP_HTTP_TIMEOUT", 60))


def directory_url() -> str:
    """The VXP endpoint the agency directory is synchronised from (e.g. the national hub)."""
    return os.environ.get("VANBAN_VXP_URL", "").strip().rstrip("/")


def directory_system_id() -> str:
    return os.environ.get("VANBAN_VXP_SYSTEM_ID", "").strip()


def directory_secret() -> str:
    return os.environ.get("VANBAN_VXP_SECRET", "").strip()


def directory_sync_hour() -> int:
    """Hour of the day (Vietnam time) of the scheduled directory sync; -1 disables it."""
    return _int("VANBAN_VXP_SYNC_HOUR", 2)
