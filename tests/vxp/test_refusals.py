"""Signed headers checked both ways, and every refusal: the SDK's FAIL envelope, a stable
ErrorCode, a Vietnamese ErrorDesc, and nothing changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.hub.packages import document
from tests.vxp.conftest import A, B, VxpHub, hub_state
from vanban.core.clock import now_vn
from vanban.hub.blobs import read
from vanban.hub.models import EndpointAgency, Package, RefusedPackage
from vanban.hub.services import package_bytes
from vanban.vxp.envelope import VxpError
from vanban.vxp.multipart import file_doc_body
from vanban.vxp.signing import sdk_file_hash, sign_headers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _post(url: str, headers: list[tuple[str, str]], body: bytes, content_type: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers=dict(headers))
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _refused(status: int, envelope: dict, http: int, code: str) -> None:
    assert status == http, envelope
    # The SDK reads DocId even from a failed sendEdoc, and throws on any JSON null.
    assert (envelope["status"], envelope["ErrorCode"], envelope["data"], envelope["DocId"]) == ("FAIL", code, "", "")
    assert None not in envelope.values()
    assert envelope["ErrorDesc"] and not envelope["ErrorDesc"].isascii()


def _send_headers(hub: VxpHub, data: bytes, *, secret: str | None = None, now: dt.datetime | None = None,
                  hash_file: str | None = None) -> list[tuple[str, str]]:
    system_id, real = hub.systems[A]
    params = [("Content-Type", "application/octet-stream"), ("from", A), ("servicetype", "eDoc"),
              ("messagetype", "edoc"), ("hash-file", hash_file or hashlib.sha256(data).hexdigest())]
    return sign_headers(params, system_id=system_id, secret=secret or real, now=now)


@pytest.mark.parametrize("case", ["wrong_secret", "stale", "future", "tampered_header", "tampered_body",
                                  "no_signature", "unknown_system"])
def test_refused_send_changes_nothing(vxp_hub: VxpHub, case: str) -> None:
    data, _ = document(vxp_hub.ids[A], B)
    body, content_type = file_doc_body(data)
    headers = _send_headers(vxp_hub, data)
    expected = (401, "AUTH_INVALID_SIGNATURE")
    if case == "wrong_secret":
        headers = _send_headers(vxp_hub, data, secret="khong-phai-secret-that")
    elif case == "stale":
        headers = _send_headers(vxp_hub, data, now=now_vn() - dt.timedelta(days=7, minutes=11))
        expected = (401, "AUTH_STALE_TIMESTAMP")
    elif case == "future":
        headers = _send_headers(vxp_hub, data, now=now_vn() + dt.timedelta(hours=7, minutes=11))
        expected = (401, "AUTH_STALE_TIMESTAMP")
    elif case == "tampered_header":  # the sender code changed after signing
        headers = [(n, "000.00.02.H16" if n == "XroadVnpt-from" else v) for n, v in headers]
        expected = (401, "AUTH_HEADER_MISMATCH")
    elif case == "tampered_body":  # the file changed after hashing and signing
        body = body.replace(b"V/v th", b"V/v TH")
        expected = (400, "FILE_HASH_MISMATCH")
    elif case == "no_signature":
        headers = [(n, v) for n, v in headers if n != "XroadVnpt-hash-header"]
        expected = (401, "AUTH_MISSING")
    elif case == "unknown_system":
        headers = sign_headers([("messagetype", "edoc")], system_id="vxp.khong.co", secret="x")
    before = hub_state()
    status, envelope = _post(f"{vxp_hub.url}/sendEdoc", headers, body, content_type)
    _refused(status, envelope, *expected)
    assert hub_state() == before
    assert vxp_hub.client(B).inbox() == []


def test_wrong_secret_refused_by_our_client_too(vxp_hub: VxpHub) -> None:
    """The other direction: our client's signature is what the facade checks."""
    before = hub_state()
    with pytest.raises(VxpError) as caught:
        vxp_hub.client(B, secret="sai").inbox()
    assert (caught.value.status, caught.value.code) == (401, "AUTH_INVALID_SIGNATURE")
    assert hub_state() == before


def test_a_revoked_system_is_refused(vxp_hub: VxpHub) -> None:
    from vanban.hub import services
    from vanban.hub.vxp_models import VxpSystem

    services.revoke_endpoint(name=VxpSystem.objects.get(system_id=vxp_hub.systems[B][0]).endpoint.name)
    with pytest.raises(VxpError) as caught:
        vxp_hub.client(B).inbox()
    assert caught.value.code == "AUTH_INVALID_SIGNATURE"


def test_sdk_raw_upload_with_unpadded_hash_is_accepted_without_the_crlf(vxp_hub: VxpHub) -> None:
    """What SDK 2.0.1 really sends: the file as the body, then CRLF; hash-file unpadded hex."""
    data, doc_id = document(vxp_hub.ids[A], B)
    headers = _send_headers(vxp_hub, data, hash_file=sdk_file_hash(hashlib.sha256(data).digest()))
    status, envelope = _post(f"{vxp_hub.url}/sendEdoc", headers, data + b"\r\n", "application/octet-stream")
    assert (status, envelope["status"], envelope["ErrorCode"], envelope["ErrorDesc"]) == (200, "OK", "0", "Thành công")
    stored = Package.objects.get(pk=envelope["DocId"])
    assert (stored.document_id, package_bytes(stored)) == (doc_id, data)


