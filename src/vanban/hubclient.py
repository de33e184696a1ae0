"""A small HTTP client for the hub API (no Django), over the shared transport `vanban.core.http`.

Shared by the hub (talking to its parent) and the office exchange client: the only way an
office talks to a hub. Lives outside both apps so that neither imports the other.

Used by this hub to talk to its parent (forward, pull) and by tests and the benchmark to
play agency systems. Any system may copy it: it speaks only the documented contract.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from vanban.core import b64
from vanban.core.http import HttpStatusError, Transport, UnreachableError, error_from

__all__ = ["BATCH_MAX", "HubBackend", "HubClient", "HubHttpError", "HubUnreachableError", "Submitted"]

BATCH_MAX = 100  # packages in one batch submission, as the hub's API allows
ACKS_MAX = 500

# The transport's errors under the names every caller knows: one class each, not a copy.
HubHttpError = HttpStatusError
HubUnreachableError = UnreachableError


@dataclass(frozen=True)
class Submitted:
    status: int
    id: str
    document_id: str
    duplicate: bool


class HubBackend(Protocol):
    """What the office's outbox and inbox poller need of a hub: our hub's API (`HubClient`)
    or the national hub's SDK protocol (`vanban.vxp.client.VxpClient`), the same meaning."""

    def submit_many(self, packages: Sequence[bytes]) -> Sequence[Submitted | HubHttpError]: ...

    def inbox(self, limit: int = 100, *, inline: int = 0) -> list[dict[str, Any]]: ...

    def fetch(self, package_id: str) -> bytes: ...

    def ack_many(self, package_ids: Sequence[str]) -> dict[str, bool]: ...


class HubClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0, max_body: int | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.transport = Transport(self.base_url, timeout=timeout, max_body=max_body)
        self._batches = True  # until the hub answers 404/405 to a batch endpoint

    def submit(self, data: bytes, *, headers: dict[str, str] | None = None) -> Submitted:
        status, body = self._call("POST", "/packages", data,
                                  {"Content-Type": "application/xml", **(headers or {})}, idempotent=True)
        doc = json.loads(body)
        return Submitted(status, doc["id"], doc["document_id"], bool(doc["duplicate"]))

    def submit_many(self, packages: Sequence[bytes]) -> list[Submitted | HubHttpError]:
        """Many packages in one request (`POST /packages/batch`, at most BATCH_MAX): per package,
        in order, what the hub made of it — accepted, duplicate, or its refusal. A hub without
        batches (an older version: 404/405) is sent the packages one by one."""
        if not self._batches:
            return [self._one(p) for p in packages]
        body = json.dumps({"packages": [b64.encode(p) for p in packages]}).encode("ascii")
        try:
            answer = json.loads(self._call("POST", "/packages/batch", body, {"Content-Type": "application/json"},
                                           idempotent=True)[1])
        except HubHttpError as exc:
            if exc.status not in (404, 405):
                raise
            self._batches = False
            return [self._one(p) for p in packages]
        results: list[Submitted | HubHttpError] = []
        for item in answer["results"]:
            if item.get("error"):
                results.append(HubHttpError(int(item["status"]), str(item["error"]["code"]),
                                            str(item["error"]["message"])))
            else:
                results.append(Submitted(int(item["status"]), str(item["id"]), str(item["document_id"]),
                                         bool(item["duplicate"])))
        if len(results) != len(packages):
            raise HubHttpError(200, "BAD_ANSWER", "Trục trả lời lô gói tin không đủ kết quả.")
        return results

    def _one(self, package: bytes) -> Submitted | HubHttpError:
        try:
            return self.submit(package)
        except HubHttpError as exc:
            return exc

    def inbox(self, limit: int = 100, *, inline: int = 0) -> list[dict[str, Any]]:
        """The waiting packages; with `inline`, those up to that many bytes come with `data`
        (their bytes, checked against the listed SHA-256: a body that does not match is
        dropped, to be fetched)."""
        query = f"/inbox?limit={int(limit)}" + (f"&inline={int(inline)}" if inline > 0 else "")
        packages: list[dict[str, Any]] = json.loads(self._call("GET", query)[1])
        for item in packages:
            encoded = item.pop("data", None)
            if not encoded:
                continue
            try:
                data = b64.decode_validated(encoded)
            except ValueError:
                continue
            if hashlib.sha256(data).hexdigest() == item.get("sha256"):
                item["data"] = data
        return packages

    def fetch(self, package_id: str) -> bytes:
        return self._call("GET", f"/packages/{package_id}")[1]

    def ack(self, package_id: str) -> dict[str, Any]:
        acked: dict[str, Any] = json.loads(self._call("POST", f"/packages/{package_id}/ack", b"", idempotent=True)[1])
        return acked

    def ack_many(self, package_ids: Sequence[str]) -> dict[str, bool]:
        """Acknowledge many packages in one request (`POST /acks`): per id, whether the hub
        marked it delivered. A hub without batches is acked one by one."""
        acked: dict[str, bool] = {}
        for start in range(0, len(package_ids), ACKS_MAX):
            chunk = list(package_ids[start:start + ACKS_MAX])
            if self._batches:
                try:
                    answer = json.loads(self._call("POST", "/acks", json.dumps({"ids": chunk}).encode("ascii"),
                                                   {"Content-Type": "application/json"}, idempotent=True)[1])
                    acked.update({str(i["id"]): bool(i["delivered"]) for i in answer["results"]})
                    acked.update({i: acked.get(i, False) for i in chunk})
                    continue
                except HubHttpError as exc:
                    if exc.status not in (404, 405):
                        raise
                    self._batches = False
            for package_id in chunk:
                try:
                    acked[package_id] = bool(self.ack(package_id).get("delivered"))
                except HubHttpError as exc:
                    if exc.status != 404:
                        raise
                    acked[package_id] = False
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
                                                     {"Content-Type": "application/json"}, idempotent=True)[1])
        return kept

    def witnessed_checkpoints(self) -> list[dict[str, Any]]:
        """Every audit checkpoint the hub keeps for this endpoint, by sequence number."""
        checkpoints: list[dict[str, Any]] = json.loads(self._call("GET", "/witness/checkpoints")[1])
        return checkpoints

    def _call(self, method: str, path: str, data: bytes | None = None,
              headers: dict[str, str] | None = None, *, idempotent: bool | None = None) -> tuple[int, bytes]:
        """One request. `idempotent=True` on the POSTs the hub applies once however often they
        arrive — a package (its idempotency key: a repeat is a duplicate), an ack (a repeat
        changes nothing), a checkpoint (the same one again is a duplicate) — so the transport
        may send them once more after a stale kept-alive connection (`vanban.core.http`)."""
        response = self.transport.request(method, path, content=data, idempotent=idempotent, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json", **(headers or {})})
        if response.status >= 400:
            raise error_from(response.status, response.body)
        return response.status, response.body
