"""Directory authority (issue 17, item 1): a VXP system serving 000.00.04.H16 cannot make a
sibling's or another province's mail land in its inbox through registerAgency; anything the
hub cannot prove waits for the operator."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import make_agency, make_user
from tests.hub.packages import document
from tests.vxp.conftest import A, B, VxpHub, hub_state
from tests.vxp.test_sdk_wire import _raw
from vanban.agencies.models import Agency
from vanban.audit.models import AuditEvent
from vanban.hub import services, vxp_claims, vxp_systems
from vanban.hub.errors import HubError
from vanban.hub.models import Delivery, EndpointAgency
from vanban.hub.vxp_models import AgencyClaim
from vanban.vxp.client import VxpClient
from vanban.vxp.envelope import VxpError

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ATTACKER = "000.00.04.H16"
SIBLING = "000.00.06.H16"
OTHER_PROVINCE = "000.00.00.G22"


@pytest.fixture
def attacker(vxp_hub: VxpHub, ids) -> VxpClient:
    make_agency(ATTACKER, "Sở Kế hoạch và Đầu tư")
    system, secret = vxp_systems.create_system(name="vxp.ke-hoach", codes=[ATTACKER], actor="test")
    return VxpClient(vxp_hub.url, system.system_id, secret, timeout=30)


def _sdk_register(hub: VxpHub, client: VxpClient, body: dict) -> tuple[int, dict]:
    """registerAgency exactly as the real SDK sends it: JSON body, no hash-body."""
    raw = json.dumps(body).encode()
    headers = client.request_headers([])
    return _raw(hub, "registerAgency", [h for h in headers if h[0] != "Accept"], raw)


@pytest.mark.parametrize("target", [SIBLING, OTHER_PROVINCE])
def test_hijack_is_refused_and_mail_never_reaches_the_attacker(vxp_hub: VxpHub, attacker: VxpClient,
                                                               target: str, ids) -> None:
    make_agency(target, "Nạn nhân")
    victim, _ = vxp_systems.create_system(name=f"vxp.nan-nhan-{target}", codes=[target], actor="test")
    before = hub_state()
    for call in (lambda: attacker.register_agency(code=target, name="Chiếm", pcode=ATTACKER),  # signed body
                 lambda: _sdk_register(vxp_hub, attacker, {"code": target, "pcode": ATTACKER, "name": "Chiếm"})):
        try:
            status, answer = call()  # type: ignore[misc]
        except VxpError as exc:
            status, answer = exc.status, {"ErrorCode": exc.code}
        assert (status, answer["ErrorCode"]) == (403, "CODE_NOT_UNDER_PARENT")
    assert not EndpointAgency.objects.filter(endpoint__vxp_system__system_id=attacker.system_id,
                                             agency__code=target).exists()
    assert AgencyClaim.objects.count() == 0
    assert AuditEvent.objects.filter(action=vxp_claims.CLAIM_BLOCKED, agency_code=target).count() == 2
    after = hub_state()
    assert after[:4] + after[5:] == before[:4] + before[5:]
    # A document for the target goes to the target's own system, never to the attacker.
    data, _ = document(vxp_hub.ids[A], target)
    sent = vxp_hub.client(A).submit(data)
    assert attacker.inbox() == [] and attacker.count_received() == 0
    assert Delivery.objects.get(package_id=sent.id).endpoint.vxp_system.system_id == victim.system_id
    with pytest.raises(VxpError) as caught:
        attacker.fetch(sent.id)
    assert caught.value.code == "NOT_FOUND"


def test_unsigned_registration_waits_for_the_operator_then_is_served(vxp_hub: VxpHub, attacker: VxpClient,
                                                                    client: Client) -> None:
    child = "001.00.04.H16"  # a real child of the attacker's agency, new to the directory
    body = {"code": child, "pcode": ATTACKER, "name": "Phòng Tổng hợp", "mail": "th@kh.gov.vn"}
    first = _sdk_register(vxp_hub, attacker, body)
    again = _sdk_register(vxp_hub, attacker, body)  # the SDK repeats identical headers: one claim
    assert first[0] == again[0] == 202
    assert first[1]["ErrorCode"] == "PENDING_APPROVAL" and "hash-body" in first[1]["ErrorDesc"]
    claim = AgencyClaim.objects.get()
    assert (claim.code, claim.state, claim.reasons) == (child, "pending", ["unsigned"])
    assert not Agency.objects.filter(code=child).exists()
    # Meanwhile mail for the code does not reach the attacker (no route: refused to the sender).
    data, _ = document(vxp_hub.ids[A], child)
    with pytest.raises(VxpError) as caught:
        vxp_hub.client(A).submit(data)
    assert caught.value.code == "RECIPIENT_UNKNOWN" and attacker.inbox() == []

    page_url = "/hub/dang-ky-co-quan/"
    specialist = make_user(Agency.objects.get(code=A), "specialist")
    client.force_login(specialist)
    assert client.get(page_url).status_code == 403
    assert client.post(f"{page_url}{claim.pk}/", {"decision": "approve"}).status_code == 403
    assert AgencyClaim.objects.get().state == "pending"
    operator = make_user(Agency.objects.get(code=A), "hub_operator")
    client.force_login(operator)
    page = client.get(page_url).content.decode()
    assert child in page and "hash-body" in page
    client.post(f"{page_url}{claim.pk}/", {"decision": "approve"})
    claim.refresh_from_db()
    assert (claim.state, claim.decided_by) == ("approved", operator.username)
    assert EndpointAgency.objects.filter(agency__code=child,
                                         endpoint__vxp_system__system_id=attacker.system_id).exists()
    assert AuditEvent.objects.filter(action=vxp_claims.CLAIM_APPROVED, agency_code=child).count() == 1
    sent = vxp_hub.client(A).submit(data)
    assert [e["id"] for e in attacker.inbox()] == [sent.id]


def test_codes_in_the_directory_or_behind_a_parent_need_approval(vxp_hub: VxpHub, attacker: VxpClient,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 client: Client) -> None:
    make_agency("002.00.04.H16", "Phòng đã có trong danh bạ")
    with pytest.raises(VxpError) as caught:  # signed, but the code is already known
        attacker.register_agency(code="002.00.04.H16", name="Phòng", pcode=ATTACKER)
    assert (caught.value.status, caught.value.code) == (202, "PENDING_APPROVAL")
    monkeypatch.setenv("VANBAN_HUB_PARENT_URL", "http://127.0.0.1:9/vxp")
    with pytest.raises(VxpError) as caught:  # signed and new, but a parent hub may serve it
        attacker.register_agency(code="003.00.04.H16", name="Phòng mới", pcode=ATTACKER)
    assert caught.value.code == "PENDING_APPROVAL"
    claims = {c.code: c for c in AgencyClaim.objects.all()}
    assert claims["002.00.04.H16"].reasons == ["in_directory"]
    assert claims["003.00.04.H16"].reasons == ["via_parent"]
    # Refused: nothing served, audited with the operator's note.
    client.force_login(make_user(Agency.objects.get(code=A), "hub_operator"))
    client.post(f"/hub/dang-ky-co-quan/{claims['002.00.04.H16'].pk}/", {"decision": "refuse", "note": "Không rõ"})
    refused = AgencyClaim.objects.get(pk=claims["002.00.04.H16"].pk)
    assert (refused.state, refused.decision_note) == ("refused", "Không rõ")
    assert not EndpointAgency.objects.filter(agency__code="002.00.04.H16").exists()
    assert AuditEvent.objects.filter(action=vxp_claims.CLAIM_REFUSED, agency_code="002.00.04.H16").exists()


def test_approval_rechecks_that_nobody_else_serves_the_code(vxp_hub: VxpHub, attacker: VxpClient) -> None:
    child = "001.00.04.H16"
    _sdk_register(vxp_hub, attacker, {"code": child, "pcode": ATTACKER, "name": "Phòng"})
    make_agency(child, "Phòng")
    services.create_endpoint(name="qlvb-phong", codes=[child], actor="test")  # the operator gave it elsewhere
    with pytest.raises(HubError) as caught:
        vxp_claims.approve(AgencyClaim.objects.get().pk, actor="operator")
    assert caught.value.code == "AGENCY_ALREADY_SERVED"
    assert AgencyClaim.objects.get().state == "pending"


def test_the_sdk_from_header_cannot_send_for_another_agency(vxp_hub: VxpHub) -> None:
    """sendEdoc's sender is the edXML's, checked against what the system serves."""
    forged, _ = document(vxp_hub.ids[B], A)
    with pytest.raises(VxpError) as caught:
        vxp_hub.client(A).submit(forged)
    assert caught.value.code == "SENDER_NOT_SERVED"
    assert vxp_hub.client(A).inbox() == []
