"""An office with a system key, a test TSA on loopback, and its hub endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import make_agency
from vanban.pki.testpki import Issued, TestPki
from vanban.pki.testserver import PkiServer

CODE = "000.00.01.H16"


@dataclass
class Tsa:
    server: PkiServer
    pki: TestPki
    system: Issued  # the office's system key
    stranger: Issued  # a system key of another agency, same PKI


@pytest.fixture(scope="session")
def tsa() -> Iterator[Tsa]:
    server = PkiServer()
    pki = TestPki(base_url=server.url, prefix="AUDIT TEST")
    server.attach(pki, tsa=pki.issue_tsa())
    server.start()
    yield Tsa(server, pki, pki.issue_system("Hệ thống vanban — VP", "Văn phòng UBND tỉnh", CODE),
              pki.issue_system("Hệ thống khác", "Sở Nội vụ", "000.00.02.H16"))
    server.stop()


@dataclass
class AnchoredOffice:
    agency: Any
    tsa: Tsa
    credential: Any


@pytest.fixture
def anchored_office(db: None, tsa: Tsa, settings: Any) -> AnchoredOffice:
    from vanban.trust import services as trust

    agency = make_agency(CODE, "Văn phòng UBND tỉnh")
    trust.add_anchors(actor="test", agency=None, data=tsa.pki.root.cert_pem())
    credential = trust.register_credential(actor="test", agency=agency, kind="system",
                                           p12=tsa.system.pkcs12(b"pw"), password="pw")
    settings.VANBAN_AUDIT_TSA_URL = tsa.server.tsa_url
    settings.VANBAN_AUDIT_SIGNING_AGENCY = ""
    return AnchoredOffice(agency, tsa, credential)


@dataclass
class WitnessHub:
    url: str
    token: str
    endpoint: Any


@pytest.fixture
def witness_hub(anchored_office: AnchoredOffice) -> WitnessHub:
    """The office's endpoint on its hub (the same process here), with its system certificate,
    and the office's hub connection pointing at it (URL set by tests that use HTTP)."""
    from vanban.exchange.models import HubConnection
    from vanban.hub import services as hub

    endpoint, token = hub.create_endpoint(name="qlvb-vp", codes=[CODE], actor="test")
    hub.add_certificates(code=CODE, pem=anchored_office.tsa.system.cert_pem(), actor="test")
    HubConnection.objects.create(url="http://127.0.0.1:9/hub/api/v1", token=token)
    return WitnessHub("", token, endpoint)
