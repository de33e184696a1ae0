"""Batches on the hub API over real HTTP: many packages in one submission, inbox bodies
inline, many acks in one transaction — and a bad package or id never spoils the others."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import httpx
import pytest

from tests.hub.conftest import A, B, OneHub
from tests.hub.packages import document, status
from vanban.hub import conf, queries
from vanban.hub.models import Delivery, DeliveryState, Package, RefusedPackage
from vanban.hub.services import package_bytes
from vanban.hubclient import HubClient, HubHttpError, Submitted

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _post(hub: OneHub, code: str, path: str, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.post(f"{hub.url}{path}", content=body, timeout=30,
                      headers={"Authorization": f"Bearer {hub.tokens[code]}", "Content-Type": content_type})


def test_submit_many_answers_each_package_in_order(one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "strict")  # a broken envelope signature is refused
    a = one_hub.client(A)
    first, first_id = document(one_hub.ids[A], B)
    second, second_id = document(one_hub.ids[A], B)
    original = document(one_hub.ids[A], B)[0]
    tampered = original.replace("V/v thử trục".encode(), "V/v sửa trục".encode())
    assert tampered != original
    answer = a.submit_many([first, tampered, second, first])

    assert [r.status for r in answer] == [201, 422, 201, 200]
    ok, refused, ok2, again = answer
    assert isinstance(ok, Submitted) and isinstance(ok2, Submitted) and isinstance(again, Submitted)
    assert (ok.document_id, ok2.document_id) == (first_id, second_id)
    assert again.duplicate and again.id == ok.id
    assert isinstance(refused, HubHttpError) and refused.code == "EDXML_SIGNATURE_INVALID"
    stored = {str(p.pk): p for p in Package.objects.all()}
    assert set(stored) == {ok.id, ok2.id}  # the refused one stored nowhere but the operator's list
    assert package_bytes(stored[ok.id]) == first and package_bytes(stored[ok2.id]) == second
    held = RefusedPackage.objects.get()
    assert held.sha256 == hashlib.sha256(tampered).hexdigest()


def test_inbox_inline_and_ack_many(one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = one_hub.client(A), one_hub.client(B)
    packages = [document(one_hub.ids[A], B)[0] for _ in range(3)]
    ids = [r.id for r in a.submit_many(packages)]  # type: ignore[union-attr]
    a_status = b.submit(status(one_hub.ids[B], A, "000.00.01.H16-2026.1", "01")).id

    listed = b.inbox(inline=10**6)
    assert [i["id"] for i in listed] == ids
    assert [i["data"] for i in listed] == packages  # the exact bytes, no fetch needed
    assert [i["sha256"] for i in listed] == [hashlib.sha256(p).hexdigest() for p in packages]
    assert [i["size"] for i in listed] == [len(p) for p in packages]
    assert all("data" not in i for i in b.inbox())  # inline only when asked
    assert all("data" not in i for i in b.inbox(inline=len(packages[0]) - 1))  # nor when too big
    # The answer's budget: only what fits is inline; the rest is listed, to be fetched.
    monkeypatch.setattr(conf, "inbox_inline_bytes", lambda: len(packages[0]) + len(packages[1]))
    assert ["data" in i for i in b.inbox(inline=10**6)] == [True, True, False]

    unknown, garbage = str(uuid.uuid4()), "khong-phai-uuid"
    assert a.ack_many([ids[0]]) == {ids[0]: False}  # the sender does not ack for the recipient
    assert b.ack_many([ids[0], unknown, ids[1], garbage, a_status]) == {
        ids[0]: True, unknown: False, ids[1]: True, garbage: False, a_status: False}
    assert [i["id"] for i in b.inbox()] == [ids[2]]
    states = dict(Delivery.objects.filter(package_id__in=ids).values_list("package_id", "state"))
    assert [states[uuid.UUID(i)] for i in ids] == [DeliveryState.DELIVERED, DeliveryState.DELIVERED,
                                                   DeliveryState.WAITING]
    assert b.ack_many([ids[0], ids[2]]) == {ids[0]: True, ids[2]: True}  # again: changes nothing for ids[0]
    assert b.inbox() == []
    hops = [h["event"] for h in a.trace(ids[0])["hops"]]
    assert hops.count("delivered") == 1
    assert [i["id"] for i in a.inbox(inline=10**6)] == [a_status]


def test_a_bad_batch_is_refused_whole_and_changes_nothing(one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    good = base64.b64encode(document(one_hub.ids[A], B)[0]).decode()
    cases = [
        (b'{"packages": ["' + good.encode() + b'"]}', "application/xml", 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b"{not json", "application/json", 422, "BAD_BATCH"),
        (b'{"packages": []}', "application/json", 422, "BAD_BATCH"),
        (json.dumps({"packages": [good] * 101}).encode(), "application/json", 422, "BAD_BATCH"),
        (b'{"packages": [42]}', "application/json", 422, "BAD_BATCH"),
    ]
    for body, content_type, code, error in cases:
        answer = _post(one_hub, A, "/packages/batch", body, content_type)
        assert (answer.status_code, answer.json()["error"]["code"]) == (code, error), answer.text
        assert answer.json()["error"]["message"]  # Vietnamese, for the operator
    monkeypatch.setattr(conf, "max_batch_bytes", lambda: len(good))
    answer = _post(one_hub, A, "/packages/batch", json.dumps({"packages": [good]}).encode())
    assert (answer.status_code, answer.json()["error"]["code"]) == (413, "BATCH_TOO_LARGE")
    assert not Package.objects.exists()


def test_one_bad_item_does_not_spoil_the_batch(one_hub: OneHub) -> None:
    data, doc_id = document(one_hub.ids[A], B)
    body = json.dumps({"packages": ["@@không phải base64@@", base64.b64encode(data).decode()]}).encode()
    answer = _post(one_hub, A, "/packages/batch", body)
    assert answer.status_code == 200
    bad, ok = answer.json()["results"]
    assert (bad["index"], bad["status"], bad["error"]["code"]) == (0, 400, "BAD_BASE64")
    assert (ok["index"], ok["status"], ok["document_id"], ok["duplicate"]) == (1, 201, doc_id, False)
    assert Package.objects.get().document_id == doc_id


def test_acks_refuse_a_malformed_list(one_hub: OneHub) -> None:
    for body in (b'{"ids": []}', json.dumps({"ids": ["x"] * 501}).encode(), b'{"ids": "x"}'):
        answer = _post(one_hub, B, "/acks", body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"]


def test_batches_are_in_the_openapi(one_hub: OneHub) -> None:
    spec = httpx.get(f"{one_hub.url}/openapi.json", timeout=30).json()
    batch = spec["paths"]["/hub/api/v1/packages/batch"]["post"]
    assert batch["requestBody"]["content"]["application/json"]["schema"]["properties"]["packages"]["maxItems"] == 100
    assert "/hub/api/v1/acks" in spec["paths"]
    inline = [p for p in spec["paths"]["/hub/api/v1/inbox"]["get"]["parameters"] if p["name"] == "inline"]
    assert inline and inline[0]["schema"]["maximum"] == queries.MAX_INLINE


def test_an_older_hub_without_batches_is_sent_one_by_one(one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hub that answers 404 to the batch endpoints (an earlier version): the client notices
    once and sends, lists and acks package by package against the same live hub."""
    a, b = one_hub.client(A), one_hub.client(B)
    calls: list[str] = []
    real = HubClient._call

    def older_hub(self: HubClient, method: str, path: str, *args: object, **kwargs: object) -> tuple[int, bytes]:
        calls.append(f"{method} {path.split('?', maxsplit=1)[0]}")
        if path in ("/packages/batch", "/acks"):
            raise HubHttpError(404, "NOT_FOUND", "Not Found")
        return real(self, method, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(HubClient, "_call", older_hub)
    sent = a.submit_many([document(one_hub.ids[A], B)[0] for _ in range(2)])
    assert [r.status for r in sent] == [201, 201]
    assert calls == ["POST /packages/batch", "POST /packages", "POST /packages"]
    ids = [r.id for r in sent]  # type: ignore[union-attr]
    assert b.ack_many(ids) == dict.fromkeys(ids, True)
    assert calls[3:] == ["POST /acks", f"POST /packages/{ids[0]}/ack", f"POST /packages/{ids[1]}/ack"]
    assert b.inbox() == []


def test_an_inline_body_that_does_not_match_its_hash_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hub (or anything between) that sends other bytes than the SHA-256 it lists, or no
    base64 at all: the client drops the body, so the office fetches it and checks it anew."""
    good, other = b"<edXML>goc</edXML>", b"<edXML>sua</edXML>"
    listed = [
        {"id": "1", "sha256": hashlib.sha256(good).hexdigest(), "data": base64.b64encode(good).decode()},
        {"id": "2", "sha256": hashlib.sha256(good).hexdigest(), "data": base64.b64encode(other).decode()},
        {"id": "3", "sha256": hashlib.sha256(good).hexdigest(), "data": "@@ khong phai base64 @@"},
        {"id": "4", "sha256": hashlib.sha256(good).hexdigest()},
    ]
    monkeypatch.setattr(HubClient, "_call", lambda self, method, path, *a, **k: (200, json.dumps(listed).encode()))
    got = HubClient("http://127.0.0.1:9/hub/api/v1", "t").inbox(inline=1 << 20)
    assert [i.get("data") for i in got] == [good, None, None, None]
