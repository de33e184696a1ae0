from __future__ import annotations

from pathlib import Path

import pytest

from vanban.jobs.config import huey_settings
from vanban.settings.parsers import (
    SettingError,
    ensure_secret_key,
    env_bool,
    env_int,
    env_list,
    parse_database_url,
    parse_prepare_threshold,
    parse_roles,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("TRUE", True),
                                               ("0", False), ("off", False), ("", False)])
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_env_bool_rejects_nonsense_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env_bool("X_FLAG", True) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(SettingError):
        env_bool("X_FLAG")


def test_env_int_and_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_N", " 12 ")
    assert env_int("X_N", 3) == 12
    monkeypatch.setenv("X_N", "twelve")
    with pytest.raises(SettingError):
        env_int("X_N", 3)
    monkeypatch.setenv("X_L", "a, b,,c ")
    assert env_list("X_L", []) == ["a", "b", "c"]


def test_roles() -> None:
    assert parse_roles(["office", "hub"]) == {"office", "hub"}
    assert parse_roles(["hub"]) == {"hub"}
    with pytest.raises(SettingError):
        parse_roles(["office", "printer"])
    with pytest.raises(SettingError):
        parse_roles([])


def test_database_url_default_is_sqlite_with_wal_and_immediate(tmp_path: Path) -> None:
    config = parse_database_url(None, tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "vanban.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_database_url_postgres(tmp_path: Path) -> None:
    config = parse_database_url("postgres://u:p@db.example:5433/vb", tmp_path)
    assert config["ENGINE"] == "vanban.dbbackend"  # Django's PostgreSQL backend, see vanban/dbbackend/base.py
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "db.example", 5433, "vb", "u")
    with pytest.raises(SettingError):
        parse_database_url("mysql://u@h/db", tmp_path)


def test_postgres_connections_kept_and_health_checked(tmp_path: Path) -> None:
    config = parse_database_url("postgres://u@h/vb", tmp_path, conn_max_age=60)
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)
    assert parse_database_url("postgres://u@h/vb", tmp_path)["CONN_MAX_AGE"] == 0
    assert parse_database_url(None, tmp_path, conn_max_age=60)["CONN_MAX_AGE"] == 0  # SQLite: nothing to keep
    with pytest.raises(SettingError):
        parse_database_url("postgres://u@h/vb", tmp_path, conn_max_age=-1)


def test_prepared_statements_on_postgres_only(tmp_path: Path) -> None:
    config = parse_database_url("postgres://u@h/vb", tmp_path, prepare_threshold=5)
    assert config["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    assert not parse_database_url("postgres://u@h/vb", tmp_path).get("OPTIONS")  # off: Django's defaults
    with_url_options = parse_database_url("postgres://u@h/vb?sslmode=verify-full&connect_timeout=5", tmp_path,
                                          prepare_threshold=5)["OPTIONS"]
    assert with_url_options["sslmode"] == "verify-full" and with_url_options["prepare_threshold"] == 5
    sqlite = parse_database_url(None, tmp_path, prepare_threshold=5)["OPTIONS"]
    assert "server_side_binding" not in sqlite and "prepare_threshold" not in sqlite


@pytest.mark.parametrize(("raw", "expected"), [("", 5), ("5", 5), (" 0 ", 0), ("20", 20), ("off", None),
                                               ("OFF", None), ("none", None), ("false", None)])
def test_prepare_threshold(raw: str, expected: int | None) -> None:
    assert parse_prepare_threshold(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "five", "5.5", "on"])
def test_prepare_threshold_refused(raw: str) -> None:
    with pytest.raises(SettingError, match="VANBAN_DB_PREPARE_THRESHOLD"):
        parse_prepare_threshold(raw)


def test_secret_key_generated_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = ensure_secret_key(tmp_path)
    assert len(first) > 40
    assert ensure_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert ensure_secret_key(tmp_path) == "from-env"


def test_queue_settings(tmp_path: Path) -> None:
    sqlite = huey_settings(queue_url="", data_dir=tmp_path, immediate=False)
    assert sqlite["huey_class"] == "huey.SqliteHuey"
    assert sqlite["filename"] == str(tmp_path / "queue.sqlite3")
    redis = huey_settings(queue_url="redis://127.0.0.1:6379/3", data_dir=tmp_path, immediate=False)
    assert redis["huey_class"] == "huey.RedisHuey"
    assert redis["url"] == "redis://127.0.0.1:6379/3"
    with pytest.raises(ValueError):
        huey_settings(queue_url="amqp://x", data_dir=tmp_path, immediate=False)


def test_cache_url() -> None:
    from vanban.settings.parsers import SettingError, parse_cache_url
    assert parse_cache_url(None)["default"]["BACKEND"].endswith("DatabaseCache")
    assert parse_cache_url("redis://127.0.0.1:6379/1")["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
    with pytest.raises(SettingError):
        parse_cache_url("memcached://x")


def test_proxy_ssl_header() -> None:
    from vanban.settings.parsers import SettingError, parse_proxy_ssl_header
    assert parse_proxy_ssl_header("X-Forwarded-Proto=https") == ("HTTP_X_FORWARDED_PROTO", "https")
    assert parse_proxy_ssl_header("") is None
    with pytest.raises(SettingError):
        parse_proxy_ssl_header("X-Forwarded-Proto")
