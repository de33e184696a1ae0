"""Who decides trust: an agency admin only for their own agency; province-wide anchors only
by a hub operator, approved by a second one. Every refusal changes nothing (dbstate)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.access import dbstate
from tests.factories import make_user
from vanban.pki.testpki import TestPki
from vanban.trust import services
from vanban.trust.models import TrustAnchor

pytestmark = pytest.mark.django_db
URL = "trust_anchors"


@pytest.fixture(scope="module")
def rogue() -> TestPki:
    return TestPki(prefix="ROGUE")


def _post(client: Client, data: dict) -> int:
    return client.post(reverse(URL), data).status_code


def _upload(pki: TestPki, scope: str) -> dict:
    return {"certificate": SimpleUploadedFile("ca.pem", pki.root.cert_pem()), "scope": scope}


@pytest.mark.parametrize("role", ["specialist", "leader", "clerk", "archivist"])
def test_non_admins_are_refused_and_change_nothing(client: Client, office, rogue: TestPki, role: str) -> None:
    client.force_login(make_user(office, role))
    before = dbstate.snapshot()
    assert client.get(reverse(URL)).status_code == 403
    for scope in ("agency", "province"):
        assert _post(client, _upload(rogue, scope)) == 403
    assert dbstate.changes(before, dbstate.snapshot()) == []


def test_anonymous_gets_the_login_page(client: Client, rogue: TestPki) -> None:
    response = client.post(reverse(URL), _upload(rogue, "province"))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]
    assert TrustAnchor.objects.count() == 0


def test_agency_admin_cannot_trust_a_ca_for_the_province(client: Client, office, rogue: TestPki) -> None:
    client.force_login(make_user(office, "agency_admin"))
    before = dbstate.snapshot()
    assert _post(client, _upload(rogue, "province")) == 403
    assert dbstate.changes(before, dbstate.snapshot()) == []
    assert len(services.trust_store()) == 0


def test_agency_admin_cannot_remove_or_approve_another_agencys_anchor(
        client: Client, office, other_office, rogue: TestPki) -> None:
    [own] = services.add_anchors(actor="test", agency=office, data=rogue.root.cert_pem())
    [pending] = services.add_anchors(actor=make_user(office, "hub_operator"), agency=None,
                                     data=rogue.ca.cert_pem())
    client.force_login(make_user(other_office, "agency_admin"))
    before = dbstate.snapshot()
    assert _post(client, {"action": "remove", "anchor": own.pk}) == 403
    assert _post(client, {"action": "approve", "anchor": pending.pk}) == 403
    assert _post(client, {"action": "remove", "anchor": pending.pk}) == 403
    assert dbstate.changes(before, dbstate.snapshot()) == []
    html = client.get(reverse(URL)).content.decode()
    assert own.fingerprint not in html  # another agency's own anchors are not listed


def test_hub_operator_cannot_approve_their_own_request(client: Client, office, rogue: TestPki) -> None:
    operator = make_user(office, "hub_operator")
    client.force_login(operator)
    assert _post(client, _upload(rogue, "province")) == 302
    anchor = TrustAnchor.objects.get()
    before = dbstate.snapshot()
    audit = dbstate.audit_length()
    assert _post(client, {"action": "approve", "anchor": anchor.pk}) == 302  # message, no change
    assert dbstate.changes(before, dbstate.snapshot()) == [] and dbstate.audit_length() == audit
    assert TrustAnchor.objects.get().status == "pending"
    client.force_login(make_user(office, "hub_operator"))
    assert _post(client, {"action": "approve", "anchor": anchor.pk}) == 302
    assert TrustAnchor.objects.get().status == "active"
