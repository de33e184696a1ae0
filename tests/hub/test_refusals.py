"""The API contract's edges: duplicates, authentication, ownership, signatures, limits.

Every refusal has the error shape, a stable code, a Vietnamese message, and changed nothing.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from django.conf import settings
from openapi_spec_validator import validate

from tests.hub.conftest import A, B, C, OneHub
from tests.hub.http import Answer, request
from tests.hub.packages import document, make_identity, status
from vanban.audit.models import AuditEvent
from vanban.hub import services
from vanban.hub.models import Delivery, DeliveryState, Package, RefusedPackage, TraceEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def strict_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """The signature refusals here are the strict policy's (the hub's default is lenient:
    tests/hub/test_acceptance_policy.py)."""
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "strict")


def _state() -> tuple[int, ...]:
    """What a refusal must not change: packages, deliveries, trace, the audit chain and blobs —
    apart from the refusal itself, which is held for the operator (its row, its audit event and
    its original bytes; tests/hub/test_quarantine.py checks those)."""
    blobs = Path(settings.DATA_DIR) / "hub" / "blobs"
    held = set(RefusedPackage.objects.exclude(sha256="").values_list("sha256", flat=True))
    files = sum(1 for p in blobs.rglob("*") if p.is_file() and "tmp" not in p.parts and p.name not in held) \
        if blobs.exists() else 0
    return (Package.objects.count(), Delivery.objects.count(), TraceEvent.objects.count(),
            AuditEvent.objects.exclude(action="hub.package_refused").count(), files)


def _refused(answer: Answer, status_code: int, code: str) -> None:
    assert answer.status == status_code, answer.body
    error = answer.json()["error"]
    assert error["code"] == code
    assert error["message"] and not error["message"].isascii()  # Vietnamese, with diacritics


def test_same_package_twice_is_a_duplicate_with_the_same_id(one_hub: OneHub) -> None:
    data, doc_id = document(one_hub.ids[A], B)
    first = one_hub.client(A).submit(data)
    before = _state()
    again = request("POST", f"{one_hub.url}/packages", data=data, token=one_hub.tokens[A])
    assert again.status == 200
    assert again.json() == {"id": first.id, "document_id": doc_id, "duplicate": True}
    assert _state()[:2] == before[:2]  # no new package, no new delivery
    assert len(one_hub.client(B).inbox()) == 1
    # A status is a duplicate only with the same code and time.
    st = status(one_hub.ids[B], A, doc_id, "03")
    assert one_hub.client(B).submit(st).status == 201
    assert one_hub.client(B).submit(st).duplicate is True
    assert one_hub.client(B).submit(status(one_hub.ids[B], A, doc_id, "04")).status == 201


def test_concurrent_submits_of_one_package_store_it_once(one_hub: OneHub) -> None:
    data, _ = document(one_hub.ids[A], B)
    answers: list[Answer] = []

    def send() -> None:
        answers.append(request("POST", f"{one_hub.url}/packages", data=data, token=one_hub.tokens[A]))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(a.status for a in answers) == [200, 200, 200, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert Package.objects.count() == 1 and Delivery.objects.count() == 1


@pytest.mark.parametrize("token", [None, "vbh_wrong", ""])
def test_missing_or_wrong_token_is_401_and_changes_nothing(one_hub: OneHub, token: str | None) -> None:
    data, _ = document(one_hub.ids[A], B)
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=data, token=token), 401, "UNAUTHENTICATED")
    _refused(request("GET", f"{one_hub.url}/inbox", token=token), 401, "UNAUTHENTICATED")
    assert _state() == before


@pytest.mark.parametrize(("header", "status"), [
    ("Bearer {t}", 200), ("bearer {t}", 200), ("BEARER {t}", 200),  # the scheme is case-insensitive
    ("Basic {t}", 401), ("Token {t}", 401), ("{t}", 401), ("Bearer", 401), ("Bearer  {t}", 401),
    ("Bearer {t} extra", 401), ("Bearer\t{t}", 401), ("", 401),
])
def test_the_authorization_header_is_read_as_bearer_auth_reads_it(one_hub: OneHub, header: str, status: int) -> None:
    """The hub reads the header itself (not `request.headers`): the same answers as ninja's
    HttpBearer, whose reading it replaces."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(f"{one_hub.url}/inbox",
                                 headers={"Authorization": header.format(t=one_hub.tokens[B])})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            got, body = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        got, body = exc.code, exc.read()
    assert got == status
    if status == 401:
        assert json.loads(body)["error"]["code"] == "UNAUTHENTICATED"


