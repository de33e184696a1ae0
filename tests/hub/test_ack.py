"""The acknowledgement (issue 23: one statement on PostgreSQL, one transaction on SQLite): what it
writes, what a repeat or a stranger changes (nothing), and two acks of one package at once."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import make_agency
from tests.hub.conftest import A, B, C
from tests.hub.packages import Identity, document
from vanban.audit.models import AuditEvent
from vanban.audit.seal import seal_pending
from vanban.audit.services import verify_chain
from vanban.hub import blobs, services
from vanban.hub.errors import HubError
from vanban.hub.models import Delivery, DeliveryState, Endpoint, Package, TraceEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _setup(ids: dict[str, Identity]) -> tuple[Endpoint, Endpoint, Endpoint]:
    """A sends; one endpoint serves both B and C (one package, two deliveries, one ack); D is a stranger."""
    for code in (A, B, C, "000.00.04.H16"):
        make_agency(code, f"Cơ quan {code}")
    sender, _ = services.create_endpoint(name="qlvb-vp", codes=[A], cert_pem=ids[A].cert_pem(), actor="test")
    both, _ = services.create_endpoint(name="qlvb-snv-stc", codes=[B, C], actor="test")
    stranger, _ = services.create_endpoint(name="qlvb-khac", codes=["000.00.04.H16"], actor="test")
    return sender, both, stranger


def _submit(ids: dict[str, Identity], sender: Endpoint) -> tuple[Package, str]:
    data, document_id = document(ids[A], B, C)
    return services.accept_package(blobs.receive_bytes(data), caller=sender).package, document_id


def _rows() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    deliveries = list(Delivery.objects.order_by("agency_code").values_list("agency_code", "state", "delivered_at"))
    trace = list(TraceEvent.objects.filter(event="delivered").order_by("agency_code")
                 .values_list("agency_code", "endpoint", "detail", "at"))
    audit = list(AuditEvent.objects.filter(action="hub.package_delivered").order_by("agency_code")
                 .values_list("agency_code", "actor_name", "object_type", "object_id", "details", "at"))
    return deliveries, trace, audit


def test_an_ack_delivers_every_delivery_of_the_caller_with_its_trace_and_audit_event(
        ids: dict[str, Identity], queued_jobs: None) -> None:
    sender, both, stranger = _setup(ids)
    package, document_id = _submit(ids, sender)
    with CaptureQueriesContext(connection) as ctx:
        package_id, delivered_at = services.acknowledge(str(package.pk), both)
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1, [q["sql"][:80] for q in ctx.captured_queries]
    assert package_id == str(package.pk)
    deliveries, trace, audit = _rows()
    assert deliveries == [(B, DeliveryState.DELIVERED, delivered_at), (C, DeliveryState.DELIVERED, delivered_at)]
    detail = "Hệ thống nơi nhận xác nhận đã nhận"
    assert trace == [(B, "qlvb-snv-stc", detail, delivered_at), (C, "qlvb-snv-stc", detail, delivered_at)]
    details = {"document_id": document_id, "endpoint": "qlvb-snv-stc"}
    assert audit == [(code, "qlvb-snv-stc", "hub.package", str(package.pk), details, delivered_at) for code in (B, C)]
    assert seal_pending() > 0 and verify_chain().ok  # the events chain like any other

    # A repeat answers the same time and writes nothing; a stranger and the sender get NOT_FOUND.
    assert services.acknowledge(str(package.pk), both) == (package_id, delivered_at)
    for caller in (stranger, sender):
        with pytest.raises(HubError) as refused:
            services.acknowledge(str(package.pk), caller)
        assert refused.value.code == "NOT_FOUND"
    assert _rows() == (deliveries, trace, audit)


def test_many_acks_answer_each_id(ids: dict[str, Identity]) -> None:
    sender, both, stranger = _setup(ids)
    first, _ = _submit(ids, sender)
    second, _ = _submit(ids, sender)
    services.acknowledge(str(first.pk), both)
    answers = services.acknowledge_many([str(first.pk), str(second.pk), "khong-phai-ma",
                                         "00000000-0000-0000-0000-000000000000"], both)
    assert answers[str(first.pk)][1] < answers[str(second.pk)][1]  # type: ignore[index,operator]
    assert [isinstance(answers[k], HubError) for k in ("khong-phai-ma", "00000000-0000-0000-0000-000000000000")] \
        == [True, True]
    assert Delivery.objects.filter(state=DeliveryState.WAITING).count() == 0
    assert TraceEvent.objects.filter(event="delivered").count() == 4
    assert AuditEvent.objects.filter(action="hub.package_delivered").count() == 4
    assert isinstance(services.acknowledge_many([str(second.pk)], stranger)[str(second.pk)], HubError)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of two sessions: PostgreSQL")
def test_an_ack_that_waited_for_another_answers_the_time_of_the_first(ids: dict[str, Identity]) -> None:
    """Two acks of one package at once: the second waits for the first's row locks, then finds the
    deliveries delivered — it answers their time, and nothing is written twice."""
    sender, both, _ = _setup(ids)
    package, _ = _submit(ids, sender)
    answers: dict[str, tuple[str, datetime] | HubError] = {}
    release, first_done = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():  # the first ack holds its row locks until released
                answers["first"] = services.acknowledge_many([str(package.pk)], both)[str(package.pk)]
                first_done.set()
                release.wait(30)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            answers["second"] = services.acknowledge_many([str(package.pk)], both)[str(package.pk)]
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert first_done.wait(30)
    two = threading.Thread(target=second)
    two.start()
    deadline, waiting = time.monotonic() + 30, 0
    with connection.cursor() as cursor:
        while not waiting and time.monotonic() < deadline:  # until the second waits for the first's rows
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'")
            row = cursor.fetchone()
            waiting = row[0] if row else 0
    release.set()
    one.join(30)
    two.join(30)
    assert waiting == 1
    assert not isinstance(answers["first"], HubError) and answers["second"] == answers["first"]
    delivered_at = answers["first"][1]
    assert list(Delivery.objects.values_list("state", "delivered_at")) == [(DeliveryState.DELIVERED, delivered_at)] * 2
    assert TraceEvent.objects.filter(event="delivered").count() == 2
    assert AuditEvent.objects.filter(action="hub.package_delivered").count() == 2
