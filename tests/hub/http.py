"""Plain HTTP for tests: the hub client for the happy path, raw requests for refusals."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def request(method: str, url: str, *, data: bytes | None = None, token: str | None = None,
            content_type: str | None = "application/xml", timeout: float = 30) -> Answer:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if content_type and data is not None:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Answer(resp.status, resp.read(), dict(resp.headers))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read(), dict(exc.headers))
