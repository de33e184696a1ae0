"""Settings of the `/vxp/` facade and of upward federation over VXP, read on every use
through `vanban.settings.parsers` (like `vanban.hub.conf`)."""

from __future__ import annotations

from vanban.settings.parsers import env_int, env_str

DAY = 24 * 3600


def max_skew_seconds() -> int:
    """Clock skew tolerated around a signed timestamp; 0 turns the timestamp check off."""
    return max(0, env_int("VANBAN_VXP_MAX_SKEW_SECONDS", 600))


def max_age_seconds() -> int:
    """How old a signed timestamp may be: the SDK stamps a service object once and reuses the
    stamp for every call, and a JVM in UTC writes times 7 h behind Vietnam. Default 7 days."""
    return max(0, env_int("VANBAN_VXP_MAX_AGE_SECONDS", 7 * DAY))


def parent_protocol() -> str:
    """How this hub talks to its parent: `vanban` (/hub/api/v1, bearer token) or `vxp` (the
    national hub's SDK protocol: VANBAN_HUB_PARENT_URL is its endpoint, e.g. …/vxp)."""
    value = env_str("VANBAN_HUB_PARENT_PROTOCOL", "vanban").strip().lower()
    return value if value in ("vanban", "vxp") else "vanban"


def parent_system_id() -> str:
    """Our systemId at the national hub (VANBAN_HUB_PARENT_TOKEN then holds the secret)."""
    return env_str("VANBAN_HUB_PARENT_SYSTEM_ID").strip()
