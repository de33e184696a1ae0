"""Demo exchange wiring: this installation is one endpoint of its own hub (both roles run
in one process), serving the demo agencies that have users, with their system
certificates registered at the hub, and the office's connection pointing at it."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vanban.agencies.models import Agency
from vanban.exchange.models import HubConnection
from vanban.hub import services as hub
from vanban.hub.models import Endpoint
from vanban.trust.models import Credential

ENDPOINT = "qlvb-demo"


def wire_demo_exchange(agency_codes: list[str], hub_url: str) -> bool:
    """Returns True when it created the endpoint; always points the connection at hub_url."""
    created = False
    if not Endpoint.objects.filter(name=ENDPOINT).exists():
        _, token = hub.create_endpoint(name=ENDPOINT, codes=agency_codes, actor="demo")
        for cred in Credential.objects.filter(kind="system", agency__code__in=agency_codes):
            pem = x509.load_pem_x509_certificate(cred.certificate_pem.encode()).public_bytes(
                serialization.Encoding.PEM)
            hub.add_certificates(code=cred.agency.code, pem=pem, actor="demo")
        HubConnection.objects.update(is_active=False)
        HubConnection.objects.create(name="Trục liên thông tỉnh (demo, cùng máy)", url=hub_url, token=token)
        created = True
    HubConnection.objects.filter(is_active=True).update(url=hub_url)
    assert Agency.objects.filter(code__in=agency_codes).count() == len(agency_codes)
    return created
