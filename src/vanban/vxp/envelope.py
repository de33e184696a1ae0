"""The SDK's response envelope: `{"status", "ErrorCode", "ErrorDesc", "data", …}`.

`ErrorCode` "0" is success (the SDK tests exactly that); any other code is a failure and
`status` is then "FAIL". sendEdoc adds `DocId`; count operations add `count`. Our hub's
codes are stable words (`AUTH_INVALID_SIGNATURE`, `EDXML_MALFORMED`, …) with a Vietnamese
`ErrorDesc`; the national hub's own failure codes are not published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from vanban.hubclient import HubHttpError

OK = "OK"
FAIL = "FAIL"
SUCCESS_CODE = "0"
SUCCESS_DESC = "Thành công"


class VxpError(HubHttpError):
    """A FAIL envelope (or an unreadable answer): HTTP status, ErrorCode, ErrorDesc.

    A HubHttpError, so the office exchange treats it like an error of our own hub.
    """


@dataclass(frozen=True)
class Envelope:
    status: str
    error_code: str
    error_desc: str
    data: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_code == SUCCESS_CODE and self.status.upper() != FAIL


def success(data: Any = None, **extra: Any) -> dict[str, Any]:
    return {"status": OK, "ErrorCode": SUCCESS_CODE, "ErrorDesc": SUCCESS_DESC, "data": data, **extra}


def failure(code: str, desc: str) -> dict[str, Any]:
    return {"status": FAIL, "ErrorCode": code, "ErrorDesc": desc, "data": None}


def parse(body: bytes) -> Envelope:
    """Read an envelope; ValueError when the body is not one."""
    doc = json.loads(body)
    if not isinstance(doc, dict) or "ErrorCode" not in doc:
        raise ValueError("not an SDK envelope (no ErrorCode)")
    known = {"status", "ErrorCode", "ErrorDesc", "data"}
    return Envelope(status=str(doc.get("status") or ""), error_code=str(doc["ErrorCode"]),
                    error_desc=str(doc.get("ErrorDesc") or ""), data=doc.get("data"),
                    extra={k: v for k, v in doc.items() if k not in known})
