"""The hub's acceptance policy for envelope signatures it cannot check (docs/hub.md).

Lenient (the default: no real system signs an envelope a hub can check) accepts from an
authenticated endpoint serving the sender and marks the package in the trace; strict, per hub
or per endpoint, refuses. Never lenient about who may speak for whom, nor about unreadable
packages.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_agency, make_user
from tests.hub.conftest import A, B, C, OneHub
from tests.hub.http import request
from tests.hub.packages import (
    document,
    edxml_namespace_signature,
    make_identity,
    status,
    unsigned_document,
    unsigned_status,
)
from vanban.audit.models import AuditEvent
from vanban.hub import services
from vanban.hub.models import Delivery, Endpoint, Package, RefusedPackage, TraceEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _post(hub: OneHub, code: str, data: bytes):
    return request("POST", f"{hub.url}/packages", data=data, token=hub.tokens[code])


def _unchecked(package_id: str) -> str:
    rows = list(TraceEvent.objects.filter(package_id=package_id, event="signature_unchecked")
                .values_list("detail", flat=True))
    assert len(rows) <= 1
    return rows[0] if rows else ""


@pytest.fixture(scope="module")
def stranger():
    """A key and certificate the hub has never seen (a real sender with nothing registered)."""
    return make_identity(A, "Chưa đăng ký")


def test_strict_hub_refuses_unsigned_status_and_unverifiable_documents(one_hub: OneHub, stranger,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "strict")
    data, doc_id = document(one_hub.ids[A], B)
    assert one_hub.client(A).submit(data).status == 201
    answer = _post(one_hub, B, unsigned_status(B, A, doc_id, "01"))
    assert (answer.status, answer.json()["error"]["code"]) == (422, "EDXML_SIGNATURE_MISSING")
    other, _ = document(stranger, B)
    answer = _post(one_hub, A, other)
    assert (answer.status, answer.json()["error"]["code"]) == (422, "EDXML_SIGNATURE_UNTRUSTED")
    answer = _post(one_hub, A, edxml_namespace_signature(document(stranger, B)[0]))
    assert answer.status == 422, answer.body
    assert Package.objects.count() == 1


def test_default_hub_accepts_unsigned_status_and_marks_the_trace(one_hub: OneHub,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VANBAN_HUB_SIGNATURE_POLICY", raising=False)  # the default: lenient
    data, doc_id = document(one_hub.ids[A], B)
    one_hub.client(A).submit(data)
    answer = _post(one_hub, B, unsigned_status(B, A, doc_id, "01"))
    assert answer.status == 201, answer.body
    package = Package.objects.get(pk=answer.json()["id"])
    assert (package.kind, package.status_code, package.recipients) == ("status", "01", [A])
    note = _unchecked(package.pk)
    assert "EDXML_SIGNATURE_MISSING" in note and "qlvb-snv" in note and "chưa được trục kiểm tra" in note
    # The mark travels with the trace API too, and A receives the status.
    hops = one_hub.client(B).trace(str(package.pk))["hops"]
    assert [h["event"] for h in hops if h["event"] == "signature_unchecked"] == ["signature_unchecked"]
    assert [i["id"] for i in one_hub.client(A).inbox()] == [str(package.pk)]
    event = AuditEvent.objects.get(action="hub.package_accepted", object_id=str(package.pk))
    assert event.details["signature_unchecked"] == "EDXML_SIGNATURE_MISSING"
    # The operator's package page shows the mark in plain Vietnamese.
    operator = Client()
    operator.force_login(make_user(make_agency("000.00.00.H16"), "hub_operator", username="vanhanh"))
    page = operator.get(reverse("hub:package", args=[package.pk])).content.decode()
    assert "signature_unchecked" in page and "chưa được trục kiểm tra" in page
    # A signed, verifiable package is not marked.
    signed = one_hub.client(B).submit(status(one_hub.ids[B], A, doc_id, "03"))
    assert _unchecked(signed.id) == ""


def test_lenient_endpoint_accepts_documents_it_cannot_verify(one_hub: OneHub, stranger,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "strict")
    services.set_signature_policy(name="qlvb-vp", policy="lenient", actor="test")
    assert AuditEvent.objects.filter(action="hub.endpoint_policy_changed").count() == 1
    cases = {
        "EDXML_SIGNATURE_MISSING": unsigned_document(A, B)[0],
        "EDXML_SIGNATURE_UNTRUSTED": document(stranger, B)[0],  # signed by a key not registered here
        # edXML-namespace <Signature> (how real packages write it) by an unregistered key: cannot
        # be verified whatever the reader learns, so it is accepted marked.
        "EDXML_SIGNATURE": edxml_namespace_signature(document(stranger, B)[0]),
    }
    for code, data in cases.items():
        answer = _post(one_hub, A, data)
        assert answer.status == 201, (code, answer.body)
        assert code in _unchecked(answer.json()["id"]), code
        assert Delivery.objects.filter(package_id=answer.json()["id"], agency_code=B).exists()
    # Another endpoint keeps the hub's strict setting.
    c_answer = _post(one_hub, C, unsigned_document(C, B)[0])
    assert (c_answer.status, c_answer.json()["error"]["code"]) == (422, "EDXML_SIGNATURE_MISSING")


def test_lenient_never_lets_an_endpoint_speak_for_another_agency_or_pass_garbage(
        one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "lenient")
    answer = _post(one_hub, B, unsigned_document(A, C)[0])  # B's endpoint, A as the sender
    assert (answer.status, answer.json()["error"]["code"]) == (422, "SENDER_NOT_SERVED")
    answer = _post(one_hub, B, unsigned_status(A, B, "x", "01"))
    assert (answer.status, answer.json()["error"]["code"]) == (422, "SENDER_NOT_SERVED")
    answer = _post(one_hub, A, b"<edXML>not a package</edXML>")
    assert answer.status == 400
    assert Package.objects.count() == 0


def test_endpoint_strict_overrides_a_lenient_hub(one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "lenient")
    services.set_signature_policy(name="qlvb-vp", policy="strict", actor="test")
    answer = _post(one_hub, A, unsigned_document(A, B)[0])
    assert (answer.status, answer.json()["error"]["code"]) == (422, "EDXML_SIGNATURE_MISSING")
    services.set_signature_policy(name="qlvb-vp", policy="inherit", actor="test")
    assert Endpoint.objects.get(name="qlvb-vp").signature_policy == ""
    assert _post(one_hub, A, unsigned_document(A, B)[0]).status == 201


def test_a_typo_in_the_hub_setting_means_strict(one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "lenent")
    answer = _post(one_hub, A, unsigned_document(A, B)[0])
    assert (answer.status, answer.json()["error"]["code"]) == (422, "EDXML_SIGNATURE_MISSING")


def test_edxml_namespace_signature_by_a_registered_key_verifies_with_a_note(
        one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    """How real packages write <Signature>: verified (not merely let through) even under
    strict, and the trace says how."""
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "strict")
    data, _ = document(one_hub.ids[A], B)
    answer = _post(one_hub, A, edxml_namespace_signature(data))
    assert answer.status == 201, answer.body
    package_id = answer.json()["id"]
    assert _unchecked(package_id) == ""
    notes = list(TraceEvent.objects.filter(package_id=package_id, event="note").values_list("detail", flat=True))
    assert any("không gian tên edXML" in n for n in notes), notes


def test_bad_policy_value_is_refused(one_hub: OneHub) -> None:
    from vanban.hub.errors import HubError

    with pytest.raises(HubError) as exc:
        services.set_signature_policy(name="qlvb-vp", policy="anything", actor="test")
    assert exc.value.code == "BAD_POLICY"
    assert Endpoint.objects.get(name="qlvb-vp").signature_policy == ""
    assert RefusedPackage.objects.count() == 0