def test_revoked_endpoint_token_stops_working(one_hub: OneHub) -> None:
    services.revoke_endpoint(name="qlvb-vp", actor="test")
    data, _ = document(one_hub.ids[A], B)
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=data, token=one_hub.tokens[A]), 401,
             "UNAUTHENTICATED")
    assert _state() == before


def test_sender_code_not_served_by_the_caller_is_refused(one_hub: OneHub) -> None:
    data, _ = document(one_hub.ids[A], B)  # signed by A, but submitted with B's token
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=data, token=one_hub.tokens[B]), 422,
             "SENDER_NOT_SERVED")
    assert _state() == before
    assert one_hub.client(B).inbox() == []


def test_tampered_package_is_refused(one_hub: OneHub) -> None:
    data, _ = document(one_hub.ids[A], B)
    tampered = data.replace("V/v thử trục".encode(), "V/v sửa trục".encode())
    assert tampered != data
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=tampered, token=one_hub.tokens[A]), 422,
             "EDXML_SIGNATURE_INVALID")
    assert _state() == before


def test_signed_with_another_key_is_refused(one_hub: OneHub) -> None:
    impostor = make_identity(A, "Kẻ giả danh")
    data, _ = document(impostor, B)
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=data, token=one_hub.tokens[A]), 422,
             "EDXML_SIGNATURE_UNTRUSTED")
    assert _state() == before


def test_sender_without_registered_certificate_is_refused(one_hub: OneHub) -> None:
    from tests.factories import make_agency

    make_agency("000.00.09.H16", "Sở chưa đăng ký chứng thư")
    _, token = services.create_endpoint(name="khong-cert", codes=["000.00.09.H16"], actor="test")
    data, _ = document(make_identity("000.00.09.H16"), B)
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=data, token=token), 422, "SENDER_NO_CERTIFICATE")
    assert _state() == before


def test_unsigned_package_is_refused(one_hub: OneHub) -> None:
    data, _ = document(one_hub.ids[A], B)
    start, end = data.index(b"<Signature"), data.index(b"</Signature>") + len(b"</Signature>")
    before = _state()
    answer = request("POST", f"{one_hub.url}/packages", data=data[:start] + data[end:], token=one_hub.tokens[A])
    _refused(answer, 422, "EDXML_SIGNATURE_MISSING")
    assert _state() == before


@pytest.mark.parametrize(("body", "code"), [
    (b"", "EDXML_MALFORMED"),
    (b"not xml at all", "EDXML_MALFORMED"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><edXML/>', "EDXML_DTD_FORBIDDEN"),
    (b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope/></edXML>', "EDXML_MISSING_FIELD"),
])
def test_malformed_package_is_400_with_the_edxml_code(one_hub: OneHub, body: bytes, code: str) -> None:
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=body, token=one_hub.tokens[A]), 400, code)
    assert _state() == before


def test_too_large_is_413_before_parsing(one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HUB_MAX_PACKAGE_MB", "1")
    data, _ = document(one_hub.ids[A], B, attachment=os.urandom(900_000))  # incompressible: ~1.2 MB
    assert len(data) > 1024 * 1024
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=data, token=one_hub.tokens[A]), 413,
             "PACKAGE_TOO_LARGE")
    assert _state() == before


def test_wrong_content_type_is_415(one_hub: OneHub) -> None:
    data, _ = document(one_hub.ids[A], B)
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=data, token=one_hub.tokens[A],
                     content_type="application/json"), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert request("POST", f"{one_hub.url}/packages", data=data, token=one_hub.tokens[A],
                   content_type="application/octet-stream").status == 201
    assert _state()[0] == before[0] + 1


def test_unknown_recipient_at_the_top_hub_is_refused(one_hub: OneHub) -> None:
    data, _ = document(one_hub.ids[A], B, "000.00.05.H99")
    before = _state()
    _refused(request("POST", f"{one_hub.url}/packages", data=data, token=one_hub.tokens[A]), 422,
             "RECIPIENT_UNKNOWN")
    assert _state() == before


