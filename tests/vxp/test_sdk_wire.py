"""VXP as SDK 2.0.1 really speaks it (observed by running the jar against a loopback capture,
docs/vxp.md): our client's bytes on the wire, null-free answers, reused and offset-less
timestamps, and replays that change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.hub.packages import document
from tests.vxp.conftest import A, B, VxpHub, hub_state
from vanban.core.clock import now_vn
from vanban.hub.models import Delivery, DeliveryState, Package, TraceEvent
from vanban.hub.vxp_models import VxpReceipt
from vanban.vxp.client import VxpClient
from vanban.vxp.signing import sdk_file_hash, sign_headers

SDK_NAMES = {"XroadVnpt-systemid", "XroadVnpt-timestamp", "XroadVnpt-Content-Type", "XroadVnpt-from",
             "XroadVnpt-servicetype", "XroadVnpt-messagetype", "XroadVnpt-hash-file", "XroadVnpt-sign-header-key",
             "XroadVnpt-sign-header", "XroadVnpt-hash-header", "XroadVnpt-version", "User-Agent", "Content-Type"}


class _Capture(BaseHTTPRequestHandler):
    seen: list[tuple[list[tuple[str, str]], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Capture.seen.append((list(self.headers.items()), body))  # names as sent, case kept
        answer = json.dumps({"status": "OK", "ErrorCode": "0", "ErrorDesc": "", "data": "", "DocId": "x"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.unit
def test_our_client_sends_sendedoc_byte_for_byte_like_the_sdk() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _Capture.seen.clear()
        data = b"<edXMLEnvelope>\xe1\xba\xa1</edXMLEnvelope>"
        VxpClient(f"http://127.0.0.1:{server.server_address[1]}", "vxp.saas.02", "bi-mat").send_edoc(data, sender=A)
    finally:
        server.shutdown()
    [(headers, body)] = _Capture.seen
    names = [name for name, _ in headers]
    assert body == data + b"\r\n"  # the raw file then CRLF, no multipart
    assert set(names) >= SDK_NAMES, SDK_NAMES - set(names)  # exact names and case on the wire
    assert not [n for n in names if n.lower().startswith("xroadvnpt-") and not n.startswith("XroadVnpt-")]
    sent = dict(headers)
    assert (sent["Content-Type"], sent["XroadVnpt-Content-Type"]) == ("application/octet-stream",) * 2
    assert sent["XroadVnpt-hash-file"] == sdk_file_hash(hashlib.sha256(data).digest())  # of the file, not the CRLF
    assert sent["User-Agent"] == "JAVASDKAgent/1.0.0 XRoad/VPCP"


def _raw(hub: VxpHub, operation: str, headers: list[tuple[str, str]], body: bytes = b"") -> tuple[int, dict]:
    """One request with headers exactly as given (http.client keeps names and order)."""
    url = urllib.parse.urlsplit(f"{hub.url}/{operation}")
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.putrequest("POST", url.path)
        for name, value in headers:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def _signed(hub: VxpHub, code: str, params: list[tuple[str, str]], *, now: dt.datetime | None = None,
            signed_type: str = "application/json") -> list[tuple[str, str]]:
    system_id, secret = hub.systems[code]
    return sign_headers([("Content-Type", signed_type), *params], system_id=system_id, secret=secret, now=now)


def _send_headers(hub: VxpHub, data: bytes, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    return _signed(hub, A, [("from", A), ("servicetype", "eDoc"), ("messagetype", "edoc"),
                            ("hash-file", sdk_file_hash(hashlib.sha256(data).digest()))],
                   now=now, signed_type="application/octet-stream")


def _nulls(value: Any) -> int:
    if value is None:
        return 1
    if isinstance(value, dict):
        return sum(_nulls(v) for v in value.values())
    if isinstance(value, list):
        return sum(_nulls(v) for v in value)
    return 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_no_json_null_anywhere_and_sdk_fields_in_failures(vxp_hub: VxpHub) -> None:
    data, _ = document(vxp_hub.ids[A], B)
    status, sent = _raw(vxp_hub, "sendEdoc", _send_headers(vxp_hub, data), data + b"\r\n")
    assert (status, sent["ErrorCode"]) == (200, "0")
    answers = [sent]
    for operation, code, params in (
            ("getSentEdocList", A, [("servicetype", "eDoc"), ("messagetype", "edoc")]),  # not yet received
            ("getReceivedEdocList", B, [("servicetype", "eDoc"), ("messagetype", "edoc")]),
            ("countReceiveEdoc", B, [("servicetype", "eDoc")]),
            ("getAgenciesList", A, []),
            ("getEdoc", B, [("docId", sent["DocId"])])):
        status, answer = _raw(vxp_hub, operation, _signed(vxp_hub, code, params), b"{}")
        assert (status, answer["ErrorCode"]) == (200, "0"), answer
        answers.append(answer)
    sent_list, knobs = answers[1]["data"], answers[2]["data"]
    assert sent_list[0]["receivedTime"] == "" and knobs[0]["statusCode"] == ""
    # Failures carry what the SDK reads: DocId for sendEdoc, count for counters, a list for lists.
    status, failed_send = _raw(vxp_hub, "sendEdoc", _send_headers(vxp_hub, b"<rac/>"), b"<rac/>")
    assert status == 400 and failed_send["DocId"] == "" and failed_send["ErrorCode"].startswith("EDXML_")
    bad = [(n, "sai" if n == "XroadVnpt-hash-header" else v) for n, v in _signed(vxp_hub, B, [("servicetype", "eDoc")])]
    _, failed_count = _raw(vxp_hub, "countReceiveEdoc", bad)
    _, failed_list = _raw(vxp_hub, "getReceivedEdocList", bad)
    assert (failed_count["count"], failed_list["data"]) == (0, [])
    answers += [failed_send, failed_count, failed_list]
    assert sum(_nulls(a) for a in answers) == 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_missing_hash_file_is_refused(vxp_hub: VxpHub) -> None:
    data, _ = document(vxp_hub.ids[A], B)
    headers = _signed(vxp_hub, A, [("from", A), ("servicetype", "eDoc"), ("messagetype", "edoc")],
                      signed_type="application/octet-stream")
    before = hub_state()
    status, answer = _raw(vxp_hub, "sendEdoc", headers, data)
    assert (status, answer["ErrorCode"], answer["DocId"]) == (400, "FILE_HASH_MISSING", "")
    assert hub_state() == before


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("behind", "noted"), [(dt.timedelta(hours=7, seconds=3), True),  # a JVM in UTC
                                               (dt.timedelta(days=2), True),  # a service object kept 2 days
                                               (dt.timedelta(seconds=30), False)])
def test_reused_and_offsetless_timestamps_are_accepted_with_a_note(vxp_hub: VxpHub, behind: dt.timedelta,
                                                                  noted: bool) -> None:
    data, _ = document(vxp_hub.ids[A], B)
    status, sent = _raw(vxp_hub, "sendEdoc", _send_headers(vxp_hub, data, now=now_vn() - behind), data)
    assert (status, sent["ErrorCode"]) == (200, "0"), sent
    notes = list(TraceEvent.objects.filter(package_id=sent["DocId"], event="clock_skew")
                 .values_list("detail", flat=True))
    assert len(notes) == int(noted)
    if noted:
        assert f"trước đồng hồ trục {int(behind.total_seconds() // 3600)} giờ" in notes[0]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_window_is_configurable(vxp_hub: VxpHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_VXP_MAX_AGE_SECONDS", "3600")
    data, _ = document(vxp_hub.ids[A], B)
    before = hub_state()
    status, answer = _raw(vxp_hub, "sendEdoc", _send_headers(vxp_hub, data, now=now_vn() - dt.timedelta(hours=2)),
                          data)
    assert (status, answer["ErrorCode"]) == (401, "AUTH_STALE_TIMESTAMP")
    assert hub_state() == before


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_replayed_send_and_update_status_change_nothing(vxp_hub: VxpHub) -> None:
    """The SDK repeats identical signed headers, so a captured request is valid for the whole
    window: the facade's state-changing operations are idempotent and forward-only."""
    data, _ = document(vxp_hub.ids[A], B)
    headers = _send_headers(vxp_hub, data, now=now_vn() - dt.timedelta(hours=1))
    first = _raw(vxp_hub, "sendEdoc", headers, data + b"\r\n")[1]
    state = hub_state()
    replay = _raw(vxp_hub, "sendEdoc", headers, data + b"\r\n")[1]  # byte-identical request
    assert (replay["ErrorCode"], replay["DocId"], replay["Duplicate"]) == ("0", first["DocId"], True)
    assert Package.objects.count() == 1 and Delivery.objects.count() == 1
    assert hub_state()[:3] == state[:3]

    def update(status: str) -> list[tuple[str, str]]:
        return _signed(vxp_hub, B, [("docId", first["DocId"]), ("status", status)])
    processing, done, fail = update("processing"), update("done"), update("fail")
    for headers_now in (processing, processing):
        assert _raw(vxp_hub, "updateStatus", headers_now)[1]["ErrorCode"] == "0"
    assert VxpReceipt.objects.get().status == "processing"
    for headers_now in (done, done, processing, fail):  # done, then replays of older requests
        assert _raw(vxp_hub, "updateStatus", headers_now)[1]["ErrorCode"] == "0"
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED and VxpReceipt.objects.get().status == "processing"
    assert TraceEvent.objects.filter(package_id=first["DocId"], event="delivered").count() == 1
    assert vxp_hub.client(B).inbox() == []
