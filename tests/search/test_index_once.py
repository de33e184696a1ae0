"""A document is indexed once per transaction that changed it, however often the transaction
saved it or its files (issue 23: an arrival queued two index jobs, the second re-tokenising
the whole text), and never less than once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from tests.exchange.test_round_reads import _documents
from tests.office_fixtures import Office
from vanban.documents.models import Document
from vanban.exchange import inbound, services
from vanban.search import services as search_services
from vanban.search.models import SearchEntry


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The index jobs queued, in order (each still runs: entries are checked too)."""
    jobs: list[int] = []
    real = search_services.index_document_task

    def job(document_id: int) -> Any:
        jobs.append(document_id)
        return real(document_id)

    monkeypatch.setattr(search_services, "index_document_task", job)
    return jobs


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_arrival_queues_one_index_job_for_its_document(signing_office: Office, queued: list[int]) -> None:
    row = _documents(signing_office, 1)[0]
    entry = inbound.store("hub-1", {"kind": "document", "from": row.sender_code, "to": row.recipient_code,
                                    "document_id": row.edxml_document_id}, services._signed_package(row))
    queued.clear()
    assert inbound.process(entry) == inbound.PROCESSED  # its own transaction, committed
    doc = Document.objects.get(direction="incoming", external_id=row.edxml_document_id)
    assert queued == [doc.pk]  # was [doc.pk, doc.pk]: the document's save and its file's
    assert SearchEntry.objects.get(document_id=doc.pk).body  # the attachment's text is in


def _touch(doc: Document) -> None:
    doc.subject = f"{doc.subject} (sửa)"
    doc.save(update_fields=["subject", "updated_at"])


@pytest.mark.django_db(transaction=True)
def test_one_job_per_changed_document_in_order_and_each_transaction_its_own(
        signing_office: Office, queued: list[int]) -> None:
    first, second = _some_documents(signing_office, 2)
    queued.clear()
    with transaction.atomic():
        for doc in (second, first, second, first, second):
            _touch(doc)
        assert queued == []  # nothing before the commit
    assert queued == [second.pk, first.pk]
    with transaction.atomic():
        _touch(first)
    assert queued == [second.pk, first.pk, first.pk]  # a later transaction: a job of its own
    assert SearchEntry.objects.get(document_id=first.pk).exact.count("sửa") == 3  # its three saves
    with transaction.atomic():
        _touch(second)
        transaction.set_rollback(True)
    assert queued == [second.pk, first.pk, first.pk]  # rolled back: nothing queued


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_does_not_lose_the_transactions_other_documents(
        signing_office: Office, queued: list[int]) -> None:
    first, second = _some_documents(signing_office, 2)
    queued.clear()
    with transaction.atomic():
        try:
            with transaction.atomic():  # the batch is registered inside a savepoint …
                _touch(first)
                raise RuntimeError("undo")
        except RuntimeError:
            pass  # … which rolls back and takes the batch with it
        _touch(second)  # so this change needs a new one
    assert queued == [second.pk]
    first.refresh_from_db()
    assert "(sửa)" not in first.subject
    assert "sửa" in SearchEntry.objects.get(document_id=second.pk).exact


def _some_documents(office: Office, count: int) -> list[Document]:
    rows = _documents(office, count)
    return list(Document.objects.filter(pk__in=[r.document_id for r in rows]).order_by("pk"))


@pytest.mark.django_db(transaction=True)
def test_during_a_long_drain_a_change_queues_no_job_and_the_drains_end_indexes_it(
        signing_office: Office, queued: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    from vanban.jobs import drains

    monkeypatch.setattr(drains, "LONG_DRAIN_SECONDS", 0.0)  # every drain counts as long
    monkeypatch.setattr(drains, "_spell", {"since": 0.0, "idle_since": float("-inf")})
    (doc,) = _some_documents(signing_office, 1)
    queued.clear()
    with drains.draining():  # what the worker's polling loop does while it takes in arrivals
        with transaction.atomic():
            _touch(doc)
        assert queued == []  # the queue is spared a job per arrival
        assert "sửa" not in SearchEntry.objects.get(document_id=doc.pk).exact
    # the follow-up swept at the drain's end (the tests' queue is immediate)
    assert "sửa" in SearchEntry.objects.get(document_id=doc.pk).exact
