"""The insider's attack: rewrite the whole chain in SQL (triggers dropped, every hash and the
head recomputed, even the local checkpoints re-signed with the system key). The chain is then
consistent with itself and with the local checkpoints; the hub's copy gives it away."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command

from tests.audit.conftest import WitnessHub
from tests.audit.insider import raw, triggers_dropped
from vanban.audit import anchor
from vanban.audit.chain import GENESIS, event_hash
from vanban.audit.models import AuditEvent, Checkpoint
from vanban.audit.services import record_event
from vanban.audit.tasks import checkpoint_round
from vanban.audit.verify import verify_all
from vanban.audit.witness import hub_client
from vanban.exchange.models import HubConnection

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_hub(witness_hub: WitnessHub, live_server) -> WitnessHub:
    HubConnection.objects.update(url=f"{live_server.url}/hub/api/v1")
    return witness_hub


def _history() -> None:
    record_event("documents.accepted", actor="vanthu", agency_code="000.00.01.H16",
                 object_type="documents.document", object_id="41", details={"số đến": 12})
    record_event("documents.assigned", actor="lanhdao", object_type="documents.document", object_id="41")
    record_event("documents.completed", actor="chuyenvien", object_type="documents.document", object_id="41")


def _rewrite_whole_chain(target_id: int) -> None:
    """Change one event's actor, recompute every hash after it, move the head (raw SQL)."""
    prev = GENESIS
    with triggers_dropped():
        for ev in AuditEvent.objects.order_by("id"):
            actor = "mallory" if ev.id == target_id else ev.actor_name
            digest = event_hash(prev, at=ev.at, actor_id=ev.actor_id, actor_name=actor,
                                agency_code=ev.agency_code, action=ev.action, object_type=ev.object_type,
                                object_id=ev.object_id, details=ev.details, ip_address=ev.ip_address)
            raw("UPDATE audit_auditevent SET actor_name = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [actor, prev, digest, ev.id])
            prev = digest
        raw("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1", [prev])
        # Re-sign and re-timestamp the local checkpoints, as an insider holding the key could.
        hashes = list(AuditEvent.objects.order_by("id").values_list("hash", flat=True))
        from vanban.trust.services import audit_signing_credential, key_and_chain_pem

        key, _ = key_and_chain_pem(audit_signing_credential())
        for cp in Checkpoint.objects.all():
            head = hashes[cp.event_count - 1]
            payload = anchor.make_payload(sequence=cp.sequence, head_hash=head, event_count=cp.event_count,
                                          last_event_id=cp.last_event_id, at=cp.created_at,
                                          signer_fingerprint=cp.certificate_fingerprint)
            token = anchor.request_timestamp(anchor.settings.VANBAN_AUDIT_TSA_URL, payload.encode())
            raw("UPDATE audit_checkpoint SET head_hash = %s, payload = %s, signature = %s, timestamp_token = %s "
                "WHERE id = %s", [head, payload, base64.b64encode(anchor._sign(key, payload.encode())).decode(),
                                  base64.b64encode(token).decode(), cp.pk])


def test_a_whole_chain_rewrite_is_caught_by_the_hub_witness(live_hub: WitnessHub,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    _history()
    assert checkpoint_round() == 1  # signed, timestamped, sent; the hub keeps it
    cp = Checkpoint.objects.get()
    assert cp.witnessed_at is not None and cp.timestamp_token
    record_event("documents.archived", actor="luutru")
    client = hub_client()
    assert client is not None
    before = verify_all(client=client)
    assert before.ok, before.problems
    assert (before.local_checkpoints, before.witnessed_checkpoints) == (1, 1)

    target = AuditEvent.objects.get(action="documents.accepted")
    _rewrite_whole_chain(target.id)

    alone = verify_all(client=None)  # without the hub the rewrite is invisible ...
    assert alone.ok, alone.problems
    assert [w.code for w in alone.warnings] == ["AUDIT_NOT_WITNESSED"]
    report = verify_all(client=client)  # ... with it, it is named
    codes = [p.code for p in report.problems]
    assert "AUDIT_CHECKPOINT_CHANGED" in codes
    assert "AUDIT_CHAIN_REWRITTEN" in codes
    rewritten = next(p for p in report.problems if p.code == "AUDIT_CHAIN_REWRITTEN")
    assert "mốc neo số 1 (trục)" in rewritten.message

    # The insider also repoints the stored hub connection; the auditor names the real hub.
    real_url = client.base_url
    HubConnection.objects.update(url="http://127.0.0.1:9/hub/api/v1")
    assert "AUDIT_WITNESS_UNREACHABLE" in [p.code for p in verify_all(client=hub_client()).problems]
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", "--hub-url", real_url)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "[AUDIT_CHAIN_REWRITTEN]" in err and "đã bị viết lại" in err


def test_deleted_events_and_deleted_checkpoints_are_named(live_hub: WitnessHub) -> None:
    _history()
    assert checkpoint_round() == 1
    client = hub_client()
    assert client is not None and verify_all(client=client).ok
    witnessed = Checkpoint.objects.get().event_count
    last_two = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:2])
    with triggers_dropped():
        raw("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", last_two)
        raw("UPDATE audit_chainhead SET last_hash = (SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1), "
            "count = count - 2 WHERE id = 1")
        raw("DELETE FROM audit_checkpoint")
    report = verify_all(client=client)
    codes = {p.code for p in report.problems}
    assert {"AUDIT_CHECKPOINT_MISSING", "AUDIT_EVENTS_MISSING"} <= codes
    missing = next(p for p in report.problems if p.code == "AUDIT_EVENTS_MISSING")
    remaining = AuditEvent.objects.count()
    assert f"ghi {witnessed}, chuỗi chỉ còn {remaining}: {witnessed - remaining} sự kiện đã bị xóa" \
        in missing.message.replace(" sự kiện, chuỗi", ", chuỗi")


def test_a_dropped_trigger_is_reported_and_an_unreachable_hub_fails(witness_hub: WitnessHub) -> None:
    _history()
    with triggers_dropped(restore=False):
        pass
    client = hub_client()  # the connection points at a closed port
    report = verify_all(client=client)
    codes = {p.code for p in report.problems}
    assert {"AUDIT_GUARD_MISSING", "AUDIT_WITNESS_UNREACHABLE"} <= codes
    from django.db import connection

    from vanban.audit import guard

    guard.install(connection, [guard.AUDIT_EVENTS, guard.AUDIT_CHECKPOINTS])
