from __future__ import annotations

import json

import pytest

from tests.exchange.conftest import Province
from vanban.audit.models import AuditEvent
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.exchange import inbound
from vanban.exchange.models import DeliveryStatus, InboxEntry, OutboxEntry
from vanban.exchange.services import send_pending
from vanban.incoming import services as incoming
from vanban.outgoing import services
from vanban.pki.samplepdf import make_pdf

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def issue_to_b(p: Province) -> Document:
    a = p.a
    doc = services.create_draft(
        actor=a.specialist, agency=a.agency,
        fields=services.DraftFields(document_type="cong-van", subject="Về việc báo cáo công tác văn thư",
                                    drafting_unit="VP"),
        files=[services.FileInput("cong-van.pdf", make_pdf("CONG VAN so 01"))],
        recipients=[services.RecipientInput(kind="agency", agency_code=p.b.code)])
    services.submit_draft(actor=a.specialist, document=doc, approver=a.leader)
    services.approve_and_sign(actor=a.leader, document=doc)
    return services.issue_document(actor=a.clerk, document=doc)


def statuses(doc: Document) -> list[str]:
    return list(DeliveryStatus.objects.filter(document_id=doc.pk).order_by("status_at", "id")
                .values_list("status_code", flat=True))


def test_issue_travels_to_b_and_statuses_come_back(province: Province) -> None:
    p = province
    sent = issue_to_b(p)
    # Sending happened on commit (tasks run inline in tests): the outbox row is sent.
    row = OutboxEntry.objects.get(document_id=sent.pk)
    assert (row.state, row.attempts) == ("sent", 1), row.last_error
    inbound.poll()  # (after a send the worker already polls once: the package may be here)
    arrived = Document.objects.get(agency=p.b, direction="incoming")
    assert arrived.state == "arrived"
    assert (arrived.issuer_code, arrived.external_id, arrived.notation) == (
        p.a.agency.code, sent.identifier_code, sent.notation)
    assert arrived.incoming.verification["integrity_ok"] is True, arrived.incoming.verification["checks"][0]
    assert arrived.incoming.verification["ok"] is True, arrived.incoming.verification
    assert arrived.main_file().name == "cong-van.pdf"
    entry = InboxEntry.objects.get(kind="document")
    assert entry.acked_at is not None
    # Nothing left in the hub inbox; status 01 travelled back.
    inbound.poll()
    assert statuses(sent) == ["01"]
    incoming.accept_package(actor=p.b_clerk, document=arrived)
    inbound.poll()
    assert statuses(sent) == ["01", "03"]
    arrived.refresh_from_db()
    assert arrived.incoming.arrival_number == 1
    assert AuditEvent.objects.filter(action="exchange.status_received", object_id=str(sent.pk)).count() == 2


def test_polling_twice_creates_one_document(province: Province) -> None:
    p = province
    issue_to_b(p)
    inbound.poll()
    inbound.poll()
    assert Document.objects.filter(agency=p.b, direction="incoming").count() == 1
    assert InboxEntry.objects.filter(kind="document").count() == 1


def test_hub_down_then_up_delivers_once(province: Province, caplog: pytest.LogCaptureFixture) -> None:
    from vanban.core.logfmt import JsonFormatter
    from vanban.exchange.models import HubConnection
    p = province
    HubConnection.objects.update(url="http://127.0.0.1:9/hub/api/v1")  # nothing listens on port 9
    with caplog.at_level("WARNING", logger="vanban.exchange"):
        sent = issue_to_b(p)
    row = OutboxEntry.objects.get(document_id=sent.pk)
    assert row.state == "failed"
    # the operator's log says it as an event with its fields (VANBAN_LOG_FORMAT=json)
    logged = [json.loads(JsonFormatter().format(r)) for r in caplog.records if getattr(r, "event", "")]
    assert [(e["event"], e["outbox"], e["attempt"], e["level"]) for e in logged] == [
        ("exchange.send_failed", row.pk, 1, "WARNING")]
    assert "Không kết nối" in row.last_error or "127.0.0.1:9" in row.last_error
    assert row.next_attempt_at is not None
    HubConnection.objects.update(url=p.hub_url)
    OutboxEntry.objects.update(next_attempt_at=None)  # the sweep's clock, without waiting
    assert send_pending() == 1
    assert send_pending() == 0
    inbound.poll()
    assert Document.objects.filter(agency=p.b, direction="incoming").count() == 1


def test_reject_sends_02_with_the_reason(province: Province) -> None:
    p = province
    sent = issue_to_b(p)
    inbound.poll()
    arrived = Document.objects.get(agency=p.b, direction="incoming")
    with pytest.raises(DocumentError):
        incoming.reject_package(actor=p.b_clerk, document=arrived, reason=" ")
    incoming.reject_package(actor=p.b_clerk, document=arrived, reason="Gửi nhầm cơ quan")
    inbound.poll()
    status = DeliveryStatus.objects.get(document_id=sent.pk, status_code="02")
    assert status.description == "Gửi nhầm cơ quan"


