"""The hub away, then back (real HTTP to the live server; the "away" is a port nobody listens
on): what failed only because it was away is sent as soon as the hub answers again — the first
poll whose listing answers after one that found it away — not at the end of a backoff that grew
to an hour during the outage. Once per outage, not at every poll; a package the hub refused, or
a request it took and did not answer, keeps its backoff."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b
from tests.exchange.test_statuses_first import _row
from vanban.core.http import HttpStatusError, UnreachableError
from vanban.exchange import inbound, services
from vanban.exchange.models import HubConnection, OutboxEntry
from vanban.hub.models import Package


def _nobody_listens() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hub/api/v1"


@pytest.mark.unit
def test_only_no_answer_or_a_gateway_for_a_missing_hub_is_the_hub_away() -> None:
    assert services.hub_away(UnreachableError("connection refused", connected=False))
    assert not services.hub_away(UnreachableError("read timeout"))  # it took the request: maybe the package's doing
    assert services.hub_away(HttpStatusError(502, "HTTP_ERROR", "Bad Gateway"))
    assert services.hub_away(HttpStatusError(504, "HTTP_ERROR", "Gateway Timeout"))
    for status in (400, 403, 409, 500, 503):  # the hub's own answer: about the package, or the hub refusing
        assert not services.hub_away(HttpStatusError(status, "X", "x"))
    assert not services.hub_away(ValueError("lost blob"))


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_rows_the_hub_missed_go_when_it_answers_and_refused_ones_keep_waiting(province: Province) -> None:
    p = province
    HubConnection.objects.update(url=_nobody_listens())
    doc = issue_to_b(p)  # sent at once (the inline queue): nobody answers
    row = OutboxEntry.objects.get(document_id=doc.pk, kind="document")
    assert (row.state, row.error_code, row.attempts) == ("failed", "HUB_AWAY", 1)
    assert row.next_attempt_at is not None and row.next_attempt_at > timezone.now()
    # A long outage: the tenth attempt failed, the next is an hour away.
    hour = timezone.now() + timedelta(hours=1)
    OutboxEntry.objects.filter(pk=row.pk).update(attempts=10, next_attempt_at=hour)
    refused = _row(doc.pk + 1000, "document", state=OutboxEntry.State.FAILED, attempts=3,
                   error_code="EDXML_SIGNATURE_INVALID", next_attempt_at=hour)
    inbound.poll()  # a poll while the hub is still away: nothing moves
    assert OutboxEntry.objects.get(pk=row.pk).next_attempt_at == hour
    client = Client()
    client.force_login(p.a.clerk)  # the document's page says so in words, not "[Errno 111] …"
    page = client.get(reverse("document_detail", args=[doc.pk])).content.decode()
    assert "Trục liên thông chưa phản hồi; văn bản sẽ được gửi lại ngay khi trục hoạt động trở lại." in page
    assert "Errno" not in page

    HubConnection.objects.update(url=p.hub_url)  # the hub is back
    inbound.poll()  # the minute's poll lists the inbox: the hub answers; the sender is woken
    row.refresh_from_db()
    assert (row.state, row.error_code, row.last_error, row.attempts) == ("sent", "", "", 11)
    assert Package.objects.filter(document_id=doc.identifier_code, kind="document").count() == 1
    refused.refresh_from_db()
    assert (refused.state, refused.next_attempt_at, refused.attempts) == ("failed", hour, 3)


class _Inbox:
    """A hub's inbox listing, away or answering (the sending side is not used here)."""

    def __init__(self) -> None:
        self.away = True

    def inbox(self, limit: int = 100, *, inline: int = 0) -> list[dict[str, object]]:
        if self.away:
            raise UnreachableError("http://127.0.0.1:9/hub/api/v1: không kết nối được", connected=False)
        return []


@pytest.mark.django_db
def test_rows_are_resumed_once_per_outage_and_other_failures_keep_their_wait() -> None:
    later = timezone.now() + timedelta(minutes=40)  # backoffs grown during the outage
    failed = OutboxEntry.State.FAILED
    missed = _row(1, "document", state=failed, attempts=6, error_code="HUB_AWAY", next_attempt_at=later)
    refused = _row(2, "document", state=failed, attempts=2, error_code="EDXML_SIGNATURE_INVALID",
                   next_attempt_at=later)
    unanswered = _row(3, "document", state=failed, attempts=4, error_code="UnreachableError", next_attempt_at=later)
    hub = _Inbox()
    inbound.poll(client=hub)  # type: ignore[arg-type]  # the listing finds the hub away
    assert OutboxEntry.objects.get(pk=missed.pk).next_attempt_at == later

    hub.away = False
    inbound.poll(client=hub)  # type: ignore[arg-type]  # it answers again
    missed.refresh_from_db()
    assert missed.next_attempt_at is not None and missed.next_attempt_at <= timezone.now()
    assert (missed.state, missed.attempts) == ("failed", 6)  # due now; its attempts still count
    assert [OutboxEntry.objects.get(pk=r.pk).next_attempt_at for r in (refused, unanswered)] == [later, later]

    # The next polls answer too: nothing more is resumed (a row that failed since waits its turn).
    OutboxEntry.objects.filter(pk=missed.pk).update(next_attempt_at=later)
    inbound.poll(client=hub)  # type: ignore[arg-type]
    assert OutboxEntry.objects.get(pk=missed.pk).next_attempt_at == later