def test_status_13_for_an_unknown_original_is_refused(one_hub: OneHub) -> None:
    before = _state()
    answer = request("POST", f"{one_hub.url}/packages", token=one_hub.tokens[A],
                     data=status(one_hub.ids[A], A, "000.00.01.H16,2026/03/01,999/UBND-VP", "13"))
    _refused(answer, 422, "ORIGINAL_UNKNOWN")
    assert _state() == before


def test_only_sender_and_recipients_may_fetch_trace_or_ack(one_hub: OneHub) -> None:
    data, _ = document(one_hub.ids[A], B)
    sent = one_hub.client(A).submit(data)
    url = f"{one_hub.url}/packages/{sent.id}"
    stranger = one_hub.tokens[C]
    for method, path in (("GET", ""), ("GET", "/trace"), ("POST", "/ack")):
        _refused(request(method, url + path, token=stranger, data=b"" if method == "POST" else None),
                 404, "NOT_FOUND")
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        _refused(request("GET", f"{one_hub.url}/packages/{bad}", token=one_hub.tokens[B]), 404, "NOT_FOUND")
    # The sender may fetch and trace but has nothing to acknowledge.
    assert request("GET", url, token=one_hub.tokens[A]).body == data
    _refused(request("POST", url + "/ack", token=one_hub.tokens[A], data=b""), 404, "NOT_FOUND")
    assert Delivery.objects.get().state == DeliveryState.WAITING


def test_ack_is_idempotent(one_hub: OneHub) -> None:
    data, _ = document(one_hub.ids[A], B)
    sent = one_hub.client(A).submit(data)
    first = one_hub.client(B).ack(sent.id)
    second = one_hub.client(B).ack(sent.id)
    assert first == second
    assert AuditEvent.objects.filter(action="hub.package_delivered").count() == 1
    assert TraceEvent.objects.filter(event="delivered").count() == 1


def test_inbox_limit_and_order(one_hub: OneHub) -> None:
    ids = [one_hub.client(A).submit(document(one_hub.ids[A], B)[0]).id for _ in range(3)]
    assert [e["id"] for e in one_hub.client(B).inbox(limit=2)] == ids[:2]
    _refused(request("GET", f"{one_hub.url}/inbox?limit=0", token=one_hub.tokens[B]), 422, "VALIDATION_ERROR")


def test_agencies_directory_lists_codes_names_and_fingerprints(one_hub: OneHub) -> None:
    rows = one_hub.client(A).agencies()
    assert [r["code"] for r in rows] == [A, B, C]
    by_code = {r["code"]: r for r in rows}
    assert by_code[B]["name"] == "Sở Nội vụ" and by_code[B]["endpoint"] == "qlvb-snv"
    assert len(by_code[B]["certificates"]) == 1 and len(by_code[B]["certificates"][0]) == 64


def test_openapi_is_valid_and_served_without_token(live_server) -> None:
    answer = request("GET", f"{live_server.url}/hub/api/v1/openapi.json")
    assert answer.status == 200
    spec = answer.json()
    validate(spec)
    assert spec["info"]["version"] == "hub-v1"
    for path in ("/hub/api/v1/packages", "/hub/api/v1/inbox", "/hub/api/v1/packages/{package_id}",
                 "/hub/api/v1/packages/{package_id}/ack", "/hub/api/v1/packages/{package_id}/trace",
                 "/hub/api/v1/agencies"):
        assert path in spec["paths"], path
    assert "422" in spec["paths"]["/hub/api/v1/packages"]["post"]["responses"]


def test_inbox_serves_statuses_before_documents(one_hub: OneHub) -> None:
    """Under a backlog of documents a status still comes out first (issue 23)."""
    docs = [one_hub.client(A).submit(document(one_hub.ids[A], B)[0]).id for _ in range(3)]
    status_id = one_hub.client(C).submit(status(one_hub.ids[C], B, f"{B}-2026.1", "01")).id
    assert [e["id"] for e in one_hub.client(B).inbox(limit=2)] == [status_id, docs[0]]
    assert [e["id"] for e in one_hub.client(B).inbox(limit=10)] == [status_id, *docs]