def tampered_package_from_a(p: Province) -> bytes:
    """A package whose envelope is properly signed but whose PDF was changed after the
    leader and the seal signed it — what a compromised sender system could send."""
    import dataclasses

    from vanban import edxml
    from vanban.blobs import get_store
    from vanban.outgoing.edxml_export import document_package
    from vanban.trust import services as trust

    sent = issue_to_b(p)
    pkg = document_package(sent)
    pdf = get_store().get(sent.main_file().sha256)
    at = pdf.index(b"CONG VAN")
    forged = pdf[:at] + b"X" + pdf[at + 1:]
    att = pkg.attachments[0]
    pkg = dataclasses.replace(pkg, document_id=sent.identifier_code + "-x",
                              attachments=(edxml.Attachment(att.name, forged, att.content_type),))
    key, chain = trust.key_and_chain_pem(trust.credential_for(p.a.agency, "system"))
    return edxml.sign_package(edxml.build_package(pkg), key, chain)


def test_tampered_pdf_is_flagged_and_cannot_be_accepted(province: Province) -> None:
    p = province
    p.client.submit(tampered_package_from_a(p))
    inbound.poll()
    forged = Document.objects.get(agency=p.b, direction="incoming", external_id__endswith="-x")
    assert forged.incoming.verification["integrity_ok"] is False
    failed = [c for c in forged.incoming.verification["checks"] if not c["ok"]]
    assert [c["code"] for c in failed] == ["PDF_SIGNATURES"]
    with pytest.raises(DocumentError) as info:
        incoming.accept_package(actor=p.b_clerk, document=forged)
    assert info.value.code == "INTEGRITY_FAILED"
    forged.refresh_from_db()
    assert (forged.state, forged.incoming.arrival_number) == ("arrived", None)
    incoming.reject_package(actor=p.b_clerk, document=forged, reason="Tệp đính kèm bị sửa sau khi ký")


def test_the_office_reuses_the_hubs_signature_verdict_on_the_same_bytes(province: Province) -> None:
    """Issue 23: the hub's intake verifies the package; the office that receives the same bytes
    in this process (the hub runs in the test's live server) gets that verdict from the cache."""
    from vanban.edxml import VERIFICATIONS
    from vanban.hub.models import Package as HubPackage

    VERIFICATIONS.clear()
    sent = issue_to_b(province)
    inbound.poll()  # (after a send the worker already polls once: the office may be done)
    arrived = Document.objects.get(agency=province.b, direction="incoming", external_id=sent.identifier_code)
    envelope = next(c for c in arrived.incoming.verification["checks"] if c["code"] == "ENVELOPE_SIGNATURE")
    assert envelope["ok"] is True, envelope
    # the hub verified each package it took in once (the document, then B's status 01) ...
    assert VERIFICATIONS.misses == HubPackage.objects.count() == 2
    # ... and the office's check before acceptance got the document's verdict from the cache
    assert VERIFICATIONS.hits == 1


def test_the_office_sends_stores_and_acks_in_batches(province: Province, monkeypatch: pytest.MonkeyPatch,
                                                     settings) -> None:
    """Five documents leave in one submission, arrive with their bodies inline in B's inbox
    (no fetch per package) and are acknowledged in one request; all five arrive once."""
    from vanban.exchange.models import HubConnection
    from vanban.hubclient import HubClient

    p = province
    settings.VANBAN_INBOX_DOCUMENTS_PER_ROUND = 10
    HubConnection.objects.update(is_active=False)  # issue everything first, send nothing yet
    docs = [issue_to_b(p) for _ in range(5)]
    HubConnection.objects.update(is_active=True)
    calls: list[str] = []
    acks: list[set[str]] = []
    real = HubClient._call

    def counted(self: HubClient, method: str, path: str, data: bytes | None = None,
                *args: object, **kwargs: object) -> tuple[int, bytes]:
        calls.append(f"{method} {path.split('?', maxsplit=1)[0]}")
        if path == "/acks" and data:
            acks.append(set(json.loads(data)["ids"]))
        return real(self, method, path, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(HubClient, "_call", counted)
    assert send_pending() == 5
    assert calls == ["POST /packages/batch"]
    assert set(OutboxEntry.objects.filter(kind="document").values_list("state", flat=True)) == {"sent"}
    calls.clear()
    inbound.poll()
    arrived = Document.objects.filter(agency=p.b, direction="incoming")
    assert sorted(arrived.values_list("external_id", flat=True)) == sorted(d.identifier_code for d in docs)
    assert all(d.incoming.verification["ok"] for d in arrived)
    assert not [c for c in calls if c.startswith("GET /packages/")]  # every body came inline
    # (B's statuses 01 travel back to A through the same inbox meanwhile, acked in their own rounds)
    document_ids = {str(i) for i in InboxEntry.objects.filter(kind="document").values_list("hub_package_id", flat=True)}
    assert document_ids in acks and not [c for c in calls if c.endswith("/ack")]
    assert InboxEntry.objects.filter(kind="document", acked_at__isnull=True).count() == 0
