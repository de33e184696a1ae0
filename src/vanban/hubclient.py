"""A small HTTP client for the hub API (no Django), over the shared transport `vanban.core.http`.

Shared by the hub (talking to its parent) and the office exchange client: the only way an
office talks to a hub. Lives outside both apps so that neither imports the other.

Used by this hub to talk to its parent (forward, pull) and by tests and the benchmark to
play agency systems. Any system may copy it: it speaks only the documented contract.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vanban.core.http import HttpStatusError, Transport, UnreachableError, error_from

__all__ = ["HubClient", "HubHttpError", "HubUnreachableError", "Submitted"]

# The transport's errors under the names every caller knows: one class each, not a copy.
HubHttpError = HttpStatusError
HubUnreachableError = UnreachableError


@dataclass(frozen=True)
class Submitted:
    status: int
    id: str
    document_id: str
    duplicate: bool


class HubClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0, max_body: int | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.transport = Transport(self.base_url, timeout=timeout, max_body=max_body)

    def submit(self, data: bytes, *, headers: dict[str, str] | None = None) -> Submitted:
        status, body = self._call("POST", "/packages", data,
                                  {"Content-Type": "application/xml", **(headers or {})})
        doc = json.loads(body)
        return Submitted(status, doc["id"], doc["document_id"], bool(doc["duplicate"]))

    def inbox(self, limit: int = 100) -> list[dict[str, Any]]:
        packages: list[dict[str, Any]] = json.loads(self._call("GET", f"/inbox?limit={int(limit)}")[1])
        return packages

    def fetch(self, package_id: str) -> bytes:
        return self._call("GET", f"/packages/{package_id}")[1]

    def ack(self, package_id: str) -> dict[str, Any]:
        acked: dict[str, Any] = json.loads(self._call("POST", f"/packages/{package_id}/ack", b"")[1])
        return acked

    def trace(self, package_id: str) -> dict[str, Any]:
        trace: dict[str, Any] = json.loads(self._call("GET", f"/packages/{package_id}/trace")[1])
        return trace

    def agencies(self) -> list[dict[str, Any]]:
        agencies: list[dict[str, Any]] = json.loads(self._call("GET", "/agencies")[1])
        return agencies

    def witness_checkpoint(self, checkpoint: dict[str, str]) -> dict[str, Any]:
        """Hand a signed audit checkpoint to the hub to keep (vanban.hub.witness)."""
        body = json.dumps(checkpoint).encode("utf-8")
        kept: dict[str, Any] = json.loads(self._call("POST", "/witness/checkpoints", body,
                                                     {"Content-Type": "application/json"})[1])
        return kept

    def witnessed_checkpoints(self) -> list[dict[str, Any]]:
        """Every audit checkpoint the hub keeps for this endpoint, by sequence number."""
        checkpoints: list[dict[str, Any]] = json.loads(self._call("GET", "/witness/checkpoints")[1])
        return checkpoints

    def _call(self, method: str, path: str, data: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        response = self.transport.request(method, path, content=data, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json", **(headers or {})})
        if response.status >= 400:
            raise error_from(response.status, response.body)
        return response.status, response.body
