"""Small typed parsers for settings read from the environment (one place, unit-tested)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f", ""}


class SettingError(ValueError):
    pass


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw.strip())
    except ValueError as exc:
        raise SettingError(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_roles(raw: list[str]) -> frozenset[str]:
    roles = frozenset(raw)
    unknown = roles - {"office", "hub"}
    if unknown or not roles:
        raise SettingError(f"VANBAN_ROLES must be office, hub or both, not {sorted(unknown) or raw}")
    return roles


def parse_log_format(raw: str) -> str:
    kind = (raw or "text").strip().lower()
    if kind not in ("text", "json"):
        raise SettingError(f"VANBAN_LOG_FORMAT must be text or json, not {raw!r}")
    return kind


def parse_prepare_threshold(raw: str) -> int | None:
    """`VANBAN_DB_PREPARE_THRESHOLD`: after how many runs on one connection PostgreSQL keeps a
    statement prepared (default 5, psycopg's own); `off` turns prepared statements and
    server-side parameters off (Django's default: for a pooler that cannot keep them)."""
    value = raw.strip().lower()
    if value == "":
        return 5
    if value in ("off", "none", "no", "false"):
        return None
    try:
        threshold = int(value)
    except ValueError:
        threshold = -1
    if threshold < 0:
        raise SettingError(f"VANBAN_DB_PREPARE_THRESHOLD={raw!r}: a number of runs (0 or more), or off")
    return threshold


def parse_database_url(url: str | None, data_dir: Path, conn_max_age: int = 0,
                       prepare_threshold: int | None = None) -> dict[str, Any]:
    """`DATABASE_URL` → Django DATABASES['default']; SQLite in the data dir when unset.

    SQLite gets WAL (set on connect, by the init_command below), IMMEDIATE transactions and a busy
    timeout so concurrent writers wait instead of failing with "database is locked".
    PostgreSQL keeps each thread's connection for `conn_max_age` seconds (a new backend per
    request costs more than many requests), checked before reuse so a restarted server is
    noticed instead of failing the request — unless it answered less than a second ago
    (`vanban.dbbackend`). With `prepare_threshold` (not None), parameters travel apart from the
    statement (server-side binding) and a statement run that many times on a connection is kept
    prepared: not parsed again, and usually planned once (issue 23, docs/configuration.md).
    """
    if not url:
        url = f"sqlite:///{data_dir / 'vanban.sqlite3'}"
    if conn_max_age < 0:
        raise SettingError(f"VANBAN_DB_CONN_MAX_AGE={conn_max_age} must be 0 or more seconds")
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    except Exception as exc:
        raise SettingError(f"DATABASE_URL is not understood: {exc}") from exc
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    elif engine == "django.db.backends.postgresql":
        config["ENGINE"] = "vanban.dbbackend"  # Django's, with a health check skipped when just used
        config["CONN_HEALTH_CHECKS"] = True
        config["CONN_MAX_AGE"] = conn_max_age
        if prepare_threshold is not None:
            # beside the URL's own options (`?sslmode=verify-full`, `connect_timeout`, …)
            config.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=prepare_threshold)
    else:
        raise SettingError(f"DATABASE_URL: only sqlite and postgres are supported, not {engine}")
    config.setdefault("TEST", {})
    if engine == "django.db.backends.sqlite3":
        # A file, not memory, so live servers and worker subprocesses see the test data.
        config["TEST"]["NAME"] = str(data_dir / "test.sqlite3")
    if test_name := os.environ.get("VANBAN_TEST_DB_NAME"):
        config["TEST"]["NAME"] = test_name
    return config


REVOCATION_POLICIES = ("soft-fail", "hard-fail")


def parse_revocation_policy(raw: str) -> str:
    """`VANBAN_REVOCATION_POLICY`: soft-fail (unknown status passes, said plainly) or
    hard-fail (unknown status is not valid)."""
    value = raw.strip().lower().replace("_", "-") or "soft-fail"
    if value not in REVOCATION_POLICIES:
        raise SettingError(f"VANBAN_REVOCATION_POLICY={raw!r}: use soft-fail or hard-fail")
    return value


def ensure_secret_key(data_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into the data dir."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()

    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    os.replace(tmp, path)
    return path.read_text().strip()


def parse_cache_url(url: str | None) -> dict[str, Any]:
    """The shared cache behind throttles: the database by default, Redis when given.

    Throttles must count across every web process and machine, so a per-process memory cache
    is never the default; `locmem://` exists for a single-process test or bench only.
    """
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                            "LOCATION": "vanban_cache"}}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    if url == "locmem://":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    raise SettingError(f"VANBAN_CACHE_URL={url!r}: expected redis://host:6379/1 (or empty for the database)")


def parse_proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto=https` → ("HTTP_X_FORWARDED_PROTO", "https"), Django's form."""
    if not raw:
        return None
    name, sep, value = raw.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise SettingError(f"VANBAN_PROXY_SSL_HEADER={raw!r}: expected Header-Name=value")
    meta = name.strip().upper().replace("-", "_")
    if not meta.startswith("HTTP_"):
        meta = "HTTP_" + meta
    return meta, value.strip()
