"""Our VxpClient against our own facade over real HTTP: the SDK's whole delivery cycle."""

from __future__ import annotations

import pytest

from tests.hub.packages import document, status
from tests.vxp.conftest import A, B, VxpHub
from vanban.hub.models import Delivery, DeliveryState, Package
from vanban.hub.services import package_bytes
from vanban.hub.vxp_models import VxpReceipt

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_document_then_statuses_round_trip(vxp_hub: VxpHub) -> None:
    a, b = vxp_hub.client(A), vxp_hub.client(B)
    data, doc_id = document(vxp_hub.ids[A], B)

    sent = a.submit(data)  # sendEdoc, multipart file_doc
    assert (sent.status, sent.document_id, sent.duplicate) == (201, doc_id, False)
    stored = Package.objects.get(pk=sent.id)
    assert package_bytes(stored) == data
    assert Package.objects.get(pk=sent.id).source_endpoint.vxp_system.system_id == vxp_hub.systems[A][0]

    assert a.inbox() == [] and b.count_received("edoc") == 1
    [knob] = b.get_received_edoc_list("edoc")
    assert (knob["docId"], knob["serviceType"], knob["messageType"], knob["from"], knob["to"], knob["status"]) == (
        sent.id, "eDoc", "edoc", A, B, "initial")
    assert b.get_received_edoc_list("status") == []
    [entry] = b.inbox()  # HubClient's shape, for the office exchange
    assert entry == {"id": sent.id, "kind": "document", "from": A, "to": B, "document_id": doc_id,
                     "status_code": None, "received_at": entry["received_at"]}
    assert entry["received_at"].endswith("+07:00")
    assert b.fetch(sent.id) == data  # getEdoc: base64 in data, exact bytes

    b.update_status(sent.id, "processing")
    assert b.get_received_edoc_list()[0]["status"] == "processing"  # still listed until done
    assert b.ack(sent.id)["delivered"] is True  # updateStatus done
    assert b.inbox() == [] and b.count_received() == 0
    assert Delivery.objects.get(package_id=sent.id).state == DeliveryState.DELIVERED
    b.ack(sent.id)  # repeating done changes nothing

    [sent_row] = a.get_sent_edoc_list()
    assert (sent_row["senderDocId"], sent_row["toCode"], sent_row["receiveStatus"], sent_row["fromCode"]) == (
        sent.id, B, "done", A)
    assert sent_row["notation"] == doc_id.rsplit(",", 1)[-1]

    # Business feedback goes back as status packages (sendEdoc messagetype=status).
    codes = ["01", "03", "04", "05", "06"]
    status_ids = [b.submit(status(vxp_hub.ids[B], A, doc_id, code)).id for code in codes]
    assert a.get_received_edoc_list("edoc") == []
    inbox = a.inbox()
    assert [e["id"] for e in inbox] == status_ids
    assert [(e["kind"], e["status_code"], e["from"], e["to"], e["document_id"]) for e in inbox] == [
        ("status", code, B, A, doc_id) for code in codes]
    for e in inbox:
        raw = a.fetch(e["id"])
        assert raw == package_bytes(Package.objects.get(pk=e["id"]))
        a.ack(e["id"])
    assert a.inbox() == []
    assert [r["receiveStatus"] for r in b.get_sent_edoc_list("status")] == ["done"] * 5


def test_same_package_twice_is_one_package(vxp_hub: VxpHub) -> None:
    data, _ = document(vxp_hub.ids[A], B)
    first = vxp_hub.client(A).submit(data)
    again = vxp_hub.client(A).submit(data)
    assert (again.id, again.duplicate, again.status) == (first.id, True, 200)
    assert Package.objects.count() == 1
    assert len(vxp_hub.client(B).inbox()) == 1


def test_fail_takes_it_off_the_list_but_keeps_it_for_the_operator(vxp_hub: VxpHub) -> None:
    data, _ = document(vxp_hub.ids[A], B)
    sent = vxp_hub.client(A).submit(data)
    vxp_hub.client(B).update_status(sent.id, "fail", "Không đọc được tệp đính kèm")
    assert vxp_hub.client(B).inbox() == []
    delivery = Delivery.objects.get(package_id=sent.id)
    assert delivery.state == DeliveryState.WAITING  # not delivered: the hub operator sees it waiting
    assert VxpReceipt.objects.get(delivery=delivery).status == "fail"
    [row] = vxp_hub.client(A).get_sent_edoc_list(doc_id=sent.id)
    assert (row["receiveStatus"], row["receiveStatusDesc"]) == ("fail", "Không đọc được tệp đính kèm")


def test_office_exchange_picks_the_vxp_client(vxp_hub: VxpHub) -> None:
    from vanban.exchange.models import HubConnection
    from vanban.exchange.services import client_for
    from vanban.vxp.client import VxpClient

    system_id, secret = vxp_hub.systems[B]
    connection = HubConnection.objects.create(kind=HubConnection.Kind.VXP, url=vxp_hub.url, system_id=system_id,
                                              token=secret)
    client = client_for(connection)
    assert isinstance(client, VxpClient)
    data, _ = document(vxp_hub.ids[A], B)
    sent = vxp_hub.client(A).submit(data)
    assert [e["id"] for e in client.inbox(10)] == [sent.id]
    assert client.fetch(sent.id) == data
