"""The office sends its statuses before a backlog of documents (issue 23)."""

from __future__ import annotations

import pytest

from vanban.exchange.models import OutboxEntry
from vanban.exchange.services import due_outbox

pytestmark = pytest.mark.django_db


def _row(n: int, kind: str, **extra: object) -> OutboxEntry:
    return OutboxEntry.objects.create(document_id=n, kind=kind, sender_code="000.00.01.H16",
                                      recipient_code="000.00.02.H16", recipient_name="Sở Nội vụ",
                                      edxml_document_id=f"000.00.01.H16-2026.{n}", **extra)


def test_statuses_then_revocations_then_documents() -> None:
    docs = [_row(n, "document") for n in range(1, 6)]
    revocation = _row(9, "revocation")
    statuses = [_row(7, "status", status_code="01"), _row(8, "status", status_code="03")]
    _row(10, "status", status_code="02", state=OutboxEntry.State.SENT)  # done: not due
    order = [r.pk for r in due_outbox(limit=4)]
    assert order == [statuses[0].pk, statuses[1].pk, revocation.pk, docs[0].pk]
    assert [r.pk for r in due_outbox()] == [statuses[0].pk, statuses[1].pk, revocation.pk, *[d.pk for d in docs]]


def test_one_row_that_cannot_be_sent_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row whose package cannot even be read (a lost blob) waits with its error; the rest go."""
    from vanban.exchange import services

    bad = _row(1, "document", package_sha256="0" * 64)  # no such blob
    good = _row(2, "status", status_code="01")
    submitted: list[int] = []

    class Hub:  # the hub's answer is not what is tested here; the office's bookkeeping is
        def submit_many(self, packages: list[bytes]) -> list[object]:
            submitted.extend(len(p) for p in packages)
            return [type("Accepted", (), {"id": "hub-1", "duplicate": False})() for _ in packages]

    monkeypatch.setattr(services, "_sign", lambda row, keys: (b"x", False) if row.pk == good.pk else
                        (services.get_store().get(row.package_sha256), False))
    assert services.send_pending(client=Hub()) == 1  # type: ignore[arg-type]
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (good.state, bad.state) == ("sent", "failed")
    assert bad.attempts == 1 and bad.last_error and bad.next_attempt_at is not None
