"""A hub on the live server with two agency systems connected through the VXP facade."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_agency
from tests.hub.conftest import A, B, ids  # noqa: F401 - the session's signing identities
from tests.hub.packages import Identity
from vanban.audit.models import AuditEvent
from vanban.hub import services, vxp_systems
from vanban.hub.models import Delivery, EndpointAgency, Package, RefusedPackage, TraceEvent
from vanban.hub.vxp_models import VxpReceipt
from vanban.vxp.client import VxpClient


@dataclass
class VxpHub:
    url: str  # the SDK's service.endpoint: …/vxp
    systems: dict[str, tuple[str, str]]  # agency code → (systemId, secret)
    ids: dict[str, Identity]

    def client(self, code: str, *, secret: str | None = None) -> VxpClient:
        system_id, real = self.systems[code]
        return VxpClient(self.url, system_id, secret if secret is not None else real, timeout=30)


@pytest.fixture
def vxp_hub(live_server, ids: dict[str, Identity], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
            settings) -> VxpHub:
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    monkeypatch.setenv("VANBAN_HUB_CODE", "truc-tinh-H16")
    make_agency(A, "Văn phòng UBND tỉnh")
    make_agency(B, "Sở Nội vụ")
    systems = {}
    for code, name in ((A, "vxp.saas.vp"), (B, "vxp.saas.snv")):
        system, secret = vxp_systems.create_system(name=name, codes=[code], actor="test")
        services.add_certificates(code=code, pem=ids[code].cert_pem(), actor="test")
        systems[code] = (system.system_id, secret)
    return VxpHub(f"{live_server.url}/vxp", systems, ids)


def hub_state() -> tuple[int, ...]:
    """Everything a request could write: rows of every hub table it touches, and blob files."""
    blobs = Path(settings.DATA_DIR) / "hub" / "blobs"
    held = set(RefusedPackage.objects.values_list("sha256", flat=True))  # a refusal is kept for the operator
    files = sum(1 for p in blobs.rglob("*") if p.is_file() and "tmp" not in p.parts and p.name not in held) \
        if blobs.exists() else 0
    return (Package.objects.count(), Delivery.objects.filter(state="delivered").count(), Delivery.objects.count(),
            TraceEvent.objects.count(), AuditEvent.objects.exclude(action="hub.package_refused").count(),
            VxpReceipt.objects.count(), EndpointAgency.objects.count(), files)
