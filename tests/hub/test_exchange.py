"""Two agency systems exchange a document and every status through one hub, over real HTTP."""

from __future__ import annotations

import hashlib

import pytest

from tests.hub.conftest import A, B, C, OneHub
from tests.hub.http import request
from tests.hub.packages import document, status
from tests.s3server import tamper
from vanban.audit.models import AuditEvent
from vanban.hub import blobs, conf
from vanban.hub.models import Delivery, DeliveryState, Package, PackageBody
from vanban.hub.services import package_bytes

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_document_and_all_statuses_round_trip(one_hub: OneHub) -> None:
    a, b = one_hub.client(A), one_hub.client(B)
    data, doc_id = document(one_hub.ids[A], B)

    sent = a.submit(data)
    assert (sent.status, sent.document_id, sent.duplicate) == (201, doc_id, False)
    stored = Package.objects.get(pk=sent.id)
    assert package_bytes(stored) == data  # original bytes, exactly
    # A package this small is kept in the database with its row, never made a blob (unless
    # the setting is 0, as in the object-storage run: then it is a blob there).
    if len(data) <= conf.body_in_database_bytes():
        assert bytes(PackageBody.objects.get(package=stored).data) == data
        assert not blobs.store().exists(stored.sha256)
    else:
        assert blobs.store().exists(stored.sha256) and not PackageBody.objects.filter(package=stored).exists()
    assert stored.sha256 == hashlib.sha256(data).hexdigest()

    assert a.inbox() == []
    [entry] = b.inbox()
    assert entry["id"] == sent.id
    assert (entry["kind"], entry["from"], entry["to"], entry["document_id"], entry["status_code"]) == (
        "document", A, B, doc_id, None)
    assert entry["received_at"].endswith("+07:00")
    assert b.fetch(sent.id) == data
    acked = b.ack(sent.id)
    assert acked["delivered"] is True and acked["delivered_at"].endswith("+07:00")
    assert b.inbox() == []
    assert Delivery.objects.get(package_id=sent.id).state == DeliveryState.DELIVERED

    # Every status the receiver sends goes back to the original sender, in order.
    codes = ["01", "03", "04", "05", "06"]
    status_ids = [b.submit(status(one_hub.ids[B], A, doc_id, code)).id for code in codes]
    rejected = b.submit(status(one_hub.ids[B], A, doc_id, "02", description="Sai thể thức")).id
    inbox = a.inbox()
    assert [e["id"] for e in inbox] == [*status_ids, rejected]
    assert [e["status_code"] for e in inbox] == [*codes, "02"]
    assert {(e["kind"], e["from"], e["to"], e["document_id"]) for e in inbox} == {("status", B, A, doc_id)}
    for e in inbox:
        assert a.fetch(e["id"]).startswith(b"<?xml")
        a.ack(e["id"])
    assert a.inbox() == []

    trace = a.trace(sent.id)
    events = [(h["event"], h["agency"]) for h in trace["hops"]]
    assert events[0] == ("received", A)
    assert ("queued", B) in events and ("delivered", B) in events
    assert all(h["at"].endswith("+07:00") for h in trace["hops"])
    assert trace["deliveries"] == [{"to": B, "endpoint": "qlvb-snv", "state": "delivered",
                                    "queued_at": trace["deliveries"][0]["queued_at"],
                                    "delivered_at": acked["delivered_at"]}]
    assert b.trace(sent.id)["id"] == sent.id  # the recipient may read it too

    actions = list(AuditEvent.objects.filter(action__startswith="hub.package").values_list("action", "agency_code"))
    assert actions.count(("hub.package_accepted", A)) == 1
    assert actions.count(("hub.package_delivered", B)) == 1
    assert actions.count(("hub.package_accepted", B)) == 6
    assert actions.count(("hub.package_delivered", A)) == 6


def test_one_document_to_several_recipients_gets_one_delivery_each(one_hub: OneHub) -> None:
    data, _ = document(one_hub.ids[A], B, C)
    sent = one_hub.client(A).submit(data)
    assert sorted(Delivery.objects.filter(package_id=sent.id).values_list("agency_code", flat=True)) == [B, C]
    assert [e["id"] for e in one_hub.client(C).inbox()] == [sent.id]
    one_hub.client(C).ack(sent.id)
    assert [e["id"] for e in one_hub.client(B).inbox()] == [sent.id]  # B's copy still waits


def test_revocation_routes_to_every_recipient_and_confirmations_come_back(one_hub: OneHub) -> None:
    a = one_hub.client(A)
    original, doc_id = document(one_hub.ids[A], B, C, number=900)
    first = a.submit(original)
    revoke, _ = document(one_hub.ids[A], B, C, number=900, business=1)
    notice = a.submit(revoke)
    assert notice.status == 201 and notice.id != first.id  # same DocumentId, another business type
    for code in (B, C):
        assert [e["id"] for e in one_hub.client(code).inbox()] == [first.id, notice.id]
        for e in one_hub.client(code).inbox():
            one_hub.client(code).ack(e["id"])
    # Each recipient confirms (15); the sender sees who confirmed.
    one_hub.client(B).submit(status(one_hub.ids[B], A, doc_id, "15"))
    one_hub.client(C).submit(status(one_hub.ids[C], A, doc_id, "15"))
    confirmed = {(e["from"], e["status_code"]) for e in a.inbox()}
    assert confirmed == {(B, "15"), (C, "15")}


def test_take_back_request_13_goes_to_the_recipients_of_the_original(one_hub: OneHub) -> None:
    a = one_hub.client(A)
    original, doc_id = document(one_hub.ids[A], B, C)
    a.submit(original)
    ask = a.submit(status(one_hub.ids[A], A, doc_id, "13", description="Đề nghị trả lại văn bản"))
    assert ask.status == 201
    for code in (B, C):
        assert ask.id in [e["id"] for e in one_hub.client(code).inbox()]
    assert a.inbox() == []


@pytest.mark.parametrize("kept_in", ["database", "blob store"])
def test_changed_or_missing_bytes_are_refused_not_served(one_hub: OneHub, kept_in: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Every read of an original is re-hashed, wherever it is kept — a small package's body in
    the database, a larger one's blob (local disk or object storage): bytes changed behind the
    hub's back, or gone, are a 500 BLOB_UNREADABLE, never served."""
    monkeypatch.setenv("VANBAN_HUB_BODY_IN_DATABASE_KB", "64" if kept_in == "database" else "0")
    data, _ = document(one_hub.ids[A], B)
    sent = one_hub.client(A).submit(data)
    stored = Package.objects.get(pk=sent.id)
    assert PackageBody.objects.filter(package=stored).exists() == (kept_in == "database")
    assert blobs.store().exists(stored.sha256) == (kept_in == "blob store")
    assert one_hub.client(B).fetch(sent.id) == data
    for changed in (data.replace(b"V/v", b"V/V", 1), None):  # changed, then gone
        if kept_in == "database" and changed is not None:
            PackageBody.objects.filter(package=stored).update(data=changed)
        elif kept_in == "database":
            PackageBody.objects.filter(package=stored).delete()
        else:
            tamper(blobs.store(), stored.sha256, changed)
        answer = request("GET", f"{one_hub.url}/packages/{sent.id}", token=one_hub.tokens[B])
        assert (answer.status, answer.json()["error"]["code"]) == (500, "BLOB_UNREADABLE")
        listed = one_hub.client(B).inbox(inline=1 << 20)  # never inlined either
        assert [e["id"] for e in listed] == [sent.id] and "data" not in listed[0]
