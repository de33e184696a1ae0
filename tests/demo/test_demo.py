from __future__ import annotations

import pytest

from vanban.accounts.models import User
from vanban.agencies.models import Agency
from vanban.demo.services import load_demo
from vanban.exchange.models import HubConnection
from vanban.hub.models import Endpoint
from vanban.trust.models import Credential, TrustAnchor

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_wires_everything() -> None:
    first = load_demo("http://127.0.0.1:8000/hub/api/v1")
    assert first.agencies_created == Agency.objects.count() == 70
    assert first.users_created == User.objects.count() == 11
    assert Agency.objects.filter(is_demo=False).count() == 0
    assert Agency.objects.get(code="000.00.02.H16").parent.code == "000.00.00.H16"
    assert Credential.objects.filter(kind="person").count() == 2
    assert TrustAnchor.objects.filter(subject__contains="VANBAN DEMO").count() == 1
    endpoint = Endpoint.objects.get(name="qlvb-demo")
    assert endpoint.is_active
    second = load_demo("http://127.0.0.1:9000/hub/api/v1")
    assert (second.agencies_created, second.users_created, second.credentials_created) == (0, 0, 0)
    assert Agency.objects.count() == 70 and User.objects.count() == 11
    assert Endpoint.objects.count() == 1
    assert list(HubConnection.objects.filter(is_active=True).values_list("url", flat=True)) == [
        "http://127.0.0.1:9000/hub/api/v1"]
