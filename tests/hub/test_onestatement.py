"""The hub's writes of one step as one statement (PostgreSQL) or one transaction (SQLite): all or
nothing, a conflict leaves nothing behind, a caller's transaction carries on after it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_agency
from vanban.audit.models import AuditEvent
from vanban.audit.services import new_event
from vanban.hub import onestatement
from vanban.hub.models import Delivery, DeliveryState, Endpoint, Package, TraceEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _package(document_id: str = "000.00.01.H16,2026/12/05,1/UBND") -> Package:
    return Package(kind="document", sender_code="000.00.01.H16", document_id=document_id, sha256="0" * 64,
                   size=1, received_at=timezone.now(), recipients=["000.00.02.H16"])


def _endpoint() -> Endpoint:
    make_agency("000.00.02.H16", "Sở Nội vụ")
    return Endpoint.objects.create(name="qlvb-snv", token_hash="1" * 64)


def _parts(package: Package, endpoint_id: int) -> list[onestatement.Part]:
    now = timezone.now()
    return (onestatement.insert([package])
            + onestatement.insert([Delivery(package=package, endpoint_id=endpoint_id, agency_code="000.00.02.H16",
                                            created_at=now)])
            + onestatement.insert([TraceEvent(package=package, at=now, hub="h", event="received"),
                                   TraceEvent(package=package, at=now, hub="h", event="queued")])
            + onestatement.insert([new_event("hub.package_accepted", actor="test", obj=package)]))


def test_the_rows_of_a_step_are_written_together() -> None:
    endpoint = _endpoint()
    package = _package()
    with CaptureQueriesContext(connection) as ctx:
        onestatement.write(_parts(package, endpoint.pk))
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1 and ctx.captured_queries[0]["sql"].startswith("WITH ")
    stored = Package.objects.get()
    assert (stored.pk, stored.document_id, stored.recipients) == (package.pk, package.document_id, ["000.00.02.H16"])
    assert Delivery.objects.get().state == DeliveryState.WAITING
    assert sorted(TraceEvent.objects.values_list("event", flat=True)) == ["queued", "received"]
    event = AuditEvent.objects.get(action="hub.package_accepted")
    assert (event.object_type, event.object_id, event.hash) == ("hub.package", str(package.pk), None)


def test_a_part_that_fails_leaves_nothing_written() -> None:
    endpoint = _endpoint()
    with pytest.raises(IntegrityError):  # the delivery names an endpoint that does not exist
        onestatement.write(_parts(_package(), endpoint.pk + 999))
    assert (Package.objects.count(), Delivery.objects.count(), TraceEvent.objects.count()) == (0, 0, 0)
    assert not AuditEvent.objects.filter(action="hub.package_accepted").exists()


def test_a_conflict_inside_a_transaction_spares_the_transaction() -> None:
    endpoint = _endpoint()
    onestatement.write(_parts(_package(), endpoint.pk))
    again = _package()  # the same idempotency key, another id
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            onestatement.write(_parts(again, endpoint.pk), savepoint=True)
        TraceEvent.objects.create(package=Package.objects.get(), at=timezone.now(), hub="h", event="duplicate")
    assert not Package.objects.filter(pk=again.pk).exists()
    assert sorted(TraceEvent.objects.values_list("event", flat=True)) == ["duplicate", "queued", "received"]
    assert AuditEvent.objects.filter(action="hub.package_accepted").count() == 1


def test_an_update_and_inserts_in_one_write() -> None:
    endpoint = _endpoint()
    package = _package(str(uuid.uuid4()))
    onestatement.write(_parts(package, endpoint.pk))
    now = timezone.now()
    onestatement.write(onestatement.update(Delivery.objects.filter(package=package),
                                           {"state": DeliveryState.DELIVERED, "delivered_at": now})
                       + onestatement.insert([TraceEvent(package=package, at=now, hub="h", event="delivered")]))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.delivered_at) == (DeliveryState.DELIVERED, now)
    assert TraceEvent.objects.filter(event="delivered").count() == 1


def test_an_update_filtered_through_a_join_is_refused() -> None:
    """Django's own update() turns such a filter into a subquery on the primary key; the
    compiled part would not, so it is refused rather than written wrongly."""
    endpoint = _endpoint()
    package = _package()
    onestatement.write(_parts(package, endpoint.pk))
    with pytest.raises(ValueError, match="no joins"):
        onestatement.update(Delivery.objects.filter(package__sender_code="000.00.01.H16"),
                            {"state": DeliveryState.DELIVERED})
    assert Delivery.objects.get().state == DeliveryState.WAITING


def _trace_rows() -> list[tuple[object, ...]]:
    return list(TraceEvent.objects.order_by("id").values_list(
        "package_id", "at", "hub", "event", "agency_code", "endpoint", "detail", "remote"))


def test_an_insert_writes_what_bulk_create_writes() -> None:
    """The INSERT made without Django's compiler stores the same values as Django's own
    bulk_create (JSON, UUID, dates, booleans, defaults), on either database."""
    endpoint = _endpoint()
    now = timezone.now()

    def rows(package: Package) -> list[object]:
        return [Delivery(package=package, endpoint_id=endpoint.pk, agency_code="000.00.02.H16", created_at=now),
                TraceEvent(package=package, at=now, hub="h", event="received", detail="Đã nhận — 7 732 byte",
                           remote=True),
                new_event("hub.package_accepted", actor="test", obj=package,
                          details={"local": ["000.00.02.H16"], "signature_unchecked": "", "size": 7732})]

    ours, django = _package("000.00.01.H16,2026/12/05,1/UBND"), _package("000.00.01.H16,2026/12/05,2/UBND")
    django.received_at = ours.received_at
    parts = onestatement.insert([ours])
    for row in rows(ours):
        parts += onestatement.insert([row])
    onestatement.write(parts)
    Package.objects.bulk_create([django])
    for row in rows(django):
        type(row).objects.bulk_create([row])  # type: ignore[attr-defined]

    def stored(package: Package) -> tuple[object, ...]:
        p = Package.objects.values().get(pk=package.pk)
        d = Delivery.objects.values("endpoint_id", "agency_code", "state", "created_at", "delivered_at").get(
            package=package)
        t = TraceEvent.objects.values("at", "hub", "event", "agency_code", "endpoint", "detail", "remote").get(
            package=package)
        e = AuditEvent.objects.values("at", "actor_name", "action", "object_type", "details", "hash").get(
            object_id=str(package.pk))
        return ({k: v for k, v in p.items() if k not in ("id", "document_id")}, d, t, {**e, "at": None})

    assert stored(ours) == stored(django)


def test_an_insert_of_many_rows_and_of_an_expression() -> None:
    """Past SQLite's limit of parameters per statement the rows go in several INSERTs (still one
    write); a value that is an SQL expression takes Django's compiler."""
    endpoint = _endpoint()
    package = _package()
    onestatement.write(_parts(package, endpoint.pk))
    many = [TraceEvent(package=package, at=timezone.now(), hub="h", event="note", detail=str(i)) for i in range(400)]
    with CaptureQueriesContext(connection) as ctx:
        onestatement.write(onestatement.insert(many))
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1
    assert sorted(int(d) for d in TraceEvent.objects.filter(event="note").values_list("detail", flat=True)) \
        == list(range(400))
    before = timezone.now()
    onestatement.write(onestatement.insert([TraceEvent(package=package, at=Now(), hub="h", event="clock")]))
    assert TraceEvent.objects.get(event="clock").at >= before - timedelta(seconds=5)
    assert len(_trace_rows()) == 2 + 400 + 1


def test_insert_select_names_only_fields_of_its_model() -> None:
    with pytest.raises(ValueError, match="no such field"):
        onestatement.insert_select(TraceEvent(at=timezone.now(), hub="h", event="x"), "acked",
                                   {"no_such_field": ("1", ())})


def test_a_step_looks_the_connection_up_once_per_call_not_once_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """`django.db.connection` looks this thread's connection up on every attribute (~1.5 µs);
    preparing each value of a wide INSERT through it was a visible share of a hub cycle."""
    from django.utils import connection as proxies

    through_proxy: list[str] = []
    real = proxies.ConnectionProxy.__getattr__

    def counted(self: object, item: str) -> object:
        through_proxy.append(item)
        return real(self, item)

    parts = _parts(_package(), _endpoint().pk)  # built before counting: the helper's own look-ups
    monkeypatch.setattr(proxies.ConnectionProxy, "__getattr__", counted)
    parts += onestatement.insert([_package("000.00.01.H16,2026/12/05,2/UBND")])
    onestatement.write(parts)
    assert through_proxy == []
    assert Package.objects.count() == 2
