"""Hub settings, read from the environment on every call so tests and commands can change them.

Kept out of `vanban.settings` on purpose: only the hub reads them, and reading lazily lets a
test point the same process at a parent hub that starts later.
"""

from __future__ import annotations

from vanban.settings.parsers import env_int, env_str

MIB = 1024 * 1024


def parent_url() -> str:
    """Base URL of the parent hub's API, e.g. `http://127.0.0.1:9001/hub/api/v1`; "" = top hub."""
    return env_str("VANBAN_HUB_PARENT_URL").rstrip("/")


def parent_token() -> str:
    return env_str("VANBAN_HUB_PARENT_TOKEN")


def hub_code() -> str:
    """How this hub names itself in traces (an agency code or a short name)."""
    return env_str("VANBAN_HUB_CODE", "vanban-hub")


def max_package_bytes() -> int:
    return env_int("VANBAN_HUB_MAX_PACKAGE_MB", 200) * MIB


def retry_base_seconds() -> int:
    """First wait after a failed forward; doubles on each further failure."""
    return max(1, env_int("VANBAN_HUB_RETRY_BASE_SECONDS", 30))


def retry_max_seconds() -> int:
    return max(1, env_int("VANBAN_HUB_RETRY_MAX_SECONDS", 3600))


def http_timeout_seconds() -> int:
    return max(1, env_int("VANBAN_HUB_HTTP_TIMEOUT", 30))


def pull_batch() -> int:
    """How many inbox entries one pull from the parent asks for."""
    return max(1, env_int("VANBAN_HUB_PULL_BATCH", 100))


def delayed_minutes() -> int:
    """A delivery waiting longer than this is shown as delayed to the operator."""
    return max(1, env_int("VANBAN_HUB_DELAYED_MINUTES", 60))


def signature_policy() -> str:
    """The hub-wide acceptance policy for envelope signatures it cannot check: `lenient` (the
    default, because no real package carries an envelope signature a hub can check: accept
    from an authenticated endpoint serving the sender, marked in the trace) or `strict`
    (refuse). An endpoint's own `signature_policy` overrides it. A value that is neither
    (a typo) means strict: the safe side."""
    value = env_str("VANBAN_HUB_SIGNATURE_POLICY", "lenient").strip().lower()
    return value if value in ("strict", "lenient") else "strict"


def max_batch_bytes() -> int:
    """The largest body of a batch submission (`VANBAN_HUB_MAX_BATCH_MB`, default 32): the
    packages in base64, so about three quarters of it in package bytes."""
    return max(1, env_int("VANBAN_HUB_MAX_BATCH_MB", 32)) * MIB


def inbox_inline_bytes() -> int:
    """How many package bytes one inbox answer carries inline at most (`VANBAN_HUB_INBOX_INLINE_MB`,
    default 8); the packages past it are listed without their bodies, to be fetched."""
    return max(0, env_int("VANBAN_HUB_INBOX_INLINE_MB", 8)) * MIB


def body_in_database_bytes() -> int:
    """Packages of at most this many bytes keep their original in the database, in the same
    statement as their row (`VANBAN_HUB_BODY_IN_DATABASE_KB`, default 64: every status package
    and small documents); 0 puts every package in the blob store."""
    return max(0, env_int("VANBAN_HUB_BODY_IN_DATABASE_KB", 64)) * 1024
