"""Running real vanban processes (workers, servers) against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """A DATABASE_URL for the database the tests are using right now."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    host = s["HOST"] or "127.0.0.1"
    port = s["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update({"DATABASE_URL": database_url(), "VANBAN_DATA_DIR": str(settings.DATA_DIR),
                "VANBAN_QUEUE_IMMEDIATE": "0", "PYTHONUNBUFFERED": "1",
                # the test's object storage, when it runs against one (VANBAN_TEST_BLOB_URL=s3)
                "VANBAN_BLOB_URL": getattr(settings, "VANBAN_BLOB_URL", ""),
                "VANBAN_S3_ENDPOINT_URL": getattr(settings, "VANBAN_S3_ENDPOINT_URL", "")})
    env.update(extra)
    return env


def vanban(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen([sys.executable, "-m", "vanban.cli", *args], env=env,
                            stdout=out, stderr=subprocess.STDOUT)


def redis_available() -> bool:
    """A Redis server on 127.0.0.1:6379 (CI and this machine kind have one; a laptop may not)."""
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True
