"""VANBAN_LOG_FORMAT=json: one JSON object per line with the event's own fields."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from vanban.core.logfmt import JsonFormatter, formatter_config
from vanban.settings.parsers import SettingError, parse_log_format


def _record(msg: str, *args: object, exc: bool = False, **extra: object) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("hỏng")
        except ValueError:
            info = sys.exc_info()
    record = logging.LogRecord("vanban.exchange.services", logging.WARNING, __file__, 1, msg, args, info)
    record.__dict__.update(extra)
    return record


def test_a_line_is_json_with_the_events_fields_and_vietnam_time() -> None:
    line = JsonFormatter().format(_record("gói %s chưa gửi được", "abc", event="exchange.send_failed",
                                          outbox=7, attempt=2, error_code="HUB_UNREACHABLE"))
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "gói abc chưa gửi được" and data["level"] == "WARNING"
    assert data["logger"] == "vanban.exchange.services"
    assert (data["event"], data["outbox"], data["attempt"], data["error_code"]) == (
        "exchange.send_failed", 7, 2, "HUB_UNREACHABLE")
    assert data["time"].endswith("+07:00")
    assert not {"args", "msg", "pathname", "lineno", "exc_info"} & set(data)  # only what matters


def test_an_exception_and_values_that_are_not_json_are_written_as_text() -> None:
    data = json.loads(JsonFormatter().format(_record("lỗi", exc=True, event="x", obj=object())))
    assert "ValueError: hỏng" in data["error"] and data["obj"].startswith("<object object")


def test_the_setting_takes_text_or_json_only() -> None:
    assert parse_log_format("JSON") == "json" and parse_log_format("") == "text"
    assert formatter_config("json") == {"()": "vanban.core.logfmt.JsonFormatter"}
    assert "%(message)s" in formatter_config("text")["format"]
    with pytest.raises(SettingError):
        parse_log_format("xml")