def test_package_refusals_keep_the_hub_codes(vxp_hub: VxpHub) -> None:
    before = hub_state()
    forged, _ = document(vxp_hub.ids[B], A)  # A's system sending B's package
    with pytest.raises(VxpError) as caught:
        vxp_hub.client(A).submit(forged)
    assert (caught.value.status, caught.value.code) == (422, "SENDER_NOT_SERVED")
    with pytest.raises(VxpError) as caught:
        vxp_hub.client(A).send_edoc(b"<khong-phai-edxml", sender=A)
    assert caught.value.status == 400 and caught.value.code.startswith("EDXML_")
    with pytest.raises(VxpError) as caught:
        vxp_hub.client(B).fetch("00000000-0000-0000-0000-000000000000")
    assert caught.value.code == "NOT_FOUND"
    assert hub_state() == before
    # The refused packages are held for the operator (the hub's quarantine), with their bytes.
    held = {r.error_code: r for r in RefusedPackage.objects.all()}
    assert set(held) >= {"SENDER_NOT_SERVED"} and any(c.startswith("EDXML_") for c in held)
    assert read(held["SENDER_NOT_SERVED"].sha256) == forged
    assert held["SENDER_NOT_SERVED"].endpoint is not None


def test_stranger_cannot_read_or_acknowledge(vxp_hub: VxpHub) -> None:
    from tests.factories import make_agency
    from vanban.hub import vxp_systems
    from vanban.vxp.client import VxpClient

    data, _ = document(vxp_hub.ids[A], B)
    sent = vxp_hub.client(A).submit(data)
    make_agency("000.00.03.H16", "Sở Tài chính")
    system, secret = vxp_systems.create_system(name="vxp.khac", codes=["000.00.03.H16"], actor="test")
    stranger = VxpClient(vxp_hub.url, system.system_id, secret)
    before = hub_state()
    for call in (lambda: stranger.fetch(sent.id), lambda: stranger.ack(sent.id),
                 lambda: stranger.update_status(sent.id, "fail")):
        with pytest.raises(VxpError) as caught:
            call()
        assert (caught.value.status, caught.value.code) == (404, "NOT_FOUND")
    assert hub_state() == before


def test_register_and_delete_a_child_agency(vxp_hub: VxpHub) -> None:
    from vanban.agencies.models import Agency

    a = vxp_hub.client(A)
    a.register_agency(code="001.01.01.H16", name="Phòng Hành chính", pcode=A, mail="hc@daklak.gov.vn")
    agency = Agency.objects.get(code="001.01.01.H16")
    assert (agency.name, agency.parent.code, agency.email) == ("Phòng Hành chính", A, "hc@daklak.gov.vn")
    assert EndpointAgency.objects.filter(agency=agency, endpoint__vxp_system__system_id=vxp_hub.systems[A][0]).exists()
    before = hub_state()
    with pytest.raises(VxpError) as caught:  # B does not serve A: cannot register under it
        vxp_hub.client(B).register_agency(code="002.01.01.H16", name="Phòng khác", pcode=A)
    assert (caught.value.status, caught.value.code) == (403, "PARENT_NOT_SERVED")
    after = hub_state()  # only the audit event of the blocked attempt was written
    assert after[:4] + after[5:] == before[:4] + before[5:] and after[4] == before[4] + 1
    assert not Agency.objects.filter(code="002.01.01.H16").exists()
    a.delete_agency("001.01.01.H16")
    assert not EndpointAgency.objects.filter(agency=agency).exists()
    assert Agency.objects.filter(code="001.01.01.H16").exists()  # the directory keeps it
    with pytest.raises(VxpError) as caught:
        a.delete_agency("001.01.01.H16")
    assert caught.value.code == "AGENCY_NOT_SERVED"


def test_directory_served_like_the_sdk(vxp_hub: VxpHub) -> None:
    from vanban.agencies.models import Agency

    Agency.objects.filter(code=B).update(code_qd20="H16.02")
    rows = {r.code: r for r in vxp_hub.client(A).get_agencies_list()}
    assert {A, B} <= set(rows) and rows[B].name == "Sở Nội vụ"
    [qd20] = vxp_hub.client(A).get_agencies_list_qd20()
    assert (qd20.code, qd20.code102) == ("H16.02", B)


def test_a_body_past_the_limit_is_refused_while_streaming(vxp_hub: VxpHub, monkeypatch: pytest.MonkeyPatch,
                                                          settings, tmp_path: Path) -> None:
    """Declared within the slack sendEdoc allows a multipart envelope, but past the limit once
    read: the shared store's streaming write stops it (413 PACKAGE_TOO_LARGE), no temp file left."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("VANBAN_HUB_MAX_PACKAGE_MB", "1")
    data = b"<edXML>" + b"a" * (1024 * 1024) + b"</edXML>"
    before = hub_state()
    status, envelope = _post(f"{vxp_hub.url}/sendEdoc", _send_headers(vxp_hub, data), data, "application/octet-stream")
    _refused(status, envelope, 413, "PACKAGE_TOO_LARGE")
    assert hub_state() == before
    assert list((tmp_path / "hub" / "blobs" / "tmp").iterdir()) == []
