"""An outside system, written only from the published wire facts (docs/vxp.md, "Wire format"),
with plain urllib + hmac: it must not import vanban.vxp. It sends a package through the
facade, the other side receives it, and a wrong secret gets the SDK's failure envelope.

Deliberately not like our client: keys in insertion order (not Java HashMap order), a
proper zero-padded hash-file, multipart with part `file_doc`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.hub.packages import document
from tests.vxp.conftest import A, B, VxpHub, hub_state

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def sdk_call(base: str, operation: str, system_id: str, secret: str, params: dict[str, str],
             file: bytes | None = None) -> tuple[int, dict]:
    vietnam = datetime.now(timezone(timedelta(hours=7)))
    values = {"timestamp": vietnam.strftime("%d%m%YT%H%M%S") + f"+{vietnam.microsecond // 1000:04d}",
              "systemid": system_id,
              "Content-Type": "application/octet-stream" if file is not None else "application/json", **params}
    signed = json.dumps({f"XroadVnpt-{k}": v for k, v in values.items()}, separators=(",", ":"))
    headers = {f"XroadVnpt-{k}": v for k, v in values.items()}
    headers |= {"XroadVnpt-sign-header-key": ";".join(values), "XroadVnpt-sign-header": signed,
                "XroadVnpt-hash-header": hmac.new(secret.encode(), signed.encode(), hashlib.sha256).hexdigest(),
                "XroadVnpt-version": "3.0.201608", "User-Agent": "JAVASDKAgent/1.0.0 XRoad/VPCP"}
    body = b""
    if file is not None:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file_doc\"; filename=\"goi.edxml\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + file + f"\r\n--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    request = urllib.request.Request(f"{base}/{operation}", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_outside_client_sends_and_the_other_side_receives(vxp_hub: VxpHub) -> None:
    (sid_a, secret_a), (sid_b, secret_b) = vxp_hub.systems[A], vxp_hub.systems[B]
    data, _ = document(vxp_hub.ids[A], B)
    status, sent = sdk_call(vxp_hub.url, "sendEdoc", sid_a, secret_a,
                            {"from": A, "servicetype": "eDoc", "messagetype": "edoc",
                             "hash-file": hashlib.sha256(data).hexdigest()}, file=data)
    assert (status, sent["status"], sent["ErrorCode"]) == (200, "OK", "0")
    doc_id = sent["DocId"]

    _, listed = sdk_call(vxp_hub.url, "getReceivedEdocList", sid_b, secret_b,
                         {"servicetype": "eDoc", "messagetype": "edoc"})
    assert listed["ErrorCode"] == "0"
    assert [(k["docId"], k["from"], k["to"]) for k in listed["data"]] == [(doc_id, A, B)]
    _, got = sdk_call(vxp_hub.url, "getEdoc", sid_b, secret_b, {"docId": doc_id})
    assert base64.b64decode(got["data"]) == data  # the very bytes A sent
    _, done = sdk_call(vxp_hub.url, "updateStatus", sid_b, secret_b, {"docId": doc_id, "status": "done"})
    assert done["ErrorCode"] == "0"
    _, after = sdk_call(vxp_hub.url, "getReceivedEdocList", sid_b, secret_b,
                        {"servicetype": "eDoc", "messagetype": "edoc"})
    assert after["data"] == []


def test_outside_client_with_a_wrong_secret_gets_the_failure_envelope(vxp_hub: VxpHub) -> None:
    data, _ = document(vxp_hub.ids[A], B)
    before = hub_state()
    status, answer = sdk_call(vxp_hub.url, "sendEdoc", vxp_hub.systems[A][0], "khong-dung",
                              {"from": A, "servicetype": "eDoc", "messagetype": "edoc",
                               "hash-file": hashlib.sha256(data).hexdigest()}, file=data)
    assert status == 401
    assert answer["status"] == "FAIL" and answer["ErrorCode"] != "0" and answer["ErrorDesc"]
    assert hub_state() == before
