"""`VxpClient`: the SDK's operations over HTTP (`vanban.core.http`), and HubClient's four.

The office exchange talks to any hub through `submit / inbox / fetch / ack`; this client
offers them on top of the national hub's protocol, so `exchange.services.client_for` can
hand it out in place of `vanban.hubclient.HubClient`. Errors are the same classes:
`VxpError` (a `HubHttpError`: HTTP status, ErrorCode, ErrorDesc) and `HubUnreachableError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from vanban.core.clock import now_vn, to_iso
from vanban.core.http import Transport
from vanban.edxml import EdxmlError, parse_package
from vanban.hubclient import Submitted
from vanban.vxp import conf
from vanban.vxp.agencies import VxpAgency, parse_agencies
from vanban.vxp.envelope import Envelope, VxpError, parse
from vanban.vxp.signing import sdk_file_hash, sign_headers

__all__ = ["MESSAGE_TYPES", "VxpClient"]

SERVICE_TYPE = "eDoc"
MESSAGE_TYPES = ("edoc", "status")
UPDATE_STATUSES = ("processing", "done", "fail")
_KIND = {"edoc": "document", "status": "status"}


class VxpClient:
    def __init__(self, base_url: str, system_id: str, secret: str, *, timeout: float | None = None,
                 max_body: int | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.system_id = system_id
        self.secret = secret
        self.timeout = timeout if timeout is not None else conf.http_timeout_seconds()
        self.transport = Transport(self.base_url, timeout=self.timeout, max_body=max_body)

    # -- the SDK operations --------------------------------------------------------------

    def send_edoc(self, data: bytes, *, sender: str, message_type: str = "edoc") -> Envelope:
        """sendEdoc as SDK 2.0.1 sends it: the raw file then CRLF, `application/octet-stream`,
        `hash-file` unpadded hex of the file alone; the answer carries `DocId`."""
        _check_type(message_type)
        params = [("from", sender), ("servicetype", SERVICE_TYPE), ("messagetype", message_type),
                  ("hash-file", sdk_file_hash(hashlib.sha256(data).digest()))]
        return self._envelope("sendEdoc", params, body=data + b"\r\n", signed_type="application/octet-stream")

    def get_received_edoc_list(self, message_type: str = "edoc", *, from_date: str = "",
                               to_date: str = "") -> list[dict[str, Any]]:
        """getReceivedEdocList: the knobsticks waiting for this system, oldest first."""
        _check_type(message_type)
        params = [("servicetype", SERVICE_TYPE), ("messagetype", message_type)]
        params += [(k, v) for k, v in (("fromDate", from_date), ("toDate", to_date)) if v]
        return _items(self._envelope("getReceivedEdocList", params, idempotent=True).data)

    def get_edoc(self, doc_id: str) -> bytes:
        """getEdoc: the package's bytes (base64 in `data`), checked against `contentSha256`."""
        env = self._envelope("getEdoc", [("docId", doc_id)], idempotent=True)
        try:
            data = base64.b64decode(str(env.data or ""), validate=True)
        except (binascii.Error, ValueError):
            raise VxpError(200, "BAD_ANSWER", "Trục trả về dữ liệu gói tin không phải base64.") from None
        declared = str(env.extra.get("contentSha256") or "")
        if declared and declared.lower() != hashlib.sha256(data).hexdigest():
            raise VxpError(200, "CONTENT_HASH_MISMATCH", "Gói tin nhận về không khớp mã băm trục công bố.")
        return data

    def update_status(self, doc_id: str, status: str, description: str = "") -> Envelope:
        """updateStatus: processing / done / fail; done and fail take it off the list."""
        if status not in UPDATE_STATUSES:
            raise ValueError(f"status must be one of {UPDATE_STATUSES}")
        params = [("docId", doc_id), ("status", status)] + ([("description", description)] if description else [])
        return self._envelope("updateStatus", params)

    def get_sent_edoc_list(self, message_type: str = "edoc", *, doc_id: str = "", from_date: str = "",
                           to_date: str = "") -> list[dict[str, Any]]:
        """getSentEdocList: per recipient, how far what this system sent has got. `doc_id` goes as
        `senderDocId` (our facade's filter): the SDK leaves an earlier call's `docId` in its header
        map, so the facade does not filter on `docId` here."""
        _check_type(message_type)
        params = [("servicetype", SERVICE_TYPE), ("messagetype", message_type)]
        params += [(k, v) for k, v in (("senderDocId", doc_id), ("fromDate", from_date), ("toDate", to_date)) if v]
        return _items(self._envelope("getSentEdocList", params, idempotent=True).data)

    def get_agencies_list(self) -> list[VxpAgency]:
        return parse_agencies(self._envelope("getAgenciesList", [], idempotent=True).data)

    def get_agencies_list_qd20(self, level: str = "") -> list[VxpAgency]:
        """getAgenciesListQD20 (SDK 2.0.1): `code` = QĐ 20/2020 code, `code102` = QCVN 102 code."""
        return parse_agencies(self._envelope("getAgenciesListQD20", [("level", level)] if level else [],
                                             idempotent=True).data)

    def register_agency(self, *, code: str, name: str, pcode: str, id: str = "", mail: str = "",
                        mobile: str = "", fax: str = "") -> Envelope:
        """registerAgency: create or update one of this system's child agencies (JSON body)."""
        body = json.dumps({"id": id, "pcode": pcode, "code": code, "name": name, "mail": mail,
                           "mobile": mobile, "fax": fax}, ensure_ascii=False).encode("utf-8")
        params = [("hash-body", hashlib.sha256(body).hexdigest())]
        return self._envelope("registerAgency", params, body=body)

    def delete_agency(self, code: str) -> Envelope:
        return self._envelope("deleteAgency", [("AgencyCode", code)])

    def count_received(self, message_type: str = "edoc") -> int:
        _check_type(message_type)
        operation = "countReceiveEdoc" if message_type == "edoc" else "countReceiveStatus"
        return int(self._envelope(operation, [("servicetype", SERVICE_TYPE)], body=b"{}",
                                  idempotent=True).extra.get("count", 0))

    # -- HubClient's contract -------------------------------------------------------------

    def submit(self, package: bytes, *, headers: dict[str, str] | None = None) -> Submitted:
        """sendEdoc with the message type and sender read from the package itself."""
        kind, sender, document_id = _describe(package)
        env = self.send_edoc(package, sender=sender, message_type="status" if kind == "status" else "edoc")
        doc_id = str(env.extra.get("DocId") or "")
        if not doc_id:
            raise VxpError(200, "BAD_ANSWER", "Trục nhận gói tin nhưng không trả về DocId.")
        duplicate = bool(env.extra.get("Duplicate", False))
        return Submitted(200 if duplicate else 201, doc_id, str(env.extra.get("DocumentId") or document_id),
                         duplicate)

    def submit_many(self, packages: Sequence[bytes]) -> list[Submitted | VxpError]:
        """The SDK protocol has no batch: one sendEdoc per package, each answer in order."""
        results: list[Submitted | VxpError] = []
        for package in packages:
            try:
                results.append(self.submit(package))
            except VxpError as exc:
                results.append(exc)
        return results

    def ack_many(self, package_ids: Sequence[str]) -> dict[str, bool]:
        """One updateStatus per package (the SDK protocol has no batch)."""
        return {package_id: bool(self.ack(package_id)["delivered"]) for package_id in package_ids}

    def inbox(self, limit: int = 100, *, inline: int = 0) -> list[dict[str, Any]]:
        """getReceivedEdocList for documents, then for statuses, in HubClient's inbox shape
        (never with bodies inline: `inline` is for our hub's API)."""
        entries = []
        for message_type in MESSAGE_TYPES:
            for item in self.get_received_edoc_list(message_type):
                entries.append({
                    "id": str(item.get("docId") or ""),
                    "kind": _KIND.get(str(item.get("messageType") or message_type), _KIND[message_type]),
                    "from": str(item.get("from") or ""), "to": str(item.get("to") or ""),
                    "document_id": str(item.get("documentId") or ""),
                    "status_code": (str(item["statusCode"]) if item.get("statusCode") else None),
                    "received_at": str(item.get("receivedAt") or item.get("created_time") or ""),
                })
        return [e for e in entries if e["id"]][:max(1, int(limit))]

    def fetch(self, package_id: str) -> bytes:
        return self.get_edoc(package_id)

    def ack(self, package_id: str) -> dict[str, Any]:
        self.update_status(package_id, "done")
        return {"id": package_id, "delivered": True, "delivered_at": to_iso(now_vn())}

    # -- transport ------------------------------------------------------------------------

    def _envelope(self, operation: str, params: list[tuple[str, str]], *, body: bytes | None = None,
                  signed_type: str = "application/json", idempotent: bool = False) -> Envelope:
        """`idempotent`: a read (list, get, count), sent once more if it met a stale kept-alive
        connection (`vanban.core.http`); what changes something at the national hub (sendEdoc,
        updateStatus, registerAgency, deleteAgency) is not — its dedup there is not ours to know."""
        status, raw = self._call(operation, params, body=body, signed_type=signed_type, idempotent=idempotent)
        try:
            env = parse(raw)
        except ValueError:
            raise VxpError(status, "BAD_ANSWER" if status < 400 else "HTTP_ERROR",
                           raw[:300].decode("utf-8", "replace")) from None
        if not env.ok:
            raise VxpError(status, env.error_code, env.error_desc)
        return env

    def request_headers(self, params: list[tuple[str, str]], signed_type: str = "application/json",
                        ) -> list[tuple[str, str]]:
        """The header lines of one call, names in the SDK's exact spelling and case."""
        return [*sign_headers([("Content-Type", signed_type), *params], system_id=self.system_id,
                              secret=self.secret), ("Accept", "application/json")]

    def _call(self, operation: str, params: list[tuple[str, str]], *, body: bytes | None,
              signed_type: str, idempotent: bool = False) -> tuple[int, bytes]:
        """One POST; the header names go in the SDK's exact case (the transport keeps it)."""
        response = self.transport.request("POST", f"/{operation}", content=body if body is not None else b"",
                                          headers=self.request_headers(params, signed_type), idempotent=idempotent)
        return response.status, response.body


def _check_type(message_type: str) -> None:
    if message_type not in MESSAGE_TYPES:
        raise ValueError(f"messagetype must be one of {MESSAGE_TYPES}")


def _items(data: Any) -> list[dict[str, Any]]:
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _describe(package: bytes) -> tuple[str, str, str]:
    """(kind, sender code, DocumentId) read leniently; unknown values are empty strings."""
    try:
        parsed = parse_package(package, strict=False)
    except EdxmlError:
        return "document", "", ""
    if parsed.kind == "status" and parsed.status is not None:
        return "status", parsed.status.from_.organ_id, parsed.status.response_for.document_id
    if parsed.document is not None:
        return "document", parsed.document.from_.organ_id, parsed.document.document_id
    return parsed.kind, "", ""
