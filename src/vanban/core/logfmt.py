"""Log lines a machine can read: one JSON object per line (VANBAN_LOG_FORMAT=json).

Every record gives `time` (ISO 8601, Vietnam time), `level`, `logger` and `message`; what the
caller passed in `extra=` (an `event` name and its fields: package, code, attempt …) comes out
as fields of its own, so a log collector filters on them instead of parsing sentences. Values
that are not JSON (a model, an exception) are written as their text."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from vanban.core.clock import VN_TZ

# What every LogRecord carries; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, VN_TZ).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def formatter_config(kind: str) -> dict[str, str]:
    """The `formatters` entry of Django's LOGGING for VANBAN_LOG_FORMAT (json or text)."""
    if kind == "json":
        return {"()": "vanban.core.logfmt.JsonFormatter"}
    return {"format": TEXT_FORMAT}
