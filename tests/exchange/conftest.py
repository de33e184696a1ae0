"""Two agencies on one installation exchanging through the hub on the live server (real HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.factories import make_user
from tests.office_fixtures import Office
from vanban.agencies.models import Agency
from vanban.exchange.models import HubConnection
from vanban.hub import services as hub
from vanban.hubclient import HubClient
from vanban.trust import services as trust


@dataclass
class Province:
    a: Office  # the sender: Văn phòng UBND tỉnh
    b: Agency  # the recipient: Sở Nội vụ
    b_clerk: Any
    b_leader: Any
    b_specialist: Any
    client: HubClient
    hub_url: str


def system_credential(office_pki: Any, agency: Agency) -> bytes:
    issued = office_pki.issue_system(f"Hệ thống {agency.code}", agency.name, agency.code)
    trust.register_credential(actor="test", agency=agency, kind="system", p12=issued.pkcs12(b"pw"), password="pw")
    return issued.cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def province(signing_office: Office, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Province:
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    a = signing_office
    b = Agency.objects.get(code="000.00.02.H16")
    b_clerk = make_user(b, "clerk", username="vanthu.snv", full_name="H'Luyện Niê")
    b_leader = make_user(b, "leader", username="lanhdao.snv", full_name="Y Khu Êban", position="Giám đốc")
    b_specialist = make_user(b, "specialist", username="chuyenvien.snv", full_name="Đặng Thị Thu")
    cert_a = system_credential(a.pki, a.agency)
    cert_b = system_credential(a.pki, b)
    _, token = hub.create_endpoint(name="qlvb-tinh", codes=[a.agency.code, b.code], actor="test")
    hub.add_certificates(code=a.agency.code, pem=cert_a, actor="test")
    hub.add_certificates(code=b.code, pem=cert_b, actor="test")
    url = f"{live_server.url}/hub/api/v1"
    HubConnection.objects.create(url=url, token=token)
    return Province(a, b, b_clerk, b_leader, b_specialist, HubClient(url, token), url)
