"""Password spraying: one address trying one password over many user names.

django-axes locks a user name at an address; a sprayer never fails twice on one name. This
counts failed logins per address over any names in the shared cache (every process and
machine counts together) and refuses further attempts from that address for the cool-off.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _key(address: str) -> str:
    return f"vanban:login-fail:{address}"


def _window_seconds() -> int:
    return max(60, int(float(settings.AXES_COOLOFF_TIME) * 3600))


def count_failure(address: str) -> int:
    """One more failed login from `address`; returns the count in the current window."""
    if not address:
        return 0
    key = _key(address)
    cache.add(key, 0, _window_seconds())
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, _window_seconds())
        return 1


def address_blocked(address: str) -> bool:
    limit = int(getattr(settings, "VANBAN_LOGIN_ADDRESS_FAILURE_LIMIT", 30))
    return bool(address) and limit > 0 and int(cache.get(_key(address), 0)) >= limit
