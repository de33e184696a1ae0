"""Checkpoints: signed with the system key, RFC 3161-timestamped by the test TSA, kept by the
hub; the hub refuses what would let a rewritten chain pass."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from tests.audit.conftest import AnchoredOffice, WitnessHub
from vanban.audit import anchor
from vanban.audit.anchor import as_wire, check_timestamp, create_checkpoint, signature_valid
from vanban.audit.models import Checkpoint
from vanban.audit.services import record_event
from vanban.hub.witness_models import WitnessedCheckpoint

pytestmark = pytest.mark.django_db


def test_checkpoint_is_signed_with_the_system_key_and_timestamped(anchored_office: AnchoredOffice) -> None:
    record_event("test.one")
    record_event("test.two")
    stamped_before = anchored_office.tsa.server.hits.get("/tsa", 0)  # the TSA serves the whole session
    cp = create_checkpoint()
    assert cp is not None
    doc = json.loads(cp.payload)
    assert (doc["sequence"], doc["event_count"]) == (1, anchor.AuditEvent.objects.count())
    assert cp.head_hash == doc["head_hash"] == anchor.ChainHead.objects.get(pk=1).last_hash
    assert cp.certificate_fingerprint == anchored_office.credential.fingerprint
    assert signature_valid(cp.certificate_pem, cp.payload, cp.signature)
    assert not signature_valid(cp.certificate_pem, cp.payload.replace('"sequence":1', '"sequence":2'),
                               cp.signature)
    assert anchored_office.tsa.server.hits.get("/tsa") == stamped_before + 1
    token = base64.b64decode(cp.timestamp_token)
    stamp = check_timestamp(token, cp.payload.encode())
    assert stamp.ok, stamp.reason
    assert not check_timestamp(token, b"another payload").ok
    assert create_checkpoint() is None  # nothing happened since: no second checkpoint
    record_event("test.three")
    assert create_checkpoint().sequence == 2  # type: ignore[union-attr]


def test_without_a_system_key_no_checkpoint_is_made(db: None, settings) -> None:
    settings.VANBAN_AUDIT_TSA_URL = ""
    record_event("test.one")
    with pytest.raises(anchor.AnchorError) as info:
        create_checkpoint()
    assert info.value.code == "AUDIT_NO_SYSTEM_KEY"
    assert Checkpoint.objects.count() == 0


def _post(hub: WitnessHub, body: dict[str, str]) -> tuple[int, dict]:
    response = Client().post("/hub/api/v1/witness/checkpoints", data=json.dumps(body),
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {hub.token}")
    return response.status_code, response.json()


def test_hub_keeps_a_checkpoint_once_and_refuses_a_different_one_under_the_same_number(
        witness_hub: WitnessHub) -> None:
    record_event("test.one")
    cp = create_checkpoint()
    assert cp is not None
    status, body = _post(witness_hub, as_wire(cp))
    assert status == 201 and body["sequence"] == 1 and body["head_hash"] == cp.head_hash
    status, body = _post(witness_hub, as_wire(cp))
    assert status == 200 and body["duplicate"] is True
    # The same number with another head, properly signed (an insider holding the key).
    key, _ = anchor_key()
    forged = anchor.make_payload(sequence=1, head_hash="a" * 64, event_count=1, last_event_id=cp.last_event_id,
                                 at=cp.created_at, signer_fingerprint=cp.certificate_fingerprint)
    status, body = _post(witness_hub, {**as_wire(cp), "payload": forged,
                                       "signature": base64.b64encode(anchor._sign(key, forged.encode())).decode()})
    assert status == 409 and body["error"]["code"] == "CHECKPOINT_CONFLICT"
    kept = WitnessedCheckpoint.objects.get()
    assert kept.payload == cp.payload and kept.head_hash == cp.head_hash


def anchor_key() -> tuple[object, bytes]:
    from vanban.trust.services import audit_signing_credential, key_and_chain_pem

    return key_and_chain_pem(audit_signing_credential())


def test_hub_refuses_a_count_going_backwards_a_bad_signature_and_a_stranger(
        witness_hub: WitnessHub, anchored_office: AnchoredOffice) -> None:
    for n in range(3):
        record_event(f"test.{n}")
    first = create_checkpoint()
    assert first is not None and _post(witness_hub, as_wire(first))[0] == 201
    key, _ = anchor_key()
    fewer = anchor.make_payload(sequence=2, head_hash="b" * 64, event_count=1, last_event_id=1,
                                at=first.created_at, signer_fingerprint=first.certificate_fingerprint)
    status, body = _post(witness_hub, {**as_wire(first), "payload": fewer,
                                       "signature": base64.b64encode(anchor._sign(key, fewer.encode())).decode()})
    assert (status, body["error"]["code"]) == (409, "CHECKPOINT_REGRESSION")
    more = fewer.replace('"event_count":1', '"event_count":9')
    status, body = _post(witness_hub, {**as_wire(first), "payload": more,
                                       "signature": base64.b64encode(anchor._sign(key, fewer.encode())).decode()})
    assert (status, body["error"]["code"]) == (400, "CHECKPOINT_BAD_SIGNATURE")
    stranger = anchored_office.tsa.stranger
    pem = stranger.cert_pem().decode()
    own = anchor.make_payload(sequence=2, head_hash="c" * 64, event_count=5, last_event_id=1,
                              at=first.created_at, signer_fingerprint=anchor.fingerprint(pem))
    signature = base64.b64encode(anchor._sign(stranger.key, own.encode())).decode()
    status, body = _post(witness_hub, {"payload": own, "certificate_pem": pem, "signature": signature})
    assert (status, body["error"]["code"]) == (403, "CHECKPOINT_UNKNOWN_SIGNER")
    status, body = _post(witness_hub, {"payload": "not json", "signature": "", "certificate_pem": pem})
    assert (status, body["error"]["code"]) == (400, "CHECKPOINT_MALFORMED")
    assert list(WitnessedCheckpoint.objects.values_list("sequence", flat=True)) == [1]
    response = Client().get("/hub/api/v1/witness/checkpoints", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401


def test_checkpoint_command_keeps_the_checkpoint_when_the_hub_is_down(
        witness_hub: WitnessHub, capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    record_event("test.one")
    call_command("audit", "checkpoint")  # the hub connection points at a closed port
    out = capsys.readouterr().out
    cp = Checkpoint.objects.get()
    assert f"Mốc neo số 1: {cp.event_count} sự kiện" in out and "Đã gửi 0 mốc neo" in out
    assert cp.witnessed_at is None and "127.0.0.1:9" in cp.witness_error
    assert not WitnessedCheckpoint.objects.exists()
