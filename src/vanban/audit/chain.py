"""The hash of an event: sha256 over the previous hash and a canonical form of the event."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def event_hash(prev_hash: str, *, at: datetime, actor_id: int | None, actor_name: str,
               agency_code: str, action: str, object_type: str, object_id: str,
               details: dict[str, Any], ip_address: str) -> str:
    payload = canonical({
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "agency_code": agency_code,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
        "ip_address": ip_address,
    })
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + payload).hexdigest()
