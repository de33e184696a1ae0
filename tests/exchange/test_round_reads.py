"""What a sending or receiving round reads once for all its packages, not once per package
(issue 23: the worker's statements per document) — and that every package is still checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.exchange.conftest import system_credential
from tests.exchange.test_exchange_flow import issue_to_b
from tests.faults.harness import Province, issue_many
from tests.office_fixtures import Office
from vanban import edxml
from vanban.agencies.models import Agency
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document
from vanban.exchange import inbound, services
from vanban.exchange.models import DeliveryStatus, OutboxEntry
from vanban.exchange.verification import RoundFacts, validate_pdfs, verify_document
from vanban.trust import services as trust

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _documents(office: Office, count: int) -> list[OutboxEntry]:
    system_credential(office.pki, office.agency)  # the key A signs its envelopes with
    template = issue_to_b(Province(office, Agency.objects.get(code="000.00.02.H16")))
    issue_many(template, count - 1)
    return list(OutboxEntry.objects.filter(kind="document").order_by("id"))


class _Hub:
    def submit_many(self, packages: list[bytes]) -> list[object]:
        return [type("Accepted", (), {"id": f"hub-{i}", "duplicate": False})() for i, _ in enumerate(packages)]


def test_a_sending_round_reads_each_senders_system_key_once(signing_office: Office,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _documents(signing_office, 3)
    real, asked = services._system_key, []

    def system_key(code: str) -> Any:
        asked.append(code)
        return real(code)

    monkeypatch.setattr(services, "_system_key", system_key)
    with CaptureQueriesContext(connection) as queries:
        assert services.send_pending(client=_Hub()) == 3  # type: ignore[arg-type]
    assert asked == [signing_office.agency.code]  # one sender: one read, not one per row
    # The batch's signed bytes recorded in one statement, its rows marked sent in one and their
    # events in one (with the claim's lease: three UPDATEs and one INSERT, not 7 and 3).
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum(s.startswith('UPDATE "exchange_outboxentry"') for s in sql) == 3
    assert sum(s.startswith('INSERT INTO "audit_auditevent"') for s in sql) == 1
    [marked] = [s for s in sql if s.startswith('UPDATE "exchange_outboxentry"') and "'sent'" in s]
    assert marked.count("CASE") == 1  # on the hub id alone: bulk_update built one a field (~1 ms of CPU a row)
    assert AuditEvent.objects.filter(action="exchange.package_sent").count() == 3
    # each row its own hub id, in the order sent (one UPDATE with a CASE on the hub id alone)
    assert [r.hub_package_id for r in OutboxEntry.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")] == [
        "hub-0", "hub-1", "hub-2"]
    for row in rows:  # and every row was signed with it
        row.refresh_from_db()
        assert (row.state, row.attempts, row.lease_until, row.last_error) == ("sent", 1, None, "")
        assert edxml.read_package(services.get_store().get(row.package_sha256), strict=False).certificates()


def test_a_receiving_round_reads_the_trust_facts_once_and_still_checks_every_package(
        signing_office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = [edxml.read_package(services._signed_package(row), strict=False)
             for row in _documents(signing_office, 3)]
    outcomes = validate_pdfs([r.parsed for r in reads], processes=1)  # the round's batch check: three PDFs
    calls: dict[str, int] = {"own": 0, "store": 0, "evidence": 0, "envelope": 0}

    def counted(name: str, fn: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return fn(*args, **kwargs)
        return call

    monkeypatch.setattr(trust, "own_trust_agency", counted("own", trust.own_trust_agency))
    monkeypatch.setattr(trust, "trust_store", counted("store", trust.trust_store))
    monkeypatch.setattr(trust, "keep_report_evidence", counted("evidence", trust.keep_report_evidence))
    monkeypatch.setattr(edxml.PackageRead, "verify", counted("envelope", edxml.PackageRead.verify))
    facts = RoundFacts()
    reports = [verify_document(r.parsed, r, outcomes, facts=facts) for r in reads]
    # were 3, 6 and 3; the evidence is kept once per PDF report (each copy has its own PDF:
    # tests/exchange/test_distinct_copies.py), never twice for one report
    assert (calls["own"], calls["store"], calls["evidence"]) == (1, 1, 3)
    assert len(outcomes) == 3
    assert calls["envelope"] == 3  # every envelope signature verified
    for report in reports:
        checks = {c.code: c.ok for c in report.checks}
        assert checks["ENVELOPE_SIGNATURE"] and checks["PDF_SIGNATURES"] and checks["SENDER_KNOWN"]
    # A package whose PDF was changed in the same round is still caught.
    tampered = reads[0].parsed.attachments[0].read().replace(b"/Type", b"/Typx", 1)
    report = verify_document(reads[1].parsed, reads[1], {}, facts=facts,
                             contents=[tampered, *[a.read() for a in reads[1].parsed.attachments[1:]]])
    assert not report.integrity_ok


def test_an_arrival_answers_01_in_one_insert_without_a_savepoint_of_its_own(signing_office: Office) -> None:
    """The package's transaction holds the arrival: no savepoint around `register_arrival`, and
    status 01 of a document made in it is one INSERT (get_or_create: a SELECT and a savepoint)."""
    row = _documents(signing_office, 1)[0]
    entry = inbound.store("hub-1", {"kind": "document", "from": row.sender_code, "to": row.recipient_code,
                                    "document_id": row.edxml_document_id}, services._signed_package(row))
    with CaptureQueriesContext(connection) as queries:
        assert inbound.process(entry) == inbound.PROCESSED
    sql = [q["sql"] for q in queries.captured_queries]
    # this test's transaction makes the package's own a savepoint; the other guards the document's INSERT
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 2
    assert not [s for s in sql if s.startswith('SELECT') and 'FROM "exchange_outboxentry"' in s]
    doc = Document.objects.get(direction="incoming", external_id=row.edxml_document_id)
    assert OutboxEntry.objects.filter(kind="status", document_id=doc.pk, status_code="01").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_round_reads_document_types_clerks_and_kept_answers_once_and_stores_in_one_insert(
        signing_office: Office) -> None:
    """Per package a round used to read the document types, the clerks to notify and the kept
    CRL/OCSP answers again, and stored each package with a SELECT, a savepoint and an INSERT."""
    rows = _documents(signing_office, 3)
    fetched = [({"id": f"hub-{i}", "kind": "document", "from": r.sender_code, "to": r.recipient_code,
                 "document_id": r.edxml_document_id}, services._signed_package(r)) for i, r in enumerate(rows)]
    with CaptureQueriesContext(connection) as queries:
        entries = inbound.store_many(fetched)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and 'INTO "exchange_inboxentry"' in inserts[0]  # INSERT OR IGNORE on SQLite
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert sorted(entries) == ["hub-0", "hub-1", "hub-2"]
    assert inbound.store_many(fetched[:1])["hub-0"].pk == entries["hub-0"].pk  # stored before: its row kept

    taken = inbound._Taken([(pid, e) for pid, e in entries.items()], {e.pk for e in entries.values()}, {},
                           dict, 0, False)

    class _Acks:
        def ack_many(self, ids: list[str]) -> dict[str, bool]:
            return dict.fromkeys(ids, True)

    with CaptureQueriesContext(connection) as queries:
        assert inbound._finish(_Acks(), taken) == 3  # type: ignore[arg-type]
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "documents_documenttype"' in s for s in sql) == 1
    assert sum('FROM "accounts_user"' in s for s in sql) == 1
    # each PDF names the same answers: looked up for the first package, known kept after its commit
    first_done = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "exchange_inboxentry"'))
    assert any('FROM "trust_revocationevidence"' in s for s in sql[:first_done])
    assert not any('"trust_revocationevidence"' in s for s in sql[first_done:])
    assert Document.objects.filter(direction="incoming").count() == 3
    assert all(d.incoming.verification["ok"] for d in Document.objects.filter(direction="incoming"))


@pytest.mark.django_db(transaction=True)
def test_a_report_whose_package_rolled_back_is_kept_again_by_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two packages of a round with the same PDF share its report: when the first package's
    transaction rolls back (set aside, or an error while keeping), its answers were not kept,
    and the second keeps them; once a package that kept them commits, nobody asks again."""
    from types import SimpleNamespace

    from django.db import transaction

    kept: list[object] = []
    monkeypatch.setattr(trust, "keep_report_evidence", kept.append)
    report = SimpleNamespace(revocation_evidence=[{"kind": "ocsp", "sha256": "a" * 64}])
    facts = RoundFacts()
    with pytest.raises(RuntimeError), transaction.atomic():
        facts.keep_report_evidence(report)  # type: ignore[arg-type]
        raise RuntimeError("the package is set aside")
    with transaction.atomic():
        facts.keep_report_evidence(report)  # type: ignore[arg-type]
    facts.keep_report_evidence(report)  # type: ignore[arg-type]
    other = SimpleNamespace(revocation_evidence=[{"kind": "ocsp", "sha256": "a" * 64}])  # another PDF, same answer
    facts.keep_report_evidence(other)  # type: ignore[arg-type]
    assert [id(r) for r in kept] == [id(report), id(report)]


