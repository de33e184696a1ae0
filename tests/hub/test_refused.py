"""Refused submissions are held for the hub operator (the hub's quarantine).

The sender gets its error at once (tests/hub/test_refusals.py); the hub keeps the bytes and
the reason, counts resubmissions, and the operator retries (after fixing the cause) or
discards — each audited, only for hub operators.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_agency, make_user
from tests.hub.conftest import A, B, OneHub
from tests.hub.http import request
from tests.hub.packages import document, make_identity, unsigned_status
from vanban.audit.models import AuditEvent
from vanban.hub import blobs, services
from vanban.hub.errors import HubError
from vanban.hub.models import Delivery, Endpoint, Package, RefusedPackage

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def strict_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """The signature refusals here are the strict policy's (the hub's default is lenient:
    tests/hub/test_acceptance_policy.py)."""
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "strict")


def _post(hub: OneHub, code: str, data: bytes):
    return request("POST", f"{hub.url}/packages", data=data, token=hub.tokens[code])


@pytest.fixture
def operator():
    return make_user(make_agency("000.00.00.H16"), "hub_operator", username="vanhanh.truc", full_name="Vận Hành")


def test_refusal_is_held_with_its_bytes_and_counted_once(one_hub: OneHub) -> None:
    stranger = make_identity(A, "Chưa đăng ký")
    data, doc_id = document(stranger, B)
    for _ in range(3):
        answer = _post(one_hub, A, data)
        assert (answer.status, answer.json()["error"]["code"]) == (422, "EDXML_SIGNATURE_UNTRUSTED")
    row = RefusedPackage.objects.get()
    assert (row.times, row.state, row.endpoint_name, row.sender_code, row.document_id, row.kind) == (
        3, "held", "qlvb-vp", A, doc_id, "document")
    assert blobs.read(row.sha256) == data  # the original bytes, exactly
    assert AuditEvent.objects.filter(action="hub.package_refused", object_id=str(row.pk)).count() == 1
    assert Package.objects.count() == 0


def test_garbage_and_oversized_are_held_too(one_hub: OneHub, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _post(one_hub, A, b"\x00 rac").status == 400
    monkeypatch.setenv("VANBAN_HUB_MAX_PACKAGE_MB", "1")
    big = b"<edXML>" + b"a" * (1024 * 1024 + 1) + b"</edXML>"
    assert _post(one_hub, A, big).status == 413
    rows = {r.error_code: r for r in RefusedPackage.objects.all()}
    assert set(rows) >= {"PACKAGE_TOO_LARGE"} and len(rows) == 2
    too_large = rows.pop("PACKAGE_TOO_LARGE")
    assert (too_large.sha256, too_large.size) == ("", len(big))  # never read, nothing kept
    (garbage,) = rows.values()
    assert (garbage.sender_code, garbage.document_id) == ("", "") and garbage.sha256
    with pytest.raises(HubError) as exc:
        services.retry_refused(too_large, actor="test")
    assert exc.value.code == "NO_BYTES"


def test_operator_retries_after_registering_the_certificate(one_hub: OneHub, operator) -> None:
    stranger = make_identity(A, "Hệ thống mới")
    data, doc_id = document(stranger, B)
    assert _post(one_hub, A, data).status == 422
    row = RefusedPackage.objects.get()
    page = Client()
    page.force_login(operator)
    text = page.get(reverse("hub:refused")).content.decode()
    assert "EDXML_SIGNATURE_UNTRUSTED" in text and doc_id in text
    dashboard = page.get(reverse("hub:dashboard")).content.decode()
    assert '<div class="num status-bad" data-testid="refused-count">1</div>' in dashboard
    # Still untrusted: retry keeps it held with the error.
    page.post(reverse("hub:refused_retry", args=[row.pk]))
    row.refresh_from_db()
    assert row.state == "held"
    services.add_certificates(code=A, pem=stranger.cert_pem(), actor="test")
    assert page.post(reverse("hub:refused_retry", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.state == "accepted" and row.package is not None
    assert Delivery.objects.filter(package=row.package, agency_code=B).exists()
    assert [i["document_id"] for i in one_hub.client(B).inbox()] == [doc_id]
    retried = AuditEvent.objects.filter(action="hub.refused_retried", object_id=str(row.pk))
    assert [e.details["accepted"] for e in retried.order_by("id")] == [False, True]


def test_operator_discards_with_a_reason(one_hub: OneHub, operator) -> None:
    _post(one_hub, B, unsigned_status(B, A, "khong-co", "01"))
    row = RefusedPackage.objects.get()
    page = Client()
    page.force_login(operator)
    page.post(reverse("hub:refused_discard", args=[row.pk]), {"reason": ""})
    row.refresh_from_db()
    assert row.state == "held"
    page.post(reverse("hub:refused_discard", args=[row.pk]), {"reason": "Trạng thái thử nghiệm"})
    row.refresh_from_db()
    assert (row.state, row.settled_by) == ("discarded", operator.username)
    event = AuditEvent.objects.get(action="hub.refused_discarded", object_id=str(row.pk))
    assert event.details["reason"] == "Trạng thái thử nghiệm"


def test_only_hub_operators_see_or_act(one_hub: OneHub) -> None:
    _post(one_hub, A, b"<rac/>")
    row = RefusedPackage.objects.get()
    clerk = make_user(make_agency(A), "clerk", "leader", "agency_admin", username="vanthu.vp")
    page = Client()
    page.force_login(clerk)
    assert page.get(reverse("hub:refused")).status_code == 403
    assert page.post(reverse("hub:refused_discard", args=[row.pk]), {"reason": "x"}).status_code == 403
    assert page.post(reverse("hub:refused_retry", args=[row.pk])).status_code == 403
    assert page.post(reverse("hub:endpoint_policy", args=[row.endpoint_id]), {"policy": "lenient"}).status_code == 403
    row.refresh_from_db()
    assert row.state == "held" and row.endpoint.signature_policy == ""
    assert not AuditEvent.objects.filter(action__in=["hub.refused_discarded", "hub.refused_retried",
                                                     "hub.endpoint_policy_changed"]).exists()


def test_operator_sets_endpoint_policy_from_the_page(one_hub: OneHub, operator) -> None:
    page = Client()
    page.force_login(operator)
    endpoint = Endpoint.objects.get(name="qlvb-vp")
    assert page.post(reverse("hub:endpoint_policy", args=[endpoint.pk]), {"policy": "lenient"}).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.signature_policy == "lenient"
    assert "Thực tế" in page.get(reverse("hub:endpoints")).content.decode()