def test_a_round_records_its_statuses_before_it_waits_for_its_documents_pdf_checks(
        signing_office: Office) -> None:
    """A status needs no PDF check: it is recorded before the round waits for its documents'
    checks in the child processes (issue 23: status latency under a backlog)."""
    rows = _documents(signing_office, 2)
    b = Agency.objects.get(code="000.00.02.H16")
    system_credential(signing_office.pki, b)  # the key B signs its status with
    first = inbound.store("hub-1", {"kind": "document", "from": rows[0].sender_code, "to": b.code,
                                    "document_id": rows[0].edxml_document_id}, services._signed_package(rows[0]))
    assert inbound.process(first) == inbound.PROCESSED  # B registers it and answers 01
    answer = OutboxEntry.objects.get(kind="status", status_code="01")
    status = inbound.store("hub-s", {"kind": "status", "from": b.code, "to": rows[0].sender_code,
                                     "document_id": rows[0].edxml_document_id, "status_code": "01"},
                           services._signed_package(answer))
    document = inbound.store("hub-2", {"kind": "document", "from": rows[1].sender_code, "to": b.code,
                                       "document_id": rows[1].edxml_document_id}, services._signed_package(rows[1]))
    recorded_when_waited: list[list[str]] = []

    def outcomes() -> dict[str, Any]:  # the round's PDF checks, waited for
        recorded_when_waited.append(list(DeliveryStatus.objects.values_list("status_code", flat=True)))
        return {}

    taken = inbound._Taken([("hub-s", status), ("hub-2", document)], {status.pk, document.pk}, {}, outcomes, 0, False)

    class _Acks:
        def ack_many(self, ids: list[str]) -> dict[str, bool]:
            return dict.fromkeys(ids, True)

    assert inbound._finish(_Acks(), taken) == 2  # type: ignore[arg-type]
    assert recorded_when_waited == [["01"]]  # waited once, with the status already recorded
    assert Document.objects.filter(direction="incoming").count() == 2  # the document still registered
    assert list(DeliveryStatus.objects.values_list("document_id", flat=True)) == [rows[0].document_id]
